# Golden values for the PAR leaders' score with R's survey package.
# Usage: Rscript reference_par.R par_leaders.csv OUT.json
# Design: strata = group, no clusters, fpc = invited (weights N_h / n_h follow from it).
# Shares: a = 1, b = .6, c = .2, d = 0; e ("không đánh giá được") and blank leave the denominator
# (sensitivity: e counts 0, blank still leaves).  Criterion points = P_c * T(share_c) / T(graded_c);
# total = sum over criteria, through svycontrast (delta method on the estimated totals, which is
# the Taylor linearisation of the same statistic).  CI: the logit interval of svyciprop(method =
# "logit") applied to total / max: svycontrast of log(total / (max - total)), then
# max * plogis(logit +/- t(degf) * se_logit), so it stays inside [0, max].
suppressMessages({library(survey); library(jsonlite)})
args <- commandArgs(TRUE); d <- read.csv(args[1], stringsAsFactors=FALSE, na.strings=character(0))
points <- c(cd1=1, cd2=1, th1=1.25, th2=1.25, tt1=1, tt2=1, tt3=1, tc1=1.25, tc2=1.25, cv1=1, cv2=1,
            cv3=1, tcc1=1, tcc2=1, cq1=1, cq2=1, cq3=1, td1=1, td2=1, td3=1, td4=1)
shares <- c(a=1, b=0.6, c=0.2, d=0)
for (k in names(points)) {
  x <- d[[k]]
  d[[paste0("s_", k)]] <- ifelse(x %in% names(shares), shares[x], 0)
  d[[paste0("a_", k)]] <- as.numeric(x %in% names(shares))
  d[[paste0("z_", k)]] <- as.numeric(x %in% c(names(shares), "e"))
}
des <- svydesign(ids=~1, strata=~group, fpc=~invited, data=d)
df <- degf(des); q <- qt(0.975, df)
score <- function(den) {
  f <- as.formula(paste("~", paste(c(paste0("s_", names(points)), paste0(den, "_", names(points))), collapse="+")))
  tot <- svytotal(f, des)
  expr <- parse(text=paste(sprintf("%s * s_%s / %s_%s", points, names(points), den, names(points)), collapse=" + "))[[1]]
  r <- svycontrast(tot, expr)
  est <- as.numeric(coef(r)); se <- as.numeric(SE(r))
  top <- sum(points)
  l <- svycontrast(tot, substitute(log(E / (M - E)), list(E=expr, M=top)))
  eta <- as.numeric(coef(l)); se_eta <- as.numeric(SE(l))
  list(estimate=est, se=se, ci_low=top * plogis(eta - q * se_eta), ci_high=top * plogis(eta + q * se_eta),
       n=nrow(d))
}
out <- list(total=score("a"), total_e_as_zero=score("z"), degf=df,
            provenance=paste("R", R.version$major, R.version$minor, "survey", as.character(packageVersion("survey"))))
write(toJSON(out, auto_unbox=TRUE, digits=NA, pretty=TRUE), args[2])

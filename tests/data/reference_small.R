# Golden values for proportion intervals on a small wave (R's svyciprop, "beta" and "logit").
# Usage: Rscript reference_small.R small_wave.csv OUT.json   (R 4.2.2, survey 4.1.1, Debian packages)
# Data: tests/data/small_wave.csv, 47 synthetic responses in 4 localities (strata), 2-3 desk-days
# (PSUs) each, weights, items q1 and q2 answered 1-5 (0 = no answer), made by a seeded script.
# Each share is "answers 4-5 among answers 1-5", computed on subset(design, item > 0), so the
# degrees of freedom are those of the PSUs holding answers (degf of the subset).
suppressMessages({library(survey); library(jsonlite)})
args <- commandArgs(TRUE); d <- read.csv(args[1], stringsAsFactors=FALSE)
des <- svydesign(id=~psu, strata=~locality, weights=~weight, data=d, nest=TRUE)
res <- list()
one <- function(sub, it, tag) {
  for (m in c("beta", "logit")) {
    p <- svyciprop(as.formula(paste0("~I(", it, ">=4)")), sub, method=m); ci <- confint(p)
    res[[paste0(tag, "_", m)]] <<- list(estimate=as.numeric(coef(p)), se=as.numeric(SE(p)),
      ci_low=as.numeric(ci[1]), ci_high=as.numeric(ci[2]), df=degf(sub), n=nrow(sub))
  } }
for (it in c("q1", "q2")) {
  one(subset(des, d[[it]] > 0), it, it)
  for (L in sort(unique(d$locality))) one(subset(des, d[[it]] > 0 & d$locality == L), it, paste0(it, "_", L))
}
writeLines(toJSON(res, digits=NA, auto_unbox=TRUE, pretty=TRUE), args[2])

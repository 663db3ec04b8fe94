# Extra golden values from R's survey package for tests/analysis (beyond expected.json).
# Usage: Rscript reference_extra.R sipas_synthetic.csv expected.json OUT.json
# Run with R 4.2.2 and survey 4.1.1 (Debian bookworm r-base-core, r-cran-survey).
suppressMessages({library(survey); library(jsonlite)})
options(survey.lonely.psu = "adjust")
args <- commandArgs(TRUE); d <- read.csv(args[1], stringsAsFactors = FALSE)
margins <- fromJSON(args[2])$raked_margins
rec <- function(x, deff = FALSE) {
  out <- list(estimate = as.numeric(coef(x)), se = as.numeric(SE(x)))
  if (deff) out$deff <- as.numeric(deff(x))
  out }
byrec <- function(b, stat) {
  lapply(split(b, b[[1]]), function(r) {
    out <- list(estimate = r[[2]], se = r[[3]]); if (ncol(r) > 3) out$deff <- r[[4]]; out }) }
res <- list()
des <- svydesign(id = ~psu, strata = ~locality, weights = ~weight, data = d, nest = TRUE)
res$mean_q1 <- rec(svymean(~q1, des, deff = TRUE), TRUE)
res$total_q1 <- rec(svytotal(~q1, des, deff = TRUE), TRUE)
res$mean_q1_by_gender <- byrec(svyby(~q1, ~gender, des, svymean, deff = TRUE))
res$total_q1_by_gender <- byrec(svyby(~q1, ~gender, des, svytotal, deff = TRUE))
r <- svyratio(~q1, ~q2, des); res$ratio_q1_q2 <- list(estimate = as.numeric(coef(r)), se = as.numeric(SE(r)))
p <- svyciprop(~I(q3 >= 4), des, method = "logit")
res$proportion_q3_satisfied <- list(estimate = as.numeric(coef(p)), se = as.numeric(SE(p)),
                                     ci_low = as.numeric(confint(p)[1]), ci_high = as.numeric(confint(p)[2]))
# a lonely PSU: keep one desk-day of locality L01
keep <- d$locality != "L01" | d$psu == sort(unique(d$psu[d$locality == "L01"]))[1]
lone <- svydesign(id = ~psu, strata = ~locality, weights = ~weight, data = d[keep, ], nest = TRUE)
res$lonely_mean_q1 <- rec(svymean(~q1, lone))
res$lonely_total_q1 <- rec(svytotal(~q1, lone))
res$lonely_degf <- degf(lone)
# finite population correction: 60 desk-days in each locality's population
d$fpc_psu <- 60
fpc <- svydesign(id = ~psu, strata = ~locality, weights = ~weight, fpc = ~fpc_psu, data = d, nest = TRUE)
res$fpc_mean_q1 <- rec(svymean(~q1, fpc, deff = TRUE), TRUE)
res$fpc_total_q1 <- rec(svytotal(~q1, fpc))
# post-stratification to the gender totals
pg <- data.frame(gender = names(margins$gender), Freq = unlist(margins$gender))
ps <- postStratify(des, ~gender, pg)
res$poststratified_mean_q1 <- rec(svymean(~q1, ps))
res$poststratified_total_q1 <- rec(svytotal(~q1, ps))
# raking then domain means (calibration residuals across domains)
pa <- data.frame(age_band = names(margins$age_band), Freq = unlist(margins$age_band))
raked <- rake(des, list(~gender, ~age_band), list(pg, pa), control = list(maxit = 100, epsilon = 1e-10))
res$raked_mean_q1_by_locality <- byrec(svyby(~q1, ~locality, raked, svymean, deff = TRUE))
res$raked_total_q1 <- rec(svytotal(~q1, raked))
writeLines(toJSON(res, digits = NA, auto_unbox = TRUE, pretty = TRUE), args[3])

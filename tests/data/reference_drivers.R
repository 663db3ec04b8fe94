# Golden values for the key-driver regression (analysis/drivers.py) with R's survey package.
# Usage: Rscript reference_drivers.R sipas_synthetic.csv drivers_expected.json
# Design: strata = locality, PSU = psu (nested), weights = weight; no fpc.
# Outcome: satisfied with q8 (answer 4-5 = 1, 1-3 = 0, 0 = missing).
# Predictors: mean scores q1..q4 (0 = missing); rows with any missing value leave the fit.
suppressMessages(library(survey))
args <- commandArgs(TRUE); d <- read.csv(args[1], stringsAsFactors = FALSE)
for (it in paste0("q", 1:8)) d[[it]][d[[it]] == 0] <- NA
d$sat8 <- as.numeric(d$q8 >= 4)
des <- svydesign(id = ~psu, strata = ~locality, weights = ~weight, data = d, nest = TRUE)
call <- "svyglm(sat8 ~ q1 + q2 + q3 + q4, design = des, family = quasibinomial())"
fit <- eval(parse(text = call))
fit_min <- svyglm(sat8 ~ q3, design = des, family = quasibinomial())
num <- function(x) paste(sprintf("%.17g", x), collapse = ", ")
model <- function(f) sprintf('{"names": [%s], "coef": [%s], "se": [%s], "df_residual": %d, "n": %d}',
  paste0('"', names(coef(f)), '"', collapse = ", "), num(coef(f)), num(SE(f)),
  as.integer(f$df.residual), as.integer(length(f$y)))
out <- sprintf('{\n "provenance": {"r": "%s", "survey": "%s", "data": "sipas_synthetic.csv", "design": "%s", "call": "%s", "call_min": "%s"},\n "full": %s,\n "min": %s\n}\n',
  R.version.string, as.character(packageVersion("survey")),
  "svydesign(id = ~psu, strata = ~locality, weights = ~weight, data = d, nest = TRUE)", call,
  "svyglm(sat8 ~ q3, design = des, family = quasibinomial())", model(fit), model(fit_min))
writeLines(out, args[2])

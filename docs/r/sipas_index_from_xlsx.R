# SIPAS index from the platform's XLSX export alone, with R's survey package.
# Usage: Rscript sipas_index_from_xlsx.R responses.xlsx OUT.csv
# Reads the sheets "responses" (one row per valid response, design columns and items) and
# "index_tree" (nodes, their children and weights). Item share = weighted share of answers
# 4-5 among answers 1-5 (an empty cell is "Không trả lời"); an element is the mean of its
# items' shares, a higher node the weighted mean of its children. Every node is therefore a
# linear combination sum_k c_k R_k of item ratios; its SE linearises the whole combination
# (z = sum_k c_k v_k (s_k - R_k) / N_k, then svytotal), as analysis/sipas.py does.
suppressMessages({library(survey); library(readxl)})
options(survey.lonely.psu = "adjust")  # as the platform: strata with one PSU are centred
args <- commandArgs(TRUE)
d <- as.data.frame(read_excel(args[1], sheet = "responses"))
tree <- as.data.frame(read_excel(args[1], sheet = "index_tree"))
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~design_weight, nest = TRUE, data = d)

children <- setNames(strsplit(tree$children, " "), tree$node)
weights_of <- setNames(lapply(tree$weights, function(x)
  if (is.na(x)) NULL else as.numeric(strsplit(x, " ")[[1]])), tree$node)
coefficients <- function(node) {  # c_k over item columns
  kids <- children[[node]]; w <- weights_of[[node]]
  if (is.null(w)) w <- rep(1, length(kids))
  w <- w / sum(w); out <- c()
  for (i in seq_along(kids)) {
    k <- kids[i]
    out <- c(out, w[i] * (if (k %in% names(children)) coefficients(k) else setNames(1, k)))
  }
  tapply(out, names(out), sum)
}
w <- weights(des); x <- des$variables
estimate <- function(coef) {
  est <- 0; z <- rep(0, nrow(x))
  for (item in names(coef)) {
    a <- suppressWarnings(as.numeric(x[[item]]))
    v <- as.numeric(!is.na(a) & a >= 1 & a <= 5); s <- v * as.numeric(!is.na(a) & a >= 4)
    N <- sum(w * v); R <- sum(w * s) / N
    est <- est + coef[[item]] * R; z <- z + coef[[item]] * v * (s - R) / N
  }
  des$variables$z__ <- z
  c(estimate = est, se = as.numeric(SE(svytotal(~z__, des))))
}
items <- unique(unlist(lapply(tree$node, function(n) names(coefficients(n)))))
rows <- c(lapply(items, function(i) c(name = i, estimate(setNames(1, i)))),
          lapply(tree$node, function(n) c(name = n, estimate(coefficients(n)))))
write.csv(do.call(rbind, rows), args[2], row.names = FALSE)

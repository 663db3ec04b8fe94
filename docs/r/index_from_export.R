# The SIPAS index, its nodes and their standard errors from the platform's export, in R alone.
# Usage: Rscript docs/r/index_from_export.R EXPORT.csv|EXPORT.xlsx TREE.json
#   EXPORT: flask --app wsgi export responses --wave 2026Q4 --format csv|xlsx --out ...
#   TREE:   flask --app wsgi export index-tree --questionnaire sipas-2026 --out tree.json
# Each node is the (weighted) mean of its children; an item's score is the share answering 4-5
# among those answering 1-5 (QĐ 1001/QĐ-BNV). Each node is therefore a linear combination of
# ratios, estimated with svyratio and svycontrast under the export's design.
suppressMessages({library(survey); library(jsonlite)})
args <- commandArgs(TRUE)
d <- if (grepl("\\.xlsx$", args[1])) as.data.frame(readxl::read_excel(args[1], sheet = "responses")) else read.csv(args[1])
tree <- fromJSON(args[2], simplifyVector = FALSE)
nodes <- setNames(tree$nodes, sapply(tree$nodes, function(n) n$code))
coefs <- function(code) {  # a node's coefficient on each item share
  kids <- unlist(nodes[[code]]$children)
  w <- if (is.null(nodes[[code]]$weights)) rep(1, length(kids)) else unlist(nodes[[code]]$weights)
  w <- w / sum(w); out <- numeric(0)
  for (k in seq_along(kids)) {
    sub <- if (kids[k] %in% names(nodes)) coefs(kids[k]) else setNames(1, kids[k])
    for (q in names(sub)) out[q] <- (if (q %in% names(out)) out[[q]] else 0) + w[k] * sub[[q]]
  }
  out
}
items <- names(coefs(tree$root))
for (q in items) {
  x <- suppressWarnings(as.numeric(d[[q]]))
  d[[paste0("v_", q)]] <- as.numeric(!is.na(x) & x >= 1)  # answered 1-5 (blank or 0: no answer)
  d[[paste0("s_", q)]] <- as.numeric(!is.na(x) & x >= 4)  # satisfied: 4-5
}
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~design_weight, nest = TRUE, data = d)
shares <- svyratio(as.formula(paste("~", paste0("s_", items, collapse = "+"))),
                   as.formula(paste("~", paste0("v_", items, collapse = "+"))), des, covmat = TRUE)
node <- function(code) {
  cf <- coefs(code)
  v <- setNames(rep(0, length(coef(shares))), names(coef(shares)))
  v[paste0("s_", names(cf), "/v_", names(cf))] <- cf
  e <- svycontrast(shares, v)
  data.frame(node = code, estimate = coef(e)[[1]], se = SE(e)[[1]])
}
print(do.call(rbind, lapply(names(nodes), node)), digits = 12, row.names = FALSE)

# Export the California API samples shipped with R's survey package (data(api)),
# used in Lumley (2010) Complex Surveys ch. 2 and in example(api), to CSV.
# Usage: Rscript api_export.R   (R 4.2.2, survey 4.1.1)
suppressMessages(library(survey)); data(api)
write.csv(apistrat[, c("snum", "stype", "pw", "fpc", "api00", "enroll")], "apistrat.csv", row.names = FALSE)
write.csv(apiclus1[, c("snum", "dnum", "stype", "pw", "fpc", "api00", "enroll")], "apiclus1.csv", row.names = FALSE)

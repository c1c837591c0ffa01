#!/usr/bin/env Rscript
# Exports the real datasets of the benchmark from R's lme4 and mlmRev packages (Debian's r-cran-lme4
# and r-cran-mlmrev) to Tools/out/real-NAME.csv, rows with a missing value in the model's variables
# dropped. Usage: Rscript Tools/export-real-data.R   (from the repository root)
suppressMessages({ library(lme4); library(mlmRev) })
dir.create("Tools/out", showWarnings = FALSE)
write <- function(d, name, vars) {
  d <- d[complete.cases(d[, vars]), vars]
  write.csv(d, file.path("Tools/out", paste0("real-", name, ".csv")), row.names = FALSE)
}
data(star, package = "mlmRev")
write(star, "star", c("math", "gr", "cltype", "sx", "eth", "id", "tch", "sch"))
write(InstEval, "insteval", c("y", "service", "s", "d", "dept"))
data(Chem97, package = "mlmRev")
write(Chem97, "chem97", c("score", "gcsecnt", "school", "lea"))
data(egsingle, package = "mlmRev")
write(egsingle, "egsingle", c("math", "year", "childid", "schoolid"))
data(ScotsSec, package = "mlmRev")
write(ScotsSec, "scotssec", c("attain", "verbal", "sex", "primary", "second"))

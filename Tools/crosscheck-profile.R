# lme4's profile-likelihood intervals (confint(method = "profile")) on the bundled data, the golden values of
# ProfileIntervalTests. Writes Examples/data/reference-profile.json. Run: Rscript Tools/crosscheck-profile.R
suppressMessages({library(lme4); library(jsonlite)})
models <- list(
  list(dataset = "gcse", formula = "gcse ~ lrt + (lrt | school)", filter = "nstu > 4", reml = FALSE),
  list(dataset = "gcse", formula = "gcse ~ lrt + (1 | school)", filter = "nstu > 4", reml = FALSE),
  list(dataset = "penicillin", formula = "diameter ~ 1 + (1 | plate) + (1 | sample)", filter = NULL, reml = TRUE),
  list(dataset = "pastes", formula = "strength ~ 1 + (1 | batch/cask)", filter = NULL, reml = TRUE))
out <- lapply(models, function(m) {
  d <- read.csv(file.path("Examples/data", paste0(m$dataset, ".csv")))
  if (!is.null(m$filter)) d <- subset(d, eval(parse(text = m$filter)))
  for (v in c("school", "plate", "sample", "batch", "cask")) if (!is.null(d[[v]])) d[[v]] <- factor(d[[v]])
  fit <- lmer(as.formula(m$formula), d, REML = m$reml)
  ci <- confint(fit, method = "profile", oldNames = FALSE)
  list(dataset = m$dataset, formula = m$formula, filter = m$filter, method = if (m$reml) "REML" else "ML",
       intervals = lapply(seq_len(nrow(ci)), function(i) list(parameter = rownames(ci)[i], lower = ci[i, 1], upper = ci[i, 2])))
})
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), "Examples/data/reference-profile.json")
cat("wrote Examples/data/reference-profile.json\n")

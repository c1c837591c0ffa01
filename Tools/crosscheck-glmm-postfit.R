# glmer's random effects with conditional SDs (ranef(condVar = TRUE)) and residuals (response, Pearson,
# deviance) for cbpp and grouseticks: the golden values of GeneralizedPostFitTests.
# Writes Examples/data/reference-glmm-postfit.json. Run: Rscript Tools/crosscheck-glmm-postfit.R
suppressMessages({library(lme4); library(jsonlite)})
tight <- glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
models <- list(
  list(dataset = "cbpp", formula = "cbind(incidence, size - incidence) ~ period + (1 | herd)", family = "binomial"),
  list(dataset = "grouseticks", formula = "TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | INDEX) + (1 | LOCATION)", family = "poisson"))
out <- lapply(models, function(m) {
  d <- read.csv(file.path("Examples/data", paste0(m$dataset, ".csv")))
  for (v in c("herd", "period", "BROOD", "INDEX", "LOCATION", "YEAR")) if (!is.null(d[[v]])) d[[v]] <- factor(d[[v]])
  fit <- glmer(as.formula(m$formula), d, family = m$family, control = tight)
  re <- ranef(fit, condVar = TRUE)
  ranefs <- lapply(names(re), function(g) {
    v <- attr(re[[g]], "postVar")
    list(group = g, levels = lapply(seq_len(nrow(re[[g]])), function(i) list(level = rownames(re[[g]])[i], mode = re[[g]][i, 1], condSD = sqrt(v[1, 1, i]))))
  })
  list(dataset = m$dataset, formula = m$formula, family = m$family, ranef = ranefs,
       fitted = unname(fitted(fit)), response = unname(residuals(fit, type = "response")),
       pearson = unname(residuals(fit, type = "pearson")), deviance = unname(residuals(fit, type = "deviance")))
})
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = FALSE), "Examples/data/reference-glmm-postfit.json")
cat("wrote Examples/data/reference-glmm-postfit.json\n")

# glmer's fits (tight BOBYQA) of more binomial and Poisson models on data from lme4 and mlmRev, written with
# the data to Examples/data (verbagg.csv, contraception.csv, mmmec.csv, reference-glmm.json): the golden
# values of GeneralizedFitTests. Run: Rscript Tools/crosscheck-glmm.R   (needs r-cran-lme4, r-cran-mlmrev, jsonlite)
suppressMessages({library(lme4); library(mlmRev); library(jsonlite)})
data(VerbAgg); data(Contraception); data(Mmmec)
write.csv(VerbAgg[, c("r2", "Anger", "Gender", "btype", "situ", "id", "item")], "Examples/data/verbagg.csv", row.names = FALSE)
write.csv(Contraception[, c("use", "age", "urban", "livch", "district")], "Examples/data/contraception.csv", row.names = FALSE)
write.csv(Mmmec[, c("deaths", "expected", "uvb", "nation", "region")], "Examples/data/mmmec.csv", row.names = FALSE)
tight <- glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
models <- list(
  list(dataset = "verbagg", formula = "r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)", family = "binomial"),
  list(dataset = "contraception", formula = "use ~ age + I(age^2) + urban + livch + (1 | district)", family = "binomial"),
  list(dataset = "contraception", formula = "use ~ age + urban + (urban | district)", family = "binomial"),
  list(dataset = "mmmec", formula = "deaths ~ uvb + offset(log(expected)) + (1 | nation/region)", family = "poisson"))
out <- lapply(models, function(m) {
  d <- read.csv(file.path("Examples/data", paste0(m$dataset, ".csv")), stringsAsFactors = TRUE)
  for (v in c("id", "item", "district", "nation", "region")) if (!is.null(d[[v]])) d[[v]] <- factor(d[[v]])
  if (!is.null(d$livch)) d$livch <- factor(d$livch, levels = c("0", "1", "2", "3+"))
  t0 <- proc.time()[["elapsed"]]
  fit <- glmer(as.formula(m$formula), d, family = m$family, control = tight)
  seconds <- proc.time()[["elapsed"]] - t0
  t0 <- proc.time()[["elapsed"]]; default <- glmer(as.formula(m$formula), d, family = m$family); secondsDefault <- proc.time()[["elapsed"]] - t0
  s <- summary(fit)$coefficients
  rename <- function(x) gsub("^(Gender|btype|situ|urban|livch)(.+)$", "\\1[\\2]", gsub(":", ":", x))
  vc <- as.data.frame(VarCorr(fit))
  list(dataset = m$dataset, formula = m$formula, family = m$family, nobs = nobs(fit), logLik = as.numeric(logLik(fit)),
       logLikDefault = as.numeric(logLik(default)), glmer_seconds_tight = seconds, glmer_seconds = secondsDefault,
       fixef = lapply(seq_len(nrow(s)), function(i) list(name = rename(rownames(s)[i]), estimate = s[i, 1], stdError = s[i, 2])),
       varcorr = lapply(seq_len(nrow(vc)), function(i) list(group = vc$grp[i], var1 = vc$var1[i], var2 = vc$var2[i], sdcor = vc$sdcor[i])))
})
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), "Examples/data/reference-glmm.json")
cat("wrote Examples/data/reference-glmm.json\n")

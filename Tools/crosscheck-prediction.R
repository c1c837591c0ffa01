#!/usr/bin/env Rscript
# Golden values for issue 15 (after the fit), computed by lme4: predict (allow.new.levels, re.form = NA),
# ranef(condVar = TRUE), fitted, residuals, and prediction intervals from lme4's own pieces
# (vcov, VarCorr, the conditional variances, sigma). Writes Examples/data/reference-prediction.json.
# Run from the repository root: Rscript Tools/crosscheck-prediction.R
suppressMessages({ library(lme4); library(jsonlite) })
read <- function(name) read.csv(file.path("Examples/data", paste0(name, ".csv")), stringsAsFactors = TRUE)
cases <- list(
  list(dataset = "sleepstudy", formula = "Reaction ~ Days + (Days | Subject)",
       newdata = data.frame(Days = c(0, 5, 9, 3), Subject = c("308", "309", "372", "999"))),
  list(dataset = "pastes", formula = "strength ~ 1 + (1 | batch/cask)",
       newdata = data.frame(batch = c("A", "B", "Z", "C"), cask = c("a", "b", "a", "q"))),
  list(dataset = "penicillin", formula = "diameter ~ 1 + (1 | plate) + (1 | sample)",
       newdata = data.frame(plate = c("a", "b", "zz", "c"), sample = c("A", "F", "B", "new")))
)
out <- lapply(cases, function(case) {
  d <- read(case$dataset)
  if (case$dataset == "sleepstudy") d$Subject <- factor(d$Subject)
  m <- lmer(as.formula(case$formula), d, REML = TRUE)
  nd <- case$newdata
  conditional <- predict(m, newdata = nd, allow.new.levels = TRUE)
  marginal <- predict(m, newdata = nd, re.form = NA)
  re <- ranef(m, condVar = TRUE)
  ranefOut <- lapply(names(re), function(g) {
    pv <- attr(re[[g]], "postVar")
    lapply(seq_len(nrow(re[[g]])), function(i) list(level = rownames(re[[g]])[i], mode = as.numeric(re[[g]][i, ]),
                                                    condSD = sqrt(diag(as.matrix(pv[, , i])))))
  })
  names(ranefOut) <- names(re)
  # Intervals, from lme4's pieces: the fixed part's variance x'Vx; for a new observation add z'Cz (C the
  # level's conditional covariance, or the term's covariance for a new level) and sigma^2.
  X <- model.matrix(delete.response(terms(lme4::nobars(as.formula(case$formula)))), nd)
  V <- as.matrix(vcov(m))
  fixedVar <- rowSums((X %*% V) * X)
  vc <- VarCorr(m)
  predVar <- fixedVar + sigma(m)^2
  for (g in names(re)) {
    key <- if (grepl(":", g)) { parts <- strsplit(g, ":")[[1]]; paste(nd[[parts[1]]], nd[[parts[2]]], sep = ":") } else nd[[g]]
    pv <- attr(re[[g]], "postVar")
    Zg <- model.matrix(as.formula(paste("~", if (ncol(re[[g]]) == 1) "1" else paste(colnames(re[[g]])[-1], collapse = "+"))), nd)
    for (i in seq_len(nrow(nd))) {
      j <- match(key[i], rownames(re[[g]]))
      C <- if (is.na(j)) as.matrix(vc[[g]]) else as.matrix(pv[, , j])
      predVar[i] <- predVar[i] + as.numeric(Zg[i, , drop = FALSE] %*% C %*% t(Zg[i, , drop = FALSE]))
    }
  }
  list(dataset = case$dataset, formula = case$formula, newdata = data.frame(lapply(nd, as.character)), conditional = as.numeric(conditional),
       marginal = as.numeric(marginal), confidenceSE = sqrt(fixedVar), predictionSE = sqrt(as.numeric(predVar)),
       fitted = as.numeric(fitted(m)), residuals = as.numeric(residuals(m)), ranef = ranefOut)
})
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "Examples/data/reference-prediction.json")

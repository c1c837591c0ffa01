# Golden values for issue 16's small-sample inference, from lmerTest (Satterthwaite, type III anova) and
# pbkrtest through lmerTest (Kenward-Roger) on the bundled data. Writes Examples/data/reference-smallsample.json.
# Run: Rscript Tools/crosscheck-smallsample.R   (needs r-cran-lmertest, r-cran-pbkrtest, r-cran-jsonlite)
suppressMessages({library(lmerTest); library(pbkrtest); library(jsonlite)})
tight <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5), calc.derivs = FALSE)
models <- list(
  list(dataset = "sleepstudy", formula = "Reaction ~ Days + (Days | Subject)", filter = NULL),
  list(dataset = "gcse", formula = "gcse ~ lrt * schgend + (lrt | school)", filter = "nstu > 4"),
  list(dataset = "gcse", formula = "gcse ~ lrt + schgend + (1 | school)", filter = NULL),
  list(dataset = "penicillin", formula = "diameter ~ 1 + (1 | plate) + (1 | sample)", filter = NULL),
  list(dataset = "pastes", formula = "strength ~ 1 + (1 | batch/cask)", filter = NULL),
  list(dataset = "sleepstudy", formula = "Reaction ~ Days + (1 | Subject) + (0 + Days | Subject)", filter = NULL)
)
out <- list()
for (m in models) {
  d <- read.csv(file.path("Examples/data", paste0(m$dataset, ".csv")))
  if (!is.null(m$filter)) d <- subset(d, eval(parse(text = m$filter)))
  for (v in c("school", "Subject", "plate", "sample", "batch", "cask")) if (!is.null(d[[v]])) d[[v]] <- factor(d[[v]])
  if (!is.null(d$schgend)) d$schgend <- factor(d$schgend, levels = 1:3, labels = c("mixed", "boys", "girls"))
  fit <- lmer(as.formula(m$formula), d, REML = TRUE, control = tight)
  coefs <- function(ddf) {
    s <- summary(fit, ddf = ddf)$coefficients
    lapply(seq_len(nrow(s)), function(i) list(name = gsub("schgend(mixed|boys|girls)", "schgend[\\1]", rownames(s)[i]), estimate = s[i, 1], stdError = s[i, 2], df = s[i, 3], t = s[i, 4], p = s[i, 5]))
  }
  anovas <- function(ddf) {
    a <- anova(fit, type = 3, ddf = ddf)
    lapply(seq_len(nrow(a)), function(i) list(term = rownames(a)[i], numDF = a[i, "NumDF"], denDF = a[i, "DenDF"], F = a[i, "F value"], p = a[i, "Pr(>F)"]))
  }
  out[[length(out) + 1]] <- list(dataset = m$dataset, formula = m$formula, filter = m$filter, logLik = as.numeric(logLik(fit)),
    satterthwaite = coefs("Satterthwaite"), kenwardRoger = coefs("Kenward-Roger"),
    anovaSatterthwaite = anovas("Satterthwaite"), anovaKenwardRoger = anovas("Kenward-Roger"))
}
# Linear hypotheses and combinations (Stata's test and lincom) on the slides' model 3 by REML: Wald chi2
# from vcov(beta), and lmerTest's contest with Satterthwaite and Kenward-Roger df.
d <- read.csv("Examples/data/gcse.csv"); d <- subset(d, nstu > 4); d$school <- factor(d$school)
d$schgend <- factor(d$schgend, levels = 1:3, labels = c("mixed", "boys", "girls"))
fit <- lmer(gcse ~ lrt * schgend + (lrt | school), d, REML = TRUE, control = tight)
hypotheses <- list(list(text = "schgend[boys] = schgend[girls]", L = rbind(c(0, 0, 1, -1, 0, 0)), rhs = 0),
                   list(text = "lrt:schgend[boys] lrt:schgend[girls]", L = rbind(c(0, 0, 0, 0, 1, 0), c(0, 0, 0, 0, 0, 1)), rhs = c(0, 0)),
                   list(text = "lrt = 0.5", L = rbind(c(0, 1, 0, 0, 0, 0)), rhs = 0.5))
tests <- lapply(hypotheses, function(h) {
  V <- as.matrix(vcov(fit)); r <- h$L %*% fixef(fit) - h$rhs
  wald <- drop(t(r) %*% solve(h$L %*% V %*% t(h$L), r))
  shift <- function(ddf) {  # contest tests L beta = 0: move beta by a solution of L beta0 = rhs via the model's own numbers
    b0 <- t(h$L) %*% solve(h$L %*% t(h$L), h$rhs); fit2 <- fit
    ct <- contest(fit, h$L, ddf = ddf, joint = TRUE)
    # lmerTest has no rhs: recompute F with the shifted estimate, keeping its denominator df.
    list(F = wald_f(ddf, b0), denDF = ct[["DenDF"]], numDF = ct[["NumDF"]])
  }
  wald_f <- function(ddf, b0) {
    Vd <- if (ddf == "Kenward-Roger") as.matrix(pbkrtest::vcovAdj(fit)) else V
    rr <- h$L %*% (fixef(fit) - b0); drop(t(rr) %*% solve(h$L %*% Vd %*% t(h$L), rr)) / nrow(h$L)
  }
  s <- shift("Satterthwaite"); k <- shift("Kenward-Roger")
  list(text = h$text, chi2 = wald, df = nrow(h$L), satterthwaiteF = s$F, satterthwaiteDenDF = s$denDF,
       kenwardRogerDenDF = k$denDF)
})
combinations <- lapply(list(list(text = "lrt + lrt:schgend[girls]", L = c(0, 1, 0, 0, 0, 1)),
                            list(text = "_cons + 2*lrt", L = c(1, 2, 0, 0, 0, 0))), function(h) {
  s <- contest(fit, rbind(h$L), ddf = "Satterthwaite", joint = FALSE)
  list(text = h$text, estimate = s[["Estimate"]], stdError = s[["Std. Error"]], df = s[["df"]])
})
out <- list(fits = out, hypotheses = tests, combinations = combinations)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), "Examples/data/reference-smallsample.json")
cat("wrote Examples/data/reference-smallsample.json\n")

#!/usr/bin/env Rscript
# Golden values for issue 12 (fidelity), computed by R: lme4, lm, and an independent computation of
# HLM's chi-square test. Writes Examples/data/reference-fidelity.json and the weighted sleepstudy data.
# Run from the repository root: Rscript Tools/crosscheck-fidelity.R
suppressMessages({ library(lme4); library(jsonlite) })
gcse <- read.csv("Examples/data/gcse.csv")
sleep <- read.csv("Examples/data/sleepstudy.csv")
sleep$Subject <- factor(sleep$Subject)
g5 <- subset(gcse, nstu > 4)
g5$school <- factor(g5$school)
fitInfo <- function(m) {
  list(logLik = as.numeric(logLik(m)), fixef = as.list(fixef(m)), se = as.list(sqrt(diag(as.matrix(vcov(m))))),
       sigma = sigma(m), singular = isSingular(m),
       sd = as.list(setNames(as.data.frame(VarCorr(m))$sdcor, paste(as.data.frame(VarCorr(m))$grp, as.data.frame(VarCorr(m))$var1, as.data.frame(VarCorr(m))$var2))))
}
out <- list()
# 1. c.lrt##c.lrt is lrt + lrt^2 (Stata's mixed: ML).
out$quadratic <- fitInfo(lmer(gcse ~ lrt + I(lrt^2) + (1 | school), g5, REML = FALSE))
out$quadraticOnly <- fitInfo(lmer(gcse ~ I(lrt^2) + (1 | school), g5, REML = FALSE))
# 2. HLM's chi-square for the random intercept with a fixed slope on lrt: per school, the OLS estimate of
# the intercept from y - x*gamma_lrt, against gamma_00, over its sampling variance sigma^2/n_j.
m <- lmer(gcse ~ lrt + (1 | school), g5, REML = FALSE)
r <- g5$gcse - fixef(m)["lrt"] * g5$lrt
mj <- tapply(r, g5$school, mean); nj <- tapply(r, g5$school, length)
chi2 <- sum((mj - fixef(m)["(Intercept)"])^2 / (sigma(m)^2 / nj))
tau <- as.data.frame(VarCorr(m))$vcov[1]
out$hlmChiSquare <- list(chi2 = chi2, df = length(mj) - 1, reliability = mean(tau / (tau + sigma(m)^2 / nj)))
# 3. A correlation near -1 or +1: lme4's isSingular.
ms <- lmer(Reaction ~ Days + (Days | Subject), subset(sleep, Days < 3), REML = FALSE)
out$nearSingular <- list(singular = isSingular(ms), theta = as.list(getME(ms, "theta")), logLik = as.numeric(logLik(ms)))
# 5. compare refits REML by ML, as anova does.
a <- anova(lmer(Reaction ~ Days + (1 | Subject), sleep), lmer(Reaction ~ Days + (Days | Subject), sleep))
out$anovaRefit <- list(chisq = a$Chisq[2], df = a$Df[2], p = a[["Pr(>Chisq)"]][2])
a2 <- anova(lmer(Reaction ~ Days + (1 | Subject), sleep), lmer(Reaction ~ Days + (Days | Subject), sleep), refit = FALSE)
out$anovaNoRefit <- list(chisq = a2$Chisq[2], df = a2$Df[2])
# R users: poly, scale, relevel, factor(levels=), offset.
out$poly <- fitInfo(lmer(Reaction ~ poly(Days, 2) + (1 | Subject), sleep))
out$scale <- fitInfo(lmer(gcse ~ scale(lrt) + (1 | school), g5))
g5$schgendF <- factor(g5$schgend)
out$relevel <- fitInfo(lmer(gcse ~ lrt + relevel(factor(schgend), ref = "3") + (1 | school), g5))
out$factorLevels <- fitInfo(lmer(gcse ~ lrt + factor(schgend, levels = c(2, 3, 1)) + (1 | school), g5))
out$offset <- fitInfo(lmer(gcse ~ lrt + offset(0.5 * lrt) + (1 | school), g5))
# --weights: lme4's prior weights.
sleep$w <- 1 + (sleep$Days %% 3) / 2
write.csv(sleep, "Examples/data/sleepstudy-weights.csv", row.names = FALSE)
out$weightsREML <- fitInfo(lmer(Reaction ~ Days + (Days | Subject), sleep, weights = w))
out$weightsML <- fitInfo(lmer(Reaction ~ Days + (Days | Subject), sleep, weights = w, REML = FALSE))
out$weightsIntercept <- fitInfo(lmer(Reaction ~ Days + (1 | Subject), sleep, weights = w, REML = FALSE))
# A formula without random effects: lm.
l <- lm(gcse ~ lrt + girl, g5)
out$ols <- list(coef = as.list(coef(l)), se = as.list(sqrt(diag(vcov(l)))), logLik = as.numeric(logLik(l)), sigma = summary(l)$sigma,
                aic = AIC(l), r2 = summary(l)$r.squared)
# The seed's special cases: random-effects ANOVA and three levels (pastes: batch/cask).
out$anova <- fitInfo(lmer(gcse ~ 1 + (1 | school), gcse))
pastes <- read.csv("Examples/data/pastes.csv")
out$threeLevel <- fitInfo(lmer(strength ~ 1 + (1 | batch/cask), pastes))
# HLM's tables at both levels of the three-level model, computed directly from the lmer fit (REML).
m3 <- lmer(strength ~ 1 + (1 | batch/cask), pastes)
vc <- as.data.frame(VarCorr(m3)); tauCask <- vc$vcov[vc$grp == "cask:batch"]; tauBatch <- vc$vcov[vc$grp == "batch"]
s2 <- sigma(m3)^2; g0 <- fixef(m3)[1]
pastes$cb <- paste(pastes$batch, pastes$cask, sep = ":")
ybar <- tapply(pastes$strength, pastes$cb, mean); nh <- tapply(pastes$strength, pastes$cb, length)
batchOf <- tapply(pastes$batch, pastes$cb, function(b) as.character(b[1]))
ub <- ranef(m3)$batch[batchOf, 1]
caskLevel <- list(reliability = mean(tauCask / (tauCask + s2 / nh)), chi2 = sum((ybar - g0 - ub)^2 / (s2 / nh)), df = length(nh) - 1)
vh <- tauCask + s2 / nh
Vk <- 1 / tapply(1 / vh, batchOf, sum); bk <- Vk * tapply((ybar - g0) / vh, batchOf, sum)
batchLevel <- list(reliability = mean(tauBatch / (tauBatch + Vk)), chi2 = sum(bk^2 / Vk), df = length(Vk) - 1)
out$threeLevelTables <- list(batch = batchLevel, cask = caskLevel)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "Examples/data/reference-fidelity.json")

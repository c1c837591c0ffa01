# The ICC's delta-method interval on the logit scale (Stata's estat icc), computed independently: the ML
# deviance of lme4's gcse ~ lrt + (1 | school) fit written out densely, its Hessian in (log SDs) by numDeriv.
# The printed ICC and interval are the golden values of JSONReportTests' iccIntervalMatchesR. Run: Rscript Tools/crosscheck-icc.R
suppressMessages({library(lme4); library(numDeriv)})
d <- read.csv("Examples/data/gcse.csv"); d <- subset(d, nstu > 4); d$school <- factor(d$school)
fit <- lmer(gcse ~ lrt + (1 | school), d, REML = FALSE)
dev <- function(p) { # p = (log sd_school, log sigma): -2 logLik profiled over beta at that sigma
  s <- exp(p[2]); theta <- exp(p[1]) / s
  f <- update(fit, start = list(theta = theta), control = lmerControl(optimizer = NULL))
  X <- getME(fit, "X"); y <- getME(fit, "y")
  V <- exp(2 * p[1]) * tcrossprod(as.matrix(getME(fit, "Z"))) + diag(s^2, nrow(d))
  L <- chol(V); Xs <- backsolve(L, X, transpose = TRUE); ys <- backsolve(L, y, transpose = TRUE)
  b <- qr.coef(qr(Xs), ys); r <- ys - Xs %*% b
  2 * sum(log(diag(L))) + sum(r^2) + nrow(d) * log(2 * pi)
}
vc <- as.data.frame(VarCorr(fit)); p0 <- log(vc$sdcor)
H <- hessian(dev, p0); Vp <- solve(H / 2)
icc <- exp(2 * p0[1]) / sum(exp(2 * p0)); g <- c(2 - 2 * icc, -2 * exp(2 * p0[2]) / sum(exp(2 * p0)) * 1 / (1 - icc) * (1 - icc))
# logit icc = 2 p1 - 2 p2 for one intercept: gradient (2, -2)
g <- c(2, -2); se <- sqrt(drop(t(g) %*% Vp %*% g)); z <- qnorm(0.975); lo <- qlogis(icc)
cat(format(c(icc, plogis(lo - z * se), plogis(lo + z * se)), digits = 12), "\n")

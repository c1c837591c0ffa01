# The exact Laplace approximation for cbpp's glmer model, computed independently of lme4 and of hlm: each
# herd's mode by R's optimize (to 1e-14), the determinant at the mode's weights, BFGS over (theta, beta), and
# numDeriv's Hessian for the SEs. lme4's own devfun is 5.6e-4 above it at lme4's optimum (its PIRLS stops
# earlier), so glmer's logLik is 2.8e-4 below the exact optimum and its Hessian-based SEs differ by ~1%.
# The printed optimum and SEs are the golden values of GeneralizedFitTests.exactLaplaceOfCbpp.
# Run: Rscript Tools/crosscheck-laplace.R
suppressMessages({library(lme4)})
d <- read.csv("Examples/data/cbpp.csv"); d$herd <- factor(d$herd); d$period <- factor(d$period)
f <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), d, family = binomial, control = glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12)))
dv <- getME(f, "devfun"); x <- c(getME(f, "theta"), fixef(f))
X <- model.matrix(f); lap <- function(x) {
  th <- x[1]; b <- x[-1]; eta0 <- drop(X %*% b); tot <- 0
  for (h in levels(d$herd)) { i <- d$herd == h
    g <- function(u) -2 * sum(dbinom(d$incidence[i], d$size[i], plogis(eta0[i] + th * u), log = TRUE)) + u^2
    u <- optimize(g, c(-10, 10), tol = 1e-14)$minimum
    mu <- plogis(eta0[i] + th * u); w <- d$size[i] * mu * (1 - mu)
    tot <- tot + g(u) + log(1 + th^2 * sum(w)) }
  tot }
print(c(lme4 = dv(x), exact = lap(x)), digits = 15)
o <- optim(x, lap, method = "BFGS", control = list(reltol = 1e-14)); print(o$value, digits = 15); print(o$par, digits = 10)
print(-o$value / 2, digits = 15)
suppressMessages(library(numDeriv))
H <- hessian(lap, o$par); print(sqrt(diag(2 * solve(H))), digits = 10)

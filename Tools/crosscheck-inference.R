# Cross-checks for issue 6's estimators, computed by other implementations (R: lme4, nlme, plm,
# clubSandwich), on the bundled GCSE data with the slides' filter nstu > 4. Run: Rscript Tools/crosscheck-inference.R
# The numbers it prints are the golden values in Tests/HLMEstimationTests/CrossCheckTests.swift.
suppressMessages({library(lme4); library(nlme); library(plm); library(clubSandwich)})
options(digits = 10)
d <- read.csv("Examples/data/gcse.csv"); d <- d[d$nstu > 4, ]; d$school <- factor(d$school)
tight <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))

cat("== covariance(independent): lme4 (lrt || school), ML\n")
fi <- lmer(gcse ~ lrt + (lrt || school), d, REML = FALSE, control = tight)
cat("logLik", format(as.numeric(logLik(fi)), digits = 12), "\n"); print(fixef(fi)); print(as.data.frame(VarCorr(fi))[, c("var1", "sdcor")])

cat("== covariance(exchangeable): nlme pdCompSymm(~ lrt), ML\n")
fe <- lme(gcse ~ lrt, random = list(school = pdCompSymm(~ lrt)), data = d, method = "ML",
          control = lmeControl(opt = "optim", msMaxIter = 1000, tolerance = 1e-12))
cat("logLik", format(as.numeric(logLik(fe)), digits = 12), "\n"); print(fixef(fe)); print(VarCorr(fe))

cat("== Swamy-Arora: plm(random.method = 'swar'), gcse ~ lrt\n")
sa <- plm(gcse ~ lrt, data = d, index = c("school", "student"), model = "random", random.method = "swar")
print(coef(sa)); print(sqrt(diag(vcov(sa)))); print(ercomp(sa)$sigma2)

cat("== Swamy random coefficients: pvcm(model = 'random'), gcse ~ lrt\n")
rc <- pvcm(gcse ~ lrt, data = d, index = c("school", "student"), model = "random")
print(coef(rc)); print(sqrt(diag(vcov(rc)))); print(rc$Delta)

cat("== Cluster-robust CR0 SEs: clubSandwich on nlme, sleepstudy Reaction ~ Days + (Days | Subject), REML\n")
s <- read.csv("Examples/data/sleepstudy.csv")
fs <- lme(Reaction ~ Days, random = ~ Days | Subject, data = s, method = "REML", control = lmeControl(opt = "optim", tolerance = 1e-12))
print(sqrt(diag(vcov(fs)))); print(sqrt(diag(vcovCR(fs, type = "CR0"))))

cat("== HLM reliability and chi-square test (R&B 3.55, 3.103) from lme4 ML and per-school lm, gcse ~ lrt + (lrt | school)\n")
fm <- lmer(gcse ~ lrt + (lrt | school), d, REML = FALSE, control = tight)
tau <- as.matrix(VarCorr(fm)$school); s2 <- sigma(fm)^2; g <- fixef(fm)
rel <- c(0, 0); chi <- c(0, 0); used <- 0
for (j in levels(d$school)) {
  dj <- d[d$school == j, ]; X <- cbind(1, dj$lrt)
  XtX <- crossprod(X); if (nrow(dj) < 2 || rcond(XtX) < 1e-10) next
  b <- solve(XtX, crossprod(X, dj$gcse)); v <- s2 * diag(solve(XtX))
  rel <- rel + diag(tau) / (diag(tau) + v); chi <- chi + (b - g)^2 / v; used <- used + 1
}
cat("reliability", rel / used, "\nchi2", chi, "\ngroups used", used, "\n")

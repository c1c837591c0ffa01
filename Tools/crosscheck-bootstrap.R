# lme4's parametric bootstrap percentile intervals (confint(method = "boot"), 2000 replicates) for the slides'
# model 1 by ML, the reference for ours up to Monte-Carlo error (the replicates differ: other generator).
# Run: Rscript Tools/crosscheck-bootstrap.R   (prints the golden values of BootstrapTests)
suppressMessages(library(lme4))
set.seed(20261201)
d <- read.csv("Examples/data/gcse.csv"); d <- subset(d, nstu > 4); d$school <- factor(d$school)
fit <- lmer(gcse ~ lrt + (1 | school), d, REML = FALSE)
ci <- confint(fit, method = "boot", nsim = 2000, boot.type = "perc", quiet = TRUE)
print(format(as.data.frame(ci), digits = 10))

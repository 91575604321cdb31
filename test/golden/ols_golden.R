# R lm() golden values for test/stats/ols.test.ts (R is NOT needed in CI; output committed).
#   Rscript test/golden/ols_golden.R      (from the project root; R 4.2, Debian)
# Georgia counties (test/golden/georgia.csv): PctBach ~ PctRural + PctPov + PctBlack + PctFB + PctEld
suppressPackageStartupMessages(library(jsonlite))
g <- read.csv("test/golden/georgia.csv")
f <- PctBach ~ PctRural + PctPov + PctBlack + PctFB + PctEld
m <- lm(f, data = g)
s <- summary(m)
cf <- s$coefficients
xs <- c("PctRural", "PctPov", "PctBlack", "PctFB", "PctEld")
vif <- sapply(xs, function(v) 1 / (1 - summary(lm(reformulate(setdiff(xs, v), v), data = g))$r.squared))
str17 <- function(x) sprintf("%.17g", x)
out <- list(terms = rownames(cf), coef = str17(cf[, 1]), se = str17(cf[, 2]), t = str17(cf[, 3]), p = str17(cf[, 4]),
            r2 = str17(s$r.squared), r2_adj = str17(s$adj.r.squared), F = str17(s$fstatistic[[1]]),
            F_p = str17(pf(s$fstatistic[[1]], s$fstatistic[[2]], s$fstatistic[[3]], lower.tail = FALSE)), vif = str17(unname(vif)))
write_json(out, "test/golden/ols_golden.json", auto_unbox = TRUE, pretty = TRUE)
cat("written test/golden/ols_golden.json\n")

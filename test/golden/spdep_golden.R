# Generates the R spdep golden values used by test/stats/moran.test.ts and getis.test.ts.
# R is NOT needed in CI: the outputs are committed next to this script.
#
#   Rscript test/golden/spdep_golden.R        (from the project root; Debian r-cran-spdep 1.2-7)
#
# Outputs (test/golden/):
#   columbus.csv          Columbus OH (Anselin 1988, shipped with spdep): POLYID, CRIME, HOVAL, INC,
#                         X, Y and the polygon as WKT (a quoted field full of commas)
#   columbus_queen.gal    spdep poly2nb(queen = TRUE) neighbours, ids = POLYID
#   zones_grid.json       a 40 x 28 zone raster (Voronoi zones of 30 seeded points, some NoData
#                         cells, one zone walled off by NoData = an island)
#   zones.csv             one row per zone: code, value
#   spdep_golden.json     moran.test / localG results (all digits, %.17g)
suppressPackageStartupMessages({ library(spdep); library(sf); library(jsonlite) })
out <- "test/golden"
num <- function(x) sprintf("%.17g", x)   # strings: jsonlite prints at most 15 significant digits

## ---- Columbus: real polygon contiguity -------------------------------------------------------
col <- st_read(system.file("shapes/columbus.shp", package = "spData"), quiet = TRUE)
nb <- poly2nb(col, queen = TRUE, row.names = as.character(col$POLYID))
write.nb.gal(nb, file.path(out, "columbus_queen.gal"), oldstyle = FALSE, shpfile = "columbus", ind = "POLYID")
df <- data.frame(POLYID = col$POLYID, CRIME = col$CRIME, HOVAL = col$HOVAL, INC = col$INC,
                 X = col$X, Y = col$Y, wkt = st_as_text(st_geometry(col), digits = 10))
write.csv(df, file.path(out, "columbus.csv"), row.names = FALSE)

mt <- function(x, lw, rand, zp = FALSE) {
  r <- moran.test(x, lw, randomisation = rand, zero.policy = zp, adjust.n = FALSE, alternative = "greater")
  list(I = num(r$estimate[[1]]), EI = num(r$estimate[[2]]), VI = num(r$estimate[[3]]),
       z = num(r$statistic[[1]]), p_greater = num(r$p.value))
}
res <- list()
for (v in c("CRIME", "HOVAL")) {
  for (st in c("W", "B")) {
    lw <- nb2listw(nb, style = st)
    res[[paste0("columbus_", v, "_", st)]] <- list(norm = mt(col[[v]], lw, FALSE), rand = mt(col[[v]], lw, TRUE))
  }
}
for (st in c("B", "W")) {
  res[[paste0("columbus_localGstar_CRIME_", st)]] <- num(as.numeric(localG(col$CRIME, nb2listw(include.self(nb), style = st))))
  res[[paste0("columbus_localG_CRIME_", st)]] <- num(as.numeric(localG(col$CRIME, nb2listw(nb, style = st))))
}

## ---- a zone raster: contiguity from touching cells ---------------------------------------------
set.seed(20261122)
W <- 40; H <- 28; K <- 30
px <- runif(K, 0, W); py <- runif(K, 0, H)
codes <- 100 + seq_len(K) * 3           # non-contiguous zone codes
z <- matrix(0, H, W)
for (r in 1:H) for (c in 1:W) z[r, c] <- codes[which.min((px - (c - 0.5))^2 + (py - (r - 0.5))^2)]
nodata <- -9999
z[sample(length(z), 60)] <- nodata      # scattered NoData cells
# an island zone: a 3x3 block of code 999 walled off by NoData
z[2:6, 34:38] <- nodata
z[3:5, 35:37] <- 999
codes_all <- sort(unique(as.vector(z[z != nodata])))
pairs_of <- function(queen) {
  p <- list()
  add <- function(a, b) { ok <- a != nodata & b != nodata & a != b; cbind(pmin(a[ok], b[ok]), pmax(a[ok], b[ok])) }
  p[[1]] <- add(z[, -W], z[, -1])                 # right
  p[[2]] <- add(z[-H, ], z[-1, ])                 # down
  if (queen) {
    p[[3]] <- add(z[-H, -W], z[-1, -1])           # down-right
    p[[4]] <- add(z[-H, -1], z[-1, -W])           # down-left
  }
  u <- unique(do.call(rbind, p))
  u[order(u[, 1], u[, 2]), , drop = FALSE]
}
nb_of <- function(pr) {
  idx <- function(v) match(v, codes_all)
  l <- lapply(seq_along(codes_all), function(i) integer(0))
  for (k in seq_len(nrow(pr))) { a <- idx(pr[k, 1]); b <- idx(pr[k, 2]); l[[a]] <- c(l[[a]], b); l[[b]] <- c(l[[b]], a) }
  l <- lapply(l, function(v) if (length(v)) sort(unique(as.integer(v))) else 0L)
  class(l) <- "nb"; attr(l, "region.id") <- as.character(codes_all); attr(l, "type") <- "zones"; attr(l, "sym") <- TRUE
  l
}
value <- round(sapply(codes_all, function(cd) { w <- which(z == cd, arr.ind = TRUE); mean(w[, 2]) * 0.7 + mean(w[, 1]) * 0.3 }) + rnorm(length(codes_all), 0, 3), 4)
write.csv(data.frame(zone = codes_all, value = value), file.path(out, "zones.csv"), row.names = FALSE)
write_json(list(width = W, height = H, nodata = nodata, data = as.vector(t(z))), file.path(out, "zones_grid.json"), digits = NA, auto_unbox = TRUE)
for (rule in c("rook", "queen")) {
  pr <- pairs_of(rule == "queen")
  nbz <- nb_of(pr)
  lw <- nb2listw(nbz, style = "W", zero.policy = TRUE)
  res[[paste0("zones_", rule)]] <- list(
    pairs = unname(split(pr, seq_len(nrow(pr)))),
    norm = mt(value, lw, FALSE, TRUE), rand = mt(value, lw, TRUE, TRUE),
    localGstar_B = num(as.numeric(localG(value, nb2listw(include.self(nbz), style = "B", zero.policy = TRUE), zero.policy = TRUE))))
}
res$spdep_version <- as.character(packageVersion("spdep"))
write_json(res, file.path(out, "spdep_golden.json"), digits = I(17), auto_unbox = TRUE, pretty = TRUE)
cat("written", file.path(out, "spdep_golden.json"), "\n")

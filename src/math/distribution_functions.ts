/**
 * Normal and χ² distribution functions in float64, for the calibration
 * metrics: a coverage level becomes the χ²_d quantile that bounds its
 * ellipsoid, and a squared Mahalanobis distance becomes its PIT value
 * `F_χ²_d(M²)`. All four reduce to the regularized incomplete gamma
 * function (gamma.ts):
 *
 *   F_χ²_d(x) = P(d/2, x/2),   Φ(z) = ½ Q(½, z²/2) for z < 0 (and 1 − that for z > 0),
 *
 * since Z² ~ χ²_1 for Z ~ N(0, 1). Each tail is computed directly, so small
 * probabilities keep their relative accuracy. Internal: not exported.
 */
import {gammaInverse, regularizedGamma} from './gamma.js';

/** `Φ(z)`, the standard normal CDF. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const q = 0.5 * regularizedGamma(0.5, 0.5 * z * z)[1];
  return z < 0 ? q : 1 - q;
}

/** `Φ⁻¹(p)`, the standard normal quantile, for p in [0, 1] (±∞ at the ends). */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0.5) return 0;
  // Φ(z) = p < ½ ⇔ ½ Q(½, z²/2) = p. 1 − p is exact for p ≥ ½ (Sterbenz).
  const tail = p < 0.5 ? p : 1 - p;
  const z = Math.sqrt(2 * gammaInverse(0.5, 2 * tail, true));
  return p < 0.5 ? -z : z;
}

/** `F(x)` of the χ² distribution with `d` degrees of freedom (d > 0, not necessarily integer). */
export function chiSquareCdf(x: number, d: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  return regularizedGamma(0.5 * d, 0.5 * x)[0];
}

/** `1 − F(x)` of the χ² distribution, accurate in the upper tail. */
export function chiSquareSurvival(x: number, d: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  return regularizedGamma(0.5 * d, 0.5 * x)[1];
}

/** The `p` quantile of the χ² distribution with `d` degrees of freedom, p in [0, 1]. */
export function chiSquareQuantile(p: number, d: number): number {
  if (!(p >= 0 && p <= 1) || !(d > 0)) return NaN;
  return p <= 0.5 ? 2 * gammaInverse(0.5 * d, p, false) : 2 * gammaInverse(0.5 * d, 1 - p, true);
}

import * as tf from '@tensorflow/tfjs-core';

import {logAbsDet} from '../kernels/composite/linalg.js';
import {choleskyOp} from '../kernels/ops.js';
import {unpackRows} from '../layout/unpack_rows.js';
import {chiSquareCdf} from '../math/distribution_functions.js';
import {assertPositiveInt, fail} from '../util/checks.js';
import {checkSamples, metricRows, metricSpec} from './metric_args.js';
import {CovarianceScaleOptions} from './scale_covariance.js';
import {energyScoreRows, gaussianCrpsRows, logDensity, logDetScale, mahalanobisSquared, mean, mixtureCrpsRows,
  mixtureDensityLevel, mixtureParts, read, sampleRows} from './statistics.js';

/**
 * Options of {@link calibrationReport}.
 *
 * @category metrics
 */
export interface CalibrationReportOptions extends CovarianceScaleOptions {
  /** Draws per point that estimate a mixture's density levels (coverage, PIT). @default 200 */
  samples?: number;
  /** Draws per point for the energy score (its pair term costs O(n·S²)). @default 64 */
  energyScoreSamples?: number;
  /** Seed of those draws. @default 0 */
  seed?: number;
  /** Bins of the PIT histogram. @default 10 */
  bins?: number;
}

/**
 * What {@link calibrationReport} returns: plain numbers.
 *
 * @category metrics
 */
export interface CalibrationReport {
  /** Number of points. */
  n: number;
  /** Event dimension d. */
  dim: number;
  /** Mean negative log-likelihood, nats per point (lower is better). */
  nll: number;
  /** Mean CRPS over points and dimensions, units of y (lower is better). */
  crps: number;
  /** Mean fair energy score, units of y (lower is better). */
  energyScore: number;
  /**
   * Observed coverage of the central (highest-density) region at each level
   * 0.01, 0.02, …, 0.99: calibrated when `observed ≈ level`.
   */
  coverage: Array<{
    /** The level p. */
    level: number;
    /** The fraction of points inside the region of probability p. */
    observed: number;
  }>;
  /**
   * Area between the calibration curve (observed against expected
   * proportion, on uncertainty-toolbox's grid of 100 levels in [0, 1]) and
   * the diagonal: 0 for perfect calibration, at most ½.
   */
  miscalibrationArea: number;
  /** Root mean square of observed − expected proportion on the same grid. */
  rmsCalibrationError: number;
  /**
   * Mean of det(Σ)^(1/(2d)), the geometric-mean standard deviation (for a
   * mixture, of its moment-matched covariance): smaller is sharper, which is
   * only good once calibrated.
   */
  sharpness: number;
  /** PIT histogram: the fraction of points in each of `bins` equal bins of [0, 1]; flat when calibrated. */
  pitHistogram: number[];
}

/** Fraction of the sorted values `u` that are ≤ `p` (< `p` when `strict`). */
function fractionAtMost(u: Float64Array, p: number, strict = false): number {
  let lo = 0;
  let hi = u.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = u[mid] as number;
    if (strict ? v < p : v <= p) lo = mid + 1; else hi = mid;
  }
  return lo / u.length;
}

/**
 * ∫|obs(p) − p| dp for the piecewise-linear curve through (exp_i, obs_i):
 * on each segment the difference is linear, so its absolute integral is a
 * trapezoid, or two triangles where it changes sign. That is the area of
 * the polygons between curve and diagonal that uncertainty-toolbox's
 * `miscalibration_area` sums.
 */
export function areaBetween(exp: number[], obs: number[]): number {
  let area = 0;
  for (let i = 1; i < exp.length; i++) {
    const h = (exp[i] as number) - (exp[i - 1] as number);
    const a = (obs[i - 1] as number) - (exp[i - 1] as number);
    const b = (obs[i] as number) - (exp[i] as number);
    area += a * b >= 0 ? 0.5 * h * Math.abs(a + b) : (0.5 * h * (a * a + b * b)) / (Math.abs(a) + Math.abs(b));
  }
  return area;
}

/**
 * Checks how well a model's predicted Gaussians (or mixtures) describe
 * held-out data, and returns plain numbers: proper scores, coverage at
 * every level, calibration errors, sharpness and a PIT histogram. For
 * every layout, and for mixtures with `components`.
 *
 * - Scores (lower is better): `nll`, `crps` ({@link gaussianCRPS}),
 *   `energyScore` ({@link gaussianEnergyScore}, `energyScoreSamples` draws).
 * - Calibration: each point's level u, the probability mass of the
 *   smallest region of the prediction that contains it (χ²_d CDF of the
 *   squared Mahalanobis distance in float64; for mixtures the sampled
 *   randomized rank of {@link gaussianMixtureCoverage}). `coverage` is the
 *   fraction with u ≤ level, and the PIT histogram bins u. For d = 1 this is
 *   uncertainty-toolbox's interval-based proportion (|z| ≤ Φ⁻¹(½ + p/2) ⇔
 *   u ≤ p), so `miscalibrationArea` and `rmsCalibrationError` are its
 *   `miscalibration_area` and `root_mean_squared_calibration_error`; for
 *   d > 1 the ellipsoid takes the interval's place.
 * - `sharpness`: the mean of det(Σ)^(1/(2d)).
 *
 * Shape contract: `yTrue [n, d] or [n, W]`, `yPred [n, W]` (leading
 * dimensions are flattened) `-> CalibrationReport`.
 *
 * ```js
 * const r = calibrationReport([[0.5], [-1], [2]], [[0, 1], [0, 1], [0, 1]], {layout: 'diag'});
 * r.coverage.length;  // 99
 * ```
 *
 * @param yTrue Observed points (or targets padded to the output width).
 * @param yPred Predicted rows.
 * @param options `layout` ('full'), `dim`, `components` (mixtures),
 *   `samples` (200, mixtures only), `energyScoreSamples` (64), `seed` (0),
 *   `bins` (10), `minDiag`, `validateArgs`.
 *
 * @category metrics
 */
export function calibrationReport(yTrue: tf.Tensor | tf.TensorLike, yPred: tf.Tensor | tf.TensorLike,
                                  options: CalibrationReportOptions = {}): CalibrationReport {
  const fn = 'calibrationReport';
  const spec = metricSpec(fn, options, 'optional');
  const S = options.samples ?? 200;
  checkSamples(fn, S, 1);
  const E = options.energyScoreSamples ?? 64;
  checkSamples(fn, E, 2, 'energyScoreSamples');
  const seed = options.seed ?? 0;
  const bins = options.bins ?? 10;
  assertPositiveInt(bins, 'bins', fn);
  const K = spec.components;
  const {layout, minDiag} = spec;
  return tf.tidy(() => {
    const rows = metricRows(fn, yTrue, yPred, spec);
    const {yTrue: x, yPred: p, dim: d} = rows;
    const n = p.shape[0];
    if (n === 0) fail(fn, 'needs at least one point, but got yPred of shape [0, ...].');
    const u = K === null
      ? read(mahalanobisSquared(x, p, d, layout, minDiag)).map((m2) => chiSquareCdf(m2, d))
      : read(mixtureDensityLevel(x, p, d, layout, K, minDiag, S, seed));
    u.sort();
    const nll = -mean(read(logDensity(x, p, d, layout, K, minDiag)));
    const crps = mean(read(K === null ? gaussianCrpsRows(x, p, d, layout, minDiag)
      : mixtureCrpsRows(x, p, d, layout, K, minDiag)));
    // The energy score in row chunks: its pair term holds n·S² numbers.
    const chunk = Math.max(1, Math.floor(4e6 / (E * E)));
    let esSum = 0;
    for (let r0 = 0; r0 < n; r0 += chunk) {
      const c = Math.min(chunk, n - r0);
      esSum += tf.tidy(() => {
        const pc = tf.slice(p, [r0, 0], [c, -1]);
        const draws = sampleRows(pc, d, layout, K, E, seed + r0);
        return tf.sum(energyScoreRows(draws, tf.slice(x, [r0, 0], [c, d]))).dataSync()[0] as number;
      });
    }
    const levels = Array.from({length: 99}, (_, i) => (i + 1) / 100);
    const grid = Array.from({length: 100}, (_, i) => i / 99); // numpy.linspace(0, 1, 100)
    const observed = grid.map((q) => fractionAtMost(u, q));
    // Bin b holds b/bins <= u < (b + 1)/bins; the last bin also holds u = 1.
    const below = (b: number): number => (b === 0 ? 0 : b === bins ? 1 : fractionAtMost(u, b / bins, true));
    const pitHistogram = Array.from({length: bins}, (_, b) => below(b + 1) - below(b));
    return {
      n, dim: d, nll, crps, energyScore: esSum / n,
      coverage: levels.map((level) => ({level, observed: fractionAtMost(u, level)})),
      miscalibrationArea: areaBetween(grid, observed),
      rmsCalibrationError: Math.sqrt(mean(grid.map((q, i) => (q - (observed[i] as number)) ** 2))),
      sharpness: mean(read(sharpnessRows(p, d, layout, K, minDiag))),
      pitHistogram,
    };
  }) as unknown as CalibrationReport;
}

/**
 * det(Σ)^(1/(2d)) per row: exp(Σ log|L_ii| / d) for a Gaussian; for a
 * mixture, of its moment-matched covariance
 * Σ = Σ_k w_k (L_k L_kᵀ + μ_k μ_kᵀ) − μ̄ μ̄ᵀ, μ̄ = Σ_k w_k μ_k, by Cholesky.
 */
function sharpnessRows(rows: tf.Tensor2D, d: number, layout: CalibrationReportOptions['layout'] & string,
                       K: number | null, minDiag: number): tf.Tensor1D {
  if (K === null) return tf.exp(tf.div(logDetScale(rows, d, layout, minDiag), d)) as tf.Tensor1D;
  const n = rows.shape[0];
  const {logWeights, components} = mixtureParts(rows, K, d, layout);
  const {mean: mu, scaleTril} = unpackRows(components, d, layout);
  const w = tf.reshape(tf.exp(logWeights), [n, K, 1, 1]);
  const m = tf.reshape(mu, [n * K, d, 1]);
  const second = tf.add(tf.matMul(scaleTril, scaleTril, false, true), tf.matMul(m, m, false, true));
  const moment = tf.sum(tf.mul(w, tf.reshape(second, [n, K, d, d])), 1);
  const mbar = tf.sum(tf.mul(tf.reshape(w, [n, K, 1]), tf.reshape(mu, [n, K, d])), 1);
  const cov = tf.sub(moment, tf.matMul(tf.expandDims(mbar, 2), tf.expandDims(mbar, 1))) as tf.Tensor3D;
  return tf.exp(tf.div(logAbsDet(choleskyOp([cov], {}) as tf.Tensor3D), d)) as tf.Tensor1D;
}

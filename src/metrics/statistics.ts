/**
 * The per-row quantities behind the calibration metrics, as tf ops on rows
 * `[n, W]` (one Gaussian, or a mixture, per row). Internal: the public
 * metrics and functions in this folder combine them.
 *
 * They reuse the library's kernels where one exists: the squared
 * Mahalanobis distance and the Gaussian CRPS come from the
 * GaussianRowStatistic kernel (float64 inside on cpu, wasm and tensorflow),
 * the mixture's log-densities from the mixture NLL kernel, and samples from
 * `sampleGaussian(Mixture)`.
 */
import * as tf from '@tensorflow/tfjs-core';

import {sampleGaussian} from '../distributions/sample_gaussian.js';
import {sampleGaussianMixture} from '../distributions/sample_gaussian_mixture.js';
import {unpackGaussian} from '../distributions/unpack_gaussian.js';
import {unpackGaussianMixture} from '../distributions/unpack_gaussian_mixture.js';
import {expectedAbs, marginals} from '../kernels/composite/row_statistic.js';
import {energyScoreOp, gaussianMixtureNLLOp, gaussianNLLOp, gaussianRowStatisticOp} from '../kernels/ops.js';
import {GaussianLayout, rowLayout, widthOf} from '../layout/row_layout.js';
import {logGamma} from '../math/gamma.js';

/** The columns of a row that hold the diagonal of its factor (`L_ii`, or `σ_i` in `'diag'`). */
function diagColumns(d: number, layout: GaussianLayout): tf.Tensor1D {
  const lIndex = rowLayout(d, layout).lIndex;
  return tf.tensor1d(Array.from({length: d}, (_, i) => lIndex[i * d + i] as number), 'int32');
}

/** `|x|` under the losses' diagonal guard: clipped to `[minDiag, 1 / minDiag]` (0: no guard). */
function guardAbs(x: tf.Tensor, minDiag: number): tf.Tensor {
  return minDiag > 0 ? tf.clipByValue(tf.abs(x), minDiag, 1 / minDiag) : tf.abs(x);
}

/** `Σ log|L_ii|` per row, guarded as in the losses: `[n, W] -> [n]`. */
export function logDetScale(rows: tf.Tensor2D, d: number, layout: GaussianLayout, minDiag: number): tf.Tensor1D {
  return tf.sum(tf.log(guardAbs(tf.gather(rows, diagColumns(d, layout), 1), minDiag)), 1);
}

/**
 * Squared Mahalanobis distances `M² = ‖L⁻¹(x − μ)‖²` with the losses'
 * diagonal guard, `[n, d or W], [n, W] -> [n]`: the GaussianRowStatistic
 * kernel (float64 on cpu, wasm and tensorflow; composite elsewhere).
 */
export function mahalanobisSquared(points: tf.Tensor2D, rows: tf.Tensor2D, d: number, layout: GaussianLayout,
                                   minDiag: number): tf.Tensor1D {
  return gaussianRowStatisticOp([points, rows], {dim: d, layout, minDiag, statistic: 'mahalanobisSquared', bound: 0}) as tf.Tensor1D;
}

/** Mixture rows `[n, K + K·w]` as log-weights `[n, K]` and component rows `[n·K, w]`. */
export function mixtureParts(rows: tf.Tensor2D, K: number, d: number, layout: GaussianLayout):
  {logWeights: tf.Tensor2D; components: tf.Tensor2D} {
  const n = rows.shape[0];
  const w = widthOf(d, layout);
  return {
    logWeights: tf.logSoftmax(tf.slice(rows, [0, 0], [n, K])),
    components: tf.reshape(tf.slice(rows, [0, K], [n, K * w]), [n * K, w]),
  };
}

/**
 * `F_χ²_d(x)` elementwise in tf ops, for the PIT metric (calibrationReport
 * computes its PIT in float64 instead). For integer d the regularized gamma
 * function is a finite sum (A&S 6.5.13, 26.4.4): with y = x/2, n = ⌊d/2⌋,
 *
 *   1 − F = e^(−y) Σ_{j<n} y^j / j!                            (d even)
 *   1 − F = erfc(√y) + e^(−y) Σ_{j<n} y^(j+½) / Γ(j + 3/2)      (d odd).
 *
 * Each term is exp(t_j) with t_j = a·log y − y − log Γ(a + 1), a = j (+ ½).
 * Near the terms that matter (a ≈ y) the two products are large and
 * nearly cancel, so t_j is written as a·log(y/a) + (a − y) + C_a,
 * C_a = a log a − a − log Γ(a + 1) (float64, ≈ −½ log 2πa). Where
 * |y − a| < a/2, log(y/a) is log1p((y − a)/a), whose float32 error is
 * relative to the small result: a·log y would carry log y's rounding
 * times a (2e-4 at d = 1000). Elsewhere log y − log a is used; those terms
 * are below e^(−0.19a), so its error only matters for small a. The result
 * is within 2e-6 of scipy for d ≤ 64; beyond, the float32 sum of up to 500
 * terms (sequential on cpu) dominates: within 5e-5 up to d = 1000
 * (test/math/distribution_functions.test.ts).
 */
export function chiSquareCdfTensor(x: tf.Tensor, d: number): tf.Tensor {
  const n = Math.floor(d / 2);
  const odd = d % 2 === 1;
  const y = tf.mul(tf.maximum(x, 0), 0.5);
  let upper: tf.Tensor = odd ? tf.sub(1, tf.erf(tf.sqrt(y))) : tf.zeros(y.shape);
  if (n > 0) {
    const a = Float32Array.from({length: n}, (_, j) => j + (odd ? 0.5 : 0));
    const logA = a.map((v) => (v > 0 ? Math.log(v) : 0));
    const c = a.map((v, j) => (v > 0 ? v * (logA[j] as number) - v : 0) - logGamma(v + 1));
    const yc = tf.expandDims(y, -1);
    const aRow = tf.tensor1d(a);
    const diff = tf.sub(yc, aRow); // y − a, [N, n]
    const near = tf.less(tf.abs(diff), tf.mul(aRow, 0.5));
    const logRatio = tf.where(near, tf.log1p(tf.div(diff, tf.maximum(aRow, 0.5))),
      tf.sub(tf.log(tf.maximum(yc, 1e-30)), tf.tensor1d(logA)));
    const t = tf.add(tf.sub(tf.mul(aRow, logRatio), diff), tf.tensor1d(c));
    upper = tf.add(upper, tf.sum(tf.exp(t), -1));
  }
  return tf.clipByValue(tf.sub(1, upper), 0, 1);
}

/** Draws `[S, n, d]` from the rows (one Gaussian or a mixture per row). */
export function sampleRows(rows: tf.Tensor2D, d: number, layout: GaussianLayout, K: number | null, S: number,
                           seed: number | undefined): tf.Tensor3D {
  const n = rows.shape[0];
  if (K !== null) {
    const {logits, mean, scaleTril} = unpackGaussianMixture(rows, {components: K, dim: d, layout});
    return sampleGaussianMixture(logits, mean, scaleTril, S, seed) as tf.Tensor3D;
  }
  if (layout === 'diag') {
    const eps = tf.randomNormal([S, n, d], 0, 1, 'float32', seed);
    return tf.add(tf.slice(rows, [0, 0], [-1, d]), tf.mul(tf.slice(rows, [0, d], [-1, d]), eps));
  }
  const {mean, scaleTril} = unpackGaussian(rows, {dim: d, layout});
  return sampleGaussian(mean, scaleTril, S, seed) as tf.Tensor3D;
}

/** Per-row log-density of `points [n, d or W]` under the rows. */
export function logDensity(points: tf.Tensor2D, rows: tf.Tensor2D, d: number, layout: GaussianLayout,
                           K: number | null, minDiag: number): tf.Tensor1D {
  return tf.neg(K === null
    ? gaussianNLLOp([points, rows], {dim: d, layout, minDiag})
    : gaussianMixtureNLLOp([points, rows], {components: K, dim: d, layout, minDiag})) as tf.Tensor1D;
}

/**
 * The highest-density level of each point: the probability mass of the
 * region where the model's density exceeds its density at the point, in
 * [0, 1]. The point lies in the central `level` region exactly when this is
 * ≤ level. For one Gaussian it is `F_χ²_d(M²)`; for a mixture, which has
 * no closed form, it is estimated from `S` draws X_s of each row:
 *
 *   u = (#{s : p(X_s) > p(y)} + V) / (S + 1),   V ~ U(0, 1).
 *
 * When y is a draw from the model, it and the S draws are exchangeable, so
 * the count is uniform on {0, …, S} and u is exactly U(0, 1) for any S (a
 * randomized rank, as for the PIT of discrete forecasts). Coverage and PIT
 * built on u are therefore unbiased; S only sets their noise (the count's
 * standard error is √(u(1 − u)/S)). Draws are scored in chunks of at most
 * ~4M row entries, so memory stays bounded in S.
 */
export function mixtureDensityLevel(points: tf.Tensor2D, rows: tf.Tensor2D, d: number, layout: GaussianLayout,
                                    K: number, minDiag: number, S: number, seed: number | undefined): tf.Tensor1D {
  const n = rows.shape[0];
  const w = rows.shape[1];
  const x = tf.slice(points, [0, 0], [n, d]);
  const logpY = logDensity(x, rows, d, layout, K, minDiag);
  const draws = sampleRows(rows, d, layout, K, S, seed);
  const chunk = Math.max(1, Math.min(S, Math.floor(4e6 / (n * w))));
  let above: tf.Tensor = tf.zeros([n]);
  for (let s0 = 0; s0 < S; s0 += chunk) {
    const c = Math.min(chunk, S - s0);
    const next = tf.tidy(() => {
      const pts = tf.reshape(tf.slice(draws, [s0, 0, 0], [c, n, d]), [c * n, d]) as tf.Tensor2D;
      const lp = tf.reshape(logDensity(pts, tf.tile(rows, [c, 1]) as tf.Tensor2D, d, layout, K, minDiag), [c, n]);
      return tf.add(above, tf.sum(tf.cast(tf.greater(lp, logpY), 'float32'), 0));
    });
    above.dispose();
    above = next;
  }
  const v = tf.randomUniform([n], 0, 1, 'float32', seed === undefined ? undefined : seed + 7);
  return tf.div(tf.add(above, v), S + 1) as tf.Tensor1D;
}

/**
 * CRPS of each marginal, averaged over the d dimensions, `[n]`: for
 * N(μ, σ²) and z = (y − μ)/σ (Gneiting & Raftery 2007, eq. 21),
 *
 *   CRPS = σ [z (2Φ(z) − 1) + 2φ(z) − 1/√π] = A(y − μ, σ) − σ/√π,
 *
 * by the GaussianRowStatistic kernel.
 */
export function gaussianCrpsRows(points: tf.Tensor2D, rows: tf.Tensor2D, d: number, layout: GaussianLayout,
                                 minDiag: number): tf.Tensor1D {
  return gaussianRowStatisticOp([points, rows], {dim: d, layout, minDiag, statistic: 'crps', bound: 0}) as tf.Tensor1D;
}

/**
 * CRPS of each marginal of a Gaussian mixture, averaged over the d
 * dimensions, `[n]`, in closed form (Grimit et al. 2006, eq. 5), with
 * CRPS = E|X − y| − ½ E|X − X'|:
 *
 *   CRPS = Σ_k w_k A(y − μ_k, σ_k) − ½ Σ_{k,l} w_k w_l A(μ_k − μ_l, √(σ_k² + σ_l²)),
 *
 * where A(m, s) = E|N(m, s²)| ({@link expectedAbs}); O(K²·d) per row.
 */
export function mixtureCrpsRows(points: tf.Tensor2D, rows: tf.Tensor2D, d: number, layout: GaussianLayout, K: number,
                                minDiag: number): tf.Tensor1D {
  const n = rows.shape[0];
  const {logWeights, components} = mixtureParts(rows, K, d, layout);
  const m = marginals(components, d, layout, minDiag);
  const mean = tf.reshape(m.mean, [n, K, d]);
  const sd = tf.reshape(m.sd, [n, K, d]);
  const w = tf.reshape(tf.exp(logWeights), [n, K, 1]);
  const y = tf.reshape(tf.slice(points, [0, 0], [n, d]), [n, 1, d]);
  const toPoint = tf.sum(tf.mul(w, expectedAbs(tf.sub(y, mean), sd)), 1);
  const ww = tf.mul(tf.reshape(w, [n, K, 1, 1]), tf.reshape(w, [n, 1, K, 1]));
  const dm = tf.sub(tf.reshape(mean, [n, K, 1, d]), tf.reshape(mean, [n, 1, K, d]));
  const var2 = tf.add(tf.reshape(tf.square(sd), [n, K, 1, d]), tf.reshape(tf.square(sd), [n, 1, K, d]));
  const between = tf.sum(tf.mul(ww, expectedAbs(dm, tf.sqrt(var2))), [1, 2]);
  return tf.mean(tf.sub(toPoint, tf.mul(between, 0.5)), 1);
}

/**
 * The fair energy score of draws `x [S, n, d]` for points `y [n, d]`
 * (Gneiting & Raftery 2007, eq. 22, with the unbiased pair term):
 *
 *   ES = (1/S) Σ_s ‖X_s − y‖ − 1/(2S(S − 1)) Σ_{s≠t} ‖X_s − X_t‖,
 *
 * by the EnergyScore kernel: one float64 pass per row on cpu, wasm and
 * tensorflow (n = 2000, S = 64 in tens of ms; as broadcast tf ops the cpu
 * backend took 1.4 s), the composite elsewhere. O(S²·d) per row.
 */
export function energyScoreRows(x: tf.Tensor3D, y: tf.Tensor2D): tf.Tensor1D {
  return energyScoreOp([x, y], {}) as tf.Tensor1D;
}

/** Reads a tensor's values into float64 (a sync: for the functions that return plain numbers). */
export function read(x: tf.Tensor): Float64Array {
  return Float64Array.from(x.dataSync());
}

/** The mean of the values, summed in float64. */
export function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] as number;
  return s / v.length;
}

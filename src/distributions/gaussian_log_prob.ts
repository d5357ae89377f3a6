import * as tf from '@tensorflow/tfjs-core';

import {gaussianNLLOp} from '../kernels/ops.js';
import {assertMinRank, broadcastBatch, fail, fmt, toFloatTensor} from '../util/checks.js';
import {reshapeIfNeeded} from '../util/reshape.js';
import {gaussianArgs, packFullRows} from './gaussian_args.js';
import {checkMinDiag, DEFAULT_MIN_DIAG, validateGaussianValues} from './validate.js';

/**
 * Options of {@link gaussianLogProb}.
 *
 * @category distributions
 */
export interface GaussianLogProbOptions {
  /**
   * Diagonal guard, as in the losses: `|L_ii|` is clamped to
   * `[minDiag, 1 / minDiag]` (sign kept, gradient passed straight through).
   * `0` turns it off: then a zero diagonal gives NaN, as in TFP (log 0 =
   * −∞ meets ‖z‖² = +∞); `validateArgs` reports it instead. @default 1e-6
   */
  minDiag?: number;
  /** Check the data: finite entries and nonzero diagonals. Costs a sync. @default false */
  validateArgs?: boolean;
}

function gaussianLogProb_(x: tf.Tensor | tf.TensorLike, mean: tf.Tensor | tf.TensorLike,
                          scaleTril: tf.Tensor | tf.TensorLike,
                          {minDiag = DEFAULT_MIN_DIAG, validateArgs = false}: GaussianLogProbOptions = {}): tf.Tensor {
  const fn = 'gaussianLogProb';
  checkMinDiag(fn, minDiag);
  const g = gaussianArgs(fn, mean, scaleTril);
  const d = g.dim;
  const $x = toFloatTensor(x, 'x', fn);
  assertMinRank($x, 1, 'x', fn, '[..., d]');
  if ($x.shape[$x.rank - 1] !== d) {
    fail(fn, `x must have shape [..., ${d}] to match mean ${fmt(g.mean.shape)}, but got shape ${fmt($x.shape)}.`);
  }
  const batch = broadcastBatch($x.shape.slice(0, -1), g.batch, 'x', 'mean', $x.shape, g.mean.shape, fn);
  const n = batch.reduce((a, b) => a * b, 1);
  const rows = packFullRows(g.mean, g.scaleTril, batch, d);
  const points = reshapeIfNeeded<tf.Tensor2D>(tf.broadcastTo($x, [...batch, d]), [n, d]);
  if (validateArgs) {
    validateGaussianValues(points, d, null, fn, 'x');
    validateGaussianValues(rows, d, 'full', fn, 'mean/scaleTril');
  }
  // The NLL kernel, the same one as gaussianNLLLoss: fused (float64 inside)
  // on cpu, wasm and tensorflow, composite elsewhere.
  const nll = gaussianNLLOp([points, rows], {dim: d, layout: 'full', minDiag});
  return reshapeIfNeeded(tf.neg(nll), batch);
}

/**
 * Log-density of a multivariate normal given by its mean and lower Cholesky
 * factor, TFP's `MultivariateNormalTriL(loc, scale_tril).log_prob(x)`:
 *
 *   log N(x; μ, LLᵀ) = −½·d·log 2π − Σ log|Lᵢᵢ| − ½‖L⁻¹(x − μ)‖².
 *
 * Equal to minus {@link gaussianNLLLoss}'s per-sample value. Only the lower
 * triangle of `scaleTril` is read; a negative diagonal entry is a valid
 * factor (log|det| uses |Lᵢᵢ|). Differentiable in all three arguments.
 *
 * Shape contract: `x [..., d]`, `mean [..., d]`, `scaleTril [..., d, d] -> [...]`,
 * batch dimensions broadcast (numpy rules).
 *
 * ```js
 * gaussianLogProb([0, 0], [0, 0], [[1, 0], [0, 1]]).print();      // -1.837877 (= −log 2π)
 * gaussianLogProb([[1, 2], [0, 0]], [0, 0], [[2, 0], [1, 1]]).print();  // [-3.7810, -2.5310]
 * ```
 *
 * @param x Points, `[..., d]`.
 * @param mean Means, `[..., d]`.
 * @param scaleTril Lower Cholesky factors of the covariances, `[..., d, d]`.
 * @param options `minDiag` (default 1e-6) and `validateArgs` (default false).
 * @returns The log-densities, with the broadcast batch shape.
 *
 * @category distributions
 * @function
 */
export const gaussianLogProb = tf.op({gaussianLogProb_});

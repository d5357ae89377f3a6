import * as tf from '@tensorflow/tfjs-core';

import {gaussianKLOp} from '../kernels/ops.js';
import {assertMinRank, broadcastBatch, fail, fmt, toFloatTensor} from '../util/checks.js';
import {gaussianArgs, packFullRows} from './gaussian_args.js';
import {checkMinDiag, DEFAULT_MIN_DIAG, validateGaussianValues} from './validate.js';
import {reshapeIfNeeded} from '../util/reshape.js';

/**
 * Options of {@link klDivergence}.
 *
 * @category distributions
 */
export interface KLDivergenceOptions {
  /**
   * Diagonal guard: `|L_ii|` is clamped to `[minDiag, 1 / minDiag]` (sign
   * kept, gradient passed straight through), so a zero diagonal gives a
   * finite value. `0` turns the guard off. @default 1e-6
   */
  minDiag?: number;
  /** Check the data: finite entries and nonzero diagonals. @default false */
  validateArgs?: boolean;
}

function klDivergence_(mean1: tf.Tensor | tf.TensorLike, scaleTril1: tf.Tensor | tf.TensorLike,
                       mean2: tf.Tensor | tf.TensorLike, scaleTril2: tf.Tensor | tf.TensorLike,
                       {minDiag = DEFAULT_MIN_DIAG, validateArgs = false}: KLDivergenceOptions = {}): tf.Tensor {
  const fn = 'klDivergence';
  const p = gaussianArgs(fn, mean1, scaleTril1, 'mean1', 'scaleTril1');
  const d = p.dim;
  const m2 = toFloatTensor(mean2, 'mean2', fn);
  assertMinRank(m2, 1, 'mean2', fn, '[..., d]');
  if (m2.shape[m2.rank - 1] !== d) {
    fail(fn, `mean2 must have shape [..., ${d}] to match mean1 ${fmt(p.mean.shape)}, but got shape ${fmt(m2.shape)}.`);
  }
  const q = gaussianArgs(fn, m2, scaleTril2, 'mean2', 'scaleTril2');
  const batch = broadcastBatch(p.batch, q.batch, 'mean1', 'mean2', p.mean.shape, m2.shape, fn);
  checkMinDiag(fn, minDiag);
  // Pack both Gaussians as rows of the 'full' layout, [mean | L row-major],
  // and hand them to the same kernel as the losses.
  const rowsP = packFullRows(p.mean, p.scaleTril, batch, d);
  const rowsQ = packFullRows(q.mean, q.scaleTril, batch, d);
  if (validateArgs) {
    validateGaussianValues(rowsP, d, 'full', fn, 'mean1/scaleTril1');
    validateGaussianValues(rowsQ, d, 'full', fn, 'mean2/scaleTril2');
  }
  const kl = gaussianKLOp([rowsP, rowsQ], {dim: d, layout: 'full', direction: 'forward', minDiag});
  return reshapeIfNeeded(kl, batch);
}

/**
 * KL divergence between two multivariate normals given by their means and
 * lower Cholesky factors, for every batch element:
 *
 *   KL(N(μ₁, L₁L₁ᵀ) ‖ N(μ₂, L₂L₂ᵀ))
 *     = ½ (‖L₂⁻¹L₁‖²_F + ‖L₂⁻¹(μ₂ − μ₁)‖² − d) + Σ log|L₂ᵢᵢ| − Σ log|L₁ᵢᵢ|.
 *
 * As in TFP's `MultivariateNormalTriL`, the trace term is a Frobenius norm of
 * a triangular solve, log|det| comes from the diagonal, and no inverse or
 * covariance is formed. Only the lower triangles are read; negative diagonal
 * entries are valid factors (log|det| uses |L_ii|).
 *
 * Shape contract: `[..., d], [..., d, d], [..., d], [..., d, d] -> [...]`
 * with batch dimensions broadcast. Nothing is reduced.
 *
 * ```js
 * const L1 = fillTriangular([1, 0.5, 1]);
 * const L2 = fillTriangular([2, 0.5, 2]);
 * klDivergence([0, 0], L1, [0, 0], L2).print();  // 0.6441069
 * ```
 *
 * @param mean1 Mean of p, `[..., d]`.
 * @param scaleTril1 Lower Cholesky factor of p's covariance, `[..., d, d]`.
 * @param mean2 Mean of q, `[..., d]`.
 * @param scaleTril2 Lower Cholesky factor of q's covariance, `[..., d, d]`.
 * @param options `minDiag` (default 1e-6) and `validateArgs` (default false).
 * @returns `KL(p ‖ q)`, with the broadcast batch shape.
 *
 * @category distributions
 * @function
 */
export const klDivergence = tf.op({klDivergence_});

import * as tf from '@tensorflow/tfjs-core';

import {assertMinRank, fail, fmt, toFloatTensor} from '../util/checks.js';
import {fillTriangular} from './fill_triangular.js';
import {triangularSide} from './triangular_size.js';

function buildCovarianceMatrix_(covParams: tf.Tensor | tf.TensorLike): tf.Tensor {
  const fn = 'buildCovarianceMatrix';
  const $p = toFloatTensor(covParams, 'covParams', fn);
  assertMinRank($p, 1, 'covParams', fn, '[..., m]');
  const m = $p.shape[$p.rank - 1] as number;
  if (triangularSide(m) === null) {
    fail(fn, `the last dimension of covParams (m = ${m}, shape ${fmt($p.shape)}) ` +
      'does not correspond to a triangular matrix: m must be n(n + 1) / 2.');
  }
  const L = fillTriangular($p);
  return tf.matMul(L, L, false, true);
}

/**
 * Builds covariance matrices `Σ = L·Lᵀ` from packed Cholesky parameters,
 * as the seed notebook's `build_covariance_matrix` did:
 * `L = fillTriangular(covParams)` (lower, TFP order).
 *
 * Shape contract: `[..., m] -> [..., n, n]` with `m = n(n + 1) / 2`.
 * `Σ` is symmetric, and positive definite whenever `L` has a nonzero
 * diagonal.
 *
 * ```js
 * buildCovarianceMatrix([1, 0.5, 1]).print();
 * // L = [[1, 0], [0.5, 1]]  ->  [[1, 0.5], [0.5, 1.25]]
 * ```
 *
 * @param covParams Packed lower-triangular entries, `[..., m]`.
 * @returns Covariances, `[..., n, n]`.
 * @throws If `m` is not a triangular number; the message names `m`.
 *
 * @category linalg
 * @function
 */
export const buildCovarianceMatrix = tf.op({buildCovarianceMatrix_});

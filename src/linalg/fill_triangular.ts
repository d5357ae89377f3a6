import * as tf from '@tensorflow/tfjs-core';

import {fail, fmt, toFloatTensor, assertMinRank} from '../util/checks.js';
import {fillTriangularCore} from '../layout/fill_triangular_core.js';
import {triangularSide} from './triangular_size.js';

function fillTriangular_(x: tf.Tensor | tf.TensorLike, upper = false): tf.Tensor {
  const $x = toFloatTensor(x, 'x', 'fillTriangular');
  assertMinRank($x, 1, 'x', 'fillTriangular', '[..., m]');
  const m = $x.shape[$x.rank - 1] as number;
  const n = triangularSide(m);
  if (n === null) {
    fail('fillTriangular', `the last dimension of x (m = ${m}, shape ${fmt($x.shape)}) ` +
      'does not correspond to a triangular matrix: m must be n(n + 1) / 2.');
  }
  return fillTriangularCore($x, n, upper);
}

/**
 * Packs the entries of a vector into a lower (or upper) triangular matrix,
 * in exactly the order of TFP's `tfp.math.fill_triangular`.
 *
 * Shape contract: `[..., m] -> [..., n, n]` with `m = n(n + 1) / 2`.
 *
 * ```js
 * fillTriangular([1, 2, 3, 4, 5, 6]).print();
 * // [[4, 0, 0],
 * //  [6, 5, 0],
 * //  [3, 2, 1]]
 * fillTriangular([1, 2, 3, 4, 5, 6], true).print();
 * // [[1, 2, 3],
 * //  [0, 5, 6],
 * //  [0, 0, 4]]
 * ```
 *
 * @param x Packed entries, `[..., m]`.
 * @param upper Fill the upper triangle instead of the lower. Default `false`.
 * @returns The triangular matrices, `[..., n, n]`.
 * @throws If `m` is not a triangular number; the message names `m`.
 *
 * @category linalg
 * @function
 */
export const fillTriangular = tf.op({fillTriangular_});

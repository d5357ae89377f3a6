import * as tf from '@tensorflow/tfjs-core';

import {fail, fmt, toFloatTensor, assertMinRank} from '../util/checks.js';
import {maskValues, triangularSide} from './triangular_size.js';

function fillTriangular_(x: tf.Tensor | tf.TensorLike, upper = false): tf.Tensor {
  const $x = toFloatTensor(x, 'x', 'fillTriangular');
  assertMinRank($x, 1, 'x', 'fillTriangular', '[..., m]');
  const m = $x.shape[$x.rank - 1] as number;
  const n = triangularSide(m);
  if (n === null) {
    fail('fillTriangular', `the last dimension of x (m = ${m}, shape ${fmt($x.shape)}) ` +
      'does not correspond to a triangular matrix: m must be n(n + 1) / 2.');
  }
  const batch = $x.shape.slice(0, -1);
  if (n === 0) return tf.zeros([...batch, 0, 0]);
  // TFP's algorithm: concatenate x with a reversed piece of itself so that a
  // plain reshape to [n, n] puts every entry in place, then zero the other
  // triangle. The lower case of n = 3, x = [1..6]:
  //   [x[3:], reverse(x)] = [4 5 6 | 6 5 4 3 2 1] -> [[4 5 6] [6 5 4] [3 2 1]]
  //   -> keep j <= i -> [[4 0 0] [6 5 0] [3 2 1]].
  // The triangle is kept by multiplying by a constant 0/1 mask rather than
  // tf.linalg.bandPart, whose gradient throws for a batch of one.
  const axis = $x.rank - 1;
  const tail = tf.slice($x, batch.map(() => 0).concat(n), batch.map(() => -1).concat(m - n));
  const parts = upper ? [$x, tf.reverse(tail, axis)] : [tail, tf.reverse($x, axis)];
  const square = tf.reshape(tf.concat(parts, axis), [...batch, n, n]);
  return tf.mul(square, tf.tensor2d(maskValues(n, upper ? 'upper' : 'lower'), [n, n]));
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
 */
export const fillTriangular = tf.op({fillTriangular_});

import * as tf from '@tensorflow/tfjs-core';

import {fail, fmt, toFloatTensor, assertMinRank} from '../util/checks.js';
import {maskValues} from '../layout/masks.js';

function fillTriangularInverse_(x: tf.Tensor | tf.TensorLike, upper = false): tf.Tensor {
  const $x = toFloatTensor(x, 'x', 'fillTriangularInverse');
  assertMinRank($x, 2, 'x', 'fillTriangularInverse', '[..., n, n]');
  const n = $x.shape[$x.rank - 1] as number;
  if ($x.shape[$x.rank - 2] !== n) {
    fail('fillTriangularInverse', `x must hold square matrices [..., n, n], but got shape ${fmt($x.shape)}.`);
  }
  const batch = $x.shape.slice(0, -2);
  // Zero the other triangle first, so that its entries are ignored rather
  // than folded into the sums below (TFP assumes they are already zero).
  const $t = tf.mul($x, tf.tensor2d(maskValues(n, upper ? 'upper' : 'lower'), [n, n]));
  const m = (n * (n + 1)) / 2;
  const r = $x.rank;
  const zeros = batch.map(() => 0);
  const all = batch.map(() => -1);
  // TFP's algorithm, the exact inverse of fillTriangular: the first (upper)
  // or reversed last (lower) row holds n entries; the remaining rows, added
  // to themselves rotated by 180 degrees, hold the other m - n entries.
  const initial = upper
    ? tf.reshape(tf.slice($t, [...zeros, 0, 0], [...all, 1, n]), [...batch, n])
    : tf.reverse(tf.reshape(tf.slice($t, [...zeros, n - 1, 0], [...all, 1, n]), [...batch, n]), r - 2);
  if (n === 1) return initial;
  const portion = tf.slice($t, [...zeros, upper ? 1 : 0, 0], [...all, n - 1, n]);
  const rotated = tf.reverse(portion, [r - 2, r - 1]);
  const consolidated = tf.reshape(tf.add(portion, rotated), [...batch, n * (n - 1)]);
  const rest = tf.slice(consolidated, [...zeros, 0], [...all, m - n]);
  return tf.concat([initial, rest], r - 2);
}

/**
 * The exact inverse of {@link fillTriangular}: reads the lower (or upper)
 * triangle of each matrix back into TFP's packed order.
 *
 * Shape contract: `[..., n, n] -> [..., m]` with `m = n(n + 1) / 2`.
 * Entries outside the named triangle are ignored.
 *
 * ```js
 * fillTriangularInverse([[4, 0, 0], [6, 5, 0], [3, 2, 1]]).print();
 * // [1, 2, 3, 4, 5, 6]
 * ```
 *
 * @param x Square matrices, `[..., n, n]`.
 * @param upper Read the upper triangle instead of the lower. Default `false`.
 * @returns Packed entries, `[..., m]`.
 *
 * @category linalg
 * @function
 */
export const fillTriangularInverse = tf.op({fillTriangularInverse_});

/**
 * The tensor algorithm of TFP's `fill_triangular`, without argument checks:
 * shared by the public `fillTriangular` (which validates first) and by the
 * composite kernels, which unpack rows that are already checked.
 */
import * as tf from '@tensorflow/tfjs-core';

import {maskValues} from './masks.js';

/**
 * `x [..., m] -> [..., n, n]`, `m = n(n + 1) / 2`, in fill_triangular order.
 *
 * TFP's algorithm: concatenate x with a reversed piece of itself so that a
 * plain reshape to [n, n] puts every entry in place, then zero the other
 * triangle. The lower case of n = 3, x = [1..6]:
 *   [x[3:], reverse(x)] = [4 5 6 | 6 5 4 3 2 1] -> [[4 5 6] [6 5 4] [3 2 1]]
 *   -> keep j <= i -> [[4 0 0] [6 5 0] [3 2 1]].
 * The triangle is kept by multiplying by a constant 0/1 mask rather than
 * tf.linalg.bandPart, whose gradient throws for a batch of one.
 */
export function fillTriangularCore(x: tf.Tensor, n: number, upper: boolean): tf.Tensor {
  const batch = x.shape.slice(0, -1);
  if (n === 0) return tf.zeros([...batch, 0, 0]);
  const m = (n * (n + 1)) / 2;
  const axis = x.rank - 1;
  const tail = tf.slice(x, batch.map(() => 0).concat(n), batch.map(() => -1).concat(m - n));
  const parts = upper ? [x, tf.reverse(tail, axis)] : [tail, tf.reverse(x, axis)];
  const square = tf.reshape(tf.concat(parts, axis), [...batch, n, n]);
  return tf.mul(square, tf.tensor2d(maskValues(n, upper ? 'upper' : 'lower'), [n, n]));
}

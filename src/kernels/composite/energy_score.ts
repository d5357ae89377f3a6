/** The EnergyScore contract (kernel_names.ts) in composite ops. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * The squared pair distances are summed one dimension at a time,
 * Σ_k (x_sk − x_tk)², from broadcast differences: no cancellation, which a
 * Gram matrix ‖a‖² + ‖b‖² − 2a·b would suffer when the draws sit far from
 * 0. O(S²·d) per row, O(B·S²) memory.
 */
export function compositeEnergyScore([x, y]: tf.Tensor[]): tf.Tensor {
  const [S, n, d] = (x as tf.Tensor3D).shape;
  const toPoint = tf.mean(tf.sqrt(tf.sum(tf.square(tf.sub(x as tf.Tensor, y as tf.Tensor)), 2)), 0);
  const byDim = tf.transpose(x as tf.Tensor3D, [2, 1, 0]); // [d, n, S]
  let d2: tf.Tensor = tf.zeros([n, S, S]);
  for (let k = 0; k < d; k++) {
    const next = tf.tidy(() => {
      const c = tf.reshape(tf.slice(byDim, [k, 0, 0], [1, n, S]), [n, S]);
      return tf.add(d2, tf.square(tf.sub(tf.expandDims(c, 2), tf.expandDims(c, 1))));
    });
    d2.dispose();
    d2 = next;
  }
  const pairs = tf.sum(tf.sqrt(d2), [1, 2]);
  return tf.sub(toPoint, tf.div(pairs, 2 * S * (S - 1)));
}

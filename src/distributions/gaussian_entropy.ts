import * as tf from '@tensorflow/tfjs-core';

import {maskValues} from '../layout/masks.js';
import {assertMinRank, fail, fmt, toFloatTensor} from '../util/checks.js';

const LOG_2PI = Math.log(2 * Math.PI);

function gaussianEntropy_(scaleTril: tf.Tensor | tf.TensorLike): tf.Tensor {
  const fn = 'gaussianEntropy';
  const $l = toFloatTensor(scaleTril, 'scaleTril', fn);
  assertMinRank($l, 2, 'scaleTril', fn, '[..., d, d]');
  const d = $l.shape[$l.rank - 1] as number;
  if ($l.shape[$l.rank - 2] !== d) {
    fail(fn, `scaleTril must be square [..., d, d], but got shape ${fmt($l.shape)}.`);
  }
  // The diagonal by a constant 0/1 mask and a sum (no bandPart, no gather).
  const diag = tf.sum(tf.mul($l, tf.tensor2d(maskValues(d, 'eye'), [d, d])), -1);
  return tf.add(tf.sum(tf.log(tf.abs(diag)), -1), 0.5 * d * (1 + LOG_2PI));
}

/**
 * Differential entropy of a multivariate normal with lower Cholesky factor
 * `scaleTril`, TFP's `MultivariateNormalTriL(loc, scale_tril).entropy()`:
 *
 *   H = ½·d·(1 + log 2π) + Σ log|Lᵢᵢ|   (= ½ log det(2πe·LLᵀ)).
 *
 * It does not depend on the mean. Only the diagonal is read; its sign does
 * not matter. Differentiable: `∂H/∂Lᵢᵢ = 1/Lᵢᵢ`, zero elsewhere. A zero
 * diagonal entry gives `-Infinity` (a degenerate Gaussian), not NaN.
 *
 * Shape contract: `[..., d, d] -> [...]`.
 *
 * ```js
 * gaussianEntropy([[1, 0], [0, 1]]).print();          // 2.837877
 * gaussianEntropy([[[2, 0], [1, 1]], [[1, 0], [0, 0.5]]]).print();  // [3.5310, 2.1447]
 * ```
 *
 * @param scaleTril Lower Cholesky factors, `[..., d, d]`.
 * @returns The entropies, in nats, `[...]`.
 *
 * @category distributions
 * @function
 */
export const gaussianEntropy = tf.op({gaussianEntropy_});

/** The GaussianMixtureNLL contract (kernel_names.ts) in composite ops. */
import * as tf from '@tensorflow/tfjs-core';

import {GaussianMixtureNLLAttrs} from '../kernel_names.js';
import {compositeGaussianNLL} from './gaussian_nll.js';

/**
 * `−logsumexp_k(log softmax(a)_k − nll_k)` per row, the K component NLLs from
 * the single-Gaussian composite on `[B·K, ·]` rows: the op count does not
 * grow with K. `tf.logSoftmax` and `tf.logSumExp` shift by the maximum, so
 * large logits and far-out components stay finite.
 */
export function compositeGaussianMixtureNLL([x, yPred]: tf.Tensor[],
                                            {components: K, dim, layout, minDiag}: GaussianMixtureNLLAttrs): tf.Tensor {
  const B = (yPred as tf.Tensor).shape[0] as number;
  const cw = ((yPred as tf.Tensor).shape[1] as number - K) / K;  // the component width
  const logits = tf.slice(yPred as tf.Tensor2D, [0, 0], [B, K]);
  const comps = tf.reshape(tf.slice(yPred as tf.Tensor2D, [0, K], [B, K * cw]), [B * K, cw]);
  const point = tf.slice(x as tf.Tensor2D, [0, 0], [B, dim]);
  const points = tf.reshape(tf.tile(tf.expandDims(point, 1), [1, K, 1]), [B * K, dim]);
  const nll = tf.reshape(compositeGaussianNLL([points, comps], {dim, layout, minDiag}), [B, K]);
  return tf.neg(tf.logSumExp(tf.sub(tf.logSoftmax(logits), nll), 1));
}

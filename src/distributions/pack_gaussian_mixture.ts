import * as tf from '@tensorflow/tfjs-core';

import {DENSE_LAYOUTS, GaussianLayout, widthOf} from '../layout/row_layout.js';
import {assertOneOf} from '../util/checks.js';
import {mixtureArgs} from './mixture_args.js';
import {packGaussian} from './pack_gaussian.js';

/**
 * The inverse of {@link unpackGaussianMixture}: packs `logits [..., K]`,
 * means `[..., K, d]` and lower factors `[..., K, d, d]` into mixture rows
 * `[..., K + K · gaussianParamsSize(d, layout)]`, batch shapes broadcast.
 * Each component is packed as {@link packGaussian} packs one Gaussian.
 *
 * ```js
 * packGaussianMixture([0, 1], [[0], [5]], [[[1]], [[2]]], 'diag').print();  // [0, 1, 0, 1, 5, 2]
 * ```
 *
 * @param logits Unnormalized log-weights, `[..., K]`.
 * @param mean Component means, `[..., K, d]`.
 * @param scaleTril Component lower Cholesky factors, `[..., K, d, d]`.
 * @param layout Layout of each component. Default `'full'`.
 *
 * @category distributions
 */
export function packGaussianMixture(logits: tf.Tensor | tf.TensorLike, mean: tf.Tensor | tf.TensorLike,
                                    scaleTril: tf.Tensor | tf.TensorLike, layout: GaussianLayout = 'full'): tf.Tensor {
  const fn = 'packGaussianMixture';
  assertOneOf(layout, DENSE_LAYOUTS, 'layout', fn);
  return tf.tidy(() => {
    const a = mixtureArgs(fn, logits, mean, scaleTril);
    const {components: K, dim: d, batch} = a;
    const comps = packGaussian(tf.broadcastTo(a.mean, [...batch, K, d]), tf.broadcastTo(a.scaleTril, [...batch, K, d, d]),
      layout);
    return tf.concat([tf.broadcastTo(a.logits, [...batch, K]), tf.reshape(comps, [...batch, K * widthOf(d, layout)])], -1);
  });
}

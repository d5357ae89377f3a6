import * as tf from '@tensorflow/tfjs-core';

import {maskValues} from '../layout/masks.js';
import {assertPositiveInt} from '../util/checks.js';
import {gaussianArgs} from './gaussian_args.js';

/**
 * Draws samples `mean + L·ε`, `ε ~ N(0, I)`, from Gaussians given by means
 * and lower Cholesky factors. The sample axis comes first, as in TFP.
 *
 * Shape contract: `[..., d], [..., d, d] -> [numSamples, ...batch, d]`.
 * Only the lower triangle of `scaleTril` is read. The same `seed` gives the
 * same samples.
 *
 * ```js
 * sampleGaussian([0, 0], [[1, 0], [0.5, 1]], 3, 42).print();  // shape [3, 2]
 * ```
 *
 * @param mean Means, `[..., d]`.
 * @param scaleTril Lower Cholesky factors, `[..., d, d]`.
 * @param numSamples Number of draws, a positive integer.
 * @param seed Seed for `tf.randomNormal`; random when omitted.
 *
 * @category distributions
 */
export function sampleGaussian(mean: tf.Tensor | tf.TensorLike, scaleTril: tf.Tensor | tf.TensorLike,
                               numSamples: number, seed?: number): tf.Tensor {
  const fn = 'sampleGaussian';
  assertPositiveInt(numSamples, 'numSamples', fn);
  return tf.tidy(() => {
    const {mean: $m, scaleTril: $l, dim: d, batch} = gaussianArgs(fn, mean, scaleTril);
    const shape = [numSamples, ...batch];
    const L = tf.broadcastTo(tf.mul($l, tf.tensor2d(maskValues(d, 'lower'), [d, d])), [...shape, d, d]);
    const eps = tf.randomNormal([...shape, d, 1], 0, 1, 'float32', seed);
    return tf.add(tf.reshape(tf.matMul(L, eps), [...shape, d]), $m);
  });
}

import * as tf from '@tensorflow/tfjs-core';

import {maskValues} from '../linalg/triangular_size.js';
import {assertMinRank, assertPositiveInt, broadcastBatch, fail, fmt, toFloatTensor} from '../util/checks.js';

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
 */
export function sampleGaussian(mean: tf.Tensor | tf.TensorLike, scaleTril: tf.Tensor | tf.TensorLike,
                               numSamples: number, seed?: number): tf.Tensor {
  const fn = 'sampleGaussian';
  assertPositiveInt(numSamples, 'numSamples', fn);
  return tf.tidy(() => {
    const $m = toFloatTensor(mean, 'mean', fn);
    const $l = toFloatTensor(scaleTril, 'scaleTril', fn);
    assertMinRank($m, 1, 'mean', fn, '[..., d]');
    assertMinRank($l, 2, 'scaleTril', fn, '[..., d, d]');
    const d = $m.shape[$m.rank - 1] as number;
    if ($l.shape[$l.rank - 1] !== d || $l.shape[$l.rank - 2] !== d) {
      fail(fn, `scaleTril must have shape [..., ${d}, ${d}] to match mean ${fmt($m.shape)}, but got shape ${fmt($l.shape)}.`);
    }
    const batch = broadcastBatch($m.shape.slice(0, -1), $l.shape.slice(0, -2), 'mean', 'scaleTril', $m.shape, $l.shape, fn);
    const shape = [numSamples, ...batch];
    const L = tf.broadcastTo(tf.mul($l, tf.tensor2d(maskValues(d, 'lower'), [d, d])), [...shape, d, d]);
    const eps = tf.randomNormal([...shape, d, 1], 0, 1, 'float32', seed);
    return tf.add(tf.reshape(tf.matMul(L, eps), [...shape, d]), $m);
  });
}

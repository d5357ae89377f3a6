import * as tf from '@tensorflow/tfjs-core';

import {maskValues} from '../layout/masks.js';
import {assertPositiveInt} from '../util/checks.js';
import {mixtureArgs} from './mixture_args.js';

/**
 * Draws samples from Gaussian mixtures: a component `k` with probability
 * `softmax(logits)_k`, then `mean_k + L_k·ε`, `ε ~ N(0, I)`. The sample axis
 * comes first, as in TFP.
 *
 * Shape contract: `logits [..., K]`, `mean [..., K, d]`, `scaleTril [..., K, d, d]
 * -> [numSamples, ...batch, d]`. The same `seed` gives the same samples.
 * Gradients flow to `mean` and `scaleTril` (the draw given its component is
 * reparameterized); the choice of component has no gradient, as in TFP and
 * PyTorch, whose `MixtureSameFamily` has no `rsample`.
 *
 * ```js
 * sampleGaussianMixture([0, 0], [[-5], [5]], [[[1]], [[1]]], 4, 42).print();  // shape [4, 1]
 * ```
 *
 * @param logits Unnormalized log-weights, `[..., K]`.
 * @param mean Component means, `[..., K, d]`.
 * @param scaleTril Component lower Cholesky factors, `[..., K, d, d]`.
 * @param numSamples Number of draws, a positive integer.
 * @param seed Seed of the draws; random when omitted.
 *
 * @category distributions
 */
export function sampleGaussianMixture(logits: tf.Tensor | tf.TensorLike, mean: tf.Tensor | tf.TensorLike,
                                      scaleTril: tf.Tensor | tf.TensorLike, numSamples: number, seed?: number): tf.Tensor {
  const fn = 'sampleGaussianMixture';
  assertPositiveInt(numSamples, 'numSamples', fn);
  return tf.tidy(() => {
    const {logits: $a, mean: $m, scaleTril: $l, components: K, dim: d, batch} = mixtureArgs(fn, logits, mean, scaleTril);
    const n = batch.reduce((p, q) => p * q, 1);
    const S = numSamples;
    // The component: the number of cumulative weights below u ~ U[0, 1)
    // (clipped to K − 1 against a last cumulative weight just under 1).
    // Plain elementwise ops, so every backend runs it; tf.multinomial is
    // not on all of them.
    const cdf = tf.cumsum(tf.softmax(tf.reshape(tf.broadcastTo($a, [...batch, K]), [n, K])), 1);
    const u = tf.randomUniform([S, n, 1], 0, 1, 'float32', seed);
    const k = tf.minimum(tf.sum(tf.cast(tf.greaterEqual(u, cdf), 'int32'), -1), tf.scalar(K - 1, 'int32'));
    // One-hot by comparison with 0..K−1 (tf.oneHot rejects a depth of 1).
    const pick = tf.reshape(tf.cast(tf.equal(tf.expandDims(k, -1), tf.range(0, K, 1, 'int32')), 'float32'), [S, n, K, 1]);
    const m = tf.reshape(tf.broadcastTo($m, [...batch, K, d]), [1, n, K, d]);
    const lower = tf.tensor2d(maskValues(d, 'lower'), [1, d * d]);
    const L = tf.mul(tf.reshape(tf.broadcastTo($l, [...batch, K, d, d]), [1, n, K, d * d]), lower);
    const mu = tf.sum(tf.mul(pick, m), 2);
    const scale = tf.reshape(tf.sum(tf.mul(pick, L), 2), [S, n, d, d]);
    const eps = tf.randomNormal([S, n, d, 1], 0, 1, 'float32', seed === undefined ? undefined : seed + 1);
    return tf.reshape(tf.add(mu, tf.reshape(tf.matMul(scale, eps), [S, n, d])), [S, ...batch, d]);
  });
}

/**
 * Conversion and shape checks for a Gaussian mixture given as `logits
 * [..., K]`, `mean [..., K, d]` and `scaleTril [..., K, d, d]`, shared by the
 * ops that take one.
 */
import * as tf from '@tensorflow/tfjs-core';

import {assertMinRank, broadcastBatch, fail, fmt, toFloatTensor} from '../util/checks.js';
import {broadcastBatchTo, reshapeIfNeeded} from '../util/reshape.js';
import {gaussianArgs} from './gaussian_args.js';

export interface MixtureArgs {
  logits: tf.Tensor;
  mean: tf.Tensor;
  scaleTril: tf.Tensor;
  components: number;
  dim: number;
  /** The broadcast batch shape of the three (without the component axis). */
  batch: number[];
}

/** Converts and checks the three; errors name `fn`, the argument and the shapes. */
export function mixtureArgs(fn: string, logits: tf.Tensor | tf.TensorLike, mean: tf.Tensor | tf.TensorLike,
                            scaleTril: tf.Tensor | tf.TensorLike): MixtureArgs {
  const g = gaussianArgs(fn, mean, scaleTril);
  assertMinRank(g.mean, 2, 'mean', fn, '[..., K, d]');
  assertMinRank(g.scaleTril, 3, 'scaleTril', fn, '[..., K, d, d]');
  const $a = toFloatTensor(logits, 'logits', fn);
  assertMinRank($a, 1, 'logits', fn, '[..., K]');
  const K = g.batch[g.batch.length - 1] as number;
  if ($a.shape[$a.rank - 1] !== K) {
    fail(fn, `logits must have shape [..., ${K}] to match mean ${fmt(g.mean.shape)} (K = ${K} components), ` +
      `but got shape ${fmt($a.shape)}.`);
  }
  const batch = broadcastBatch($a.shape.slice(0, -1), g.batch.slice(0, -1), 'logits', 'mean/scaleTril',
    $a.shape, g.mean.shape, fn);
  return {logits: $a, mean: g.mean, scaleTril: g.scaleTril, components: K, dim: g.dim, batch};
}

/**
 * The mixture broadcast to `batch` as rows `[n, K + K(d + d²)]` of full-layout
 * components, `n = prod(batch)`: the form the mixture kernel takes.
 */
export function packMixtureRows({logits, mean, scaleTril, components: K, dim: d, batch}: MixtureArgs): tf.Tensor2D {
  const n = batch.reduce((a, b) => a * b, 1);
  const comps = tf.concat([
    tf.reshape(broadcastBatchTo(mean, batch, 2), [n, K, d]),
    tf.reshape(broadcastBatchTo(scaleTril, batch, 3), [n, K, d * d]),
  ], -1);
  return tf.concat([
    reshapeIfNeeded(broadcastBatchTo(logits, batch, 1), [n, K]),
    tf.reshape(comps, [n, K * (d + d * d)]),
  ], 1) as tf.Tensor2D;
}

/**
 * Conversion and shape checks for a Gaussian given as a mean `[..., d]` and a
 * lower Cholesky factor `[..., d, d]`, shared by the ops that take one.
 */
import * as tf from '@tensorflow/tfjs-core';

import {assertMinRank, broadcastBatch, fail, fmt, toFloatTensor} from '../util/checks.js';
import {reshapeIfNeeded} from '../util/reshape.js';

export interface GaussianArgs {
  mean: tf.Tensor;
  scaleTril: tf.Tensor;
  dim: number;
  /** The broadcast of the two batch shapes. */
  batch: number[];
}

/**
 * Converts `mean` and `scaleTril`, checks `[..., d]` against `[..., d, d]`
 * and broadcasts their batch shapes; errors name `fn` and the arguments.
 */
export function gaussianArgs(fn: string, mean: tf.Tensor | tf.TensorLike, scaleTril: tf.Tensor | tf.TensorLike,
                             meanArg = 'mean', factorArg = 'scaleTril'): GaussianArgs {
  const $m = toFloatTensor(mean, meanArg, fn);
  const $l = toFloatTensor(scaleTril, factorArg, fn);
  assertMinRank($m, 1, meanArg, fn, '[..., d]');
  assertMinRank($l, 2, factorArg, fn, '[..., d, d]');
  const d = $m.shape[$m.rank - 1] as number;
  if ($l.shape[$l.rank - 1] !== d || $l.shape[$l.rank - 2] !== d) {
    fail(fn, `${factorArg} must have shape [..., ${d}, ${d}] to match ${meanArg} ${fmt($m.shape)}, ` +
      `but got shape ${fmt($l.shape)}.`);
  }
  const batch = broadcastBatch($m.shape.slice(0, -1), $l.shape.slice(0, -2), meanArg, factorArg, $m.shape, $l.shape, fn);
  return {mean: $m, scaleTril: $l, dim: d, batch};
}

/**
 * `mean [..., d]` and `scaleTril [..., d, d]` broadcast to `batch` and packed
 * as rows of the 'full' layout, `[n, d + d * d]` with `n = prod(batch)`: the
 * form the Gaussian kernels take. Gradients flow back through the packing.
 */
export function packFullRows(mean: tf.Tensor, scaleTril: tf.Tensor, batch: number[], d: number): tf.Tensor2D {
  const n = batch.reduce((a, b) => a * b, 1);
  return tf.concat([
    reshapeIfNeeded(tf.broadcastTo(mean, [...batch, d]), [n, d]),
    reshapeIfNeeded(tf.broadcastTo(scaleTril, [...batch, d, d]), [n, d * d]),
  ], 1) as tf.Tensor2D;
}

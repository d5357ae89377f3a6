import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.reshape`, skipped when the shape is already `shape`. A reshape is free
 * on cpu and wasm, but on tfjs-node it is a native op (about 40 µs with its
 * shape upload), and so is its gradient: the loss step on `[batch, W]` rows
 * launched four that changed nothing.
 */
export function reshapeIfNeeded<T extends tf.Tensor>(x: tf.Tensor, shape: number[]): T {
  const same = x.rank === shape.length && x.shape.every((s, i) => s === shape[i]);
  return (same ? x : tf.reshape(x, shape)) as T;
}

/**
 * `x [...b, ...inner]` broadcast to `[...batch, ...inner]` (`b` broadcastable
 * to `batch`), differentiable at any rank: tfjs's gradient of `tf.tile`
 * (under `tf.broadcastTo`) stops at rank 4, so the inner dimensions are
 * folded into one first, and past rank 4 the broadcast is an add of zeros,
 * whose gradient (a sum over the broadcast axes) has no rank limit.
 */
export function broadcastBatchTo(x: tf.Tensor, batch: number[], innerRank: number): tf.Tensor {
  const inner = x.shape.slice(x.rank - innerRank);
  const target = [...batch, ...inner];
  if (x.rank === target.length && x.shape.every((s, i) => s === target[i])) return x;
  const size = inner.reduce((a, b) => a * b, 1);
  const y = tf.reshape(x, [...x.shape.slice(0, x.rank - innerRank), size]);
  const flat = [...batch, size];
  return tf.reshape(flat.length <= 4 ? tf.broadcastTo(y, flat) : tf.add(y, tf.zeros(flat)), target);
}

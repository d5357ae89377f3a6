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

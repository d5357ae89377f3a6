/**
 * Rows to tensors: the one place that turns packed rows `[B, W]` into
 * `mean [B, d]` and a lower factor `[B, d, d]` with tf ops. Used by
 * `unpackGaussian` and by the composite kernels.
 */
import * as tf from '@tensorflow/tfjs-core';

import {fillTriangularCore} from './fill_triangular_core.js';
import {maskValues} from './masks.js';
import {GaussianLayout} from './row_layout.js';

/** `[B, W]` rows to means `[B, d]` and lower factors `[B, d, d]` (upper part zero; `'diag'`: a diagonal matrix). */
export function unpackRows(y: tf.Tensor2D, dim: number, layout: GaussianLayout): {mean: tf.Tensor2D; scaleTril: tf.Tensor3D} {
  const batch = y.shape[0];
  const mean = tf.slice(y, [0, 0], [-1, dim]);
  const rest = tf.slice(y, [0, dim], [-1, -1]);
  const scaleTril = layout === 'diag'
    ? tf.mul(tf.expandDims(rest, -1), tf.tensor2d(maskValues(dim, 'eye'), [dim, dim])) as tf.Tensor3D
    : layout === 'full'
      ? tf.mul(tf.reshape(rest, [batch, dim, dim]), tf.tensor2d(maskValues(dim, 'lower'), [dim, dim])) as tf.Tensor3D
      : fillTriangularCore(rest, dim, false) as tf.Tensor3D;
  return {mean, scaleTril};
}

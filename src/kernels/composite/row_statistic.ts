/** The GaussianRowStatistic contract (kernel_names.ts) in composite ops. */
import * as tf from '@tensorflow/tfjs-core';

import {GaussianLayout} from '../../layout/row_layout.js';
import {unpackRows} from '../../layout/unpack_rows.js';
import {GaussianRowStatisticAttrs} from '../kernel_names.js';
import {whitened} from './gaussian_nll.js';

/**
 * Means and marginal standard deviations `σ_i = √Σ_ii = ‖row i of L‖`,
 * `[B, W] -> {mean [B, d], sd [B, d]}`; σ_i is kept at least `minDiag`.
 */
export function marginals(rows: tf.Tensor2D, d: number, layout: GaussianLayout, minDiag: number):
  {mean: tf.Tensor2D; sd: tf.Tensor2D} {
  const mean = tf.slice(rows, [0, 0], [-1, d]);
  const sd = layout === 'diag'
    ? tf.abs(tf.slice(rows, [0, d], [-1, d]))
    : tf.sqrt(tf.sum(tf.square(unpackRows(rows, d, layout).scaleTril), 2));
  return {mean, sd: (minDiag > 0 ? tf.maximum(sd, minDiag) : sd) as tf.Tensor2D};
}

/**
 * `A(m, s) = E|X| for X ~ N(m, s²) = 2s·φ(m/s) + m·(2Φ(m/s) − 1)`,
 * elementwise, with 2Φ(z) − 1 = erf(z/√2). The Gaussian CRPS is
 * `A(y − μ, σ) − σ/√π`; the mixture's is built from it too (Grimit et al. 2006).
 */
export function expectedAbs(m: tf.Tensor, s: tf.Tensor): tf.Tensor {
  const z = tf.div(m, s);
  const density = tf.mul(tf.exp(tf.mul(tf.square(z), -0.5)), 1 / Math.sqrt(2 * Math.PI));
  return tf.add(tf.mul(tf.mul(s, 2), density), tf.mul(m, tf.erf(tf.mul(z, Math.SQRT1_2))));
}

export function compositeRowStatistic([x, yPred]: tf.Tensor[], attrs: GaussianRowStatisticAttrs): tf.Tensor {
  const {dim, layout, minDiag} = attrs;
  if (attrs.statistic !== 'crps') {
    const {z} = whitened(x as tf.Tensor, yPred as tf.Tensor, attrs);
    const m2 = tf.sum(tf.square(z), layout === 'diag' ? -1 : [1, 2]);
    return attrs.statistic === 'coverage' ? tf.cast(tf.lessEqual(m2, attrs.bound as number), 'float32') : m2;
  }
  // CRPS of N(μ_i, σ_i²) at y_i: A(y − μ, σ) − σ/√π (Gneiting & Raftery 2007, eq. 21).
  const {mean, sd} = marginals(yPred as tf.Tensor2D, dim, layout, minDiag);
  const y = tf.slice(x as tf.Tensor2D, [0, 0], [-1, dim]);
  return tf.mean(tf.sub(expectedAbs(tf.sub(y, mean), sd), tf.mul(sd, 1 / Math.sqrt(Math.PI))), 1);
}

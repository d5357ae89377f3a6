/** The GaussianNLL contract (kernel_names.ts) in composite ops. */
import * as tf from '@tensorflow/tfjs-core';

import {GaussianNLLAttrs} from '../kernel_names.js';
import {unpackRows} from '../../layout/unpack_rows.js';
import {guardDiagonal, guardScale, logAbsDet, solveLowerZeroed} from './linalg.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** `d/2 log 2π + Σ log|L_ii| + ½‖L⁻¹(x − μ)‖²` per row. */
export function compositeGaussianNLL([x, yPred]: tf.Tensor[], {dim, layout, minDiag}: GaussianNLLAttrs): tf.Tensor {
  if (layout === 'diag') {
    // Rows [μ | σ]: ½ d log 2π + Σ log|σ| + ½ Σ ((x − μ)/σ)², elementwise.
    const [m, raw] = tf.split(yPred as tf.Tensor2D, [dim, dim], 1) as [tf.Tensor2D, tf.Tensor2D];
    const s = guardScale(raw, minDiag);
    const z = tf.div(tf.sub(tf.slice(x as tf.Tensor2D, [0, 0], [-1, dim]), m), s);
    return tf.add(tf.add(tf.sum(tf.log(tf.abs(s)), -1), 0.5 * dim * LOG_2PI), tf.mul(0.5, tf.sum(tf.square(z), -1)));
  }
  const pred = unpackRows(yPred as tf.Tensor2D, dim, layout);
  const Lp = guardDiagonal(pred.scaleTril, minDiag);
  const points = tf.slice(x as tf.Tensor2D, [0, 0], [-1, dim]);
  const z = solveLowerZeroed(Lp, tf.expandDims(tf.sub(points, pred.mean), -1) as tf.Tensor3D, false);
  return tf.add(tf.add(logAbsDet(Lp), 0.5 * dim * LOG_2PI), tf.mul(0.5, tf.sum(tf.square(z), [1, 2])));
}

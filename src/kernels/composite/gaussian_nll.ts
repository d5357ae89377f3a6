/** The GaussianNLL contract (kernel_names.ts) in composite ops. */
import * as tf from '@tensorflow/tfjs-core';

import {GaussianNLLAttrs} from '../kernel_names.js';
import {unpackRows} from '../../layout/unpack_rows.js';
import {guardDiagonal, guardScale, logAbsDet, solveLowerZeroed} from './linalg.js';
import {compositeLowRankNLL} from './lowrank.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The whitened points `z = L⁻¹(x − μ)` per row (`[B, d]`, or `[B, d, 1]`
 * for a tril layout) and `Σ log|L_ii|` `[B]`, both with the diagonal guard.
 */
export function whitened(x: tf.Tensor, yPred: tf.Tensor, {dim, layout, minDiag}: GaussianNLLAttrs):
  {z: tf.Tensor; logDet: tf.Tensor} {
  const points = tf.slice(x as tf.Tensor2D, [0, 0], [-1, dim]);
  if (layout === 'diag') {
    // Rows [μ | σ]: z = (x − μ)/σ elementwise.
    const [m, raw] = tf.split(yPred as tf.Tensor2D, [dim, dim], 1) as [tf.Tensor2D, tf.Tensor2D];
    const s = guardScale(raw, minDiag);
    return {z: tf.div(tf.sub(points, m), s), logDet: tf.sum(tf.log(tf.abs(s)), -1)};
  }
  const pred = unpackRows(yPred as tf.Tensor2D, dim, layout);
  const Lp = guardDiagonal(pred.scaleTril, minDiag);
  return {z: solveLowerZeroed(Lp, tf.expandDims(tf.sub(points, pred.mean), -1) as tf.Tensor3D, false),
    logDet: logAbsDet(Lp)};
}

/** `d/2 log 2π + Σ log|L_ii| + ½‖L⁻¹(x − μ)‖²` per row. */
export function compositeGaussianNLL([x, yPred]: tf.Tensor[], attrs: GaussianNLLAttrs): tf.Tensor {
  if (attrs.layout === 'lowrank') {
    const points = tf.slice(x as tf.Tensor2D, [0, 0], [-1, attrs.dim]);
    return compositeLowRankNLL(points, yPred as tf.Tensor2D, attrs.dim, attrs.minDiag);
  }
  const {z, logDet} = whitened(x as tf.Tensor, yPred as tf.Tensor, attrs);
  const sq = tf.sum(tf.square(z), attrs.layout === 'diag' ? -1 : [1, 2]);
  return tf.add(tf.add(logDet, 0.5 * attrs.dim * LOG_2PI), tf.mul(0.5, sq));
}

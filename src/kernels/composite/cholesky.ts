/** The Cholesky contract (kernel_names.ts) in composite ops. */
import * as tf from '@tensorflow/tfjs-core';

import {maskValues} from '../../layout/masks.js';
import {CholeskyAttrs} from '../kernel_names.js';
import {eye, solveLowerZeroed} from './linalg.js';

/** One-hot `[n, 1]` column `e_j`. */
function unit(n: number, j: number): tf.Tensor2D {
  const v = new Float32Array(n);
  v[j] = 1;
  return tf.tensor2d(v, [n, 1]);
}

/**
 * Column by column (left-looking): for j = 0..n-1,
 *   v = A e_j - L (e_jᵀ L)ᵀ,   L[:, j] = v / sqrt(v_j) on rows >= j,
 * with e_j selected by matMul against a constant one-hot column (no gather,
 * no bandPart), so a factorisation is about 8 n kernels. A matrix with a
 * pivot that is not > 0 gets NaN throughout, as on the fused kernels.
 */
function factor(A: tf.Tensor3D): tf.Tensor3D {
  const n = A.shape[1];
  let L = tf.zeros(A.shape) as tf.Tensor3D;
  let minPivot: tf.Tensor | null = null;
  for (let j = 0; j < n; j++) {
    const e = unit(n, j);
    const rowJ = tf.matMul(tf.transpose(e), L);            // [B, 1, n]: row j of L
    const v = tf.sub(tf.matMul(A, e), tf.matMul(L, rowJ, false, true)); // [B, n, 1]
    const pivot = tf.matMul(tf.transpose(e), v);           // [B, 1, 1]
    minPivot = minPivot === null ? pivot : tf.minimum(minPivot, pivot);
    const below = tf.tensor2d(Array.from({length: n}, (_, i) => (i >= j ? 1 : 0)), [n, 1]);
    const col = tf.mul(tf.div(v, tf.sqrt(tf.relu(pivot))), below);
    L = tf.add(L, tf.matMul(col, tf.transpose(e))) as tf.Tensor3D;
  }
  const bad = tf.logicalOr(tf.lessEqual(minPivot as tf.Tensor, 0), tf.isNaN(minPivot as tf.Tensor));
  return tf.where(bad, tf.fill(L.shape, NaN), L) as tf.Tensor3D;
}

/** TensorFlow's symmetric Cholesky gradient (see kernel_names.ts) in composite ops. */
function gradient(L: tf.Tensor3D, dL: tf.Tensor3D): tf.Tensor3D {
  const n = L.shape[1];
  const lower = tf.tensor2d(maskValues(n, 'lower'), [n, n]);
  const middle = tf.mul(tf.matMul(L, dL, true, false), lower);
  const phi = tf.sub(middle, tf.mul(tf.mul(middle, eye(n)), 0.5));
  const Linv = solveLowerZeroed(L, tf.broadcastTo(eye(n), L.shape) as tf.Tensor3D, false);
  const S = tf.matMul(tf.matMul(Linv, phi, true, false), Linv);
  return tf.mul(tf.add(S, tf.transpose(S, [0, 2, 1])), 0.5) as tf.Tensor3D;
}

export function compositeCholesky([a]: tf.Tensor[], _attrs: CholeskyAttrs): tf.Tensor {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const A = args[0] as tf.Tensor3D;
    const L = factor(A);
    (args[1] as tf.GradSaveFunc)([L]);
    return {value: L, gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => gradient(saved as tf.Tensor3D, dy as tf.Tensor3D)};
  });
  return f(a as tf.Tensor);
}

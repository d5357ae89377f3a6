/** The GaussianKL contract (kernel_names.ts) in composite ops. */
import * as tf from '@tensorflow/tfjs-core';

import {GaussianKLAttrs} from '../kernel_names.js';
import {unpackRows} from '../../layout/unpack_rows.js';
import {guardDiagonal, guardScale, klTerm, matrixDiag, solveLowerZeroed} from './linalg.js';
import {compositeLowRankKL} from './lowrank.js';

/**
 * KL(N(ma, La La^T) || N(mb, Lb Lb^T)) for rows of Gaussians, written so that
 * nothing cancels when p is close to q (float32 runs this path). With
 * X = Lb^{-1} La (lower triangular, X_ii = La_ii / Lb_ii) and z = Lb^{-1}(mb - ma):
 *   KL = 1/2 ||X||_F^2 - d/2 + sum log|Lb_ii| - sum log|La_ii| + 1/2 ||z||^2
 *      = 1/2 sum_{i>j} X_ij^2 + 1/2 ||z||^2 + sum_i h(|X_ii|),
 *   h(x) = (x^2 - 1)/2 - log x = t + t^2/2 - log1p(t),  t = x - 1 (linalg.ts klTerm).
 * Every term is >= 0, and t = (|La_ii| - |Lb_ii|) / |Lb_ii| is formed from the
 * diagonals directly, so a small KL is not the difference of large numbers.
 * The form 1/2(||X||^2 - d) + log-dets loses u * d / KL relative accuracy
 * (4e-4 at KL = 1e-4); this one about u / t.
 */
function klPair(ma: tf.Tensor2D, La: tf.Tensor3D, mb: tf.Tensor2D, Lb: tf.Tensor3D): tf.Tensor1D {
  const d = ma.shape[1];
  // One solve against [LA | meanB - meanA].
  const rhs = tf.concat([La, tf.expandDims(tf.sub(mb, ma), -1)], 2) as tf.Tensor3D;
  const Xz = solveLowerZeroed(Lb, rhs, false);
  // Squares of the strictly lower part of X and of z: mask out X's diagonal.
  const mask = tf.tensor2d(strictLowerWithLastColumn(d), [d, d + 1]);
  const sq = tf.sum(tf.square(tf.mul(Xz, mask)), [1, 2]);
  const absA = tf.abs(matrixDiag(La));
  const absB = tf.abs(matrixDiag(Lb));
  const t = tf.div(tf.sub(absA, absB), absB);
  const h = klTerm(t);
  return tf.add(tf.mul(0.5, sq), tf.sum(h, -1));
}

/** `[d, d + 1]` mask: 1 strictly below the diagonal of the first d columns, and on the last column. */
function strictLowerWithLastColumn(d: number): Float32Array {
  const m = new Float32Array(d * (d + 1));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) m[i * (d + 1) + j] = 1;
    m[i * (d + 1) + d] = 1;
  }
  return m;
}

/**
 * The 'diag' layout, rows `[μ | σ]`: Σ h(|a/b| − 1) + ½ Σ ((μb − μa)/b)², the
 * same non-negative terms as shared/diag_math.ts, in O(d) elementwise ops.
 */
function klDiagPair(ma: tf.Tensor2D, a: tf.Tensor2D, mb: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  const absB = tf.abs(b);
  const t = tf.div(tf.sub(tf.abs(a), absB), absB);
  const h = klTerm(t);
  return tf.sum(tf.add(h, tf.mul(0.5, tf.square(tf.div(tf.sub(mb, ma), b)))), -1);
}

function compositeDiagKL(yTrue: tf.Tensor2D, yPred: tf.Tensor2D, dim: number, direction: GaussianKLAttrs['direction'],
                         minDiag: number): tf.Tensor {
  const [mt, st] = tf.split(yTrue, [dim, dim], 1) as [tf.Tensor2D, tf.Tensor2D];
  const [mp, sp] = tf.split(yPred, [dim, dim], 1) as [tf.Tensor2D, tf.Tensor2D];
  const a = guardScale(st, minDiag);
  const b = guardScale(sp, minDiag);
  const fwd = direction !== 'reverse' ? klDiagPair(mt, a, mp, b) : null;
  const rev = direction !== 'forward' ? klDiagPair(mp, b, mt, a) : null;
  return fwd !== null && rev !== null ? tf.add(fwd, rev) : (fwd ?? rev) as tf.Tensor1D;
}

export function compositeGaussianKL([yTrue, yPred]: tf.Tensor[], {dim, layout, direction, minDiag}: GaussianKLAttrs): tf.Tensor {
  if (layout === 'diag') return compositeDiagKL(yTrue as tf.Tensor2D, yPred as tf.Tensor2D, dim, direction, minDiag);
  if (layout === 'lowrank') return compositeLowRankKL(yTrue as tf.Tensor2D, yPred as tf.Tensor2D, dim, direction, minDiag);
  const pred = unpackRows(yPred as tf.Tensor2D, dim, layout);
  const Lp = guardDiagonal(pred.scaleTril, minDiag);
  const truth = unpackRows(yTrue as tf.Tensor2D, dim, layout);
  const Lt = guardDiagonal(truth.scaleTril, minDiag);
  const fwd = direction !== 'reverse' ? klPair(truth.mean, Lt, pred.mean, Lp) : null;
  const rev = direction !== 'forward' ? klPair(pred.mean, Lp, truth.mean, Lt) : null;
  return fwd !== null && rev !== null ? tf.add(fwd, rev) : (fwd ?? rev) as tf.Tensor1D;
}

/**
 * The 'lowrank' layout in composite ops: rows `[μ (d) | σ (d) | W (d × r)]`,
 * `Σ = diag(σ²) + W Wᵀ`, through the Woodbury identity and the matrix
 * determinant lemma with the capacitance `C = I_r + Wᵀ D⁻¹ W` (`r × r`), as
 * shared/lowrank_math.ts does in float64. No `d × d` tensor is formed; the
 * largest is `[B, r, d]`. Each row's rank follows from its width.
 */
import * as tf from '@tensorflow/tfjs-core';

import {compositeCholesky} from './cholesky.js';
import {eye, guardScale, klTerm, logAbsDet, solveLowerZeroed} from './linalg.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** One side's parts. `A = D⁻¹ W` and the capacitance factor `K` are null at rank 0. */
interface Side {
  mean: tf.Tensor2D;
  /** Guarded σ, `[B, d]`. */
  s: tf.Tensor2D;
  /** `σ⁻²`, `[B, d]`. */
  is2: tf.Tensor2D;
  W: tf.Tensor3D | null;
  A: tf.Tensor3D | null;
  K: tf.Tensor3D | null;
  /** `Σ log|K_jj|` `[B]` (0 at rank 0). */
  logDetK: tf.Tensor1D | null;
}

function side(y: tf.Tensor2D, d: number, minDiag: number): Side {
  const r = (y.shape[1] as number) / d - 2;
  const parts = tf.split(y, r > 0 ? [d, d, d * r] : [d, d], 1) as tf.Tensor2D[];
  const s = guardScale(parts[1] as tf.Tensor2D, minDiag);
  const is2 = tf.reciprocal(tf.square(s)) as tf.Tensor2D;
  if (r === 0) return {mean: parts[0] as tf.Tensor2D, s, is2, W: null, A: null, K: null, logDetK: null};
  const W = tf.reshape(parts[2] as tf.Tensor2D, [-1, d, r]) as tf.Tensor3D;
  const A = tf.mul(W, tf.expandDims(is2, -1)) as tf.Tensor3D;
  const C = tf.add(eye(r), tf.matMul(W, A, true, false)) as tf.Tensor3D;
  const K = compositeCholesky([C], {}) as tf.Tensor3D;
  return {mean: parts[0] as tf.Tensor2D, s, is2, W, A, K, logDetK: logAbsDet(K)};
}

/** `½ log|Σ| = Σ log|σᵢ| + Σ log K_jj`, `[B]`. */
function halfLogDet(p: Side): tf.Tensor1D {
  const logS = tf.sum(tf.log(tf.abs(p.s)), -1) as tf.Tensor1D;
  return p.logDetK === null ? logS : tf.add(logS, p.logDetK) as tf.Tensor1D;
}

/** `−log N(x; μ, Σ)` per row: `½(d log 2π + log|Σ| + δᵀD⁻¹δ − ‖K⁻¹ Aᵀδ‖²)`, `δ = x − μ`. */
export function compositeLowRankNLL(points: tf.Tensor2D, yPred: tf.Tensor2D, d: number, minDiag: number): tf.Tensor1D {
  const q = side(yPred, d, minDiag);
  const delta = tf.sub(points, q.mean);
  let quad = tf.sum(tf.mul(tf.square(delta), q.is2), -1);
  if (q.A !== null && q.K !== null) {
    const v = solveLowerZeroed(q.K, tf.matMul(q.A, tf.expandDims(delta, -1), true, false) as tf.Tensor3D, false);
    quad = tf.sub(quad, tf.sum(tf.square(v), [1, 2]));
  }
  return tf.add(tf.add(halfLogDet(q), 0.5 * d * LOG_2PI), tf.mul(0.5, quad)) as tf.Tensor1D;
}

/**
 * `KL(p ‖ q)` per row. With `δ = μq − μp` and `R = Aqᵀ [diag(σp) | Wp | δ]`:
 *   KL = Σ h(|σp/σq| − 1) + ½ Σᵢ (‖Wp,ᵢ‖² + δᵢ²)/σq,ᵢ² − ½‖Kq⁻¹ R‖²_F + Σ log Kq,jj − Σ log Kp,jj,
 * where `h(t) = t + t²/2 − log(1 + t)` (linalg.ts klTerm) keeps the diagonal
 * part free of cancellation, as in the 'diag' layout.
 */
function klPair(p: Side, q: Side): tf.Tensor1D {
  const absQ = tf.abs(q.s);
  let value = tf.sum(klTerm(tf.div(tf.sub(tf.abs(p.s), absQ), absQ)), -1);
  const delta = tf.sub(q.mean, p.mean);
  let sq = tf.square(delta);
  if (p.W !== null) sq = tf.add(sq, tf.sum(tf.square(p.W), -1));
  value = tf.add(value, tf.mul(0.5, tf.sum(tf.mul(sq, q.is2), -1)));
  if (q.A !== null && q.K !== null) {
    // Aqᵀ diag(σp) is Aq's columns scaled, transposed: [B, rq, d], never a d × d product.
    const cols = [tf.transpose(tf.mul(q.A, tf.expandDims(p.s, -1)), [0, 2, 1]),
      ...(p.W !== null ? [tf.matMul(q.A, p.W, true, false)] : []), tf.matMul(q.A, tf.expandDims(delta, -1), true, false)];
    const R = tf.concat(cols, 2) as tf.Tensor3D;
    const X = solveLowerZeroed(q.K, R, false);
    value = tf.sub(value, tf.mul(0.5, tf.sum(tf.square(X), [1, 2])));
    value = tf.add(value, q.logDetK as tf.Tensor1D);
  }
  if (p.logDetK !== null) value = tf.sub(value, p.logDetK);
  return value as tf.Tensor1D;
}

/** `KL(true ‖ pred)`, `KL(pred ‖ true)` or their sum, per row; the two ranks may differ. */
export function compositeLowRankKL(yTrue: tf.Tensor2D, yPred: tf.Tensor2D, d: number,
                                   direction: 'forward' | 'reverse' | 'symmetric', minDiag: number): tf.Tensor1D {
  const t = side(yTrue, d, minDiag);
  const p = side(yPred, d, minDiag);
  const fwd = direction !== 'reverse' ? klPair(t, p) : null;
  const rev = direction !== 'forward' ? klPair(p, t) : null;
  return (fwd !== null && rev !== null ? tf.add(fwd, rev) : (fwd ?? rev)) as tf.Tensor1D;
}

/**
 * The composite path: the numerical core written with standard tfjs ops
 * only, so it runs on every backend (tensorflow, webgl, webgpu) and gets its
 * gradients from autodiff. It never calls tf.linalg.bandPart (its gradient
 * throws for a batch of one) nor tf.gather (its gradient throws on wasm),
 * and launches O(log d) kernels: no per-row or per-matrix loops.
 */
import * as tf from '@tensorflow/tfjs-core';

import {maskValues} from '../linalg/triangular_size.js';
import {fillTriangular} from '../linalg/fill_triangular.js';
import {LossAttrs} from './kernel_specs.js';
import {GaussianLayout} from './row_layout.js';

const LOG_2PI = Math.log(2 * Math.PI);

function eye(d: number): tf.Tensor2D {
  return tf.tensor2d(maskValues(d, 'eye'), [d, d]);
}

/** The diagonals of `[B, d, d]` matrices, as `[B, d]` (a mask and a sum). */
function matrixDiag(L: tf.Tensor3D): tf.Tensor2D {
  return tf.sum(tf.mul(L, eye(L.shape[1])), -1);
}

/**
 * Solves `L X = rhs` (or `L^T X = rhs` when `adjoint`) for lower triangular
 * `L [B, d, d]` whose upper triangle is already zero, `rhs [B, d, k]`.
 *
 * Write `L = D (I - P)` with `D = diag(L)` and `P = I - D^{-1} L` strictly
 * lower, hence nilpotent (`P^d = 0`). Then
 *   (I - P)^{-1} = I + P + ... + P^{d-1} = (I + P)(I + P^2)(I + P^4)...,
 * a product of ceil(log2 d) factors, each applied with one matMul while P is
 * squared with another. So a solve costs 2 ceil(log2 d) matMuls, not d
 * substitution steps. For the adjoint, `L^T = (I - P^T) D`, and the same
 * product is applied with P transposed (matMul's transposeA flag).
 *
 * The product has the same exact result as substitution, but it is not
 * backward stable: for badly conditioned L its float32 error grows faster.
 * The fast kernels substitute in float64; this path trades that margin for
 * running everywhere.
 */
export function compositeSolveLower(L: tf.Tensor3D, rhs: tf.Tensor3D, adjoint: boolean): tf.Tensor3D {
  const d = L.shape[1];
  const invDiag = tf.expandDims(tf.reciprocal(matrixDiag(L)), -1) as tf.Tensor3D;
  let P = tf.sub(eye(d), tf.mul(L, invDiag)) as tf.Tensor3D;
  let Y = adjoint ? rhs : tf.mul(rhs, invDiag) as tf.Tensor3D;
  for (let span = 1; span < d; span *= 2) {
    Y = tf.add(Y, tf.matMul(P, Y, adjoint, false));
    if (span * 2 < d) P = tf.matMul(P, P);
  }
  return adjoint ? tf.mul(Y, invDiag) as tf.Tensor3D : Y;
}

/**
 * The diagonal guard of js_math.ts's `guardDiag` on `[B, d, d]` matrices:
 * `|L_ii|` clamped to `[minDiag, 1 / minDiag]`, sign kept, gradient passed
 * straight through.
 */
export function guardDiagonal(L: tf.Tensor3D, minDiag: number): tf.Tensor3D {
  if (minDiag <= 0) return L;
  const guard = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const m = args[0] as tf.Tensor3D;
    const diag = matrixDiag(m);
    const mag = tf.clipByValue(tf.abs(diag), minDiag, 1 / minDiag);
    const signed = tf.where(tf.less(diag, 0), tf.neg(mag), mag);
    // Replace the diagonal (off-diagonal part plus new diagonal) rather than
    // add a correction: L + (new - old) would cancel catastrophically for a
    // diagonal of 1e15 clamped to 1e6 in float32.
    const d = m.shape[1];
    const offDiag = tf.tensor2d(maskValues(d, 'eye').map((v) => 1 - v), [d, d]);
    const value = tf.add(tf.mul(m, offDiag), tf.mul(eye(d), tf.expandDims(signed, -1)));
    return {value, gradFunc: (dy: tf.Tensor) => dy};
  });
  return guard(L) as tf.Tensor3D;
}

/** `[B, W]` rows to means `[B, d]` and lower factors `[B, d, d]` (upper part zero). */
export function unpackRows(y: tf.Tensor2D, dim: number, layout: GaussianLayout): {mean: tf.Tensor2D; scaleTril: tf.Tensor3D} {
  const batch = y.shape[0];
  const mean = tf.slice(y, [0, 0], [-1, dim]);
  const rest = tf.slice(y, [0, dim], [-1, -1]);
  const scaleTril = layout === 'full'
    ? tf.mul(tf.reshape(rest, [batch, dim, dim]), tf.tensor2d(maskValues(dim, 'lower'), [dim, dim])) as tf.Tensor3D
    : fillTriangular(rest) as tf.Tensor3D;
  return {mean, scaleTril};
}

function logAbsDet(L: tf.Tensor3D): tf.Tensor1D {
  return tf.sum(tf.log(tf.abs(matrixDiag(L))), -1);
}

/**
 * KL(N(ma, La La^T) || N(mb, Lb Lb^T)) for rows of Gaussians, written so that
 * nothing cancels when p is close to q (float32 runs this path). With
 * X = Lb^{-1} La (lower triangular, X_ii = La_ii / Lb_ii) and z = Lb^{-1}(mb - ma):
 *   KL = 1/2 ||X||_F^2 - d/2 + sum log|Lb_ii| - sum log|La_ii| + 1/2 ||z||^2
 *      = 1/2 sum_{i>j} X_ij^2 + 1/2 ||z||^2 + sum_i h(|X_ii|),
 *   h(x) = (x^2 - 1)/2 - log x = t + t^2/2 - log1p(t),  t = x - 1.
 * Every term is >= 0, and t = (|La_ii| - |Lb_ii|) / |Lb_ii| is formed from the
 * diagonals directly, so a small KL is not the difference of large numbers.
 * The form 1/2(||X||^2 - d) + log-dets loses u * d / KL relative accuracy
 * (4e-4 at KL = 1e-4); this one about u / t.
 */
function klComposite(ma: tf.Tensor2D, La: tf.Tensor3D, mb: tf.Tensor2D, Lb: tf.Tensor3D): tf.Tensor1D {
  const d = ma.shape[1];
  // One solve against [LA | meanB - meanA].
  const rhs = tf.concat([La, tf.expandDims(tf.sub(mb, ma), -1)], 2) as tf.Tensor3D;
  const Xz = compositeSolveLower(Lb, rhs, false);
  // Squares of the strictly lower part of X and of z: mask out X's diagonal.
  const mask = tf.tensor2d(strictLowerWithLastColumn(d), [d, d + 1]);
  const sq = tf.sum(tf.square(tf.mul(Xz, mask)), [1, 2]);
  const absA = tf.abs(matrixDiag(La));
  const absB = tf.abs(matrixDiag(Lb));
  const t = tf.div(tf.sub(absA, absB), absB);
  const h = tf.sub(tf.add(t, tf.mul(0.5, tf.square(t))), tf.log1p(t));
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

/** The loss kernel's contract (see kernel_specs.ts), in composite ops. */
export function compositeLoss(yTrue: tf.Tensor2D, yPred: tf.Tensor2D, attrs: LossAttrs): tf.Tensor1D {
  const {kind, dim, layout, direction, minDiag} = attrs;
  const pred = unpackRows(yPred, dim, layout);
  const Lp = guardDiagonal(pred.scaleTril, minDiag);
  if (kind === 'nll') {
    const x = tf.slice(yTrue, [0, 0], [-1, dim]);
    const z = compositeSolveLower(Lp, tf.expandDims(tf.sub(x, pred.mean), -1) as tf.Tensor3D, false);
    return tf.add(tf.add(logAbsDet(Lp), 0.5 * dim * LOG_2PI), tf.mul(0.5, tf.sum(tf.square(z), [1, 2])));
  }
  const truth = unpackRows(yTrue, dim, layout);
  const Lt = guardDiagonal(truth.scaleTril, minDiag);
  const fwd = direction !== 'reverse' ? klComposite(truth.mean, Lt, pred.mean, Lp) : null;
  const rev = direction !== 'forward' ? klComposite(pred.mean, Lp, truth.mean, Lt) : null;
  return fwd !== null && rev !== null ? tf.add(fwd, rev) : (fwd ?? rev) as tf.Tensor1D;
}

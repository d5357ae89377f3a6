/**
 * Building blocks of the composite path: the numerical core written with
 * standard tfjs ops only, so it runs on every backend and gets its gradients
 * from autodiff. Nothing here calls tf.linalg.bandPart (its gradient throws
 * for a batch of one) nor tf.gather (its gradient throws on wasm), and a
 * solve launches O(log d) kernels: no per-row or per-matrix loops.
 */
import * as tf from '@tensorflow/tfjs-core';

import {maskValues} from '../../layout/masks.js';

export function eye(d: number): tf.Tensor2D {
  return tf.tensor2d(maskValues(d, 'eye'), [d, d]);
}

/** The diagonals of `[B, d, d]` matrices, as `[B, d]` (a mask and a sum). */
export function matrixDiag(L: tf.Tensor3D): tf.Tensor2D {
  return tf.sum(tf.mul(L, eye(L.shape[1])), -1);
}

export function logAbsDet(L: tf.Tensor3D): tf.Tensor1D {
  return tf.sum(tf.log(tf.abs(matrixDiag(L))), -1);
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
export function solveLowerZeroed(L: tf.Tensor3D, rhs: tf.Tensor3D, adjoint: boolean): tf.Tensor3D {
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

/** `|x|` clamped to `[minDiag, 1 / minDiag]`, negative where `x` is (the guard's value). */
function clampKeepSign(x: tf.Tensor, minDiag: number): tf.Tensor {
  const mag = tf.clipByValue(tf.abs(x), minDiag, 1 / minDiag);
  return tf.where(tf.less(x, 0), tf.neg(mag), mag);
}

/**
 * The diagonal guard of shared/js_math.ts's `guardDiag` on `[B, d, d]`
 * matrices: `|L_ii|` clamped to `[minDiag, 1 / minDiag]`, sign kept,
 * gradient passed straight through.
 */
export function guardDiagonal(L: tf.Tensor3D, minDiag: number): tf.Tensor3D {
  if (minDiag <= 0) return L;
  const guard = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const m = args[0] as tf.Tensor3D;
    const signed = clampKeepSign(matrixDiag(m), minDiag);
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

/**
 * The diagonal guard on a diagonal scale `σ [B, d]`, elementwise: `|σ|`
 * clamped to `[minDiag, 1 / minDiag]`, sign kept, gradient passed straight
 * through (as guardDiagonal does for a matrix's diagonal).
 */
export function guardScale(s: tf.Tensor2D, minDiag: number): tf.Tensor2D {
  if (minDiag <= 0) return s;
  const guard = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    return {value: clampKeepSign(args[0] as tf.Tensor2D, minDiag), gradFunc: (dy: tf.Tensor) => dy};
  });
  return guard(s) as tf.Tensor2D;
}

/**
 * The KL's term per diagonal entry, `h(t) = t + t²/2 − log(1 + t)` (the
 * `(x² − 1)/2 − log x` of `x = 1 + t`), ≥ 0 and about t² near 0, accurate on
 * every backend: by its series `t²(1 − t/3 + t²/4 − … − t⁷/9)` for |t| < 0.1
 * (truncation below 1e-8 relative), else as `t + t²/2 − log1p(t)`.
 * `tf.log1p` is `log(1 + x)` in the webgl and webgpu shaders, which keeps
 * only the bits of t that survive 1 + t: there `h` of a pair 1 % apart was
 * off by 1e-3 relative with log1p alone. The gradient is given in closed
 * form, `h'(t) = t(2 + t)/(1 + t)` (tfjs has no gradient for the comparisons
 * that pick the branch).
 */
export const klTerm = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const t = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  save([t]);
  let p: tf.Tensor = tf.scalar(-1 / 9);
  for (const c of [1 / 8, -1 / 7, 1 / 6, -1 / 5, 1 / 4, -1 / 3, 1]) p = tf.add(tf.mul(t, p), c);
  const series = tf.mul(tf.square(t), p);
  // For |t| >= 0.1 even the GPUs' log(1 + t) costs h at most ~1e-5 relative
  // (an error of u in 1 + t against h >= 0.0047), so tf.log1p serves there.
  const direct = tf.sub(tf.add(t, tf.mul(0.5, tf.square(t))), tf.log1p(t));
  return {
    value: tf.where(tf.less(tf.abs(t), 0.1), series, direct),
    gradFunc: (dy: tf.Tensor, [x]: tf.Tensor[]) => {
      const v = x as tf.Tensor;
      return tf.mul(dy, tf.div(tf.mul(v, tf.add(v, 2)), tf.add(v, 1)));
    },
  };
}) as (t: tf.Tensor) => tf.Tensor;

import * as tf from '@tensorflow/tfjs-core';

import {triangularSolveOp} from '../kernels/ops.js';
import {assertMinRank, broadcastBatch, fail, fmt, toFloatTensor} from '../util/checks.js';
import {reshapeIfNeeded} from '../util/reshape.js';

/**
 * Options of {@link triangularSolve}.
 *
 * @category linalg
 */
export interface TriangularSolveOptions {
  /** `matrix` is lower triangular (else upper). Only that triangle is read. @default true */
  lower?: boolean;
  /** Solve `matrixᵀ · X = rhs` instead of `matrix · X = rhs`. @default false */
  adjoint?: boolean;
}

function triangularSolve_(matrix: tf.Tensor | tf.TensorLike, rhs: tf.Tensor | tf.TensorLike,
                          {lower = true, adjoint = false}: TriangularSolveOptions = {}): tf.Tensor {
  const fn = 'triangularSolve';
  const $m = toFloatTensor(matrix, 'matrix', fn);
  const $r = toFloatTensor(rhs, 'rhs', fn);
  assertMinRank($m, 2, 'matrix', fn, '[..., d, d]');
  assertMinRank($r, 2, 'rhs', fn, '[..., d, k]');
  const d = $m.shape[$m.rank - 1] as number;
  if ($m.shape[$m.rank - 2] !== d) {
    fail(fn, `matrix must be square [..., d, d], but got shape ${fmt($m.shape)}.`);
  }
  if ($r.shape[$r.rank - 2] !== d) {
    fail(fn, `rhs must have shape [..., ${d}, k] to match matrix ${fmt($m.shape)}, but got shape ${fmt($r.shape)}.`);
  }
  const k = $r.shape[$r.rank - 1] as number;
  const batch = broadcastBatch($m.shape.slice(0, -2), $r.shape.slice(0, -2), 'matrix', 'rhs', $m.shape, $r.shape, fn);
  const n = batch.reduce((a, b) => a * b, 1);
  let m3 = reshapeIfNeeded<tf.Tensor3D>(tf.broadcastTo($m, [...batch, d, d]), [n, d, d]);
  const r3 = reshapeIfNeeded<tf.Tensor3D>(tf.broadcastTo($r, [...batch, d, k]), [n, d, k]);
  // An upper triangular U is the transpose of a lower one: U X = B is
  // (U^T)^T X = B, so flip `adjoint` and solve with the lower U^T.
  let adj = adjoint;
  if (!lower) {
    m3 = tf.transpose(m3, [0, 2, 1]);
    adj = !adjoint;
  }
  return reshapeIfNeeded(triangularSolveOp([m3, r3], {adjoint: adj}), [...batch, d, k]);
}

/**
 * Solves `matrix · X = rhs` for triangular `matrix`, or `matrixᵀ · X = rhs`
 * when `adjoint` is set, by substitution (no inverse is formed).
 *
 * Shape contract: `[..., d, d]` and `[..., d, k] -> [..., d, k]`, with the
 * batch dimensions broadcast. Only the triangle named by `lower` is read.
 * Differentiable with respect to both arguments; the gradient with respect
 * to `matrix` is zero outside that triangle.
 *
 * ```js
 * triangularSolve([[2, 0], [1, 1]], [[2], [3]]).print();
 * // [[1], [2]]
 * triangularSolve([[2, 0], [1, 1]], [[2], [3]], {adjoint: true}).print();
 * // [[-0.5], [3]]
 * ```
 *
 * @param matrix Triangular matrices, `[..., d, d]`.
 * @param rhs Right-hand sides, `[..., d, k]`.
 * @param options `lower` (default `true`) and `adjoint` (default `false`).
 * @returns `X`, `[...broadcast batch, d, k]`.
 *
 * @category linalg
 * @function
 */
export const triangularSolve = tf.op({triangularSolve_});

import * as tf from '@tensorflow/tfjs-core';

import {choleskyOp} from '../kernels/ops.js';
import {choleskyInto, pivotValue} from '../kernels/shared/cholesky_math.js';
import {assertMinRank, fail, fmt, toFloatTensor} from '../util/checks.js';
import {reshapeIfNeeded} from '../util/reshape.js';

/**
 * Options of {@link cholesky}.
 *
 * @category linalg
 */
export interface CholeskyOptions {
  /**
   * Check the data and throw for a non-finite entry or a matrix that is not
   * positive definite, naming the batch index and the failing pivot (reads
   * the tensor back: a device sync). Without it such a matrix gives a factor
   * of NaN. @default false
   */
  validateArgs?: boolean;
}

/** `[i0, i1, ...]` of flat batch index `b` within `batch`. */
function batchIndex(b: number, batch: number[]): string {
  const idx: number[] = [];
  for (let k = batch.length - 1; k >= 0; k--) {
    const s = batch[k] as number;
    idx.unshift(b % s);
    b = Math.floor(b / s);
  }
  return `[${idx.join(',')}]`;
}

function validate(a3: tf.Tensor3D, batch: number[], fn: string): void {
  const [count, n] = a3.shape;
  const v = a3.dataSync() as Float32Array;
  const L = new Float64Array(n * n);
  const out = new Float32Array(n * n);
  for (let b = 0; b < count; b++) {
    const o = b * n * n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const x = v[o + i * n + j] as number;
        if (!Number.isFinite(x)) {
          fail(fn, `a has a non-finite value (${x}) at batch index ${batchIndex(b, batch)}, entry [${i}][${j}] (validateArgs).`);
        }
      }
    }
    const j = choleskyInto(v.subarray(o, o + n * n), 0, n, L, out);
    if (j >= 0) {
      fail(fn, `a is not positive definite: the matrix at batch index ${batchIndex(b, batch)} fails at pivot ${j} ` +
        `(a[${j}][${j}] - ‖L[${j}][:${j}]‖² = ${pivotValue(v.subarray(o, o + n * n), 0, n, j, L).toPrecision(4)}, ` +
        'must be > 0) (validateArgs).');
    }
  }
}

function cholesky_(a: tf.Tensor | tf.TensorLike, {validateArgs = false}: CholeskyOptions = {}): tf.Tensor {
  const fn = 'cholesky';
  const $a = toFloatTensor(a, 'a', fn);
  assertMinRank($a, 2, 'a', fn, '[..., n, n]');
  const n = $a.shape[$a.rank - 1] as number;
  if ($a.shape[$a.rank - 2] !== n) fail(fn, `a must be square [..., n, n], but got shape ${fmt($a.shape)}.`);
  const batch = $a.shape.slice(0, -2);
  const count = batch.reduce((x, y) => x * y, 1);
  if (n === 0 || count === 0) return tf.zeros($a.shape);
  const a3 = reshapeIfNeeded<tf.Tensor3D>($a, [count, n, n]);
  if (validateArgs) validate(a3, batch, fn);
  return reshapeIfNeeded(choleskyOp([a3], {}), $a.shape);
}

/**
 * Lower Cholesky factor `L` of symmetric positive definite matrices,
 * `a = L·Lᵀ`, as `tf.linalg.cholesky` computes it (tfjs has none: tfjs#1516).
 * Only the lower triangle of `a` is read. Turns covariance targets (from a
 * Kalman filter, an ensemble, a teacher) into the factors the losses take.
 *
 * Fused kernels (cpu, wasm, tensorflow) factor in float64 and round once;
 * the composite path (webgl, webgpu) runs n column steps in float32.
 * Differentiable, with the symmetric gradient TensorFlow and PyTorch return:
 * `½(S + Sᵀ)`, `S = L⁻ᵀ Φ(Lᵀ·dL) L⁻¹` (Φ: lower triangle, diagonal halved).
 *
 * Not positive definite: every entry of that matrix's factor is NaN, on every
 * backend (the other matrices of the batch are unaffected); with
 * `validateArgs: true` it throws instead, naming the batch index and pivot.
 *
 * Shape contract: `[..., n, n] -> [..., n, n]`.
 *
 * ```js
 * cholesky([[4, 2], [2, 3]]).print();  // [[2, 0], [1, 1.4142135]]
 * ```
 *
 * @param a Symmetric positive definite matrices, `[..., n, n]`.
 * @param options `validateArgs` (default false).
 * @returns The lower factors, `[..., n, n]`, zero above the diagonal.
 *
 * @category linalg
 * @function
 */
export const cholesky = tf.op({cholesky_});

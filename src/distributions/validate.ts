/**
 * Opt-in data checks (`validateArgs: true`), as in TFP and PyTorch. They read
 * the tensor back to JS, so they cost a device sync and are off by default.
 */
import * as tf from '@tensorflow/tfjs-core';

import {rowLayout, GaussianLayout} from '../layout/row_layout.js';
import {assertPositiveInt, fail} from '../util/checks.js';

/** Checks the diagonal guard option: `0` (off) or a bound in `(0, 1)`. */
export function checkMinDiag(fn: string, minDiag: number): void {
  if (!(minDiag >= 0 && minDiag < 1)) fail(fn, `minDiag must be in [0, 1), but got ${minDiag}.`);
}

/** `rank`: a positive integer in the 'lowrank' layout, absent in the others. */
export function checkRank(fn: string, layout: GaussianLayout, rank: number | undefined, arg: string): void {
  if (layout === 'lowrank') {
    if (rank === undefined) fail(fn, `the 'lowrank' layout needs ${arg} (the number of columns of W), but ${arg} is missing.`);
    assertPositiveInt(rank, arg, fn);
  } else if (rank !== undefined) {
    fail(fn, `${arg} applies to the 'lowrank' layout only, but layout is '${layout}' and ${arg} is ${rank}.`);
  }
}

/** Default diagonal guard of the losses and klDivergence (see kernels/shared/js_math.ts `guardDiag`). */
export const DEFAULT_MIN_DIAG = 1e-6;

/**
 * Throws if a row of `rows [B, W]` has a non-finite entry, (when
 * `checkDiag`) a zero Cholesky diagonal or scale, or, in the `'diag'`
 * layout, a negative scale σ (always: σ is a standard deviation there). The
 * message names the sample (row) and the entry (column, and `L[i][i]` or
 * `σ[i]`).
 */
export function validateGaussianValues(rows: tf.Tensor2D, dim: number, layout: GaussianLayout | null,
                                       fn: string, arg: string, checkDiag = true): void {
  const [batch, width] = rows.shape;
  const v = rows.dataSync();
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < width; c++) {
      const x = v[b * width + c] as number;
      if (!Number.isFinite(x)) {
        fail(fn, `${arg} has a non-finite value (${x}) at sample ${b}, entry ${c} (validateArgs).`);
      }
    }
  }
  if (layout === null || (!checkDiag && layout !== 'diag' && layout !== 'lowrank')) return;
  const lay = rowLayout(dim, layout);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < dim; i++) {
      const c = lay.lIndex[i * dim + i] as number;
      checkDiagonal(v[b * width + c] as number, i, layout, checkDiag, fn, arg, () => `sample ${b}, entry ${c}`);
    }
  }
}

/**
 * The checks of one diagonal entry `x` (`L[i][i]`, or `σ[i]` in `'diag'`):
 * in `'diag'` σ must be > 0 (≥ 0 when `checkDiag` is off), elsewhere a zero
 * fails when `checkDiag`. `at` names the place, for the message.
 */
function checkDiagonal(x: number, i: number, layout: GaussianLayout, checkDiag: boolean, fn: string, arg: string,
                       at: () => string): void {
  if ((layout === 'diag' || layout === 'lowrank') && (x < 0 || (x === 0 && checkDiag))) {
    fail(fn, `${arg} has a ${x === 0 ? 'zero' : 'negative'} scale σ[${i}] = ${x} at ${at()}: ` +
      `the '${layout}' layout needs σ > 0 (validateArgs).`);
  }
  if (x === 0 && checkDiag) fail(fn, `${arg} has a zero Cholesky diagonal L[${i}][${i}] at ${at()} (validateArgs).`);
}

/**
 * {@link validateGaussianValues} for mixture rows `[B, K + K·w]`: a
 * non-finite logit, or a component entry that fails the single-Gaussian
 * checks. The message names the sample, the component and the entry.
 */
export function validateMixtureValues(rows: tf.Tensor2D, components: number, dim: number, layout: GaussianLayout,
                                      fn: string, arg: string, checkDiag = true, rank = 0): void {
  const [batch, width] = rows.shape;
  const v = rows.dataSync();
  const lay = rowLayout(dim, layout, rank);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < components; k++) {
      const x = v[b * width + k] as number;
      if (!Number.isFinite(x)) {
        fail(fn, `${arg} has a non-finite logit (${x}) at sample ${b}, component ${k}, entry ${k} (validateArgs).`);
      }
    }
    for (let k = 0; k < components; k++) {
      const o = b * width + components + k * lay.width;
      for (let c = 0; c < lay.width; c++) {
        const x = v[o + c] as number;
        if (!Number.isFinite(x)) {
          fail(fn, `${arg} has a non-finite value (${x}) at sample ${b}, component ${k}, ` +
            `entry ${components + k * lay.width + c} (validateArgs).`);
        }
      }
      if (!checkDiag && layout !== 'diag' && layout !== 'lowrank') continue;
      for (let i = 0; i < dim; i++) {
        const c = lay.lIndex[i * dim + i] as number;
        checkDiagonal(v[o + c] as number, i, layout, checkDiag, fn, arg,
          () => `sample ${b}, component ${k}, entry ${components + k * lay.width + c}`);
      }
    }
  }
}

/**
 * The numerical core on plain typed arrays, shared by the `cpu` and `wasm`
 * kernels (they differ only in where their arrays live).
 *
 * Inputs and outputs are float32; every sum is carried in float64 (JS
 * numbers), so the only float32 rounding is at the load and the store.
 *
 * Notation, per sample: `L` is lower triangular `d x d`, stored dense and
 * row-major in a Float64Array with zeros above the diagonal.
 */
import {RowLayout} from './row_layout.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The diagonal guard. `|L_ii|` is clamped to `[minDiag, 1 / minDiag]`, its
 * sign kept (0 counts as positive), so a predicted diagonal at or near zero
 * gives finite values. Gradients pass straight through the clamp: the
 * gradient returned for a raw entry is the gradient at the clamped value.
 * `minDiag = 0` disables the guard.
 */
export function guardDiag(v: number, minDiag: number): number {
  if (minDiag <= 0) return v;
  const a = Math.abs(v);
  const c = a < minDiag ? minDiag : a > 1 / minDiag ? 1 / minDiag : a;
  return v < 0 ? -c : c;
}

/** Reads `mean` and the guarded `L` of the row starting at `off`. */
export function loadRow(src: Float32Array, off: number, lay: RowLayout, minDiag: number,
                        mean: Float64Array, L: Float64Array): void {
  const d = lay.dim;
  const idx = lay.lIndex;
  for (let i = 0; i < d; i++) {
    mean[i] = src[off + i] as number;
    const r = i * d;
    for (let j = 0; j < i; j++) L[r + j] = src[off + (idx[r + j] as number)] as number;
    L[r + i] = guardDiag(src[off + (idx[r + i] as number)] as number, minDiag);
    for (let j = i + 1; j < d; j++) L[r + j] = 0;
  }
}

/** Adds the gradients `dMean`, `dL` (lower part) into row `off` of `dst`. */
export function storeRowGrad(dst: Float32Array, off: number, lay: RowLayout,
                             dMean: Float64Array, dL: Float64Array): void {
  const d = lay.dim;
  const idx = lay.lIndex;
  for (let i = 0; i < d; i++) {
    dst[off + i] = (dst[off + i] as number) + (dMean[i] as number);
    const r = i * d;
    for (let j = 0; j <= i; j++) {
      const c = off + (idx[r + j] as number);
      dst[c] = (dst[c] as number) + (dL[r + j] as number);
    }
  }
}

/** Scratch arrays for one sample, allocated once per kernel call. */
export class Scratch {
  readonly meanA: Float64Array; readonly meanB: Float64Array;
  readonly LA: Float64Array; readonly LB: Float64Array;
  readonly X: Float64Array; readonly W: Float64Array;
  readonly z: Float64Array; readonly w: Float64Array;
  readonly dMeanA: Float64Array; readonly dMeanB: Float64Array;
  readonly dLA: Float64Array; readonly dLB: Float64Array;
  constructor(d: number) {
    const v = () => new Float64Array(d);
    const m = () => new Float64Array(d * d);
    this.meanA = v(); this.meanB = v(); this.z = v(); this.w = v();
    this.dMeanA = v(); this.dMeanB = v();
    this.LA = m(); this.LB = m(); this.X = m(); this.W = m(); this.dLA = m(); this.dLB = m();
  }
}

/**
 * Lower part of `X = LB^{-1} LA` (itself lower triangular) and
 * `z = LB^{-1} (meanB - meanA)`, by forward substitution.
 */
function solveKL(d: number, s: Scratch): void {
  const {LA, LB, X, z, meanA, meanB} = s;
  for (let i = 0; i < d; i++) {
    const r = i * d;
    const inv = 1 / (LB[r + i] as number);
    for (let j = 0; j <= i; j++) {
      let acc = LA[r + j] as number;
      for (let k = j; k < i; k++) acc -= (LB[r + k] as number) * (X[k * d + j] as number);
      X[r + j] = acc * inv;
    }
    let acc = (meanB[i] as number) - (meanA[i] as number);
    for (let k = 0; k < i; k++) acc -= (LB[r + k] as number) * (z[k] as number);
    z[i] = acc * inv;
  }
}

/**
 * `KL(N(meanA, LA LA^T) || N(meanB, LB LB^T))`
 *   = 1/2 (||LB^{-1} LA||_F^2 + ||LB^{-1} (meanB - meanA)||^2 - d)
 *     + sum log|LB_ii| - sum log|LA_ii|.
 * The trace term tr(SigmaB^{-1} SigmaA) equals ||LB^{-1} LA||_F^2 (as in TFP's
 * `_kl_brute_force`); no inverse or covariance is ever formed.
 */
export function klValue(d: number, s: Scratch): number {
  solveKL(d, s);
  const {LA, LB, X, z} = s;
  let sq = 0;
  let logDet = 0;
  for (let i = 0; i < d; i++) {
    const r = i * d;
    for (let j = 0; j <= i; j++) sq += (X[r + j] as number) ** 2;
    sq += (z[i] as number) ** 2;
    logDet += Math.log(Math.abs(LB[r + i] as number)) - Math.log(Math.abs(LA[r + i] as number));
  }
  return 0.5 * (sq - d) + logDet;
}

/**
 * Gradients of `g * KL` (see {@link klValue}) into `dMeanA, dLA, dMeanB, dLB`
 * (overwritten). With `G = LB^{-T} [X | z] = [W | w]`:
 *   dLA = tril(W) - diag(1 / LA_ii),   dMeanB = w = -dMeanA,
 *   dLB = -tril(W X^T + w z^T) + diag(1 / LB_ii).
 * Only the lower part of W is needed, and it depends only on the lower part
 * of X, so every loop runs over triangles (about d^3 / 6 multiply-adds each).
 */
export function klGrad(d: number, s: Scratch, g: number): void {
  solveKL(d, s);
  const {LA, LB, X, W, z, w, dMeanA, dMeanB, dLA, dLB} = s;
  // Back substitution with LB^T for the lower part of W and for w.
  for (let i = d - 1; i >= 0; i--) {
    const inv = 1 / (LB[i * d + i] as number);
    for (let j = 0; j <= i; j++) {
      let acc = X[i * d + j] as number;
      for (let k = i + 1; k < d; k++) acc -= (LB[k * d + i] as number) * (W[k * d + j] as number);
      W[i * d + j] = acc * inv;
    }
    let acc = z[i] as number;
    for (let k = i + 1; k < d; k++) acc -= (LB[k * d + i] as number) * (w[k] as number);
    w[i] = acc * inv;
  }
  for (let i = 0; i < d; i++) {
    const r = i * d;
    dMeanB[i] = g * (w[i] as number);
    dMeanA[i] = -g * (w[i] as number);
    for (let j = 0; j <= i; j++) {
      // (W X^T)_ij = sum_k W_ik X_jk over k <= j, since X is lower triangular.
      let acc = (w[i] as number) * (z[j] as number);
      for (let k = 0; k <= j; k++) acc += (W[r + k] as number) * (X[j * d + k] as number);
      dLB[r + j] = -g * acc;
      dLA[r + j] = g * (W[r + j] as number);
    }
    dLB[r + i] = (dLB[r + i] as number) + g / (LB[r + i] as number);
    dLA[r + i] = (dLA[r + i] as number) - g / (LA[r + i] as number);
    for (let j = i + 1; j < d; j++) { dLA[r + j] = 0; dLB[r + j] = 0; }
  }
}

/** `z = L^{-1} (x - mean)` into `s.z`, with x in `meanA`, mean in `meanB`, L in `LB`. */
function solveNLL(d: number, s: Scratch): void {
  const {LB, z, meanA, meanB} = s;
  for (let i = 0; i < d; i++) {
    const r = i * d;
    let acc = (meanA[i] as number) - (meanB[i] as number);
    for (let k = 0; k < i; k++) acc -= (LB[r + k] as number) * (z[k] as number);
    z[i] = acc / (LB[r + i] as number);
  }
}

/**
 * `-log N(x; mean, L L^T) = d/2 log 2 pi + sum log|L_ii| + 1/2 ||L^{-1}(x - mean)||^2`,
 * with `x` in `s.meanA`, `mean` in `s.meanB` and `L` in `s.LB`.
 */
export function nllValue(d: number, s: Scratch): number {
  solveNLL(d, s);
  let v = 0.5 * d * LOG_2PI;
  for (let i = 0; i < d; i++) v += Math.log(Math.abs(s.LB[i * d + i] as number)) + 0.5 * (s.z[i] as number) ** 2;
  return v;
}

/**
 * Gradients of `g * NLL`: with `w = L^{-T} z`,
 *   dx = w, dMean = -w, dL = -tril(w z^T) + diag(1 / L_ii).
 * Written to `dMeanA` (x), `dMeanB` (mean) and `dLB`.
 */
export function nllGrad(d: number, s: Scratch, g: number): void {
  solveNLL(d, s);
  const {LB, z, w, dMeanA, dMeanB, dLB} = s;
  for (let i = d - 1; i >= 0; i--) {
    let acc = z[i] as number;
    for (let k = i + 1; k < d; k++) acc -= (LB[k * d + i] as number) * (w[k] as number);
    w[i] = acc / (LB[i * d + i] as number);
  }
  for (let i = 0; i < d; i++) {
    const r = i * d;
    dMeanA[i] = g * (w[i] as number);
    dMeanB[i] = -g * (w[i] as number);
    for (let j = 0; j <= i; j++) dLB[r + j] = -g * (w[i] as number) * (z[j] as number);
    dLB[r + i] = (dLB[r + i] as number) + g / (LB[r + i] as number);
    for (let j = i + 1; j < d; j++) dLB[r + j] = 0;
  }
}

/**
 * Solves `L X = B` (or `L^T X = B` when `adjoint`) for one matrix: `L` is
 * read from `l` at `lOff` (lower triangle only, `d x d` row-major), `B` from
 * `b` at `bOff` (`d x k`), and `X` written to `x` at `xOff`.
 */
export function solveLower(l: ArrayLike<number>, lOff: number, b: ArrayLike<number>, bOff: number,
                           x: Float32Array | Float64Array, xOff: number, d: number, k: number,
                           adjoint: boolean, acc: Float64Array): void {
  for (let c = 0; c < k; c++) {
    if (!adjoint) {
      for (let i = 0; i < d; i++) {
        let s = b[bOff + i * k + c] as number;
        for (let j = 0; j < i; j++) s -= (l[lOff + i * d + j] as number) * (acc[j] as number);
        acc[i] = s / (l[lOff + i * d + i] as number);
      }
    } else {
      for (let i = d - 1; i >= 0; i--) {
        let s = b[bOff + i * k + c] as number;
        for (let j = i + 1; j < d; j++) s -= (l[lOff + j * d + i] as number) * (acc[j] as number);
        acc[i] = s / (l[lOff + i * d + i] as number);
      }
    }
    for (let i = 0; i < d; i++) x[xOff + i * k + c] = acc[i] as number;
  }
}

/**
 * The numerical core on plain typed arrays, shared by every backend that
 * can read its tensors as typed arrays (cpu, wasm; they differ only in where their arrays live).
 *
 * Gaussians are read in place from float32 rows in the 'full' layout,
 * `[mean (d) | L row-major (d * d)]`, at an offset `o`: `mean_i = y[o + i]`,
 * `L_ij = y[o + d + i * d + j]` (only `j <= i` is read). The 'packed' layout
 * is repacked to 'full' by the kernels first (full_rows.ts). Every product
 * and sum is carried in float64 (JS numbers), so the only float32 rounding is
 * the load and the final store.
 *
 * Loop forms: the triangular loops are written as row updates
 * (`row_i -= c * row_k` over a contiguous range) rather than dot products,
 * four source rows per pass (`row_i -= c0 row_k0 + ... + c3 row_k3`). A dot
 * product is one serial chain of dependent multiply-adds; row updates are
 * independent, and taking four source rows at once loads and stores the
 * destination row a quarter as often. On V8 this runs a d = 32 solve about
 * 1.6x faster than the plain row update (measured, see bench/). The blocked
 * updates may read entries above the diagonal of X, W and XT's lower part;
 * the scratch arrays start at zero and those entries are never written, so
 * they stay zero.
 */

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The diagonal guard. `|L_ii|` is clamped to `[minDiag, 1 / minDiag]`, its
 * sign kept (0 counts as positive), so a predicted diagonal at or near zero
 * gives finite values. Gradients pass straight through the clamp: the
 * gradient returned for a raw entry is the gradient at the clamped value.
 * `minDiag = 0` disables the guard.
 */
function guardDiag(v: number, minDiag: number): number {
  if (minDiag <= 0) return v;
  const a = Math.abs(v);
  const c = a < minDiag ? minDiag : a > 1 / minDiag ? 1 / minDiag : a;
  return v < 0 ? -c : c;
}

/**
 * Scratch arrays for one sample, allocated once per kernel call. A plain
 * object from a factory, not a class with field declarations: under
 * define-semantics class fields (esbuild, TS with useDefineForClassFields)
 * each field starts as `undefined`, and V8 may then load it through a slower
 * generic representation in the hot loops.
 */
export interface Scratch {
  /** X = LB^{-1} LA (lower, d x d) and its transpose XT (upper), for row access. */
  X: Float64Array; XT: Float64Array;
  /** Lower part of W = LB^{-T} X. */
  W: Float64Array;
  /** One row of W X^T + w z^T. */
  row: Float64Array;
  /** z = LB^{-1} (meanB - meanA) (or L^{-1}(x - mean)), w = LB^{-T} z. */
  z: Float64Array; w: Float64Array;
  /** Guarded diagonals of A and B. */
  diagA: Float64Array; diagB: Float64Array;
}

export function makeScratch(d: number): Scratch {
  return {
    X: new Float64Array(d * d), XT: new Float64Array(d * d), W: new Float64Array(d * d), row: new Float64Array(d),
    z: new Float64Array(d), w: new Float64Array(d),
    diagA: new Float64Array(d), diagB: new Float64Array(d),
  };
}

/** Guarded diagonal of the factor at `o` into `diag`. */
function readDiag(y: Float32Array, o: number, d: number, minDiag: number, diag: Float64Array): void {
  for (let i = 0; i < d; i++) diag[i] = guardDiag(y[o + d + i * d + i] as number, minDiag);
}

/** `sum log|a_i|` with few calls to Math.log: a running product, flushed before it leaves [1e-100, 1e100]. */
function sumLogAbs(a: Float64Array, d: number): number {
  let prod = 1;
  let acc = 0;
  for (let i = 0; i < d; i++) {
    prod *= a[i] as number;
    const m = Math.abs(prod);
    if (!(m > 1e-100 && m < 1e100)) {
      acc += Math.log(m);
      prod = 1;
    }
  }
  return acc + Math.log(Math.abs(prod));
}

/**
 * Lower part of `X = LB^{-1} LA` (itself lower triangular), its transpose
 * `XT`, and `z = LB^{-1} (meanB - meanA)`, by forward substitution on rows:
 *   X[i, :] = (LA[i, :] - sum_{k<i} LB[i, k] X[k, :]) / LB[i, i].
 */
function solveKL(d: number, yA: Float32Array, oA: number, yB: Float32Array, oB: number, s: Scratch): void {
  const {X, XT, z, diagA, diagB} = s;
  const lA = oA + d;
  const lB = oB + d;
  for (let i = 0; i < d; i++) {
    const r = i * d;
    for (let j = 0; j < i; j++) X[r + j] = yA[lA + r + j] as number;
    X[r + i] = diagA[i] as number;
    let zi = (yB[oB + i] as number) - (yA[oA + i] as number);
    const li = lB + r;
    let k = 0;
    for (; k + 3 < i; k += 4) {
      const c0 = yB[li + k] as number;
      const c1 = yB[li + k + 1] as number;
      const c2 = yB[li + k + 2] as number;
      const c3 = yB[li + k + 3] as number;
      const r0 = k * d;
      const r1 = r0 + d;
      const r2 = r1 + d;
      const r3 = r2 + d;
      // Rows k..k+3 of X are zero beyond their diagonal, so j runs to k + 3.
      for (let j = 0; j <= k + 3; j++) {
        X[r + j] = (X[r + j] as number) - (c0 * (X[r0 + j] as number) + c1 * (X[r1 + j] as number) +
          c2 * (X[r2 + j] as number) + c3 * (X[r3 + j] as number));
      }
      zi -= c0 * (z[k] as number) + c1 * (z[k + 1] as number) + c2 * (z[k + 2] as number) + c3 * (z[k + 3] as number);
    }
    for (; k < i; k++) {
      const c = yB[li + k] as number;
      const rk = k * d;
      for (let j = 0; j <= k; j++) X[r + j] = (X[r + j] as number) - c * (X[rk + j] as number);
      zi -= c * (z[k] as number);
    }
    const inv = 1 / (diagB[i] as number);
    for (let j = 0; j <= i; j++) {
      const v = (X[r + j] as number) * inv;
      X[r + j] = v;
      XT[j * d + i] = v;
    }
    z[i] = zi * inv;
  }
}

/**
 * `KL(N(meanA, LA LA^T) || N(meanB, LB LB^T))`
 *   = 1/2 (||LB^{-1} LA||_F^2 + ||LB^{-1} (meanB - meanA)||^2 - d)
 *     + sum log|LB_ii| - sum log|LA_ii|,
 * for the Gaussians in rows `yA` at `oA` and `yB` at `oB`. The trace term
 * tr(SigmaB^{-1} SigmaA) equals ||LB^{-1} LA||_F^2 (as in TFP's
 * `_kl_brute_force`); no inverse or covariance is ever formed.
 */
export function klValue(d: number, yA: Float32Array, oA: number, yB: Float32Array, oB: number,
                        minDiag: number, s: Scratch): number {
  readDiag(yA, oA, d, minDiag, s.diagA);
  readDiag(yB, oB, d, minDiag, s.diagB);
  solveKL(d, yA, oA, yB, oB, s);
  const {X, z} = s;
  let sq = 0;
  for (let i = 0; i < d; i++) {
    const r = i * d;
    for (let j = 0; j <= i; j++) sq += (X[r + j] as number) * (X[r + j] as number);
    sq += (z[i] as number) * (z[i] as number);
  }
  return 0.5 * (sq - d) + sumLogAbs(s.diagB, d) - sumLogAbs(s.diagA, d);
}

/**
 * Returns KL (see {@link klValue}) and writes the gradients of `g * KL` to
 * `gA` at `oA` and `gB` at `oB` (same layout as the rows), or adds them
 * when `accumulate` (the second half of a symmetric KL). With `G = LB^{-T} [X | z] = [W | w]`:
 *   dLA = tril(W) - diag(1 / LA_ii),   dMeanB = w = -dMeanA,
 *   dLB = -tril(W X^T + w z^T) + diag(1 / LB_ii).
 * Only the lower part of W is needed, and it depends only on the lower part
 * of X, so each of the three loops (solve, back substitution, product) runs
 * over triangles: about d^3 / 6 multiply-adds each.
 */
export function klGrad(d: number, yA: Float32Array, oA: number, yB: Float32Array, oB: number, minDiag: number,
                       s: Scratch, g: number, gA: Float32Array, gB: Float32Array, accumulate: boolean): number {
  readDiag(yA, oA, d, minDiag, s.diagA);
  readDiag(yB, oB, d, minDiag, s.diagB);
  solveKL(d, yA, oA, yB, oB, s);
  const {XT, W, z, w, diagA, diagB} = s;
  const X = s.X;
  const lB = oB + d;
  let sq = 0;
  // Back substitution with LB^T on rows, lower part only:
  //   W[i, :i] = (X[i, :i] - sum_{k>i} LB[k, i] W[k, :i]) / LB[i, i].
  for (let i = d - 1; i >= 0; i--) {
    const r = i * d;
    for (let j = 0; j <= i; j++) {
      const v = X[r + j] as number;
      W[r + j] = v;
      sq += v * v;
    }
    let wi = z[i] as number;
    sq += wi * wi;
    let k = i + 1;
    for (; k + 3 < d; k += 4) {
      const c0 = yB[lB + k * d + i] as number;
      const c1 = yB[lB + (k + 1) * d + i] as number;
      const c2 = yB[lB + (k + 2) * d + i] as number;
      const c3 = yB[lB + (k + 3) * d + i] as number;
      const r0 = k * d;
      const r1 = r0 + d;
      const r2 = r1 + d;
      const r3 = r2 + d;
      for (let j = 0; j <= i; j++) {
        W[r + j] = (W[r + j] as number) - (c0 * (W[r0 + j] as number) + c1 * (W[r1 + j] as number) +
          c2 * (W[r2 + j] as number) + c3 * (W[r3 + j] as number));
      }
      wi -= c0 * (w[k] as number) + c1 * (w[k + 1] as number) + c2 * (w[k + 2] as number) + c3 * (w[k + 3] as number);
    }
    for (; k < d; k++) {
      const c = yB[lB + k * d + i] as number;
      const rk = k * d;
      for (let j = 0; j <= i; j++) W[r + j] = (W[r + j] as number) - c * (W[rk + j] as number);
      wi -= c * (w[k] as number);
    }
    const inv = 1 / (diagB[i] as number);
    for (let j = 0; j <= i; j++) W[r + j] = (W[r + j] as number) * inv;
    w[i] = wi * inv;
  }
  // Row i of W X^T + w z^T over j <= i, accumulated as rows of X^T:
  //   (W X^T)[i, j] = sum_{k <= j} W[i, k] XT[k, j].
  const row = s.row;
  for (let i = 0; i < d; i++) {
    const r = i * d;
    const wi = w[i] as number;
    for (let j = 0; j <= i; j++) row[j] = wi * (z[j] as number);
    let k = 0;
    for (; k + 3 <= i; k += 4) {
      const c0 = W[r + k] as number;
      const c1 = W[r + k + 1] as number;
      const c2 = W[r + k + 2] as number;
      const c3 = W[r + k + 3] as number;
      const r0 = k * d;
      const r1 = r0 + d;
      const r2 = r1 + d;
      const r3 = r2 + d;
      // XT is zero below its diagonal, so all four rows can start at column k.
      for (let j = k; j <= i; j++) {
        row[j] = (row[j] as number) + c0 * (XT[r0 + j] as number) + c1 * (XT[r1 + j] as number) +
          c2 * (XT[r2 + j] as number) + c3 * (XT[r3 + j] as number);
      }
    }
    for (; k <= i; k++) {
      const c = W[r + k] as number;
      const rk = k * d;
      for (let j = k; j <= i; j++) row[j] = (row[j] as number) + c * (XT[rk + j] as number);
    }
    const pa = oA + d + r;
    const pb = oB + d + r;
    if (accumulate) {
      gA[oA + i] = (gA[oA + i] as number) - g * wi;
      gB[oB + i] = (gB[oB + i] as number) + g * wi;
      for (let j = 0; j <= i; j++) {
        gA[pa + j] = (gA[pa + j] as number) + g * (W[r + j] as number);
        gB[pb + j] = (gB[pb + j] as number) - g * (row[j] as number);
      }
    } else {
      // Every entry of the row is written, the strict upper part as 0, so
      // the output needs no zero fill first.
      gA[oA + i] = -g * wi;
      gB[oB + i] = g * wi;
      for (let j = 0; j <= i; j++) {
        gA[pa + j] = g * (W[r + j] as number);
        gB[pb + j] = -g * (row[j] as number);
      }
      for (let j = i + 1; j < d; j++) {
        gA[pa + j] = 0;
        gB[pb + j] = 0;
      }
    }
    gA[pa + i] = (gA[pa + i] as number) - g / (diagA[i] as number);
    gB[pb + i] = (gB[pb + i] as number) + g / (diagB[i] as number);
  }
  return 0.5 * (sq - d) + sumLogAbs(diagB, d) - sumLogAbs(diagA, d);
}

/** `z = L^{-1} (x - mean)` for the point `x` at `xo` of `x` and the Gaussian at `o` of `y`. */
function solveNLL(d: number, x: Float32Array, xo: number, y: Float32Array, o: number, s: Scratch): void {
  const {z, diagB} = s;
  const l = o + d;
  for (let i = 0; i < d; i++) {
    const r = l + i * d;
    let acc = (x[xo + i] as number) - (y[o + i] as number);
    for (let k = 0; k < i; k++) acc -= (y[r + k] as number) * (z[k] as number);
    z[i] = acc / (diagB[i] as number);
  }
}

/**
 * `-log N(x; mean, L L^T) = d/2 log 2 pi + sum log|L_ii| + 1/2 ||L^{-1}(x - mean)||^2`
 * for the point at `xo` of `x` and the Gaussian at `o` of `y`.
 */
export function nllValue(d: number, x: Float32Array, xo: number, y: Float32Array, o: number,
                         minDiag: number, s: Scratch): number {
  readDiag(y, o, d, minDiag, s.diagB);
  solveNLL(d, x, xo, y, o, s);
  let sq = 0;
  for (let i = 0; i < d; i++) sq += (s.z[i] as number) * (s.z[i] as number);
  return 0.5 * d * LOG_2PI + sumLogAbs(s.diagB, d) + 0.5 * sq;
}

/**
 * Returns NLL (see {@link nllValue}) and writes the gradients of `g * NLL`
 * to `gx` at `xo` (its first `d` entries) and `gy` at `o` (the whole row,
 * the strict upper part of L as 0): with
 * `w = L^{-T} z`,  dx = w,  dMean = -w,  dL = -tril(w z^T) + diag(1 / L_ii).
 */
export function nllGrad(d: number, x: Float32Array, xo: number, y: Float32Array, o: number, minDiag: number,
                        s: Scratch, g: number, gx: Float32Array, gy: Float32Array): number {
  readDiag(y, o, d, minDiag, s.diagB);
  solveNLL(d, x, xo, y, o, s);
  const {z, w, diagB} = s;
  const l = o + d;
  let sq = 0;
  for (let i = 0; i < d; i++) {
    const zi = z[i] as number;
    sq += zi * zi;
    w[i] = zi;
  }
  // w = L^{-T} z by back substitution on rows of L (contiguous): once w_k is
  // final, subtract its multiple of row k from the entries left of k.
  for (let k = d - 1; k >= 0; k--) {
    const wk = (w[k] as number) / (diagB[k] as number);
    w[k] = wk;
    const r = l + k * d;
    for (let j = 0; j < k; j++) w[j] = (w[j] as number) - (y[r + j] as number) * wk;
  }
  for (let i = 0; i < d; i++) {
    const wi = w[i] as number;
    gx[xo + i] = g * wi;
    gy[o + i] = -g * wi;
    const p = l + i * d;
    const c = -g * wi;
    for (let j = 0; j < i; j++) gy[p + j] = c * (z[j] as number);
    gy[p + i] = c * (z[i] as number) + g / (diagB[i] as number);
    for (let j = i + 1; j < d; j++) gy[p + j] = 0;
  }
  return 0.5 * d * LOG_2PI + sumLogAbs(diagB, d) + 0.5 * sq;
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

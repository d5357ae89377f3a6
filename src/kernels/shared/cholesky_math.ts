/**
 * Cholesky factorisation and its gradient for one `n x n` matrix, in float64
 * (JS numbers) on float32 storage: the only float32 roundings are the load
 * and the store.
 */

/**
 * Writes the lower factor of the matrix at `a[o..]` (lower triangle read,
 * row-major) to `out[o..]` (strict upper part 0), row by row
 * (Cholesky-Banachiewicz: L[i][j] = (a[i][j] - L[i][:j]·L[j][:j]) / L[j][j],
 * contiguous dot products over rows of L). `L` is float64 scratch of n * n.
 * Returns -1, or the first pivot `j` whose value `a[j][j] - ‖L[j][:j]‖²` is
 * not > 0 (or NaN); then the whole output matrix is NaN.
 */
export function choleskyInto(a: Float32Array, o: number, n: number, L: Float64Array, out: Float32Array): number {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[o + ri + j] as number;
      for (let k = 0; k < j; k++) s -= (L[ri + k] as number) * (L[rj + k] as number);
      if (j === i) {
        if (!(s > 0)) {
          out.fill(NaN, o, o + n * n);
          return i;
        }
        L[ri + i] = Math.sqrt(s);
      } else {
        L[ri + j] = s / (L[rj + j] as number);
      }
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[o + i * n + j] = j <= i ? L[i * n + j] as number : 0;
  }
  return -1;
}

/** The value of pivot `j` that {@link choleskyInto} found not > 0, recomputed for an error message. */
export function pivotValue(a: Float32Array, o: number, n: number, j: number, L: Float64Array): number {
  let s = a[o + j * n + j] as number;
  for (let k = 0; k < j; k++) s -= (L[j * n + k] as number) * (L[j * n + k] as number);
  return s;
}

/**
 * The gradient with respect to `a` of a function of `L = cholesky(a)`, given
 * `L` at `l[o..]` and `dL` at `dl[o..]`, written to `out[o..]` (TensorFlow's
 * `_CholeskyGrad`, Murray 2016, eq. 10):
 *   Φ = lower(Lᵀ dL) with its diagonal halved,  X = Φ L⁻¹,  S = Lᵀ⁻¹ X,  dA = ½(S + Sᵀ).
 * Only the lower triangle of `dL` enters (Lᵀ dL's lower part reads nothing
 * else), and X is lower triangular (a product of two lower ones), so the
 * three phases cost n³/6, n³/6 and n³/2 multiply-adds. All three are row
 * updates over contiguous rows (`row_i -= c row_k`). `P` and `S` are float64
 * scratch of n * n; a NaN factor gives a NaN gradient.
 */
export function choleskyGradInto(l: Float32Array, dl: Float32Array, o: number, n: number,
                                 P: Float64Array, S: Float64Array, out: Float32Array): void {
  P.fill(0);
  // Φ (in P): row i += L[k][i] * dL[k][:i+1] for every k >= i.
  for (let k = 0; k < n; k++) {
    const rk = o + k * n;
    for (let i = 0; i <= k; i++) {
      const c = l[rk + i] as number;
      const ri = i * n;
      for (let j = 0; j <= i; j++) P[ri + j] = (P[ri + j] as number) + c * (dl[rk + j] as number);
    }
  }
  for (let i = 0; i < n; i++) P[i * n + i] = 0.5 * (P[i * n + i] as number);
  // X = Φ L⁻¹ in place of Φ, row r: x L = φ, from the right; x is zero right of r.
  for (let r = 0; r < n; r++) {
    const rr = r * n;
    for (let k = r; k >= 0; k--) {
      const xk = (P[rr + k] as number) / (l[o + k * n + k] as number);
      P[rr + k] = xk;
      const lk = o + k * n;
      for (let j = 0; j < k; j++) P[rr + j] = (P[rr + j] as number) - xk * (l[lk + j] as number);
    }
  }
  // S = Lᵀ⁻¹ X: Lᵀ S = X from the bottom row up; once row k of S is final,
  // subtract L[k][i] times it from every row i < k.
  S.set(P);
  for (let k = n - 1; k >= 0; k--) {
    const rk = k * n;
    const inv = 1 / (l[o + rk + k] as number);
    for (let j = 0; j < n; j++) S[rk + j] = (S[rk + j] as number) * inv;
    for (let i = 0; i < k; i++) {
      const c = l[o + rk + i] as number;
      const ri = i * n;
      for (let j = 0; j < n; j++) S[ri + j] = (S[ri + j] as number) - c * (S[rk + j] as number);
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[o + i * n + j] = 0.5 * ((S[i * n + j] as number) + (S[j * n + i] as number));
  }
}

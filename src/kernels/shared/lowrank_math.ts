/**
 * The KL and NLL of Gaussians with a low-rank-plus-diagonal covariance,
 * rows `[mean (d) | σ (d) | W (d × r, row-major)]` (the 'lowrank' layout),
 * `Σ = D + W Wᵀ` with `D = diag(σ²)`, in float64 and O(d·r² + r³) per row:
 * no d × d matrix is formed.
 *
 * Per side (one row), `prepare` copies `W` into float64 columns (`Wt`, r
 * vectors of length d, so every hot loop is a long dot product or axpy over
 * d) and computes
 * - `A = D⁻¹ W` (columns `At`), the capacitance `C = I_r + Wᵀ D⁻¹ W`, its
 *   Cholesky factor `K` (`C ⪰ I`: every pivot is ≥ 1, so it cannot fail) and
 *   its inverse `C⁻¹ = K⁻ᵀ K⁻¹`;
 * - `log|Σ| = 2 Σ log|σᵢ| + 2 Σ log K_jj` (the matrix determinant lemma).
 * Then (Woodbury) `Σ⁻¹ = D⁻¹ − A C⁻¹ Aᵀ`, and `Σ⁻¹ W = D⁻¹ W C⁻¹`.
 *
 * `σ` gets the diagonal guard of the other layouts (|σ| clamped to
 * [minDiag, 1 / minDiag], sign kept, gradient passed straight through).
 * A row of rank 0 is a 'diag' row; a factor of zeros gives `C = I`, and the
 * 'diag' formulas to rounding.
 *
 * Gradients, with `α = Σ⁻¹ δ`:
 * - NLL (`δ = x − μ`): `∂/∂x = α = −∂/∂μ`, `∂/∂W = Σ⁻¹W − α (αᵀW)`,
 *   `∂/∂σᵢ = σᵢ ((Σ⁻¹)ᵢᵢ − αᵢ²)` (from `∂NLL/∂Σ = ½(Σ⁻¹ − ααᵀ)`), with
 *   `(Σ⁻¹)ᵢᵢ = σᵢ⁻² − σᵢ⁻⁴ (W C⁻¹ Wᵀ)ᵢᵢ`;
 * - KL(p ‖ q), `δ = μq − μp`, `M = Σp + δδᵀ`, `α = Σq⁻¹δ`:
 *   `∂/∂μq = α = −∂/∂μp`,
 *   `∂/∂Wp = (Σq⁻¹ − Σp⁻¹) Wp`, `∂/∂σp,ᵢ = σp,ᵢ ((Σq⁻¹)ᵢᵢ − (Σp⁻¹)ᵢᵢ)`,
 *   `∂/∂Wq = Σq⁻¹Wq − Σq⁻¹ M Σq⁻¹ Wq`,
 *   `∂/∂σq,ᵢ = σq,ᵢ ((Σq⁻¹)ᵢᵢ − (Σq⁻¹ M Σq⁻¹)ᵢᵢ)`; the `Dp` part of the last
 *   diagonal is `σp,ᵢ² σq,ᵢ⁻⁴ − 2 σp,ᵢ² σq,ᵢ⁻² (Aq C⁻¹ Aqᵀ)ᵢᵢ +
 *   (Aq N Aqᵀ)ᵢᵢ` with `N = Cq⁻¹ (Aqᵀ Dp Aq) Cq⁻¹` (`r × r`), so it is
 *   O(d·r²) too.
 */
const LOG_2PI = Math.log(2 * Math.PI);

/** One row's factorisation, reused row after row. Column j of an `r × d` array is at `j * d`. */
export interface LowRankSide {
  d: number; r: number;
  /** Guarded σ, and σ⁻². */
  s: Float64Array; is2: Float64Array;
  /** `W` and `A = D⁻¹ W`, by columns (`r × d`). */
  Wt: Float64Array; At: Float64Array;
  /** `W C⁻¹`, by columns (`r × d`); filled by `solveW`. */
  Pt: Float64Array;
  /** Cholesky factor of the capacitance (lower), its inverse, and `C⁻¹`, `r × r` row-major. */
  K: Float64Array; Ki: Float64Array; Cinv: Float64Array;
  /** `log|Σ|`. */
  logDet: number;
}

export function makeLowRankSide(d: number, r: number): LowRankSide {
  return {d, r, s: new Float64Array(d), is2: new Float64Array(d), Wt: new Float64Array(r * d), At: new Float64Array(r * d),
    Pt: new Float64Array(r * d), K: new Float64Array(r * r), Ki: new Float64Array(r * r), Cinv: new Float64Array(r * r),
    logDet: 0};
}

function guard(v: number, lo: number, hi: number): number {
  const a = Math.abs(v);
  const c = a < lo ? lo : a > hi ? hi : a;
  return v < 0 ? -c : c;
}

/**
 * `Σᵢ a[ao + i] b[bo + i]`, i < n, with eight accumulators (entry i goes to
 * `s[i mod 8]` in blocks of 8; leftover pairs to s0, s1), combined as
 * `((s0 + s2) + (s4 + s6)) + ((s1 + s3) + (s5 + s7))`, an odd tail joining
 * the first half: the order of the WebAssembly build's four f64x2
 * accumulators, lane by lane.
 */
function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  let i = 0;
  for (; i + 7 < n; i += 8) {
    s0 += (a[ao + i] as number) * (b[bo + i] as number);
    s1 += (a[ao + i + 1] as number) * (b[bo + i + 1] as number);
    s2 += (a[ao + i + 2] as number) * (b[bo + i + 2] as number);
    s3 += (a[ao + i + 3] as number) * (b[bo + i + 3] as number);
    s4 += (a[ao + i + 4] as number) * (b[bo + i + 4] as number);
    s5 += (a[ao + i + 5] as number) * (b[bo + i + 5] as number);
    s6 += (a[ao + i + 6] as number) * (b[bo + i + 6] as number);
    s7 += (a[ao + i + 7] as number) * (b[bo + i + 7] as number);
  }
  for (; i + 1 < n; i += 2) {
    s0 += (a[ao + i] as number) * (b[bo + i] as number);
    s1 += (a[ao + i + 1] as number) * (b[bo + i + 1] as number);
  }
  let lo = (s0 + s2) + (s4 + s6);
  const hi = (s1 + s3) + (s5 + s7);
  if (i < n) lo += (a[ao + i] as number) * (b[bo + i] as number);
  return lo + hi;
}

/** `y[yo + i] += c x[xo + i]`, i < n. */
function axpy(c: number, x: Float64Array, xo: number, y: Float64Array, yo: number, n: number): void {
  for (let i = 0; i < n; i++) y[yo + i] = (y[yo + i] as number) + c * (x[xo + i] as number);
}

/** Entries of d per tile of {@link combine}: 16 columns of a tile fit in L1. */
const TILE = 256;

/**
 * `out_j[i] += ±coef[j·sj + k·sk] X_k[i]` for output columns j < nOut and
 * input columns k < nX (all `d` long), tiled over i so that a tile of every
 * column stays in cache. Each entry still gets its terms in k order, so the
 * result is that of one axpy per (j, k).
 */
function combine(out: Float64Array, nOut: number, X: Float64Array, nX: number, coef: Float64Array, sj: number, sk: number,
                 neg: boolean, d: number): void {
  for (let c0 = 0; c0 < d; c0 += TILE) {
    const n = Math.min(TILE, d - c0);
    for (let j = 0; j < nOut; j++) {
      for (let k = 0; k < nX; k++) {
        axpy((neg ? -1 : 1) * (coef[j * sj + k * sk] as number), X, k * d + c0, out, j * d + c0, n);
      }
    }
  }
}

/** `z[i] += c x[xo + i] y[yo + i]`, i < n. */
function prodAcc(c: number, x: Float64Array, xo: number, y: Float64Array, yo: number, z: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) z[i] = (z[i] as number) + c * (x[xo + i] as number) * (y[yo + i] as number);
}

/** Factorises the row of rank `side.r` at `o` of `y` into `side`. */
export function prepare(side: LowRankSide, y: Float32Array, o: number, lo: number, hi: number): void {
  const {d, r, s, is2, Wt, At, K, Ki, Cinv} = side;
  let logS = 0;
  for (let i = 0; i < d; i++) {
    const v = guard(y[o + d + i] as number, lo, hi);
    s[i] = v;
    is2[i] = 1 / (v * v);
    logS += Math.log(Math.abs(v));
  }
  const w0 = o + 2 * d;
  for (let i = 0; i < d; i++) {
    const e = is2[i] as number;
    for (let j = 0; j < r; j++) {
      const v = y[w0 + i * r + j] as number;
      Wt[j * d + i] = v;
      At[j * d + i] = v * e;
    }
  }
  // C = I + Wᵀ A, lower triangle, then K = chol(C) in place.
  for (let j = 0; j < r; j++) {
    for (let k = 0; k <= j; k++) K[j * r + k] = (j === k ? 1 : 0) + dot(Wt, j * d, At, k * d, d);
  }
  let logC = 0;
  for (let j = 0; j < r; j++) {
    for (let k = 0; k <= j; k++) {
      let v = K[j * r + k] as number;
      for (let m = 0; m < k; m++) v -= (K[j * r + m] as number) * (K[k * r + m] as number);
      if (k === j) {
        const p = Math.sqrt(v);
        K[j * r + j] = p;
        logC += Math.log(p);
      } else {
        K[j * r + k] = v / (K[k * r + k] as number);
      }
    }
    for (let k = j + 1; k < r; k++) K[j * r + k] = 0;
  }
  // C⁻¹ = K⁻ᵀ K⁻¹, from K⁻¹ (lower).
  for (let j = 0; j < r; j++) {
    for (let k = 0; k <= j; k++) {
      let v = j === k ? 1 : 0;
      for (let m = k; m < j; m++) v -= (K[j * r + m] as number) * (Ki[m * r + k] as number);
      Ki[j * r + k] = v / (K[j * r + j] as number);
    }
  }
  for (let j = 0; j < r; j++) {
    for (let k = 0; k <= j; k++) {
      let v = 0;
      for (let m = j; m < r; m++) v += (Ki[m * r + j] as number) * (Ki[m * r + k] as number);
      Cinv[j * r + k] = v;
      Cinv[k * r + j] = v;
    }
  }
  side.logDet = 2 * logS + 2 * logC;
}

/** `Pt = (W C⁻¹)ᵀ`: column j of `W C⁻¹` is `Σ_k C⁻¹_kj W_k`. */
function solveW(side: LowRankSide): void {
  const {d, r, Wt, Pt, Cinv} = side;
  Pt.fill(0, 0, r * d);
  combine(Pt, r, Wt, r, Cinv, 1, r, false, d);
}

/** `(Σ⁻¹)ᵢᵢ = σᵢ⁻² − σᵢ⁻⁴ Σ_j (W C⁻¹)ᵢⱼ Wᵢⱼ`, after `solveW`. */
function invDiagInto(side: LowRankSide, out: Float64Array): void {
  const {d, r, is2, Wt, Pt} = side;
  for (let i = 0; i < d; i++) out[i] = 0;
  for (let j = 0; j < r; j++) {
    const o = j * d;
    for (let i = 0; i < d; i++) out[i] = (out[i] as number) + (Pt[o + i] as number) * (Wt[o + i] as number);
  }
  for (let i = 0; i < d; i++) {
    const e = is2[i] as number;
    out[i] = e - e * e * (out[i] as number);
  }
}

/** `α = Σ⁻¹ δ = D⁻¹δ − A C⁻¹ (Aᵀ δ)` into `alpha`; `u`, `t` are r-vectors of scratch. */
function solveVector(side: LowRankSide, delta: Float64Array, alpha: Float64Array, u: Float64Array, t: Float64Array): void {
  const {d, r, is2, At, Cinv} = side;
  for (let j = 0; j < r; j++) u[j] = dot(At, j * d, delta, 0, d);
  for (let j = 0; j < r; j++) {
    let v = 0;
    for (let k = 0; k < r; k++) v += (Cinv[j * r + k] as number) * (u[k] as number);
    t[j] = v;
  }
  for (let i = 0; i < d; i++) alpha[i] = (delta[i] as number) * (is2[i] as number);
  for (let j = 0; j < r; j++) axpy(-(t[j] as number), At, j * d, alpha, 0, d);
}

/** Scratch of one kernel call, for rows of dimension d and ranks up to r. */
export interface LowRankScratch {
  p: LowRankSide; q: LowRankSide;
  /** Length d. */
  delta: Float64Array; alpha: Float64Array; qd: Float64Array; pd: Float64Array; rd: Float64Array;
  /** r × d: Σq⁻¹Wp (T), and work columns. */
  T: Float64Array; G: Float64Array; V: Float64Array;
  /** r-vectors and r × r matrices. */
  u: Float64Array; t: Float64Array; m1: Float64Array; m2: Float64Array; m3: Float64Array; m4: Float64Array;
}

export function makeLowRankScratch(d: number, rp: number, rq = rp): LowRankScratch {
  const r = Math.max(rp, rq, 1);
  const vec = () => new Float64Array(d);
  return {
    p: makeLowRankSide(d, rp), q: makeLowRankSide(d, rq),
    delta: vec(), alpha: vec(), qd: vec(), pd: vec(), rd: vec(),
    T: new Float64Array(r * d), G: new Float64Array(r * d), V: new Float64Array(r * d),
    u: new Float64Array(r), t: new Float64Array(r), m1: new Float64Array(r * r), m2: new Float64Array(r * r),
    m3: new Float64Array(r * r), m4: new Float64Array(r * r),
  };
}

/**
 * `−log N(x; μ, Σ)` for the point at `xo` of `x` and the row at `o` of `y`
 * (of rank `sc.q.r`). When `gx` is given, writes the gradients to `gx` at
 * `xo` and `gy` at `o`.
 */
export function nllLowRank(x: Float32Array, xo: number, y: Float32Array, o: number, lo: number, hi: number,
                           sc: LowRankScratch, gx: Float32Array | null, gy: Float32Array | null): number {
  const q = sc.q;
  const {d, r} = q;
  prepare(q, y, o, lo, hi);
  const {delta, alpha} = sc;
  for (let i = 0; i < d; i++) delta[i] = (x[xo + i] as number) - (y[o + i] as number);
  solveVector(q, delta, alpha, sc.u, sc.t);
  const quad = dot(delta, 0, alpha, 0, d);
  if (gx !== null && gy !== null) {
    solveW(q);
    const inv = sc.qd;
    invDiagInto(q, inv);
    const {is2, Pt, Wt} = q;
    const aw = sc.u;
    for (let j = 0; j < r; j++) aw[j] = dot(alpha, 0, Wt, j * d, d);
    const w0 = o + 2 * d;
    for (let i = 0; i < d; i++) {
      const a = alpha[i] as number;
      const e = is2[i] as number;
      gx[xo + i] = a;
      gy[o + i] = -a;
      gy[o + d + i] = (q.s[i] as number) * ((inv[i] as number) - a * a);
      for (let j = 0; j < r; j++) gy[w0 + i * r + j] = e * (Pt[j * d + i] as number) - a * (aw[j] as number);
    }
  }
  return 0.5 * (d * LOG_2PI + q.logDet + quad);
}

/** `out (ra × rb) = Xᵀ Y` for column arrays X (ra × d) and Y (rb × d). */
function gram(X: Float64Array, ra: number, Y: Float64Array, rb: number, d: number, out: Float64Array): void {
  for (let j = 0; j < ra; j++) {
    for (let k = 0; k < rb; k++) out[j * rb + k] = dot(X, j * d, Y, k * d, d);
  }
}

/** `out (n × m) = A (n × k) B (k × m)`, small row-major matrices. */
function mm(A: Float64Array, B: Float64Array, n: number, k: number, m: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let v = 0;
      for (let l = 0; l < k; l++) v += (A[i * k + l] as number) * (B[l * m + j] as number);
      out[i * m + j] = v;
    }
  }
}

/**
 * `KL(p ‖ q)` for the rows at `oP` of `yP` (rank `sc.p.r`) and at `oQ` of
 * `yQ` (rank `sc.q.r`). When `gP` is given, writes the gradients to `gP`
 * and `gQ` at the rows' offsets (added when `accumulate`).
 */
export function klLowRank(yP: Float32Array, oP: number, yQ: Float32Array, oQ: number, lo: number, hi: number,
                          sc: LowRankScratch, gP: Float32Array | null, gQ: Float32Array | null, accumulate: boolean): number {
  const {p, q, delta, alpha, T, m1, m2, m3} = sc;
  const d = p.d;
  const rp = p.r;
  const rq = q.r;
  prepare(p, yP, oP, lo, hi);
  prepare(q, yQ, oQ, lo, hi);
  for (let i = 0; i < d; i++) delta[i] = (yQ[oQ + i] as number) - (yP[oP + i] as number);
  solveVector(q, delta, alpha, sc.u, sc.t);
  const quad = dot(delta, 0, alpha, 0, d);
  // tr(Σq⁻¹ Σp) = Σᵢ (σp,ᵢ² + |Wp,ᵢ|²) σq,ᵢ⁻² − tr(Cq⁻¹ S) − tr(Mᵀ Cq⁻¹ M), with
  // S = Aqᵀ Dp Aq (into m3) and M = Aqᵀ Wp (into m2).
  const sp2 = sc.pd;
  for (let i = 0; i < d; i++) sp2[i] = (p.s[i] as number) * (p.s[i] as number);
  let diagTerm = 0;
  for (let i = 0; i < d; i++) diagTerm += (sp2[i] as number) * (q.is2[i] as number);
  for (let k = 0; k < rp; k++) {
    const o = k * d;
    for (let i = 0; i < d; i++) diagTerm += (p.Wt[o + i] as number) * (p.Wt[o + i] as number) * (q.is2[i] as number);
  }
  // S via the columns Aq ⊙ σp² (into V).
  const V = sc.V;
  for (let j = 0; j < rq; j++) {
    const o = j * d;
    for (let i = 0; i < d; i++) V[o + i] = (q.At[o + i] as number) * (sp2[i] as number);
  }
  for (let j = 0; j < rq; j++) {
    for (let k = 0; k <= j; k++) {
      const v = dot(q.At, j * d, V, k * d, d);
      m3[j * rq + k] = v;
      m3[k * rq + j] = v;
    }
  }
  gram(q.At, rq, p.Wt, rp, d, m2);
  let trCS = 0;
  for (let j = 0; j < rq * rq; j++) trCS += (q.Cinv[j] as number) * (m3[j] as number);
  mm(q.Cinv, m2, rq, rq, rp, m1);  // Cq⁻¹ M (rq × rp)
  let trM = 0;
  for (let j = 0; j < rq * rp; j++) trM += (m2[j] as number) * (m1[j] as number);
  const value = 0.5 * (diagTerm - trCS - trM + quad - d + q.logDet - p.logDet);
  if (gP === null || gQ === null) return value;

  const put = accumulate
    ? (g: Float32Array, k: number, v: number) => { g[k] = (g[k] as number) + v; }
    : (g: Float32Array, k: number, v: number) => { g[k] = v; };
  // T = Σq⁻¹ Wp = Dq⁻¹ (Wp − Wq Cq⁻¹ M), by columns.
  T.set(p.Wt.subarray(0, rp * d));
  combine(T, rp, q.Wt, rq, m1, 1, rp, true, d);
  for (let k = 0; k < rp; k++) {
    const o = k * d;
    for (let i = 0; i < d; i++) T[o + i] = (T[o + i] as number) * (q.is2[i] as number);
  }
  solveW(p);
  solveW(q);
  const Qd = sc.qd;
  invDiagInto(q, Qd);
  const Pd = sc.rd;
  invDiagInto(p, Pd);
  const wp = oP + 2 * d;
  const wq = oQ + 2 * d;
  for (let i = 0; i < d; i++) {
    const a = alpha[i] as number;
    put(gP, oP + i, -a);
    put(gQ, oQ + i, a);
    put(gP, oP + d + i, (p.s[i] as number) * ((Qd[i] as number) - (Pd[i] as number)));
    const ep = p.is2[i] as number;
    for (let k = 0; k < rp; k++) put(gP, wp + i * rp + k, (T[k * d + i] as number) - ep * (p.Pt[k * d + i] as number));
  }
  // q's factor: Bq = Σq⁻¹Wq = Dq⁻¹ Wq Cq⁻¹; G = M Bq = σp² ⊙ Bq + Wp (Wpᵀ Bq) + δ (δᵀ Bq);
  // ∂/∂Wq = Bq − Σq⁻¹ G, with Σq⁻¹G = Dq⁻¹ (G − Wq Cq⁻¹ (Aqᵀ G)). The r × r products
  // need no pass over d: Wpᵀ Bq = Mᵀ Cq⁻¹, δᵀ Bq = (Cq⁻¹ Aqᵀ δ)ᵀ = tqᵀ (solveVector's t),
  // and Aqᵀ G = S Cq⁻¹ + M (Mᵀ Cq⁻¹) + (Aqᵀ δ) tqᵀ.
  const G = sc.G;
  const B = V;  // S is in m3; V's columns are free again
  for (let j = 0; j < rq; j++) {
    const o = j * d;
    for (let i = 0; i < d; i++) B[o + i] = (q.Pt[o + i] as number) * (q.is2[i] as number);
  }
  // m1 still holds Cq⁻¹ M (rq × rp): its transpose is Mᵀ Cq⁻¹ = Wpᵀ Bq (rp × rq).
  const uq = sc.u;
  const tq = sc.t;
  for (let j = 0; j < rq; j++) {
    const o = j * d;
    const c = tq[j] as number;
    for (let i = 0; i < d; i++) G[o + i] = (sp2[i] as number) * (B[o + i] as number) + c * (delta[i] as number);
  }
  combine(G, rq, p.Wt, rp, m1, rp, 1, false, d);
  // Aqᵀ G (rq × rq) into m2: S Cq⁻¹ + M (Cq⁻¹ M)ᵀ + uq tqᵀ.
  for (let j = 0; j < rq; j++) {
    for (let k = 0; k < rq; k++) {
      let v = (uq[j] as number) * (tq[k] as number);
      for (let l = 0; l < rq; l++) v += (m3[j * rq + l] as number) * (q.Cinv[l * rq + k] as number);
      for (let l = 0; l < rp; l++) v += (m2[j * rp + l] as number) * (m1[k * rp + l] as number);
      sc.m4[j * rq + k] = v;
    }
  }
  mm(q.Cinv, sc.m4, rq, rq, rq, m2);  // Cq⁻¹ Aqᵀ G
  combine(G, rq, q.Wt, rq, m2, 1, rq, true, d);
  for (let j = 0; j < rq; j++) {
    const o = j * d;
    for (let i = 0; i < d; i++) put(gQ, wq + i * rq + j, (B[o + i] as number) - (G[o + i] as number) * (q.is2[i] as number));
  }
  // ∂/∂σq: (Σq⁻¹ M Σq⁻¹)ᵢᵢ = [σp² σq⁻⁴ − 2 σp² σq⁻² (Aq Cq⁻¹ Aqᵀ)ᵢᵢ + (Aq N Aqᵀ)ᵢᵢ] + |Tᵢ|² + αᵢ²,
  // N = Cq⁻¹ S Cq⁻¹; (Aq Cq⁻¹ Aqᵀ)ᵢᵢ = σq⁻² − (Σq⁻¹)ᵢᵢ.
  mm(q.Cinv, m3, rq, rq, rq, m1);
  mm(m1, q.Cinv, rq, rq, rq, m2);  // N
  // aᵢ N aᵢᵀ (aᵢ row i of Aq) and |Tᵢ|² for every i at once, by columns (N symmetric:
  // each off-diagonal pair once, doubled), into delta's and rd's storage (free by now).
  const aNa = sc.delta;
  const t2 = sc.rd;
  aNa.fill(0, 0, d);
  t2.fill(0, 0, d);
  for (let j = 0; j < rq; j++) {
    prodAcc(m2[j * rq + j] as number, q.At, j * d, q.At, j * d, aNa, d);
    for (let k = 0; k < j; k++) prodAcc(2 * (m2[j * rq + k] as number), q.At, j * d, q.At, k * d, aNa, d);
  }
  for (let k = 0; k < rp; k++) prodAcc(1, T, k * d, T, k * d, t2, d);
  for (let i = 0; i < d; i++) {
    const e = q.is2[i] as number;
    const s2 = sp2[i] as number;
    const acA = e - (Qd[i] as number);
    const a = alpha[i] as number;
    const mDiag = s2 * e * e - 2 * s2 * e * acA + (aNa[i] as number) + (t2[i] as number) + a * a;
    put(gQ, oQ + d + i, (q.s[i] as number) * ((Qd[i] as number) - mDiag));
  }
  return value;
}

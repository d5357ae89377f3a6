/**
 * The KL and NLL of Gaussians with a low-rank-plus-diagonal covariance,
 * rows `[mean (d) | σ (d) | W (d × r, row-major)]` (the 'lowrank' layout),
 * `Σ = D + W Wᵀ` with `D = diag(σ²)`, in float64 and O(d·r² + r³) per row:
 * no d × d matrix is formed.
 *
 * Per side (one row), `prepare` computes
 * - the capacitance `C = I_r + Wᵀ D⁻¹ W` and its Cholesky factor `K`
 *   (`C ⪰ I`, so every pivot is ≥ 1 and the factorisation cannot fail);
 * - `H = D⁻¹ W K⁻ᵀ` (`d × r`), so that (Woodbury) `Σ⁻¹ = D⁻¹ − H Hᵀ`;
 * - `log|Σ| = 2 Σ log|σᵢ| + 2 Σ log K_jj` (the matrix determinant lemma).
 * Every product with `Σ⁻¹` is then `v ⊙ σ⁻² − H (Hᵀ v)`, O(d·r) a vector.
 *
 * `σ` gets the diagonal guard of the other layouts (|σ| clamped to
 * [minDiag, 1 / minDiag], sign kept, gradient passed straight through).
 * A row of rank 0 is a 'diag' row; a factor of zeros gives `C = K = I`,
 * `H = 0`, and the 'diag' formulas to rounding.
 *
 * Gradients, with `α = Σ⁻¹ δ`:
 * - NLL: `∂/∂x = α = −∂/∂μ`, `∂/∂W = Σ⁻¹W − α (αᵀW)`,
 *   `∂/∂σᵢ = σᵢ ((Σ⁻¹)ᵢᵢ − αᵢ²)` (from `∂NLL/∂Σ = ½(Σ⁻¹ − ααᵀ)`);
 * - KL(p ‖ q), `δ = μq − μp`, `M = Σp + δδᵀ`:
 *   `∂/∂μq = α = −∂/∂μp` (`α = Σq⁻¹δ`),
 *   `∂/∂Wp = (Σq⁻¹ − Σp⁻¹) Wp`, `∂/∂σp,ᵢ = σp,ᵢ ((Σq⁻¹)ᵢᵢ − (Σp⁻¹)ᵢᵢ)`,
 *   `∂/∂Wq = Σq⁻¹Wq − Σq⁻¹ M Σq⁻¹ Wq`,
 *   `∂/∂σq,ᵢ = σq,ᵢ ((Σq⁻¹)ᵢᵢ − (Σq⁻¹ M Σq⁻¹)ᵢᵢ)`, whose `Dp` part is
 *   `σp,ᵢ²/σq,ᵢ⁴ − 2 σp,ᵢ² |Hq,ᵢ|²/σq,ᵢ² + Hq,ᵢᵀ S Hq,ᵢ` with
 *   `S = Σ_k σp,k² Hq,kᵀ Hq,k` (`r × r`), so that part is O(d·r²) too.
 */
const LOG_2PI = Math.log(2 * Math.PI);

/** One row's factorisation, reused row after row (sized for the largest d and r seen). */
export interface LowRankSide {
  /** Guarded σ, and σ⁻². */
  s: Float64Array; is2: Float64Array;
  /** Cholesky factor of the capacitance, `r × r` lower, row-major. */
  K: Float64Array;
  /** `H = D⁻¹ W K⁻ᵀ`, `d × r` row-major. */
  H: Float64Array;
  /** `log|Σ|`. */
  logDet: number;
}

export function makeLowRankSide(d: number, r: number): LowRankSide {
  return {s: new Float64Array(d), is2: new Float64Array(d), K: new Float64Array(r * r), H: new Float64Array(d * r), logDet: 0};
}

function guard(v: number, lo: number, hi: number): number {
  const a = Math.abs(v);
  const c = a < lo ? lo : a > hi ? hi : a;
  return v < 0 ? -c : c;
}

/** Factorises the row of rank `r` at `o` of `y` into `side`. */
export function prepare(side: LowRankSide, y: Float32Array, o: number, d: number, r: number, lo: number, hi: number): void {
  const {s, is2, K, H} = side;
  const w0 = o + 2 * d;
  let logS = 0;
  for (let i = 0; i < d; i++) {
    const v = guard(y[o + d + i] as number, lo, hi);
    s[i] = v;
    is2[i] = 1 / (v * v);
    logS += Math.log(Math.abs(v));
  }
  // C = I + Σᵢ σᵢ⁻² Wᵢᵀ Wᵢ (lower triangle), then K = chol(C) in place.
  K.fill(0, 0, r * r);
  for (let j = 0; j < r; j++) K[j * r + j] = 1;
  for (let i = 0; i < d; i++) {
    const wi = w0 + i * r;
    const c = is2[i] as number;
    for (let j = 0; j < r; j++) {
      const a = (y[wi + j] as number) * c;
      for (let k = 0; k <= j; k++) K[j * r + k] = (K[j * r + k] as number) + a * (y[wi + k] as number);
    }
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
  }
  // Hᵢ = K⁻¹ (σᵢ⁻² Wᵢᵀ): one forward substitution per row of W.
  for (let i = 0; i < d; i++) {
    const wi = w0 + i * r;
    const hi_ = i * r;
    const c = is2[i] as number;
    for (let j = 0; j < r; j++) {
      let v = (y[wi + j] as number) * c;
      for (let m = 0; m < j; m++) v -= (K[j * r + m] as number) * (H[hi_ + m] as number);
      H[hi_ + j] = v / (K[j * r + j] as number);
    }
  }
  side.logDet = 2 * logS + 2 * logC;
}

/** Scratch vectors and small matrices of one kernel call. */
export interface LowRankScratch {
  p: LowRankSide; q: LowRankSide;
  /** Length d: δ, α, |Tᵢ|²; d × r: the Σ⁻¹W products T, U and G. */
  delta: Float64Array; alpha: Float64Array; tn: Float64Array; T: Float64Array; U: Float64Array; G: Float64Array;
  /** r-vectors and r × r matrices. */
  v1: Float64Array; v2: Float64Array; m1: Float64Array; m2: Float64Array; m3: Float64Array;
}

export function makeLowRankScratch(d: number, r: number): LowRankScratch {
  const rr = Math.max(r, 1);
  return {
    p: makeLowRankSide(d, r), q: makeLowRankSide(d, r),
    delta: new Float64Array(d), alpha: new Float64Array(d), tn: new Float64Array(d),
    T: new Float64Array(d * rr), U: new Float64Array(d * rr), G: new Float64Array(d * rr),
    v1: new Float64Array(rr), v2: new Float64Array(rr), m1: new Float64Array(rr * rr), m2: new Float64Array(rr * rr),
    m3: new Float64Array(rr * rr),
  };
}

/** `out (r × c) = Hᵀ A` for `H (d × r)` and `A (d × c)`, A read at `a[ao + i * as + j]`. */
function hT(H: Float64Array, d: number, r: number, a: ArrayLike<number>, ao: number, as: number, c: number,
            out: Float64Array): void {
  out.fill(0, 0, r * c);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < r; j++) {
      const h = H[i * r + j] as number;
      if (h === 0) continue;
      for (let k = 0; k < c; k++) out[j * c + k] = (out[j * c + k] as number) + h * (a[ao + i * as + k] as number);
    }
  }
}

/** `Σ⁻¹ A` for `A (d × c)` read at `a[ao + i * as + j]`, into `out (d × c)`; `tmp` holds `Hᵀ A`. */
function solveInto(side: LowRankSide, d: number, r: number, a: ArrayLike<number>, ao: number, as: number, c: number,
                   out: Float64Array, tmp: Float64Array): void {
  hT(side.H, d, r, a, ao, as, c, tmp);
  for (let i = 0; i < d; i++) {
    const e = side.is2[i] as number;
    for (let k = 0; k < c; k++) {
      let v = (a[ao + i * as + k] as number) * e;
      for (let j = 0; j < r; j++) v -= (side.H[i * r + j] as number) * (tmp[j * c + k] as number);
      out[i * c + k] = v;
    }
  }
}

/**
 * `Σ⁻¹ W = D⁻¹ W C⁻¹ = H K⁻¹` (`d × r`) into `out`: since `Σ⁻¹ W = D⁻¹W −
 * D⁻¹W C⁻¹ (C − I)`, one triangular solve per row of `H` (`Kᵀ tᵀ = Hᵢᵀ`),
 * r²/2 per row instead of the r² of two products with `H`.
 */
function solveFactor(side: LowRankSide, d: number, r: number, out: Float64Array): void {
  const {H, K} = side;
  for (let i = 0; i < d; i++) {
    const o = i * r;
    for (let j = r - 1; j >= 0; j--) {
      let v = H[o + j] as number;
      for (let m = j + 1; m < r; m++) v -= (K[m * r + j] as number) * (out[o + m] as number);
      out[o + j] = v / (K[j * r + j] as number);
    }
  }
}

/** `(Σ⁻¹)ᵢᵢ = σᵢ⁻² − |Hᵢ|²`. */
function invDiag(side: LowRankSide, i: number, r: number): number {
  let h2 = 0;
  for (let j = 0; j < r; j++) h2 += (side.H[i * r + j] as number) ** 2;
  return (side.is2[i] as number) - h2;
}

/**
 * `−log N(x; μ, Σ)` for the point at `xo` of `x` and the row of rank `r` at
 * `o` of `y`. When `gx` is given, writes the gradients to `gx` at `xo` and
 * `gy` at `o`.
 */
export function nllLowRank(d: number, r: number, x: Float32Array, xo: number, y: Float32Array, o: number,
                           lo: number, hi: number, sc: LowRankScratch, gx: Float32Array | null, gy: Float32Array | null): number {
  const q = sc.q;
  prepare(q, y, o, d, r, lo, hi);
  const {delta, alpha, v1} = sc;
  for (let i = 0; i < d; i++) delta[i] = (x[xo + i] as number) - (y[o + i] as number);
  solveInto(q, d, r, delta, 0, 1, 1, alpha, v1);
  let quad = 0;
  for (let i = 0; i < d; i++) quad += (delta[i] as number) * (alpha[i] as number);
  if (gx !== null && gy !== null) {
    const w0 = o + 2 * d;
    // Σ⁻¹W into T, and αᵀW into v2.
    solveFactor(q, d, r, sc.T);
    const aw = sc.v2;
    aw.fill(0, 0, r);
    for (let i = 0; i < d; i++) {
      const a = alpha[i] as number;
      for (let j = 0; j < r; j++) aw[j] = (aw[j] as number) + a * (y[w0 + i * r + j] as number);
    }
    for (let i = 0; i < d; i++) {
      const a = alpha[i] as number;
      gx[xo + i] = a;
      gy[o + i] = -a;
      gy[o + d + i] = (q.s[i] as number) * (invDiag(q, i, r) - a * a);
      for (let j = 0; j < r; j++) gy[w0 + i * r + j] = (sc.T[i * r + j] as number) - a * (aw[j] as number);
    }
  }
  return 0.5 * (d * LOG_2PI + q.logDet + quad);
}

/**
 * `KL(p ‖ q)` for the row of rank `rp` at `oP` of `yP` and the row of rank
 * `rq` at `oQ` of `yQ`. When `gP` is given, writes the gradients to `gP`
 * and `gQ` at the rows' offsets (added when `accumulate`).
 */
export function klLowRank(d: number, yP: Float32Array, oP: number, rp: number, yQ: Float32Array, oQ: number, rq: number,
                          lo: number, hi: number, sc: LowRankScratch,
                          gP: Float32Array | null, gQ: Float32Array | null, accumulate: boolean): number {
  const {p, q, delta, alpha, T} = sc;
  prepare(p, yP, oP, d, rp, lo, hi);
  prepare(q, yQ, oQ, d, rq, lo, hi);
  const wp = oP + 2 * d;
  const wq = oQ + 2 * d;
  for (let i = 0; i < d; i++) delta[i] = (yQ[oQ + i] as number) - (yP[oP + i] as number);
  solveInto(q, d, rq, delta, 0, 1, 1, alpha, sc.v1);
  // T = Σq⁻¹ Wp (d × rp).
  solveInto(q, d, rq, yP, wp, rp, rp, T, sc.m1);
  let tr = 0;
  let quad = 0;
  for (let i = 0; i < d; i++) {
    const sp = p.s[i] as number;
    let wt = 0;
    for (let j = 0; j < rp; j++) wt += (yP[wp + i * rp + j] as number) * (T[i * rp + j] as number);
    tr += invDiag(q, i, rq) * sp * sp + wt;
    quad += (delta[i] as number) * (alpha[i] as number);
  }
  const value = 0.5 * (tr + quad - d + q.logDet - p.logDet);
  if (gP === null || gQ === null) return value;
  const put = (g: Float32Array, k: number, v: number) => { g[k] = accumulate ? (g[k] as number) + v : v; };
  // p's side: ∂/∂Wp = T − Σp⁻¹Wp (into U), ∂/∂σp.
  const U = sc.U;
  solveFactor(p, d, rp, U);
  for (let i = 0; i < d; i++) {
    const a = alpha[i] as number;
    put(gP, oP + i, -a);
    put(gQ, oQ + i, a);
    put(gP, oP + d + i, (p.s[i] as number) * (invDiag(q, i, rq) - invDiag(p, i, rp)));
    for (let j = 0; j < rp; j++) put(gP, wp + i * rp + j, (T[i * rp + j] as number) - (U[i * rp + j] as number));
  }
  // q's side: Bq = Σq⁻¹Wq (into U), then G = M Bq = σp² ⊙ Bq + Wp (WpᵀBq) + δ (δᵀBq).
  solveFactor(q, d, rq, U);
  // WpᵀBq (rp × rq) into m2, δᵀBq (rq) into v2.
  const m2 = sc.m2;
  const v2 = sc.v2;
  m2.fill(0, 0, rp * rq);
  v2.fill(0, 0, rq);
  for (let i = 0; i < d; i++) {
    const di = delta[i] as number;
    for (let k = 0; k < rq; k++) {
      const b = U[i * rq + k] as number;
      v2[k] = (v2[k] as number) + di * b;
      for (let j = 0; j < rp; j++) m2[j * rq + k] = (m2[j * rq + k] as number) + (yP[wp + i * rp + j] as number) * b;
    }
  }
  const {G, tn: tNorm} = sc;
  for (let i = 0; i < d; i++) {
    const sp2 = (p.s[i] as number) ** 2;
    const di = delta[i] as number;
    for (let k = 0; k < rq; k++) {
      let v = sp2 * (U[i * rq + k] as number) + di * (v2[k] as number);
      for (let j = 0; j < rp; j++) v += (yP[wp + i * rp + j] as number) * (m2[j * rq + k] as number);
      G[i * rq + k] = v;
    }
    let t2 = 0;
    for (let j = 0; j < rp; j++) t2 += (T[i * rp + j] as number) ** 2;
    tNorm[i] = t2;
  }
  // S = Σ_k σp,k² Hq,kᵀ Hq,k (rq × rq) into m3.
  const S = sc.m3;
  S.fill(0, 0, rq * rq);
  for (let i = 0; i < d; i++) {
    const sp2 = (p.s[i] as number) ** 2;
    for (let j = 0; j < rq; j++) {
      const h = sp2 * (q.H[i * rq + j] as number);
      for (let k = 0; k < rq; k++) S[j * rq + k] = (S[j * rq + k] as number) + h * (q.H[i * rq + k] as number);
    }
  }
  // Σq⁻¹G into G's own rows, via HqᵀG in m1.
  const m1 = sc.m1;
  hT(q.H, d, rq, G, 0, rq, rq, m1);
  for (let i = 0; i < d; i++) {
    const e = q.is2[i] as number;
    const sp2 = (p.s[i] as number) ** 2;
    let h2 = 0;
    let hsh = 0;
    for (let j = 0; j < rq; j++) {
      const hj = q.H[i * rq + j] as number;
      h2 += hj * hj;
      let sh = 0;
      for (let k = 0; k < rq; k++) sh += (S[j * rq + k] as number) * (q.H[i * rq + k] as number);
      hsh += hj * sh;
    }
    for (let k = 0; k < rq; k++) {
      let v = (G[i * rq + k] as number) * e;
      for (let j = 0; j < rq; j++) v -= (q.H[i * rq + j] as number) * (m1[j * rq + k] as number);
      put(gQ, wq + i * rq + k, (U[i * rq + k] as number) - v);
    }
    const a = alpha[i] as number;
    const mDiag = sp2 * e * e - 2 * sp2 * e * h2 + hsh + (tNorm[i] as number) + a * a;
    put(gQ, oQ + d + i, (q.s[i] as number) * ((e - h2) - mDiag));
  }
  return value;
}

/**
 * The KL and NLL of Gaussians with a diagonal scale, rows `[mean (d) | σ (d)]`
 * (the 'diag' layout), in O(d) per row and float64. `σ` gets the same
 * diagonal guard as a Cholesky diagonal (js_math.ts `guardDiag`): |σ| clamped
 * to [minDiag, 1 / minDiag], sign kept, gradient passed straight through.
 *
 * Two lanes: entry i goes to lane `i & 1`, and each lane keeps its own sums
 * and running product, combined once at the end. That is the order of the
 * WebAssembly build (assembly/gaussian_math.ts), which runs the two lanes as
 * one f64x2 vector, so the two give the same bits (test/wasm_math.test.ts).
 * These functions serve where the WebAssembly module is not ready.
 */
const LOG_2PI = Math.log(2 * Math.PI);

/**
 * guardDiag (js_math.ts) with the bound `hi = 1 / minDiag` computed once per
 * row, not twice per entry, and without its early return: `v < 0 ? −c : c`
 * with `c = |v|` clamped. So a σ of −0 is +0 (inside the bounds guardDiag
 * returns v itself); the SIMD build computes exactly this, branch-free.
 */
function guard(v: number, lo: number, hi: number): number {
  const a = Math.abs(v);
  const c = a < lo ? lo : a > hi ? hi : a;  // NaN stays NaN: both tests fail.
  return v < 0 ? -c : c;
}

/** The bounds of guard() for a `minDiag` (no clamping when minDiag <= 0). */
export const diagBounds = (minDiag: number): [number, number] =>
  minDiag > 0 ? [minDiag, 1 / minDiag] : [-Infinity, Infinity];

/**
 * A running product for `Σ log|v|`: one Math.log per ~d entries instead of
 * one each. The product is flushed into the sum before it leaves
 * [1e-100, 1e100] (as js_math.ts's sumLogAbs). One per lane; the two are
 * reused row after row (reset()).
 */
class LogProduct {
  prod = 1;
  acc = 0;

  reset(): void {
    this.prod = 1;
    this.acc = 0;
  }

  add(v: number): void {
    const p = this.prod * v;
    const m = p < 0 ? -p : p;
    if (m > 1e-100 && m < 1e100) {
      this.prod = p;
    } else {
      this.acc += Math.log(Math.abs(this.prod));
      this.prod = v;
    }
  }

  get value(): number {
    return this.acc + Math.log(Math.abs(this.prod));
  }
}

const LANES = [new LogProduct(), new LogProduct()] as const;

/** Both lanes' `Σ log|v|`, in the WebAssembly build's order. */
function laneLogs(): number {
  return LANES[0].value + LANES[1].value;
}

/**
 * `KL(N(μa, diag a²) ‖ N(μb, diag b²)) = Σ ½(r² − 1 + z²) − Σ log|r|`, with
 * `r = a/b` and `z = (μb − μa)/b`, in float64: near p = q the two sums
 * cancel to about 1e-16 of Σ|r − 1|, far below the float32 rounding of the
 * result, so the per-entry log1p form the float32 composite path needs is
 * not needed here. When `gA` is given, the gradients are written to `gA`
 * at `oA` and `gB` at `oB` (added when `accumulate`):
 *   ∂/∂μb = δ/b² = −∂/∂μa,  ∂/∂a = a/b² − 1/a,  ∂/∂b = 1/b − (a² + δ²)/b³.
 */
export function klDiag(d: number, yA: Float32Array, oA: number, yB: Float32Array, oB: number, lo: number, hi: number,
                       gA: Float32Array | null, gB: Float32Array | null, accumulate: boolean): number {
  let half0 = 0;
  let half1 = 0;
  LANES[0].reset();
  LANES[1].reset();
  for (let i = 0; i < d; i++) {
    const a = guard(yA[oA + d + i] as number, lo, hi);
    const b = guard(yB[oB + d + i] as number, lo, hi);
    const delta = (yB[oB + i] as number) - (yA[oA + i] as number);
    // Two divisions per entry (reciprocals), multiplications elsewhere.
    const ib = 1 / b;
    const r = a * ib;
    const zb = delta * ib;
    const t = r * r - 1 + zb * zb;
    if ((i & 1) === 0) half0 += t; else half1 += t;
    (LANES[i & 1] as LogProduct).add(r);
    if (gA !== null && gB !== null) {
      const ib2 = ib * ib;
      const dMean = delta * ib2;
      const dA = a * ib2 - 1 / a;
      const dB = ib * (1 - (a * a + delta * delta) * ib2);
      if (accumulate) {
        gA[oA + i] = (gA[oA + i] as number) - dMean;
        gB[oB + i] = (gB[oB + i] as number) + dMean;
        gA[oA + d + i] = (gA[oA + d + i] as number) + dA;
        gB[oB + d + i] = (gB[oB + d + i] as number) + dB;
      } else {
        gA[oA + i] = -dMean;
        gB[oB + i] = dMean;
        gA[oA + d + i] = dA;
        gB[oB + d + i] = dB;
      }
    }
  }
  return 0.5 * (half0 + half1) - laneLogs();
}

/**
 * `−log N(x; μ, diag s²) = ½ d log 2π + Σ log|s| + ½ Σ z²`, `z = (x − μ)/s`,
 * for the point at `xo` of `x` and the row at `o` of `y`. When `gx` is given,
 * writes the gradients: `∂/∂x = z/s = −∂/∂μ`, `∂/∂s = (1 − z²)/s`.
 */
export function nllDiag(d: number, x: Float32Array, xo: number, y: Float32Array, o: number, lo: number, hi: number,
                        gx: Float32Array | null, gy: Float32Array | null): number {
  let sq0 = 0;
  let sq1 = 0;
  LANES[0].reset();
  LANES[1].reset();
  for (let i = 0; i < d; i++) {
    const s = guard(y[o + d + i] as number, lo, hi);
    const is = 1 / s;
    const z = ((x[xo + i] as number) - (y[o + i] as number)) * is;
    if ((i & 1) === 0) sq0 += z * z; else sq1 += z * z;
    (LANES[i & 1] as LogProduct).add(s);
    if (gx !== null && gy !== null) {
      const gz = z * is;
      gx[xo + i] = gz;
      gy[o + i] = -gz;
      gy[o + d + i] = (1 - z * z) * is;
    }
  }
  return 0.5 * d * LOG_2PI + laneLogs() + 0.5 * (sq0 + sq1);
}

/**
 * The KL and NLL of Gaussians with a diagonal scale, rows `[mean (d) | σ (d)]`
 * (the 'diag' layout), in O(d) per row and float64. `σ` gets the same
 * diagonal guard as a Cholesky diagonal (js_math.ts `guardDiag`): |σ| clamped
 * to [minDiag, 1 / minDiag], sign kept, gradient passed straight through.
 */
const LOG_2PI = Math.log(2 * Math.PI);

/**
 * guardDiag (js_math.ts) with the bound `hi = 1 / minDiag` computed once per
 * row, not twice per entry: in this O(d) loop those two divisions were a
 * third of the time. Values already inside [lo, hi] take one branch.
 */
function guard(v: number, lo: number, hi: number): number {
  const a = v < 0 ? -v : v;
  if (a >= lo && a <= hi) return v;
  const c = a < lo ? lo : a > hi ? hi : a;  // NaN stays NaN: both tests fail.
  return v < 0 ? -c : c;
}

/** The bounds of guard() for a `minDiag` (no clamping when minDiag <= 0). */
const bounds = (minDiag: number): [number, number] => minDiag > 0 ? [minDiag, 1 / minDiag] : [-Infinity, Infinity];

/**
 * `KL(N(μa, diag a²) ‖ N(μb, diag b²)) = Σ ½(r² − 1 + z²) − Σ log|r|`, with
 * `r = a/b` and `z = (μb − μa)/b`, in float64: near p = q the two sums
 * cancel to about 1e-16 of Σ|r − 1|, far below the float32 rounding of the
 * result, so the per-entry log1p form the float32 composite path needs is
 * not needed here. `Σ log|r|` is one running product, flushed into the sum
 * before it leaves [1e-100, 1e100] (as js_math.ts's sumLogAbs): one
 * Math.log per ~d entries instead of one each. When `gA` is given, the
 * gradients of `g · KL` are written to `gA` at `oA` and `gB` at `oB`
 * (added when `accumulate`):
 *   ∂/∂μb = δ/b² = −∂/∂μa,  ∂/∂a = a/b² − 1/a,  ∂/∂b = 1/b − (a² + δ²)/b³.
 */
export function klDiag(d: number, yA: Float32Array, oA: number, yB: Float32Array, oB: number, minDiag: number,
                       g: number, gA: Float32Array | null, gB: Float32Array | null, accumulate: boolean): number {
  const [lo, hi] = bounds(minDiag);
  let half = 0;
  let prod = 1;
  let acc = 0;
  for (let i = 0; i < d; i++) {
    const a = guard(yA[oA + d + i] as number, lo, hi);
    const b = guard(yB[oB + d + i] as number, lo, hi);
    const delta = (yB[oB + i] as number) - (yA[oA + i] as number);
    // Two divisions per entry (reciprocals), multiplications elsewhere.
    const ib = 1 / b;
    const r = a * ib;
    const zb = delta * ib;
    half += r * r - 1 + zb * zb;
    const p = prod * r;
    const m = p < 0 ? -p : p;
    if (m > 1e-100 && m < 1e100) {
      prod = p;
    } else {
      acc += Math.log(Math.abs(prod));
      prod = r;
    }
    if (gA !== null && gB !== null) {
      const ib2 = ib * ib;
      const dMean = g * delta * ib2;
      const dA = g * (a * ib2 - 1 / a);
      const dB = g * ib * (1 - (a * a + delta * delta) * ib2);
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
  return 0.5 * half - (acc + Math.log(Math.abs(prod)));
}

/**
 * `−log N(x; μ, diag s²) = ½ d log 2π + Σ log|s| + ½ Σ z²`, `z = (x − μ)/s`,
 * for the point at `xo` of `x` and the row at `o` of `y`. When `gx` is given,
 * writes the gradients of `g · NLL`: `∂/∂x = z/s = −∂/∂μ`, `∂/∂s = (1 − z²)/s`.
 */
export function nllDiag(d: number, x: Float32Array, xo: number, y: Float32Array, o: number, minDiag: number,
                        g: number, gx: Float32Array | null, gy: Float32Array | null): number {
  const [lo, hi] = bounds(minDiag);
  let prod = 1;
  let acc = 0;
  let sq = 0;
  for (let i = 0; i < d; i++) {
    const s = guard(y[o + d + i] as number, lo, hi);
    const is = 1 / s;
    const z = ((x[xo + i] as number) - (y[o + i] as number)) * is;
    const p = prod * s;
    const m = p < 0 ? -p : p;
    if (m > 1e-100 && m < 1e100) {
      prod = p;
    } else {
      acc += Math.log(Math.abs(prod));
      prod = s;
    }
    sq += z * z;
    if (gx !== null && gy !== null) {
      const gz = g * z * is;
      gx[xo + i] = gz;
      gy[o + i] = -gz;
      gy[o + d + i] = g * (1 - z * z) * is;
    }
  }
  return 0.5 * d * LOG_2PI + acc + Math.log(Math.abs(prod)) + 0.5 * sq;
}

/** GaussianRowStatistic (kernel_names.ts) on typed arrays, in float64. */
import {GaussianRowStatistic, GaussianRowStatisticAttrs} from '../kernel_names.js';
import {rowLayout} from '../../layout/row_layout.js';
import {diagBounds} from './diag_math.js';
import {JsKernelSpec, rowsOf} from './js_kernel.js';

const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * erfc(x) by the rational Chebyshev fit of Numerical Recipes in C (2nd ed.,
 * §6.2, `erfcc`): fractional error below 1.2e-7 everywhere (1.04e-7 for Φ
 * on [−12, 12] against distribution_functions.ts), the size of the float32
 * rounding of the output, at one exp per call. The exact incomplete-gamma
 * route of src/math costs tens of iterations per entry.
 */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** Clamps |v| to [lo, hi] keeping its sign (0 counts as positive): the losses' diagonal guard. */
function guard(v: number, lo: number, hi: number): number {
  const a = Math.abs(v);
  const c = a < lo ? lo : a > hi ? hi : a;
  return v < 0 ? -c : c;
}

export const gaussianRowStatisticSpec: JsKernelSpec = {
  name: GaussianRowStatistic.name,
  inputNames: GaussianRowStatistic.inputNames,
  outputShapes: (shapes) => [[rowsOf(shapes).batch]],
  compute([x, y], shapes, attrs, [out]) {
    const {dim: d, layout, minDiag, statistic, bound} = attrs as GaussianRowStatisticAttrs;
    const {batch, w0: wx, w1: wy} = rowsOf(shapes);
    const X = x as Float32Array;
    const Y = y as Float32Array;
    const lIndex = rowLayout(d, layout).lIndex;
    const [lo, hi] = diagBounds(minDiag);
    const z = new Float64Array(d);
    for (let b = 0; b < batch; b++) {
      const xo = b * wx;
      const o = b * wy;
      let acc = 0;
      if (statistic !== 'crps') {
        // z = L⁻¹(x − μ) by forward substitution, the diagonal guarded.
        for (let i = 0; i < d; i++) {
          let s = (X[xo + i] as number) - (Y[o + i] as number);
          for (let j = 0; j < i && layout !== 'diag'; j++) s -= (Y[o + (lIndex[i * d + j] as number)] as number) * (z[j] as number);
          const zi = s / guard(Y[o + (lIndex[i * d + i] as number)] as number, lo, hi);
          z[i] = zi;
          acc += zi * zi;
        }
      } else {
        // Mean over i of the CRPS of N(μ_i, σ_i²), σ_i = ‖row i of L‖ ≥ minDiag.
        for (let i = 0; i < d; i++) {
          let v = 0;
          for (let j = 0; j <= i; j++) {
            const c = lIndex[i * d + j] as number;
            if (c >= 0) v += (Y[o + c] as number) * (Y[o + c] as number);
          }
          const sd = Math.max(Math.sqrt(v), minDiag > 0 ? minDiag : 0);
          const zi = ((X[xo + i] as number) - (Y[o + i] as number)) / sd;
          // z (2Φ(z) − 1) + 2φ(z) − 1/√π, with 2Φ(z) − 1 = 1 − erfc(z/√2).
          acc += sd * (zi * (1 - erfc(zi * Math.SQRT1_2)) + 2 * INV_SQRT_2PI * Math.exp(-0.5 * zi * zi) - INV_SQRT_PI);
        }
        acc /= d;
      }
      (out as Float32Array)[b] = statistic === 'coverage' ? (acc <= (bound as number) ? 1 : 0) : acc;
    }
  },
};

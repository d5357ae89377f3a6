/** EnergyScore (kernel_names.ts) on typed arrays, in float64. */
import {EnergyScore} from '../kernel_names.js';
import {JsKernelSpec} from './js_kernel.js';

/** ‖a[ao ..] − b[bo ..]‖ over `d` entries, in float64. */
function distance(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let q = 0;
  for (let k = 0; k < d; k++) {
    const e = (a[ao + k] as number) - (b[bo + k] as number);
    q += e * e;
  }
  return Math.sqrt(q);
}

export const energyScoreSpec: JsKernelSpec = {
  name: EnergyScore.name,
  inputNames: EnergyScore.inputNames,
  outputShapes: (shapes) => [[(shapes[0] as number[])[1] as number]],
  compute([x, y], shapes, _attrs, [out]) {
    const [S, n, d] = shapes[0] as [number, number, number];
    const X = x as Float32Array;
    const Y = y as Float32Array;
    const row = new Float64Array(S * d); // one row's draws, contiguous
    for (let b = 0; b < n; b++) {
      for (let s = 0; s < S; s++) {
        for (let k = 0; k < d; k++) row[s * d + k] = X[(s * n + b) * d + k] as number;
      }
      let toPoint = 0;
      for (let s = 0; s < S; s++) toPoint += distance(row, s * d, Y, b * d, d);
      // Each unordered pair once: Σ_{s≠t} = 2 Σ_{s<t}.
      let pairs = 0;
      for (let s = 1; s < S; s++) {
        for (let t = 0; t < s; t++) pairs += distance(row, s * d, row, t * d, d);
      }
      (out as Float32Array)[b] = toPoint / S - pairs / (S * (S - 1));
    }
  },
};

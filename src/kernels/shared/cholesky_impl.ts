/** Cholesky and CholeskyGrad (kernel_names.ts) on typed arrays. */
import {Cholesky} from '../kernel_names.js';
import {choleskyGradInto, choleskyInto} from './cholesky_math.js';
import {JsKernelSpec} from './js_kernel.js';
import {wasmCholesky, wasmCholeskyGrad} from './wasm_math.js';

function dims(shape: number[]): {batch: number; n: number} {
  return {batch: shape[0] as number, n: shape[1] as number};
}

export const choleskySpec: JsKernelSpec = {
  name: Cholesky.name,
  inputNames: Cholesky.inputNames,
  outputShapes: (shapes) => [shapes[0] as number[]],
  compute([a], shapes, _attrs, [out]) {
    const {batch, n} = dims(shapes[0] as number[]);
    if (wasmCholesky(a as Float32Array, batch, n, out as Float32Array)) return;
    const L = new Float64Array(n * n);
    for (let b = 0; b < batch; b++) choleskyInto(a as Float32Array, b * n * n, n, L, out as Float32Array);
  },
};

/** Inputs `[y = L, dy]`, output `[dA]` (symmetric). */
export const choleskyGradSpec: JsKernelSpec = {
  name: Cholesky.gradName,
  inputNames: Cholesky.gradInputNames,
  outputShapes: (shapes) => [shapes[0] as number[]],
  compute([l, dl], shapes, _attrs, [out]) {
    const {batch, n} = dims(shapes[0] as number[]);
    if (wasmCholeskyGrad(l as Float32Array, dl as Float32Array, batch, n, out as Float32Array)) return;
    const P = new Float64Array(n * n);
    const S = new Float64Array(n * n);
    for (let b = 0; b < batch; b++) {
      choleskyGradInto(l as Float32Array, dl as Float32Array, b * n * n, n, P, S, out as Float32Array);
    }
  },
};

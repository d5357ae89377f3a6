/**
 * ScaleRows (kernel_names.ts): `x [B, ...] * scale [B]` row by row, the
 * backward pass of every `'rows'` primitive. (tf.mul with a [B, 1]
 * broadcast on the cpu backend walks indices generically; it made the whole
 * (1024, 16) loss step 6-10x slower.) In WebAssembly where it is ready
 * (wasm_math.ts), with the same float32 products.
 */
import {ScaleRows} from '../kernel_names.js';
import {JsKernelSpec} from './js_kernel.js';
import {wasmScaleRows} from './wasm_math.js';

export const scaleRowsSpec: JsKernelSpec = {
  name: ScaleRows,
  inputNames: ['x', 'scale'],
  outputShapes: (shapes) => [shapes[0] as number[]],
  compute([x, scale], shapes, _attrs, [out]) {
    const shape = shapes[0] as number[];
    const batch = shape[0] as number;
    const width = shape.slice(1).reduce((a, b) => a * b, 1);
    const X = x as Float32Array;
    const S = scale as Float32Array;
    const O = out as Float32Array;
    if (wasmScaleRows(X, S, batch, width, O)) return;
    for (let b = 0; b < batch; b++) {
      const c = S[b] as number;
      const o = b * width;
      for (let j = 0; j < width; j++) O[o + j] = (X[o + j] as number) * c;
    }
  },
};

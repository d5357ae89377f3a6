/**
 * The HeadTransform primitive (kernel_names.ts: TfjsGaussianHead and its WithGrad) on typed arrays: one
 * pass over the rows instead of the composite's five elementwise ops
 * forward and about as many backward (on tfjs-node, at (1024, 152), those
 * cost 3.3 ms of a 21 ms training step; this pass ~0.5 ms, and the backward
 * pass is one Mul).
 *
 * Softplus and its derivative are evaluated in float64 and rounded once:
 * `softplus(x) = max(x, 0) + log1p(exp(−|x|))`, which neither overflows for
 * large x nor loses the tail for very negative x (softplus(−1e3) = 0,
 * softplus(1e3) = 1e3); with the same `e = exp(−|x|)`, `sigmoid(x) =
 * 1 / (1 + e)` for x ≥ 0 and `e / (1 + e)` below, so neither overflows.
 *
 * Where the WebAssembly module is ready it runs the pass (wasm_math.ts
 * wasmHeadRows: fdlibm's exp and log1p on two entries per f64x2, 0.28 →
 * 0.14 ms for 10 240 scale entries at (256, 225)); this JS is the fallback
 * and the reference it is tested against (within one float32 ulp).
 */
import {HeadTransform, HeadTransformAttrs} from '../kernel_names.js';
import {HeadColumns, headColumns} from '../../layout/head_masks.js';
import {JsKernelSpec} from './js_kernel.js';
import {wasmHeadRows} from './wasm_math.js';

/** softplus in float64, stable at both ends. */
export function softplus64(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

function columnsOf(shape: number[], a: HeadTransformAttrs): {rows: number; width: number; cols: HeadColumns} {
  const width = shape[shape.length - 1] as number;
  const rows = width === 0 ? 0 : shape.reduce((p, q) => p * q, 1) / width;
  return {rows, width, cols: headColumns(width, a.dim, a.layout, a.components)};
}

// Kept columns are copied whole, then the few scale and zeroed columns are
// overwritten: a per-entry branch on a column class ran 3x slower.
export const gaussianHeadSpec: JsKernelSpec = {
  name: HeadTransform.name,
  inputNames: HeadTransform.inputNames,
  outputShapes: (shapes) => [shapes[0] as number[]],
  compute([x], shapes, attrs, [out]) {
    const a = attrs as HeadTransformAttrs;
    const {rows, width, cols: {scale, zero}} = columnsOf(shapes[0] as number[], a);
    const X = x as Float32Array;
    const O = out as Float32Array;
    if (wasmHeadRows(X, rows, width, scale, zero, a.diagShift, O, null)) return;
    O.set(X);
    const shift = a.diagShift;
    for (let b = 0; b < rows; b++) {
      const o = b * width;
      for (let i = 0; i < scale.length; i++) {
        const c = o + (scale[i] as number);
        O[c] = softplus64(X[c] as number) + shift;
      }
      for (let i = 0; i < zero.length; i++) O[o + (zero[i] as number)] = 0;
    }
  },
};

/**
 * The head and its elementwise derivative in one pass: `[value, slope]`,
 * slope 1 (kept), sigmoid(x) (scale) or 0 (zeroed). A scale entry's
 * sigmoid comes from the same `exp(−|x|)` as its softplus: with
 * `e = exp(−|x|)`, softplus(x) = max(x, 0) + log1p(e) (the bits of
 * softplus64) and sigmoid(x) = 1/(1 + e) for x ≥ 0, e/(1 + e) below.
 */
export const gaussianHeadWithGradSpec: JsKernelSpec = {
  name: HeadTransform.gradName,
  inputNames: HeadTransform.inputNames,
  outputShapes: (shapes) => [shapes[0] as number[], shapes[0] as number[]],
  compute([x], shapes, attrs, [out, slope]) {
    const a = attrs as HeadTransformAttrs;
    const {rows, width, cols: {scale, zero}} = columnsOf(shapes[0] as number[], a);
    const X = x as Float32Array;
    const O = out as Float32Array;
    const M = slope as Float32Array;
    if (wasmHeadRows(X, rows, width, scale, zero, a.diagShift, O, M)) return;
    O.set(X);
    M.fill(1);
    const shift = a.diagShift;
    for (let b = 0; b < rows; b++) {
      const o = b * width;
      for (let i = 0; i < scale.length; i++) {
        const c = o + (scale[i] as number);
        const v = X[c] as number;
        const e = Math.exp(-Math.abs(v));
        O[c] = Math.max(v, 0) + Math.log1p(e) + shift;
        // A slope below 2^-100 (x < -69) is written as 0: its float32 products
        // with the upstream gradient would be subnormal, which slows the next
        // matmul wherever nothing flushes them (gaussian_mixture_nll_impl.ts).
        const m = v >= 0 ? 1 / (1 + e) : e / (1 + e);
        M[c] = m < 7.888609052210118e-31 ? 0 : m;
      }
      for (let i = 0; i < zero.length; i++) {
        O[o + (zero[i] as number)] = 0;
        M[o + (zero[i] as number)] = 0;
      }
    }
  },
};

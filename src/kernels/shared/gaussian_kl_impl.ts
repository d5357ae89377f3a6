/** GaussianKL and GaussianKLWithGrad (kernel_names.ts) on typed arrays. */
import {GaussianKL, GaussianKLAttrs} from '../kernel_names.js';
import {rowLayout} from '../../layout/row_layout.js';
import {diagBounds, klDiag} from './diag_math.js';
import {fullGradRows, fullRows, storeRows} from './full_rows.js';
import {klLowRank, makeLowRankScratch} from './lowrank_math.js';
import {klGrad, klValue, makeScratch} from './js_math.js';
import {JsKernelSpec, rowsOf} from './js_kernel.js';
import {wasmKLDiagRows, wasmKLGradRows, wasmKLRows, wasmLowRankKLRows} from './wasm_math.js';

export const gaussianKLSpec: JsKernelSpec = {
  name: GaussianKL.name,
  inputNames: GaussianKL.inputNames,
  outputShapes: (shapes) => [[rowsOf(shapes).batch]],
  compute([yt, yp], shapes, attrs, [out]) {
    const {dim: d, layout, direction, minDiag} = attrs as GaussianKLAttrs;
    const {batch, w0, w1} = rowsOf(shapes);
    if (layout === 'lowrank') {
      klLowRankRows(yt as Float32Array, w0, yp as Float32Array, w1, batch, d, minDiag, direction, out as Float32Array, null, null);
      return;
    }
    if (layout === 'diag') {
      klDiagRows(yt as Float32Array, yp as Float32Array, batch, d, minDiag, direction, out as Float32Array, null, null);
      return;
    }
    const lay = rowLayout(d, layout);
    const fw = d + d * d;
    const res = out as Float32Array;
    if (wasmKLRows({y: yt as Float32Array, width: w0, lay}, {y: yp as Float32Array, width: w1, lay}, batch, d, minDiag,
      direction, res)) return;
    const s = makeScratch(d);
    const T = fullRows(yt as Float32Array, batch, w0, lay);
    const P = fullRows(yp as Float32Array, batch, w1, lay);
    for (let b = 0; b < batch; b++) {
      const o = b * fw;
      let v = 0;
      if (direction !== 'reverse') v += klValue(d, T, o, P, o, minDiag, s);
      if (direction !== 'forward') v += klValue(d, P, o, T, o, minDiag, s);
      res[b] = v;
    }
  },
};

/**
 * The per-sample KL and its gradients with respect to both inputs, in one
 * pass: outputs `[kl [B], dKL/dyTrue [B, W], dKL/dyPred [B, W]]`.
 */
export const gaussianKLWithGradSpec: JsKernelSpec = {
  name: GaussianKL.gradName,
  inputNames: GaussianKL.inputNames,
  outputShapes: (shapes) => [[rowsOf(shapes).batch], shapes[0] as number[], shapes[1] as number[]],
  compute([yt, yp], shapes, attrs, [out, gt, gp]) {
    const {dim: d, layout, direction, minDiag} = attrs as GaussianKLAttrs;
    const {batch, w0, w1} = rowsOf(shapes);
    if (layout === 'lowrank') {
      klLowRankRows(yt as Float32Array, w0, yp as Float32Array, w1, batch, d, minDiag, direction, out as Float32Array,
        gt as Float32Array, gp as Float32Array);
      return;
    }
    if (layout === 'diag') {
      klDiagRows(yt as Float32Array, yp as Float32Array, batch, d, minDiag, direction, out as Float32Array,
        gt as Float32Array, gp as Float32Array);
      return;
    }
    const lay = rowLayout(d, layout);
    const fw = d + d * d;
    const res = out as Float32Array;
    if (wasmKLGradRows({y: yt as Float32Array, width: w0, lay}, {y: yp as Float32Array, width: w1, lay}, batch, d, minDiag,
      direction, res, gt as Float32Array, gp as Float32Array)) return;
    const s = makeScratch(d);
    const T = fullRows(yt as Float32Array, batch, w0, lay);
    const P = fullRows(yp as Float32Array, batch, w1, lay);
    const gT = fullGradRows(gt as Float32Array, batch, w0, lay);
    const gP = fullGradRows(gp as Float32Array, batch, w1, lay);
    for (let b = 0; b < batch; b++) {
      const o = b * fw;
      let v = 0;
      // The first pass writes the gradients, a symmetric second pass adds to them.
      if (direction !== 'reverse') v += klGrad(d, T, o, P, o, minDiag, s, 1, gT, gP, false);
      if (direction !== 'forward') v += klGrad(d, P, o, T, o, minDiag, s, 1, gP, gT, direction === 'symmetric');
      res[b] = v;
    }
    storeRows(gT, gt as Float32Array, batch, w0, lay);
    storeRows(gP, gp as Float32Array, batch, w1, lay);
  },
};

/**
 * The 'diag' layout: O(d) per row, in WebAssembly where it is ready and in
 * JS otherwise (diag_math.ts; the same bits), gradients written when `gT` is given.
 */
function klDiagRows(T: Float32Array, P: Float32Array, batch: number, d: number, minDiag: number,
                    direction: GaussianKLAttrs['direction'], out: Float32Array,
                    gT: Float32Array | null, gP: Float32Array | null): void {
  if (wasmKLDiagRows(T, P, batch, d, minDiag, direction, out, gT, gP)) return;
  const [lo, hi] = diagBounds(minDiag);
  for (let b = 0; b < batch; b++) {
    const o = b * 2 * d;
    let v = 0;
    if (direction !== 'reverse') v += klDiag(d, T, o, P, o, lo, hi, gT, gP, false);
    if (direction !== 'forward') v += klDiag(d, P, o, T, o, lo, hi, gP, gT, direction === 'symmetric');
    out[b] = v;
  }
}

/**
 * The 'lowrank' layout (lowrank_math.ts): O(d·r² + r³) per row in float64.
 * Each side's rank follows from its width, `d (2 + r)`, so the two may differ.
 */
function klLowRankRows(T: Float32Array, wT: number, P: Float32Array, wP: number, batch: number, d: number, minDiag: number,
                       direction: GaussianKLAttrs['direction'], out: Float32Array,
                       gT: Float32Array | null, gP: Float32Array | null): void {
  const rT = wT / d - 2;
  const rP = wP / d - 2;
  if (wasmLowRankKLRows(T, P, batch, d, rT, rP, minDiag, direction, out, gT, gP)) return;
  const [lo, hi] = diagBounds(minDiag);
  // One scratch per direction: its sides have the ranks of (p, q).
  const fwd = direction !== 'reverse' ? makeLowRankScratch(d, rT, rP) : null;
  const rev = direction !== 'forward' ? makeLowRankScratch(d, rP, rT) : null;
  for (let b = 0; b < batch; b++) {
    let v = 0;
    if (fwd !== null) v += klLowRank(T, b * wT, P, b * wP, lo, hi, fwd, gT, gP, false);
    if (rev !== null) v += klLowRank(P, b * wP, T, b * wT, lo, hi, rev, gP, gT, direction === 'symmetric');
    out[b] = v;
  }
}

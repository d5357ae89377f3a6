/** GaussianNLL and GaussianNLLWithGrad (kernel_names.ts) on typed arrays. */
import {GaussianNLL, GaussianNLLAttrs} from '../kernel_names.js';
import {GaussianLayout, rowLayout} from '../../layout/row_layout.js';
import {diagBounds, nllDiag} from './diag_math.js';
import {fullGradRows, fullRows, storeRows} from './full_rows.js';
import {makeLowRankScratch, nllLowRank} from './lowrank_math.js';
import {makeScratch, nllGrad, nllValue} from './js_math.js';
import {JsKernelSpec, rowsOf} from './js_kernel.js';
import {scratch32} from './scratch.js';
import {wasmLowRankNLLRows, wasmNLLDiagRows, wasmNLLGradRows, wasmNLLRows} from './wasm_math.js';

/**
 * Per-row NLL of the points in the first `d` columns of `x [batch, wx]`
 * under the rows `y [batch, wy]` in `layout`, into `out`. The values are
 * float64 until stored: a Float64Array `out` keeps them (the mixture kernel
 * combines them), a Float32Array rounds once.
 */
export function nllRows(x: Float32Array, wx: number, y: Float32Array, wy: number, batch: number, d: number,
                        layout: GaussianLayout, minDiag: number, out: Float32Array | Float64Array): void {
  if (layout === 'lowrank') {
    lowRankNLLRows(x, wx, y, wy, batch, d, minDiag, out, null, null);
    return;
  }
  if (layout === 'diag') {
    if (wasmNLLDiagRows(x, wx, y, wy, batch, d, minDiag, out, null, null)) return;
    const [lo, hi] = diagBounds(minDiag);
    for (let b = 0; b < batch; b++) out[b] = nllDiag(d, x, b * wx, y, b * wy, lo, hi, null, null);
    return;
  }
  const fw = d + d * d;
  const lay = rowLayout(d, layout);
  if (wasmNLLRows(x, wx, {y, width: wy, lay}, batch, d, minDiag, out)) return;
  const P = fullRows(y, batch, wy, lay);
  const s = makeScratch(d);
  for (let b = 0; b < batch; b++) out[b] = nllValue(d, x, b * wx, P, b * fw, minDiag, s);
}

/**
 * {@link nllRows} and the gradients of each row's NLL with respect to its
 * point (`gx`, same shape as `x`, padding columns 0) and its row (`gy`).
 */
export function nllGradRows(x: Float32Array, wx: number, y: Float32Array, wy: number, batch: number, d: number,
                            layout: GaussianLayout, minDiag: number, out: Float32Array | Float64Array,
                            gx: Float32Array, gy: Float32Array): void {
  // Points padded to the output width: the padding gets a zero gradient.
  if (layout === 'lowrank') {
    lowRankNLLRows(x, wx, y, wy, batch, d, minDiag, out, gx, gy);
    return;
  }
  if (layout === 'diag') {
    if (wasmNLLDiagRows(x, wx, y, wy, batch, d, minDiag, out, gx, gy)) return;
    if (wx > d) gx.fill(0);
    const [lo, hi] = diagBounds(minDiag);
    for (let b = 0; b < batch; b++) out[b] = nllDiag(d, x, b * wx, y, b * wy, lo, hi, gx, gy);
    return;
  }
  const lay = rowLayout(d, layout);
  const fw = d + d * d;
  if (wasmNLLGradRows(x, wx, {y, width: wy, lay}, batch, d, minDiag, out, gx, gy)) return;
  const P = fullRows(y, batch, wy, lay);
  const gP = fullGradRows(gy, batch, wy, lay);
  if (wx > d) gx.fill(0);
  const s = makeScratch(d);
  for (let b = 0; b < batch; b++) out[b] = nllGrad(d, x, b * wx, P, b * fw, minDiag, s, 1, gx, gP);
  storeRows(gP, gy, batch, wy, lay);
}

/** The 'lowrank' layout: the rank follows from the row width, `wy = d (2 + r)`; gradients when `gx` is given. */
function lowRankNLLRows(x: Float32Array, wx: number, y: Float32Array, wy: number, batch: number, d: number, minDiag: number,
                        out: Float32Array | Float64Array, gx: Float32Array | null, gy: Float32Array | null): void {
  const r = wy / d - 2;
  if (wasmLowRankNLLRows(x, wx, y, batch, d, r, minDiag, out, gx, gy)) return;
  if (gx !== null && wx > d) gx.fill(0);
  const [lo, hi] = diagBounds(minDiag);
  const sc = makeLowRankScratch(d, r);
  for (let b = 0; b < batch; b++) out[b] = nllLowRank(x, b * wx, y, b * wy, lo, hi, sc, gx, gy);
}

export const gaussianNLLSpec: JsKernelSpec = {
  name: GaussianNLL.name,
  inputNames: GaussianNLL.inputNames,
  outputShapes: (shapes) => [[rowsOf(shapes).batch]],
  compute([x, yp], shapes, attrs, [out]) {
    const {dim, layout, minDiag} = attrs as GaussianNLLAttrs;
    const {batch, w0, w1} = rowsOf(shapes);
    nllRows(x as Float32Array, w0, yp as Float32Array, w1, batch, dim, layout, minDiag, out as Float32Array);
  },
};

/** The first `d` columns of rows `x [batch, wx]`: `x` itself when `wx = d`, else a compact copy in scratch. */
function pointsOf(x: Float32Array, wx: number, batch: number, d: number): Float32Array {
  if (wx === d) return x;
  const out = scratch32('nll.points', batch * d);
  for (let b = 0; b < batch; b++) {
    const o = b * wx;
    const p = b * d;
    for (let i = 0; i < d; i++) out[p + i] = x[o + i] as number;
  }
  return out;
}

/**
 * The per-sample NLL and its gradient with respect to `yPred`, in one pass:
 * outputs `[nll [B], dNLL/dyPred [B, W]]`. The point's gradient (minus the
 * mean's) is the op's to derive (kernel_names.ts): it is computed here only
 * into scratch, from the points alone, not from a padded target's zeros.
 */
export const gaussianNLLWithGradSpec: JsKernelSpec = {
  name: GaussianNLL.gradName,
  inputNames: GaussianNLL.inputNames,
  outputShapes: (shapes) => [[rowsOf(shapes).batch], shapes[1] as number[]],
  compute([x, yp], shapes, attrs, [out, gp]) {
    const {dim, layout, minDiag} = attrs as GaussianNLLAttrs;
    const {batch, w0, w1} = rowsOf(shapes);
    nllGradRows(pointsOf(x as Float32Array, w0, batch, dim), dim, yp as Float32Array, w1, batch, dim, layout, minDiag,
      out as Float32Array, scratch32('nll.gx', batch * dim), gp as Float32Array);
  },
};

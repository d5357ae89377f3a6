/** GaussianNLL and GaussianNLLWithGrad (kernel_names.ts) on typed arrays. */
import {GaussianNLL, GaussianNLLAttrs} from '../kernel_names.js';
import {rowLayout} from '../../layout/row_layout.js';
import {nllDiag} from './diag_math.js';
import {fullGradRows, fullRows, storeRows} from './full_rows.js';
import {makeScratch, nllGrad, nllValue} from './js_math.js';
import {JsKernelSpec, rowsOf} from './js_kernel.js';
import {wasmNLLGradRows, wasmNLLRows} from './wasm_math.js';

export const gaussianNLLSpec: JsKernelSpec = {
  name: GaussianNLL.name,
  inputNames: GaussianNLL.inputNames,
  outputShapes: (shapes) => [[rowsOf(shapes).batch]],
  compute([x, yp], shapes, attrs, [out]) {
    const {dim: d, layout, minDiag} = attrs as GaussianNLLAttrs;
    const {batch, w0, w1} = rowsOf(shapes);
    if (layout === 'diag') {
      const res = out as Float32Array;
      for (let b = 0; b < batch; b++) res[b] = nllDiag(d, x as Float32Array, b * w0, yp as Float32Array, b * w1, minDiag, 1, null, null);
      return;
    }
    const fw = d + d * d;
    const s = makeScratch(d);
    const P = fullRows(yp as Float32Array, batch, w1, rowLayout(d, layout));
    const res = out as Float32Array;
    if (wasmNLLRows(x as Float32Array, w0, P, batch, d, minDiag, res)) return;
    for (let b = 0; b < batch; b++) res[b] = nllValue(d, x as Float32Array, b * w0, P, b * fw, minDiag, s);
  },
};

/**
 * The per-sample NLL and its gradients with respect to both inputs, in one
 * pass: outputs `[nll [B], dNLL/dx [B, Wx], dNLL/dyPred [B, W]]`.
 */
export const gaussianNLLWithGradSpec: JsKernelSpec = {
  name: GaussianNLL.gradName,
  inputNames: GaussianNLL.inputNames,
  outputShapes: (shapes) => [[rowsOf(shapes).batch], shapes[0] as number[], shapes[1] as number[]],
  compute([x, yp], shapes, attrs, [out, gx, gp]) {
    const {dim: d, layout, minDiag} = attrs as GaussianNLLAttrs;
    const {batch, w0, w1} = rowsOf(shapes);
    if (layout === 'diag') {
      const res = out as Float32Array;
      const gX = gx as Float32Array;
      if (w0 > d) gX.fill(0);
      for (let b = 0; b < batch; b++) {
        res[b] = nllDiag(d, x as Float32Array, b * w0, yp as Float32Array, b * w1, minDiag, 1, gX, gp as Float32Array);
      }
      return;
    }
    const lay = rowLayout(d, layout);
    const fw = d + d * d;
    const s = makeScratch(d);
    const res = out as Float32Array;
    const P = fullRows(yp as Float32Array, batch, w1, lay);
    const gP = fullGradRows(gp as Float32Array, batch, w1, lay);
    const gX = gx as Float32Array;
    if (!wasmNLLGradRows(x as Float32Array, w0, P, batch, d, minDiag, res, gX, gP)) {
      // Points padded to the output width: the padding gets a zero gradient.
      if (w0 > d) gX.fill(0);
      for (let b = 0; b < batch; b++) res[b] = nllGrad(d, x as Float32Array, b * w0, P, b * fw, minDiag, s, 1, gX, gP);
    }
    storeRows(gP, gp as Float32Array, batch, w1, lay);
  },
};

/**
 * The four kernels of the fast path, written once against plain arrays. The
 * `cpu` and `wasm` registrations (register_js_kernels.ts) only move data.
 */
import {NamedAttrMap} from '@tensorflow/tfjs-core';

import {klGrad, klValue, makeScratch, nllGrad, nllValue, solveLower} from './js_math.js';
import {GaussianLayout, RowLayout, rowLayout} from './row_layout.js';

export const GAUSSIAN_LOSS = 'TfjsGaussianLoss';
export const GAUSSIAN_LOSS_WITH_GRAD = 'TfjsGaussianLossWithGrad';
export const SCALE_ROWS = 'TfjsGaussianScaleRows';
export const TRIANGULAR_SOLVE = 'TfjsGaussianTriangularSolve';
export const TRIANGULAR_SOLVE_GRAD = 'TfjsGaussianTriangularSolveGrad';

export type LossKind = 'kl' | 'nll';
export type KLDirection = 'forward' | 'reverse' | 'symmetric';

/** Attributes of GAUSSIAN_LOSS and GAUSSIAN_LOSS_WITH_GRAD. */
export interface LossAttrs extends NamedAttrMap {
  kind: LossKind;
  dim: number;
  layout: GaussianLayout;
  direction: KLDirection;
  minDiag: number;
}

export interface SolveAttrs extends NamedAttrMap {
  adjoint: boolean;
}

/** A kernel on float32 arrays: output shapes first, then the computation. */
export interface JsKernelSpec {
  name: string;
  inputNames: string[];
  outputShapes(shapes: number[][], attrs: NamedAttrMap): number[][];
  /** Must write every entry of every output (wasm outputs are not zeroed). */
  compute(inputs: Float32Array[], shapes: number[][], attrs: NamedAttrMap, outputs: Float32Array[]): void;
}

function rowsOf(shapes: number[][]): {batch: number; wTrue: number; wPred: number} {
  const [t, p] = shapes as [number[], number[]];
  return {batch: t[0] as number, wTrue: t[1] as number, wPred: p[1] as number};
}

/**
 * Rows of `y [batch, width]` in the 'full' layout with row stride `d + d * d`:
 * `y` itself when it already is, else a repacked copy (upper part zero).
 */
function fullRows(y: Float32Array, batch: number, width: number, lay: RowLayout): Float32Array {
  const d = lay.dim;
  const fw = d + d * d;
  if (width === fw) return y;
  const out = new Float32Array(batch * fw);
  for (let b = 0; b < batch; b++) {
    const o = b * width;
    const f = b * fw;
    for (let i = 0; i < d; i++) out[f + i] = y[o + i] as number;
    for (let k = 0; k < d * d; k++) {
      const c = lay.lIndex[k] as number;
      if (c >= 0) out[f + d + k] = y[o + c] as number;
    }
  }
  return out;
}

/** Writes full-layout gradient rows `g` back to `out` in layout `lay` (a copy when they differ). */
function storeRows(g: Float32Array, out: Float32Array, batch: number, width: number, lay: RowLayout): void {
  if (g === out) return;
  const d = lay.dim;
  const fw = d + d * d;
  for (let b = 0; b < batch; b++) {
    const o = b * width;
    const f = b * fw;
    for (let i = 0; i < d; i++) out[o + i] = g[f + i] as number;
    for (let k = 0; k < d * d; k++) {
      const c = lay.lIndex[k] as number;
      if (c >= 0) out[o + c] = g[f + d + k] as number;
    }
  }
}

const lossSpec: JsKernelSpec = {
  name: GAUSSIAN_LOSS,
  inputNames: ['yTrue', 'yPred'],
  outputShapes: (shapes) => [[rowsOf(shapes).batch]],
  compute([yt, yp], shapes, attrs, [out]) {
    const {kind, dim: d, layout, direction, minDiag} = attrs as LossAttrs;
    const {batch, wTrue, wPred} = rowsOf(shapes);
    const lay = rowLayout(d, layout);
    const fw = d + d * d;
    const s = makeScratch(d);
    const P = fullRows(yp as Float32Array, batch, wPred, lay);
    const res = out as Float32Array;
    if (kind === 'nll') {
      for (let b = 0; b < batch; b++) res[b] = nllValue(d, yt as Float32Array, b * wTrue, P, b * fw, minDiag, s);
      return;
    }
    const T = fullRows(yt as Float32Array, batch, wTrue, lay);
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
 * The per-sample loss and its gradients with respect to both inputs, in one
 * pass: a training step needs both, and the forward substitution is shared.
 * Outputs `[loss [B], dLoss/dyTrue [B, Wt], dLoss/dyPred [B, W]]`; the caller
 * scales the gradients by the upstream `dy` (gaussian_core.ts).
 */
const lossWithGradSpec: JsKernelSpec = {
  name: GAUSSIAN_LOSS_WITH_GRAD,
  inputNames: ['yTrue', 'yPred'],
  outputShapes: (shapes) => [[rowsOf(shapes).batch], shapes[0] as number[], shapes[1] as number[]],
  compute([yt, yp], shapes, attrs, [out, gt, gp]) {
    const {kind, dim: d, layout, direction, minDiag} = attrs as LossAttrs;
    const {batch, wTrue, wPred} = rowsOf(shapes);
    const lay = rowLayout(d, layout);
    const fw = d + d * d;
    const s = makeScratch(d);
    const res = out as Float32Array;
    const P = fullRows(yp as Float32Array, batch, wPred, lay);
    const gPOut = gp as Float32Array;
    const gP = wPred === fw ? gPOut : new Float32Array(batch * fw);
    gP.fill(0);
    const gTOut = gt as Float32Array;
    if (kind === 'nll') {
      gTOut.fill(0);
      for (let b = 0; b < batch; b++) res[b] = nllGrad(d, yt as Float32Array, b * wTrue, P, b * fw, minDiag, s, 1, gTOut, gP);
    } else {
      const T = fullRows(yt as Float32Array, batch, wTrue, lay);
      const gT = wTrue === fw ? gTOut : new Float32Array(batch * fw);
      gT.fill(0);
      for (let b = 0; b < batch; b++) {
        const o = b * fw;
        let v = 0;
        if (direction !== 'reverse') v += klGrad(d, T, o, P, o, minDiag, s, 1, gT, gP);
        if (direction !== 'forward') v += klGrad(d, P, o, T, o, minDiag, s, 1, gP, gT);
        res[b] = v;
      }
      storeRows(gT, gTOut, batch, wTrue, lay);
    }
    storeRows(gP, gPOut, batch, wPred, lay);
  },
};

/**
 * `x [B, W] * scale [B]` row by row: the backward pass of the fused loss.
 * (tf.mul with a [B, 1] broadcast on the cpu backend walks indices
 * generically; it made the whole (1024, 16) loss step 6-10x slower.)
 */
const scaleRowsSpec: JsKernelSpec = {
  name: SCALE_ROWS,
  inputNames: ['x', 'scale'],
  outputShapes: (shapes) => [shapes[0] as number[]],
  compute([x, scale], shapes, _attrs, [out]) {
    const [batch, width] = shapes[0] as [number, number];
    const X = x as Float32Array;
    const S = scale as Float32Array;
    const O = out as Float32Array;
    for (let b = 0; b < batch; b++) {
      const c = S[b] as number;
      const o = b * width;
      for (let j = 0; j < width; j++) O[o + j] = (X[o + j] as number) * c;
    }
  },
};

function solveDims(shapes: number[][]): {batch: number; d: number; k: number} {
  const [l, r] = shapes as [number[], number[]];
  return {batch: l[0] as number, d: l[1] as number, k: r[2] as number};
}

const solveSpec: JsKernelSpec = {
  name: TRIANGULAR_SOLVE,
  inputNames: ['matrix', 'rhs'],
  outputShapes: (shapes) => [shapes[1] as number[]],
  compute([l, r], shapes, attrs, [x]) {
    const {batch, d, k} = solveDims(shapes);
    const acc = new Float64Array(d);
    for (let b = 0; b < batch; b++) {
      solveLower(l as Float32Array, b * d * d, r as Float32Array, b * d * k, x as Float32Array, b * d * k,
        d, k, (attrs as SolveAttrs).adjoint, acc);
    }
  },
};

/**
 * Gradient of `X = L^{-1} B`: `dB = L^{-T} dX`, `dL = -tril(dB X^T)`.
 * Of `X = L^{-T} B`: `dB = L^{-1} dX`, `dL = -tril(X dB^T)`.
 */
const solveGradSpec: JsKernelSpec = {
  name: TRIANGULAR_SOLVE_GRAD,
  inputNames: ['matrix', 'x', 'dx'],
  outputShapes: (shapes) => [shapes[0] as number[], shapes[1] as number[]],
  compute([l, x, dx], shapes, attrs, [dl, db]) {
    const {batch, d, k} = solveDims(shapes);
    const adjoint = (attrs as SolveAttrs).adjoint;
    const acc = new Float64Array(d);
    const dL = dl as Float32Array;
    const dB = db as Float32Array;
    const X = x as Float32Array;
    for (let b = 0; b < batch; b++) {
      const mo = b * d * d;
      const vo = b * d * k;
      solveLower(l as Float32Array, mo, dx as Float32Array, vo, dB, vo, d, k, !adjoint, acc);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          let s = 0;
          if (j <= i) {
            for (let c = 0; c < k; c++) {
              s += adjoint
                ? (X[vo + i * k + c] as number) * (dB[vo + j * k + c] as number)
                : (dB[vo + i * k + c] as number) * (X[vo + j * k + c] as number);
            }
          }
          dL[mo + i * d + j] = -s;
        }
      }
    }
  },
};

export const JS_KERNELS: readonly JsKernelSpec[] = [lossSpec, lossWithGradSpec, scaleRowsSpec, solveSpec, solveGradSpec];

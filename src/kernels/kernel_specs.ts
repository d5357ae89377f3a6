/**
 * The four kernels of the fast path, written once against plain arrays. The
 * `cpu` and `wasm` registrations (register_js_kernels.ts) only move data.
 */
import {NamedAttrMap} from '@tensorflow/tfjs-core';

import {klGrad, klValue, loadRow, nllGrad, nllValue, Scratch, solveLower, storeRowGrad} from './js_math.js';
import {GaussianLayout, rowLayout} from './row_layout.js';

export const GAUSSIAN_LOSS = 'TfjsGaussianLoss';
export const GAUSSIAN_LOSS_GRAD = 'TfjsGaussianLossGrad';
export const TRIANGULAR_SOLVE = 'TfjsGaussianTriangularSolve';
export const TRIANGULAR_SOLVE_GRAD = 'TfjsGaussianTriangularSolveGrad';

export type LossKind = 'kl' | 'nll';
export type KLDirection = 'forward' | 'reverse' | 'symmetric';

/** Attributes of GAUSSIAN_LOSS and GAUSSIAN_LOSS_GRAD. */
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

const lossSpec: JsKernelSpec = {
  name: GAUSSIAN_LOSS,
  inputNames: ['yTrue', 'yPred'],
  outputShapes: (shapes) => [[rowsOf(shapes).batch]],
  compute([yt, yp], shapes, attrs, [out]) {
    const {kind, dim: d, layout, direction, minDiag} = attrs as LossAttrs;
    const {batch, wTrue, wPred} = rowsOf(shapes);
    const lay = rowLayout(d, layout);
    const s = new Scratch(d);
    for (let b = 0; b < batch; b++) {
      const ot = b * wTrue;
      const op = b * wPred;
      let v: number;
      if (kind === 'nll') {
        for (let i = 0; i < d; i++) s.meanA[i] = (yt as Float32Array)[ot + i] as number;
        loadRow(yp as Float32Array, op, lay, minDiag, s.meanB, s.LB);
        v = nllValue(d, s);
      } else {
        v = 0;
        if (direction !== 'reverse') {
          loadRow(yt as Float32Array, ot, lay, minDiag, s.meanA, s.LA);
          loadRow(yp as Float32Array, op, lay, minDiag, s.meanB, s.LB);
          v += klValue(d, s);
        }
        if (direction !== 'forward') {
          loadRow(yp as Float32Array, op, lay, minDiag, s.meanA, s.LA);
          loadRow(yt as Float32Array, ot, lay, minDiag, s.meanB, s.LB);
          v += klValue(d, s);
        }
      }
      (out as Float32Array)[b] = v;
    }
  },
};

const lossGradSpec: JsKernelSpec = {
  name: GAUSSIAN_LOSS_GRAD,
  inputNames: ['yTrue', 'yPred', 'dy'],
  outputShapes: (shapes) => [shapes[0] as number[], shapes[1] as number[]],
  compute([yt, yp, dy], shapes, attrs, [gt, gp]) {
    const {kind, dim: d, layout, direction, minDiag} = attrs as LossAttrs;
    const {batch, wTrue, wPred} = rowsOf(shapes);
    const lay = rowLayout(d, layout);
    const s = new Scratch(d);
    const yT = yt as Float32Array;
    const yP = yp as Float32Array;
    const gT = gt as Float32Array;
    const gP = gp as Float32Array;
    gT.fill(0);
    gP.fill(0);
    for (let b = 0; b < batch; b++) {
      const ot = b * wTrue;
      const op = b * wPred;
      const g = (dy as Float32Array)[b] as number;
      if (kind === 'nll') {
        for (let i = 0; i < d; i++) s.meanA[i] = yT[ot + i] as number;
        loadRow(yP, op, lay, minDiag, s.meanB, s.LB);
        nllGrad(d, s, g);
        for (let i = 0; i < d; i++) gT[ot + i] = s.dMeanA[i] as number;
        storeRowGrad(gP, op, lay, s.dMeanB, s.dLB);
        continue;
      }
      if (direction !== 'reverse') {
        loadRow(yT, ot, lay, minDiag, s.meanA, s.LA);
        loadRow(yP, op, lay, minDiag, s.meanB, s.LB);
        klGrad(d, s, g);
        storeRowGrad(gT, ot, lay, s.dMeanA, s.dLA);
        storeRowGrad(gP, op, lay, s.dMeanB, s.dLB);
      }
      if (direction !== 'forward') {
        loadRow(yP, op, lay, minDiag, s.meanA, s.LA);
        loadRow(yT, ot, lay, minDiag, s.meanB, s.LB);
        klGrad(d, s, g);
        storeRowGrad(gP, op, lay, s.dMeanA, s.dLA);
        storeRowGrad(gT, ot, lay, s.dMeanB, s.dLB);
      }
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

export const JS_KERNELS: readonly JsKernelSpec[] = [lossSpec, lossGradSpec, solveSpec, solveGradSpec];

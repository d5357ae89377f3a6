/** TriangularSolve and TriangularSolveGrad (kernel_names.ts) on typed arrays. */
import {TriangularSolve, TriangularSolveAttrs} from '../kernel_names.js';
import {solveLower} from './js_math.js';
import {JsKernelSpec} from './js_kernel.js';

function solveDims(shapes: number[][]): {batch: number; d: number; k: number} {
  const [l, r] = shapes as [number[], number[]];
  return {batch: l[0] as number, d: l[1] as number, k: r[2] as number};
}

export const triangularSolveSpec: JsKernelSpec = {
  name: TriangularSolve.name,
  inputNames: TriangularSolve.inputNames,
  outputShapes: (shapes) => [shapes[1] as number[]],
  compute([l, r], shapes, attrs, [x]) {
    const {batch, d, k} = solveDims(shapes);
    const acc = new Float64Array(d);
    for (let b = 0; b < batch; b++) {
      solveLower(l as Float32Array, b * d * d, r as Float32Array, b * d * k, x as Float32Array, b * d * k,
        d, k, (attrs as TriangularSolveAttrs).adjoint, acc);
    }
  },
};

/**
 * Gradient of `X = L^{-1} B`: `dB = L^{-T} dX`, `dL = -tril(dB X^T)`.
 * Of `X = L^{-T} B`: `dB = L^{-1} dX`, `dL = -tril(X dB^T)`.
 * Inputs `[matrix, y = X, dy = dX]`, outputs `[dL, dB]`.
 */
export const triangularSolveGradSpec: JsKernelSpec = {
  name: TriangularSolve.gradName,
  inputNames: TriangularSolve.gradInputNames,
  outputShapes: (shapes) => [shapes[0] as number[], shapes[1] as number[]],
  compute([l, x, dx], shapes, attrs, [dl, db]) {
    const {batch, d, k} = solveDims(shapes);
    const adjoint = (attrs as TriangularSolveAttrs).adjoint;
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

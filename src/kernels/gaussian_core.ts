/**
 * The numerical core behind every public op, in two primitives:
 * - `gaussianLossCore`: per-row KL or NLL between packed Gaussians;
 * - `lowerSolveCore`: a batched lower-triangular solve.
 *
 * Each one runs a fused kernel with an analytic gradient where the active
 * backend has one (cpu, wasm: kernel_specs.ts), and the composite path
 * (composite.ts) everywhere else. Both paths compute the same function.
 */
import * as tf from '@tensorflow/tfjs-core';

import {compositeLoss, compositeSolveLower} from './composite.js';
import {
  GAUSSIAN_LOSS, GAUSSIAN_LOSS_WITH_GRAD, LossAttrs, SCALE_ROWS, TRIANGULAR_SOLVE, TRIANGULAR_SOLVE_GRAD,
} from './kernel_specs.js';
import {registerFlags, registerJsKernels, useFastKernel} from './register_js_kernels.js';
import {maskValues} from '../linalg/triangular_size.js';

registerJsKernels();
registerFlags();

type Grad2 = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];

/** `tf.customGrad` for a function of two tensors, with typed arguments. */
function customGrad2(f: (a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {value: tf.Tensor; gradFunc: Grad2}):
  (a: tf.Tensor, b: tf.Tensor) => tf.Tensor {
  const g = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) =>
    f(args[0] as tf.Tensor, args[1] as tf.Tensor, args[2] as tf.GradSaveFunc));
  return (a, b) => g(a, b);
}

/**
 * Per-row loss `[B]` for rows `yTrue [B, Wt]`, `yPred [B, W]` (see LossAttrs).
 * Gradients flow to both arguments.
 *
 * On the fast path, when a gradient tape is recording (tf.grad, model.fit),
 * one kernel computes the loss and its per-sample gradients together, and the
 * backward pass only scales them by `dy`; otherwise only the loss is computed.
 */
export function gaussianLossCore(yTrue: tf.Tensor2D, yPred: tf.Tensor2D, attrs: LossAttrs): tf.Tensor1D {
  if (!useFastKernel(GAUSSIAN_LOSS)) return compositeLoss(yTrue, yPred, attrs);
  if (!tf.engine().isTapeOn()) {
    return tf.engine().runKernel(GAUSSIAN_LOSS, {yTrue, yPred}, attrs) as tf.Tensor1D;
  }
  const f = customGrad2((yt, yp, save) => {
    const [value, gt, gp] = tf.engine().runKernel(GAUSSIAN_LOSS_WITH_GRAD, {yTrue: yt, yPred: yp}, attrs) as tf.Tensor[];
    save([gt as tf.Tensor, gp as tf.Tensor]);
    const gradFunc: Grad2 = (dy, saved) => saved.map((g) => tf.engine().runKernel(SCALE_ROWS, {x: g, scale: dy}) as tf.Tensor);
    return {value: value as tf.Tensor, gradFunc};
  });
  return f(yTrue, yPred) as tf.Tensor1D;
}

/**
 * Solves `L X = rhs` (or `L^T X = rhs` when `adjoint`) for `L [B, d, d]`,
 * reading only its lower triangle, and `rhs [B, d, k]`.
 */
export function lowerSolveCore(L: tf.Tensor3D, rhs: tf.Tensor3D, adjoint: boolean): tf.Tensor3D {
  if (!useFastKernel(TRIANGULAR_SOLVE)) {
    const d = L.shape[1];
    return compositeSolveLower(tf.mul(L, tf.tensor2d(maskValues(d, 'lower'), [d, d])), rhs, adjoint);
  }
  const f = customGrad2((m, r, save) => {
    const value = tf.engine().runKernel(TRIANGULAR_SOLVE, {matrix: m, rhs: r}, {adjoint}) as tf.Tensor;
    save([m, value]);
    const gradFunc: Grad2 = (dx, saved) =>
      tf.engine().runKernel(TRIANGULAR_SOLVE_GRAD, {matrix: saved[0] as tf.Tensor, x: saved[1] as tf.Tensor, dx},
        {adjoint}) as tf.Tensor[];
    return {value, gradFunc};
  });
  return f(L, rhs) as tf.Tensor3D;
}

/**
 * The one dispatcher. `fusedOp(primitive, composite)` returns the op that
 * runs the active backend's fused value-and-gradient kernels when that
 * backend registered them (kernels/<backend>/register.ts), and the composite
 * op otherwise. Adding a primitive adds a contract (kernel_names.ts), a
 * composite and one `fusedOp` line (ops.ts); adding a backend adds a
 * registration list. Neither adds dispatch code.
 */
import * as tf from '@tensorflow/tfjs-core';

import {Primitive, PRIMITIVES, ScaleRows} from './kernel_names.js';

export const FORCE_COMPOSITE_FLAG = 'TFJS_GAUSSIAN_FORCE_COMPOSITE';

/** Registered by kernels/register.ts, which ops.ts imports. */
function forceComposite(): boolean {
  return tf.env().getBool(FORCE_COMPOSITE_FLAG);
}

function registered(p: Primitive, backendName: string): boolean {
  return tf.getKernel(p.name, backendName) !== undefined && tf.getKernel(p.gradName, backendName) !== undefined;
}

/**
 * True when `backendName` (default: the active backend) has fused kernels
 * for every primitive of the library. Where it does not, the ops run the
 * composite path, which works everywhere but launches more kernels.
 */
export function hasFusedKernels(backendName: string = tf.getBackend()): boolean {
  return PRIMITIVES.every((p) => registered(p, backendName));
}

/**
 * True when the active backend runs `p`'s fused kernels: it registered
 * them and the composite path is not forced with
 * `tf.env().set('TFJS_GAUSSIAN_FORCE_COMPOSITE', true)`.
 */
export function usesFusedKernel(p: Primitive): boolean {
  return !forceComposite() && registered(p, tf.getBackend());
}

export type CompositeFn<A> = (inputs: tf.Tensor[], attrs: A) => tf.Tensor;

function scaleRows(g: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  if (tf.getKernel(ScaleRows, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(ScaleRows, {x: g, scale: dy}) as tf.Tensor;
  }
  return tf.mul(g, tf.reshape(dy, [dy.size, ...g.shape.slice(1).map(() => 1)]));
}

/**
 * The op of primitive `p`: `inputs` in the order of `p.inputNames`.
 *
 * `'rows'` primitives: with no gradient tape recording, the value kernel
 * alone runs; under a tape (tf.grad, model.fit) the `WithGrad` kernel
 * computes the value and the per-row gradients together, and the backward
 * pass only scales them by `dy`. `'backward'` primitives run the value
 * kernel and, on the backward pass, the `Grad` kernel.
 */
export function fusedOp<I extends string, A extends tf.NamedAttrMap>(
    p: Primitive<I, A>, composite: CompositeFn<A>): (inputs: tf.Tensor[], attrs: A) => tf.Tensor {
  const named = (ts: tf.Tensor[]): tf.NamedTensorMap =>
    Object.fromEntries(p.inputNames.map((n, i) => [n, ts[i] as tf.Tensor]));
  const run = (name: string, ins: tf.NamedTensorMap, attrs: A) =>
    tf.engine().runKernel(name, ins, attrs as unknown as tf.NamedAttrMap);

  return (inputs, attrs) => {
    if (!usesFusedKernel(p)) return composite(inputs, attrs);
    if (p.grad === 'rows' && !tf.engine().isTapeOn()) return run(p.name, named(inputs), attrs) as tf.Tensor;
    const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const ts = args.slice(0, inputs.length) as tf.Tensor[];
      const save = args[inputs.length] as tf.GradSaveFunc;
      if (p.grad === 'rows') {
        const [value, ...grads] = run(p.gradName, named(ts), attrs) as tf.Tensor[];
        save(grads);
        return {value: value as tf.Tensor, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => saved.map((g) => scaleRows(g, dy))};
      }
      const value = run(p.name, named(ts), attrs) as tf.Tensor;
      save([...ts, value]);
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const ins: tf.NamedTensorMap = {...named(saved), y: saved[ts.length] as tf.Tensor, dy};
        return run(p.gradName, ins, attrs) as tf.Tensor[];
      };
      return {value, gradFunc};
    });
    return f(...inputs);
  };
}

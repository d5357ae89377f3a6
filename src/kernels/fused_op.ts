/**
 * The one dispatcher. `fusedOp(primitive, composite)` returns the op that
 * runs the active backend's fused value-and-gradient kernels when that
 * backend registered them (kernels/<backend>/register.ts), and the composite
 * op otherwise. Adding a primitive adds a contract (kernel_names.ts), a
 * composite and one `fusedOp` line (ops.ts); adding a backend adds a
 * registration list. Neither adds dispatch code.
 */
import * as tf from '@tensorflow/tfjs-core';

import {CORE_PRIMITIVES, Primitive, ScaleRows} from './kernel_names.js';
import {takesLayout} from './shared/fused_layouts.js';

/**
 * The tfjs flag that forces the composite path on backends with fused kernels:
 * `tf.env().set(FORCE_COMPOSITE_FLAG, true)` (for testing and comparison).
 *
 * @category kernels
 */
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
 * for the losses (KL, NLL, mixture NLL, with their gradients) and
 * `triangularSolve`: cpu, wasm, tensorflow and webgl. `cholesky` is fused
 * on cpu, wasm and tensorflow only. Where a primitive has no fused kernel
 * its op runs the composite path, which works everywhere but launches more
 * kernels.
 *
 * @category kernels
 */
export function hasFusedKernels(backendName: string = tf.getBackend()): boolean {
  return CORE_PRIMITIVES.every((p) => registered(p, backendName));
}

/**
 * True when the active backend runs `p`'s fused kernels: it registered
 * them and the composite path is not forced with
 * `tf.env().set('TFJS_GAUSSIAN_FORCE_COMPOSITE', true)`.
 */
export function usesFusedKernel(p: Primitive): boolean {
  return !forceComposite() && registered(p, tf.getBackend());
}

/** True when the active backend's fused kernels take rows in the call's `layout` attribute (if any). */
function takesCallLayout(attrs: tf.NamedAttrMap): boolean {
  const layout = attrs['layout'];
  return typeof layout !== 'string' || takesLayout(tf.getBackend(), layout);
}

export type CompositeFn<A> = (inputs: tf.Tensor[], attrs: A) => tf.Tensor;

function scaleRows(g: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  if (tf.getKernel(ScaleRows, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(ScaleRows, {x: g, scale: dy}) as tf.Tensor;
  }
  return tf.mul(g, tf.reshape(dy, [dy.size, ...g.shape.slice(1).map(() => 1)]));
}

type Save = tf.GradSaveFunc;

/**
 * The gradient of an input outside the primitive's `gradInputs`, from the
 * gradient of its first `gradInputs` entry (already scaled by `dy`), the
 * input's last dimension (its row width) and the attributes.
 */
export type DerivedGrad<A> = (g: tf.Tensor, width: number, attrs: A) => tf.Tensor;

/**
 * A `'rows'` primitive under a gradient tape. The fused kernel computes the
 * value and the per-row gradients of `p.gradInputs` in one pass; the backward
 * pass scales a gradient by `dy` only for the inputs that need one.
 * `tf.customGrad` would scale all of them (its gradient function returns
 * every input's), so each input gets its own tape node instead, and the tape
 * skips nodes whose inputs do not depend on what is being differentiated:
 * in `model.fit`, `yTrue`'s node is never visited (at (1024, 16) that skips
 * 0.6 of 6.9 ms), and an input whose gradient is derived (`derived`) is
 * never computed at all.
 *
 *   node 0: inputs (x_0)        value = the kernel's value   grad: g_0 * dy
 *   node i: inputs (x_i, t_i-1) value = t_i-1 (an Identity)  grads: g_i * dy, dy
 *
 * where g_i is the kernel's gradient of x_i, or, for a derived input, the
 * derivation applied to the first kernel gradient times dy.
 */
function rowsWithGrad<A>(p: Primitive, inputs: tf.Tensor[], attrs: A, run: (ins: tf.Tensor[]) => tf.Tensor[],
                         derived: Partial<Record<string, DerivedGrad<A>>>): tf.Tensor {
  if (inputs.length !== p.inputNames.length) throw new Error(`${p.name}: expected ${p.inputNames.length} inputs.`);
  const names = p.inputNames;
  const own = names.map((n) => p.gradInputs.includes(n));
  const backward = (i: number) => {
    const derive = derived[names[i] as string];
    if (own[i]) return (g: tf.Tensor, dy: tf.Tensor) => scaleRows(g, dy);
    if (derive === undefined) throw new Error(`${p.name}: no gradient for input ${names[i]}.`);
    const x = inputs[i] as tf.Tensor;
    const width = x.shape[x.rank - 1] as number;
    return (g: tf.Tensor, dy: tf.Tensor) => derive(scaleRows(g, dy), width, attrs);
  };
  // The kernel gradient each node keeps: its own, or the first one for a derived input.
  const source = (i: number, gs: tf.Tensor[]) => gs[own[i] ? own.slice(0, i).filter(Boolean).length : 0] as tf.Tensor;
  const later: tf.Tensor[] = [];
  const first = tf.customGrad((...args: Array<tf.Tensor | Save>) => {
    const [value, ...gs] = run(inputs);
    (args[1] as Save)([source(0, gs)]);
    for (let i = 1; i < inputs.length; i++) later.push(tf.keep(source(i, gs)));
    const back = backward(0);
    return {value: value as tf.Tensor, gradFunc: (dy: tf.Tensor, [g]: tf.Tensor[]) => back(g as tf.Tensor, dy)};
  });
  let out = first(inputs[0] as tf.Tensor);
  for (let i = 1; i < inputs.length; i++) {
    const gi = later[i - 1] as tf.Tensor;
    const back = backward(i);
    const node = tf.customGrad((...args: Array<tf.Tensor | Save>) => {
      (args[2] as Save)([gi]);
      return {value: tf.clone(args[1] as tf.Tensor),
        gradFunc: (dy: tf.Tensor, [g]: tf.Tensor[]) => [back(g as tf.Tensor, dy), dy]};
    });
    out = node(inputs[i] as tf.Tensor, out);
  }
  // A kernel gradient kept for two nodes is one tensor: dispose each once.
  for (const g of new Set(later)) g.dispose();
  return out;
}

/**
 * The tape's gradient of an `'elementwise'` primitive's `WithGrad` kernel,
 * `[value, slope]`: `dy · slope`, one Mul. Registered once per kernel
 * (tf.registerGradient), as tfjs registers its own kernels' gradients, so a
 * step records one tape node and no tf.customGrad wrapper (at (32, 2) on
 * wasm, a customGrad node cost about as much as the head's kernel).
 *
 * The `'rows'` primitives keep their customGrad chain (rowsWithGrad): the
 * same registration for them (one node, inputs' gradients called only when
 * needed) measured 0.4-0.5 ms a step slower at (1024, 16, 32, 256) on
 * tfjs-node in five of six interleaved comparisons, though faster at
 * (32, 2); the cause was not found.
 */
function registerElementwiseGradient(p: Primitive): void {
  if (tf.getGradient(p.gradName) !== undefined) return;
  tf.registerGradient({
    kernelName: p.gradName,
    outputsToSave: [false, true],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const d0 = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor;
      return {[p.inputNames[0] as string]: () => tf.mul(d0, saved[0] as tf.Tensor)};
    },
  });
}

/**
 * The op of primitive `p`: `inputs` in the order of `p.inputNames`.
 *
 * `'rows'` primitives: with no gradient tape recording, the value kernel
 * alone runs; under a tape (tf.grad, model.fit) the `WithGrad` kernel
 * computes the value and the per-row gradients together, and the backward
 * pass only scales them by `dy` (rowsWithGrad); `derived` gives the
 * gradient of each input outside `p.gradInputs`. `'elementwise'` primitives
 * likewise run the `WithGrad` kernel under a tape, and multiply its slope by
 * `dy` on the backward pass. `'backward'` primitives run
 * the value kernel and, on the backward pass, the `Grad` kernel. `'none'`
 * primitives run the value kernel, and have no gradient.
 */
export function fusedOp<I extends string, A extends tf.NamedAttrMap>(
    p: Primitive<I, A>, composite: CompositeFn<A>,
    derived: Partial<Record<I, DerivedGrad<A>>> = {}): (inputs: tf.Tensor[], attrs: A) => tf.Tensor {
  const named = (ts: tf.Tensor[]): tf.NamedTensorMap =>
    Object.fromEntries(p.inputNames.map((n, i) => [n, ts[i] as tf.Tensor]));
  const run = (name: string, ins: tf.NamedTensorMap, attrs: A) =>
    tf.engine().runKernel(name, ins, attrs as unknown as tf.NamedAttrMap);

  if (p.grad === 'elementwise') registerElementwiseGradient(p);

  return (inputs, attrs) => {
    if (!usesFusedKernel(p) || !takesCallLayout(attrs)) return composite(inputs, attrs);
    if (p.grad === 'none') return run(p.name, named(inputs), attrs) as tf.Tensor;
    if (p.grad === 'rows') {
      if (!tf.engine().isTapeOn()) return run(p.name, named(inputs), attrs) as tf.Tensor;
      return rowsWithGrad(p, inputs, attrs, (ts) => run(p.gradName, named(ts), attrs) as tf.Tensor[], derived);
    }
    if (p.grad === 'elementwise') {
      if (!tf.engine().isTapeOn()) return run(p.name, named(inputs), attrs) as tf.Tensor;
      const [value, ...rest] = run(p.gradName, named(inputs), attrs) as tf.Tensor[];
      tf.dispose(rest);
      return value as tf.Tensor;
    }
    const f = tf.customGrad((...args: Array<tf.Tensor | Save>) => {
      const ts = args.slice(0, inputs.length) as tf.Tensor[];
      const save = args[inputs.length] as Save;
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

/**
 * Registers the fast-path kernels of kernel_specs.ts on the `cpu` and `wasm`
 * backends. Only data movement differs between the two:
 * - cpu keeps each tensor as a typed array in `backend.data`;
 * - wasm keeps it in the module heap: outputs are allocated with
 *   `makeOutput`, and views are taken with `typedArrayFromHeap` only after
 *   every allocation, since an allocation may grow (and so detach) the heap.
 *
 * Other backends (tensorflow, webgl, webgpu) get no kernel here; the ops
 * fall back to the composite path (composite.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

import {JS_KERNELS, JsKernelSpec} from './kernel_specs.js';

type Info = tf.TensorInfo;

interface CpuBackendLike {
  data: {get(dataId: object): {values: unknown}};
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): Info;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(t: Info): Float32Array;
}

function inputsOf(spec: JsKernelSpec, inputs: tf.NamedTensorInfoMap): Info[] {
  return spec.inputNames.map((n) => {
    const t = inputs[n];
    if (t === undefined) throw new Error(`${spec.name}: missing input ${n}.`);
    if (t.dtype !== 'float32') throw new Error(`${spec.name}: input ${n} must be float32, got ${t.dtype}.`);
    return t;
  });
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

function cpuKernel(spec: JsKernelSpec): tf.KernelFunc {
  return ({inputs, backend, attrs}) => {
    const b = backend as unknown as CpuBackendLike;
    const ins = inputsOf(spec, inputs);
    const shapes = ins.map((t) => t.shape);
    const outShapes = spec.outputShapes(shapes, attrs ?? {});
    const outs = outShapes.map((s) => new Float32Array(size(s)));
    spec.compute(ins.map((t) => b.data.get(t.dataId).values as Float32Array), shapes, attrs ?? {}, outs);
    const infos = outs.map((o, i) => b.makeTensorInfo(outShapes[i] as number[], 'float32', o));
    return infos.length === 1 ? infos[0] as Info : infos;
  };
}

function wasmKernel(spec: JsKernelSpec): tf.KernelFunc {
  return ({inputs, backend, attrs}) => {
    const b = backend as unknown as WasmBackendLike;
    const ins = inputsOf(spec, inputs);
    const shapes = ins.map((t) => t.shape);
    const outShapes = spec.outputShapes(shapes, attrs ?? {});
    const infos = outShapes.map((s) => b.makeOutput(s, 'float32'));
    spec.compute(ins.map((t) => b.typedArrayFromHeap(t)), shapes, attrs ?? {},
      infos.map((t) => b.typedArrayFromHeap(t)));
    return infos.length === 1 ? infos[0] as Info : infos;
  };
}

const FACTORIES: Record<string, (spec: JsKernelSpec) => tf.KernelFunc> = {cpu: cpuKernel, wasm: wasmKernel};

/** Registers every fast kernel once per backend name (idempotent). */
export function registerJsKernels(): void {
  for (const [backendName, factory] of Object.entries(FACTORIES)) {
    for (const spec of JS_KERNELS) {
      if (tf.getKernel(spec.name, backendName) === undefined) {
        tf.registerKernel({kernelName: spec.name, backendName, kernelFunc: factory(spec)});
      }
    }
  }
}

export const FORCE_COMPOSITE_FLAG = 'TFJS_GAUSSIAN_FORCE_COMPOSITE';

/** Registers the flag that forces the composite path on every backend. */
export function registerFlags(): void {
  const env = tf.env() as unknown as {flagRegistry: Record<string, unknown>};
  if (env.flagRegistry[FORCE_COMPOSITE_FLAG] === undefined) {
    tf.env().registerFlag(FORCE_COMPOSITE_FLAG, () => false);
  }
}

/**
 * True when the active backend has a fast kernel named `kernelName` and the
 * composite path is not forced with
 * `tf.env().set('TFJS_GAUSSIAN_FORCE_COMPOSITE', true)`.
 */
export function useFastKernel(kernelName: string): boolean {
  return !tf.env().getBool(FORCE_COMPOSITE_FLAG) && tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

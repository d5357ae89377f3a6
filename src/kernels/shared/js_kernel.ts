/**
 * The contract of a kernel written once against plain arrays. Backends whose
 * tensors can be read as typed arrays (cpu, wasm; tensorflow by copying) run
 * it through a small adapter that only moves data (kernels/<backend>/register.ts).
 */
import {getKernel, KernelConfig, NamedAttrMap, NamedTensorInfoMap, registerKernel, TensorInfo} from '@tensorflow/tfjs-core';

export interface JsKernelSpec {
  /** Kernel name, from kernel_names.ts. */
  name: string;
  /** Inputs read, in the order `compute` gets them. */
  inputNames: readonly string[];
  outputShapes(shapes: number[][], attrs: NamedAttrMap): number[][];
  /** Must write every entry of every output (wasm outputs are not zeroed). */
  compute(inputs: Float32Array[], shapes: number[][], attrs: NamedAttrMap, outputs: Float32Array[]): void;
}

/** Leading dimension and widths of two `[B, W]` row inputs. */
export function rowsOf(shapes: number[][]): {batch: number; w0: number; w1: number} {
  const [a, b] = shapes as [number[], number[]];
  return {batch: a[0] as number, w0: a[1] as number, w1: b[1] as number};
}

/** The inputs `inputNames` of kernel `name`, in that order, checked to be present and float32. */
export function checkedInputs(name: string, inputNames: readonly string[], inputs: NamedTensorInfoMap): TensorInfo[] {
  return inputNames.map((n) => {
    const t = inputs[n];
    if (t === undefined) throw new Error(`${name}: missing input ${n}.`);
    if (t.dtype !== 'float32') throw new Error(`${name}: input ${n} must be float32, got ${t.dtype}.`);
    return t;
  });
}

/** The inputs `spec` reads, checked to be present and float32. */
export function specInputs(spec: JsKernelSpec, inputs: NamedTensorInfoMap): TensorInfo[] {
  return checkedInputs(spec.name, spec.inputNames, inputs);
}

export const sizeOf = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Registers a backend's kernel list, skipping names already registered
 * (tfjs keeps one global registry; a second import must not warn).
 */
export function registerKernelList(configs: readonly KernelConfig[]): void {
  for (const c of configs) {
    if (getKernel(c.kernelName, c.backendName) === undefined) registerKernel(c);
  }
}

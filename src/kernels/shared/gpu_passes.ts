/**
 * What the GPU backends' fused kernels (kernels/webgl, kernels/webgpu) share:
 * a kernel runs a few programs through its backend, frees the intermediate
 * outputs at the end, and hands back the rest. Each backend supplies how a
 * program runs and how an output is freed (and, for webgl, how an input is
 * prepared); the passes of each primitive stay in its register.ts.
 */
import {KernelConfig, KernelFunc, NamedAttrMap, TensorInfo} from '@tensorflow/tfjs-core';

import {checkedInputs} from './js_kernel.js';

/** How one backend runs a program `P` and frees an output. */
export interface GpuBackend<P> {
  run(program: P, inputs: TensorInfo[]): TensorInfo;
  dispose(t: TensorInfo): void;
}

/** Runs programs on one backend; intermediates are freed by `free()`. */
export class Passes<P> {
  private temps: TensorInfo[] = [];
  constructor(readonly backend: GpuBackend<P>) {}
  run(p: P, inputs: TensorInfo[]): TensorInfo {
    return this.backend.run(p, inputs);
  }
  /** `run`, the output freed with the intermediates. */
  temp(p: P, inputs: TensorInfo[]): TensorInfo {
    return this.later(this.run(p, inputs));
  }
  /** `t`, to be freed with the intermediates. */
  later(t: TensorInfo): TensorInfo {
    this.temps.push(t);
    return t;
  }
  free(): void {
    this.temps.forEach((t) => this.backend.dispose(t));
    this.temps = [];
  }
}

export type GpuRun<P> = (ps: Passes<P>, inputs: TensorInfo[], attrs: NamedAttrMap) => TensorInfo[];

/**
 * The kernel config of `name` on `backendName`: checks the inputs, adapts the
 * backend (`adapt`), optionally prepares each input (`prepare`), runs `run`
 * and frees its intermediates, also when it throws.
 */
export function gpuKernel<P>(backendName: string, name: string, inputNames: readonly string[], run: GpuRun<P>,
                             adapt: (backend: unknown) => GpuBackend<P>,
                             prepare?: (ps: Passes<P>, t: TensorInfo) => TensorInfo): KernelConfig {
  const kernelFunc: KernelFunc = ({inputs, backend, attrs}) => {
    const ps = new Passes(adapt(backend));
    try {
      const ins = checkedInputs(name, inputNames, inputs);
      const outs = run(ps, prepare === undefined ? ins : ins.map((t) => prepare(ps, t)), attrs ?? {});
      return outs.length === 1 ? outs[0] as TensorInfo : outs;
    } finally {
      ps.free();
    }
  };
  return {kernelName: name, backendName, kernelFunc};
}

/**
 * The `wasm` backend's fused kernels: the typed-array kernels of shared/, run
 * on views of the module heap. Outputs are allocated with `makeOutput`, and
 * views are taken with `typedArrayFromHeap` only after every allocation,
 * since an allocation may grow (and so detach) the heap.
 */
import {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {JS_KERNELS} from '../shared/js_kernels.js';
import {JsKernelSpec, registerKernelList, specInputs} from '../shared/js_kernel.js';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

function wasmKernel(spec: JsKernelSpec): KernelFunc {
  return ({inputs, backend, attrs}) => {
    const b = backend as unknown as WasmBackendLike;
    const ins = specInputs(spec, inputs);
    const shapes = ins.map((t) => t.shape);
    const outShapes = spec.outputShapes(shapes, attrs ?? {});
    const infos = outShapes.map((s) => b.makeOutput(s, 'float32'));
    spec.compute(ins.map((t) => b.typedArrayFromHeap(t)), shapes, attrs ?? {},
      infos.map((t) => b.typedArrayFromHeap(t)));
    return infos.length === 1 ? infos[0] as TensorInfo : infos;
  };
}

export const wasmKernelConfigs: readonly KernelConfig[] =
  JS_KERNELS.map((spec) => ({kernelName: spec.name, backendName: 'wasm', kernelFunc: wasmKernel(spec)}));

registerKernelList(wasmKernelConfigs);

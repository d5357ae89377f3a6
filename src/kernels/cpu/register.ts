/**
 * The `cpu` backend's fused kernels: the typed-array kernels of shared/,
 * run in place on the arrays the backend keeps in `backend.data`.
 */
import {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {JS_KERNELS} from '../shared/js_kernels.js';
import {JsKernelSpec, registerKernelList, sizeOf, specInputs} from '../shared/js_kernel.js';

interface CpuBackendLike {
  data: {get(dataId: object): {values: unknown}};
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function cpuKernel(spec: JsKernelSpec): KernelFunc {
  return ({inputs, backend, attrs}) => {
    const b = backend as unknown as CpuBackendLike;
    const ins = specInputs(spec, inputs);
    const shapes = ins.map((t) => t.shape);
    const outShapes = spec.outputShapes(shapes, attrs ?? {});
    const outs = outShapes.map((s) => new Float32Array(sizeOf(s)));
    spec.compute(ins.map((t) => b.data.get(t.dataId).values as Float32Array), shapes, attrs ?? {}, outs);
    const infos = outs.map((o, i) => b.makeTensorInfo(outShapes[i] as number[], 'float32', o));
    return infos.length === 1 ? infos[0] as TensorInfo : infos;
  };
}

export const cpuKernelConfigs: readonly KernelConfig[] =
  JS_KERNELS.map((spec) => ({kernelName: spec.name, backendName: 'cpu', kernelFunc: cpuKernel(spec)}));

registerKernelList(cpuKernelConfigs);

/**
 * The `tensorflow` backend's (tfjs-node's) fused kernels: the typed-array
 * kernels of shared/, on data copied out of TensorFlow with `readSync`
 * (outputs are handed back with `write`, which TensorFlow reads lazily; an
 * output read again by the next kernel of ours is not copied at all).
 *
 * Registering costs nothing where tfjs-node is absent: this file never
 * imports it, and tfjs-core only keeps the functions under the backend name.
 */
import {engine, KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {JS_KERNELS} from '../shared/js_kernels.js';
import {JsKernelSpec, registerKernelList, sizeOf, specInputs} from '../shared/js_kernel.js';

interface NodeBackendLike {
  write(values: Float32Array, shape: number[], dtype: 'float32'): object;
}

function tensorflowKernel(spec: JsKernelSpec): KernelFunc {
  return ({inputs, backend, attrs}) => {
    const b = backend as unknown as NodeBackendLike;
    const ins = specInputs(spec, inputs);
    const shapes = ins.map((t) => t.shape);
    const outShapes = spec.outputShapes(shapes, attrs ?? {});
    const outs = outShapes.map((s) => new Float32Array(sizeOf(s)));
    // Read through the engine, which asks the backend that owns the data: a
    // tensor made before tf.setBackend('tensorflow') still lives on cpu, and
    // tfjs-node's own readSync does not migrate it (cpu and wasm do).
    spec.compute(ins.map((t) => engine().readSync(t.dataId) as Float32Array), shapes, attrs ?? {}, outs);
    const infos = outs.map((o, i) => ({dataId: b.write(o, outShapes[i] as number[], 'float32'),
      shape: outShapes[i] as number[], dtype: 'float32' as const}));
    return infos.length === 1 ? infos[0] as TensorInfo : infos;
  };
}

export const tensorflowKernelConfigs: readonly KernelConfig[] =
  JS_KERNELS.map((spec) => ({kernelName: spec.name, backendName: 'tensorflow', kernelFunc: tensorflowKernel(spec)}));

registerKernelList(tensorflowKernelConfigs);

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

/**
 * The last few inputs copied out of TensorFlow, by dataId. A copy costs
 * ~140 µs for a [256, 72] row tensor (readSync crosses into libtensorflow),
 * and a training step reads the same rows several times: the loss kernel,
 * then each calibration metric (metrics/) reads yTrue and yPred again. The
 * cache is safe because tfjs-node gives every tensor a new dataId object
 * and never changes a tensor's data (a Variable's assign swaps its dataId),
 * and the typed-array kernels never write their inputs (on cpu those arrays
 * are the backend's own). Only arrays up to 1 MB are kept, four at most,
 * so at most 4 MB outlives the tensors it copies.
 */
const recent: Array<[object, Float32Array]> = [];
const CACHE_ENTRIES = 4;
const CACHE_MAX_FLOATS = 262144;

function read(dataId: object): Float32Array {
  for (const [id, values] of recent) if (id === dataId) return values;
  const values = engine().readSync(dataId) as Float32Array;
  if (values.length <= CACHE_MAX_FLOATS) {
    recent.unshift([dataId, values]);
    if (recent.length > CACHE_ENTRIES) recent.pop();
  }
  return values;
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
    spec.compute(ins.map((t) => read(t.dataId)), shapes, attrs ?? {}, outs);
    const infos = outs.map((o, i) => ({dataId: b.write(o, outShapes[i] as number[], 'float32'),
      shape: outShapes[i] as number[], dtype: 'float32' as const}));
    return infos.length === 1 ? infos[0] as TensorInfo : infos;
  };
}

export const tensorflowKernelConfigs: readonly KernelConfig[] =
  JS_KERNELS.map((spec) => ({kernelName: spec.name, backendName: 'tensorflow', kernelFunc: tensorflowKernel(spec)}));

registerKernelList(tensorflowKernelConfigs);

/**
 * One loss+gradient training step in the browser (valueAndGrad of the mean
 * loss with respect to yPred, as bench/bench.ts), with its counts: kernels
 * (tf.profile: registered kernels the engine ran) and GPU programs (shader
 * dispatches: calls of the webgl or webgpu backend's run*Program, which a
 * fused kernel may make several of). Shared by the browser checks and the
 * browser bench.
 */
import * as tf from '@tensorflow/tfjs';

import {gaussianKLLoss, gaussianNLLLoss} from 'tfjs-gaussian';

export type StepKind = 'kl' | 'nll';

export interface Step {
  /**
   * `n` steps back to back, waiting (async `data()`) only for the last one's
   * results, as a training loop that does not read every step's loss: on a
   * GPU backend this times the queued work, not n read-back round trips.
   */
  run(n?: number): Promise<void>;
  counts(): Promise<{kernels: number; programs: number}>;
  dispose(): void;
}

/** A seeded normal generator (mulberry32 and Box–Muller), so both paths of a cell see the same data. */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Rows [mean | L row-major] as plain numbers: |diag| in [0.5, 1.5], strictly lower entries N(0, 0.3²), as bench/bench.ts. */
function rowValues(batch: number, d: number, seed: number): number[][] {
  const n = normals(seed);
  return Array.from({length: batch}, () => {
    const row = Array.from({length: d}, () => n());
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) row.push(j < i ? 0.3 * n() : j === i ? 1 + 0.5 * Math.tanh(n()) : 0);
    }
    return row;
  });
}

export function lossStep(kind: StepKind, batch: number, d: number): Step {
  // yTrue is plain data, as model.fit feeds a batch of targets; yPred is the
  // output of an op, as a model's head gives it (on webgl a packed texture).
  const yPred = tf.tidy(() => tf.add(tf.tensor2d(rowValues(batch, d, 1)), 0));
  const yTrue = kind === 'kl' ? tf.tensor2d(rowValues(batch, d, 7))
    : tf.tensor2d(Array.from({length: batch}, (_, b) => Array.from({length: d}, (_v, i) => Math.sin(b + 3 * i))));
  const loss = kind === 'kl' ? gaussianKLLoss() : gaussianNLLLoss();
  const step = tf.valueAndGrad((yp: tf.Tensor) => tf.mean(loss(yTrue, yp)) as tf.Scalar);
  return {
    async run(n = 1) {
      for (let i = 0; i < n; i++) {
        const {value, grad} = step(yPred);
        if (i === n - 1) await Promise.all([value.data(), grad.data()]);
        tf.dispose([value, grad]);
      }
    },
    async counts() {
      const be = tf.backend() as unknown as Record<string, unknown>;
      const method = ['runWebGLProgram', 'runWebGPUProgram'].find((m) => typeof be[m] === 'function');
      let programs = 0;
      const original = method === undefined ? undefined : be[method] as (...a: unknown[]) => unknown;
      if (method !== undefined && original !== undefined) {
        be[method] = (...a: unknown[]) => {
          programs++;
          return original.apply(be, a);
        };
      }
      try {
        const info = await tf.profile(async () => {
          const {value, grad} = step(yPred);
          await Promise.all([value.data(), grad.data()]);
          return [value, grad];
        });
        tf.dispose(info.result as tf.Tensor[]);
        return {kernels: info.kernels.length, programs: method === undefined ? info.kernels.length : programs};
      } finally {
        if (method !== undefined) be[method] = original;
      }
    },
    dispose() {
      tf.dispose([yPred, yTrue]);
    },
  };
}

/**
 * One loss+gradient training step in the browser (valueAndGrad of the mean
 * loss with respect to yPred, as bench/bench.ts), with its counts: kernels
 * (tf.profile: registered kernels the engine ran) and GPU programs (shader
 * dispatches: calls of the webgl or webgpu backend's run*Program, which a
 * fused kernel may make several of). Shared by the browser checks and the
 * browser bench.
 */
import * as tf from '@tensorflow/tfjs';

import {gaussianKLLoss, gaussianNLLLoss, packGaussian} from 'tfjs-gaussian';

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

/** Rows [mean | L] with a well-conditioned lower factor (|diag| in [0.5, 1.5]), as bench/bench.ts. */
function rows(batch: number, d: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const mean = tf.randomNormal([batch, d], 0, 1, 'float32', seed);
    const lower = tf.linalg.bandPart(tf.randomNormal([batch, d, d], 0, 0.3, 'float32', seed + 1), -1, 0);
    const diag = tf.mul(tf.eye(d), tf.randomUniform([batch, d, 1], 0.5, 1.5, 'float32', seed + 2));
    const L = tf.add(tf.sub(lower, tf.linalg.bandPart(lower, 0, 0)), diag);
    return packGaussian(mean, L) as tf.Tensor2D;
  });
}

export function lossStep(kind: StepKind, batch: number, d: number): Step {
  const yPred = rows(batch, d, 1);
  const yTrue = kind === 'kl' ? rows(batch, d, 7) : tf.randomNormal([batch, d], 0, 1, 'float32', 9);
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

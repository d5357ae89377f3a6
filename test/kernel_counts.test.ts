/**
 * Kernels launched by one training step's loss work (valueAndGrad of the
 * mean loss), counted with tf.profile: at most 16 on the fast path at every
 * size (12 on cpu and wasm, 13 on tensorflow, whose Mean adds a Cast), and on
 * the composite path a count that grows with log2(d), not d.
 */
import * as tf from '@tensorflow/tfjs';

import {
  gaussianCoverage, gaussianCRPS, gaussianKLLoss, gaussianMixtureNLLLoss, gaussianMixtureParamsSize, gaussianNLLLoss, packGaussian,
  padTargets,
} from '../src/index';
import {compositePath} from './helpers';

async function kernelsPerStep(kind: 'kl' | 'nll', batch: number, d: number): Promise<number> {
  const yPred = tf.tidy(() => packGaussian(tf.zeros([batch, d]), tf.broadcastTo(tf.eye(d), [batch, d, d])));
  const yTrue = kind === 'kl' ? yPred.clone() : tf.zeros([batch, d]);
  const loss = kind === 'kl' ? gaussianKLLoss() : gaussianNLLLoss();
  const step = tf.valueAndGrad((p: tf.Tensor) => tf.mean(loss(yTrue, p)));
  step(yPred); // warm-up
  const info = await tf.profile(() => {
    const {value, grad} = step(yPred);
    return [value, grad];
  });
  tf.dispose([yPred, yTrue]);
  return info.kernels.length;
}

/** One gaussianMixtureNLLLoss step (valueAndGrad of the mean) on K components of dim d, 'full' layout. */
async function mixtureKernelsPerStep(K: number, batch: number, d: number): Promise<number> {
  const w = gaussianMixtureParamsSize(K, d);
  const yPred = tf.tidy(() => tf.add(tf.mul(tf.ones([batch, w]), 0.5), tf.randomNormal([batch, w], 0, 0.1, 'float32', 1)));
  const yTrue = padTargets(tf.zeros([batch, d]), {components: K});
  const loss = gaussianMixtureNLLLoss({components: K});
  const step = tf.valueAndGrad((p: tf.Tensor) => tf.mean(loss(yTrue, p)));
  step(yPred); // warm-up
  const info = await tf.profile(() => {
    const {value, grad} = step(yPred);
    return [value, grad];
  });
  tf.dispose([yPred, yTrue]);
  return info.kernels.length;
}

const SIZES: Array<[number, number]> = [[32, 2], [256, 8], [1024, 16], [64, 32]];

describe('kernels per loss step', () => {
  if (!compositePath()) {
    it.each(SIZES)('fast path: KL and NLL steps at (batch %i, d %i) launch at most 16 kernels', async (batch, d) => {
      for (const kind of ['kl', 'nll'] as const) {
        expect(await kernelsPerStep(kind, batch, d)).toBeLessThanOrEqual(16);
      }
    });
  } else {
    it('composite path: kernels per step grow with log2(d), a constant number per doubling of d', async () => {
      for (const kind of ['kl', 'nll'] as const) {
        const counts: number[] = [];
        for (const d of [2, 4, 8, 16, 32]) counts.push(await kernelsPerStep(kind, 4, d));
        const steps = counts.slice(1).map((c, i) => c - counts[i]!);
        // One more solve stage (two matMuls and an add, with their gradients) per doubling.
        expect(new Set(steps).size).toBe(1);
        expect(steps[0]!).toBeLessThanOrEqual(20);
      }
    });
  }

  it("'lowrank' KL and NLL steps: the fast path's budget (at most 16) at every (d, r), and a count that does not grow with d", async () => {
    const count = async (kind: 'kl' | 'nll', d: number, r: number) => {
      const rows = (seed: number) => tf.tidy(() => tf.concat([tf.randomNormal([8, d], 0, 1, 'float32', seed),
        tf.ones([8, d]), tf.randomNormal([8, d * r], 0, 0.3, 'float32', seed + 1)], 1));
      const yPred = rows(1);
      const yTrue = kind === 'kl' ? rows(3) : tf.zeros([8, d]);
      const loss = kind === 'kl' ? gaussianKLLoss({layout: 'lowrank', rank: r}) : gaussianNLLLoss({layout: 'lowrank', rank: r});
      const step = tf.valueAndGrad((p: tf.Tensor) => tf.mean(loss(yTrue, p)));
      tf.dispose(Object.values(step(yPred)));
      const info = await tf.profile(() => Object.values(step(yPred)));
      tf.dispose([yPred, yTrue]);
      return info.kernels.length;
    };
    for (const kind of ['kl', 'nll'] as const) {
      const counts = [await count(kind, 16, 2), await count(kind, 128, 2), await count(kind, 128, 8)];
      // The composite path's count depends on r (its r × r Cholesky), never on d.
      expect(counts[1]).toBe(counts[0]);
      if (!compositePath()) counts.forEach((c) => expect(c).toBeLessThanOrEqual(16));
    }
  });

  it('mixture NLL: kernels per step do not grow with K (K = 2, 3, 8 at (batch 64, d 4)); fast path at most 16', async () => {
    const counts = [];
    for (const K of [2, 3, 8]) counts.push(await mixtureKernelsPerStep(K, 64, 4));
    expect(counts).toEqual([counts[0], counts[0], counts[0]]);
    if (!compositePath()) expect(counts[0]!).toBeLessThanOrEqual(16);
  });
});

describe('kernels per calibration metric call', () => {
  // What model.compile({metrics: [gaussianCoverage(), gaussianCRPS()]}) adds
  // to a step: on the fast path each is one fused kernel (the trainer then
  // takes its mean).
  it.each([[256, 8], [1024, 16]])('gaussianCoverage and gaussianCRPS at (batch %i, d %i): one kernel each on the fast path', async (batch, d) => {
    const yPred = tf.tidy(() => packGaussian(tf.zeros([batch, d]), tf.broadcastTo(tf.eye(d), [batch, d, d])));
    const yTrue = tf.zeros([batch, d]);
    const count = async (f: () => tf.Tensor) => {
      f().dispose(); // warm-up
      return (await tf.profile(() => f())).kernels.length;
    };
    const cover = await count(() => gaussianCoverage()(yTrue, yPred));
    const crps = await count(() => gaussianCRPS()(yTrue, yPred));
    tf.dispose([yPred, yTrue]);
    if (!compositePath()) {
      expect([cover, crps]).toEqual([1, 1]);
    } else {
      expect(cover + crps).toBeLessThanOrEqual(80);
    }
  });
});

/**
 * Kernels launched by one training step's loss work (valueAndGrad of the
 * mean loss), counted with tf.profile: at most 16 on the fast path at every
 * size (12 on cpu and wasm, 13 on tensorflow, whose Mean adds a Cast), and on
 * the composite path a count that grows with log2(d), not d.
 */
import * as tf from '@tensorflow/tfjs';

import {gaussianKLLoss, gaussianNLLLoss, packGaussian} from '../src/index';
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
});

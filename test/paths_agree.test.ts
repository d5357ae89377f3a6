/**
 * The composite path (what webgl and webgpu run) and the fast
 * kernels give the same values and gradients, compared directly on the same
 * random inputs. Runs where both paths exist: the cpu, wasm and tensorflow projects.
 */
import * as tf from '@tensorflow/tfjs';

import {FORCE_COMPOSITE_FLAG, gaussianKLLoss, gaussianNLLLoss, gaussianParamsSize, packGaussian} from '../src/index';
import {compositePath, expectClose} from './helpers';

const run = compositePath() ? describe.skip : describe;

function randomRows(batch: number, d: number, layout: 'full' | 'packed', seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const lower = tf.tensor2d(Array.from({length: d * d}, (_, k) => (Math.floor(k / d) > k % d ? 1 : 0)), [d, d]);
    const L = tf.add(tf.mul(tf.randomNormal([batch, d, d], 0, 0.4, 'float32', seed), lower),
      tf.mul(tf.eye(d), tf.randomUniform([batch, d, 1], 0.5, 1.5, 'float32', seed + 1)));
    return packGaussian(tf.randomNormal([batch, d], 0, 1, 'float32', seed + 2), L, layout) as tf.Tensor2D;
  });
}

function valueAndGrads(loss: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, yt: tf.Tensor, yp: tf.Tensor, composite: boolean): tf.Tensor[] {
  tf.env().set(FORCE_COMPOSITE_FLAG, composite);
  try {
    const v = loss(yt, yp);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(loss(a, b)))([yt, yp]);
    return [v, ...g];
  } finally {
    tf.env().set(FORCE_COMPOSITE_FLAG, false);
  }
}

run('fast kernels and composite path agree', () => {
  // Both are checked against float64 elsewhere; here the composite path's
  // float32 error (rtol 1e-4, see kl_divergence.test.ts) bounds the difference.
  const tol = {rtol: 1e-4, atol: 2e-4};
  it.each([1, 2, 3, 5, 8])('KL (3 directions) and NLL values and gradients agree at d = %i, both layouts', (d) => {
    for (const layout of ['full', 'packed'] as const) {
      const yt = randomRows(6, d, layout, 10 * d);
      const yp = randomRows(6, d, layout, 10 * d + 5);
      expect(yp.shape).toEqual([6, gaussianParamsSize(d, layout)]);
      const points = tf.randomNormal([6, d], 0, 1, 'float32', d);
      const cases: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, tf.Tensor]> = [
        ['forward', gaussianKLLoss({layout}), yt],
        ['reverse', gaussianKLLoss({layout, direction: 'reverse'}), yt],
        ['symmetric', gaussianKLLoss({layout, direction: 'symmetric'}), yt],
        ['nll', gaussianNLLLoss({layout}), points],
      ];
      for (const [name, loss, target] of cases) {
        const fast = valueAndGrads(loss, target, yp, false);
        const comp = valueAndGrads(loss, target, yp, true);
        fast.forEach((t, i) => expectClose(comp[i]!, t, tol, `${layout} ${name} output ${i}`));
      }
    }
  });
});

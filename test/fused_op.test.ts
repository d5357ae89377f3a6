/**
 * The dispatcher (src/kernels/fused_op.ts) on every backend: a 'rows'
 * primitive gives each input's gradient its own tape node, so asking for one
 * input's gradient, the other's, or both gives the same numbers, runs the
 * row scaling only for what was asked, and leaks nothing.
 */
import * as tf from '@tensorflow/tfjs';

import {gaussianKLLoss, gaussianMixtureNLLLoss, gaussianNLLLoss, packGaussian} from '../src/index';
import {compositePath, expectClose, expectExact, expectNoLeak} from './helpers';

function randomRows(batch: number, d: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const lower = tf.tensor2d(Array.from({length: d * d}, (_, k) => (Math.floor(k / d) > k % d ? 1 : 0)), [d, d]);
    const L = tf.add(tf.mul(tf.randomNormal([batch, d, d], 0, 0.4, 'float32', seed), lower),
      tf.mul(tf.eye(d), tf.randomUniform([batch, d, 1], 0.5, 1.5, 'float32', seed + 1)));
    return packGaussian(tf.randomNormal([batch, d], 0, 1, 'float32', seed + 2), L) as tf.Tensor2D;
  });
}

const cases: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (b: number, d: number) => tf.Tensor]> = [
  ['gaussianKLLoss', gaussianKLLoss(), (b, d) => randomRows(b, d, 3)],
  ['gaussianKLLoss symmetric', gaussianKLLoss({direction: 'symmetric'}), (b, d) => randomRows(b, d, 3)],
  ['gaussianNLLLoss', gaussianNLLLoss(), (b, d) => tf.randomNormal([b, d], 0, 1, 'float32', 4)],
];

describe('per-input gradients of the fused losses', () => {
  it.each(cases)('%s: the gradient of one input alone equals that input\'s gradient from both', (_name, loss, target) => {
    const yt = target(5, 3);
    const yp = randomRows(5, 3, 8);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(loss(a, b), tf.tensor1d([1, 2, 3, 4, 5])));
    const [gt, gp] = tf.grads(f)([yt, yp]);
    // Same kernels, same float32 arithmetic: identical, not merely close.
    expectExact(tf.grad((a: tf.Tensor) => f(a, yp))(yt), gt!);
    expectExact(tf.grad((b: tf.Tensor) => f(yt, b))(yp), gp!);
    expect(gt!.shape).toEqual(yt.shape);
  });

  it.each(cases)('%s: value, gradients of either input and of both leak no tensors', (_name, loss, target) => {
    const yt = target(4, 2);
    const yp = randomRows(4, 2, 9);
    expectNoLeak(() => tf.grad((a: tf.Tensor) => tf.mean(loss(a, yp)))(yt).dispose());
    expectNoLeak(() => tf.grad((b: tf.Tensor) => tf.mean(loss(yt, b)))(yp).dispose());
    expectNoLeak(() => {
      const {value, grads} = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => tf.mean(loss(a, b)))([yt, yp]);
      tf.dispose([value, ...grads]);
    });
    // A tape that records the loss but differentiates something else.
    const w = tf.scalar(2);
    expectNoLeak(() => tf.grad((s: tf.Tensor) => tf.mul(s, tf.mean(loss(yt, yp))))(w).dispose());
  });

  it('inputs made on another backend before tf.setBackend (here cpu) are read correctly', async () => {
    const active = tf.getBackend();
    const yt = randomRows(3, 2, 4);
    const yp = randomRows(3, 2, 5);
    const expected = gaussianKLLoss()(yt, yp).arraySync();
    await tf.setBackend('cpu');
    const ytCpu = tf.tensor(yt.arraySync());
    const ypCpu = tf.tensor(yp.arraySync());
    await tf.setBackend(active);
    expect(gaussianKLLoss()(ytCpu, ypCpu).arraySync()).toEqual(expected);
    const g = tf.grad((b: tf.Tensor) => tf.sum(gaussianKLLoss()(ytCpu, b)))(ypCpu);
    expect(g.shape).toEqual([3, 6]);
  });

  if (!compositePath()) {
    it('training on yPred alone scales only yPred\'s per-row gradient (one ScaleRows kernel per step)', async () => {
      const yt = randomRows(8, 4, 1);
      const yp = randomRows(8, 4, 2);
      const step = tf.valueAndGrad((b: tf.Tensor) => tf.mean(gaussianKLLoss()(yt, b)));
      const info = await tf.profile(() => {
        const {value, grad} = step(yp);
        return [value, grad];
      });
      const names = info.kernels.map((k) => k.name);
      expect(names.filter((n) => n === 'TfjsGaussianKLWithGrad')).toHaveLength(1);
      // The backend's own ScaleRows kernel, or the tf.mul the dispatcher falls back to.
      expect(names.filter((n) => n === 'TfjsGaussianScaleRows').length).toBeLessThanOrEqual(1);
    });
  }

  it.each([
    ['gaussianNLLLoss', gaussianNLLLoss(), 12],
    ['gaussianMixtureNLLLoss', gaussianMixtureNLLLoss({components: 2}), 2 + 2 * 12],
  ] as const)('%s: the point gradient is minus the mean gradient (summed over components), 0 on padding', (_name, loss, w) => {
    const d = 3;
    const K = w === 12 ? 0 : 2;
    const yp = tf.tidy(() => {
      const rows = Array.from({length: Math.max(K, 1)}, (_, k) => randomRows(4, d, 20 + k));
      return K === 0 ? rows[0]! : tf.concat([tf.randomNormal([4, K], 0, 1, 'float32', 7), ...rows], 1);
    });
    const padded = tf.concat([tf.randomNormal([4, d], 0, 1, 'float32', 5), tf.zeros([4, w - d])], 1);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(loss(a, b), tf.tensor1d([1, -2, 3, 0.5])));
    const [gx, gp] = tf.grads(f)([padded, yp]);
    const gpRows = gp!.arraySync() as number[][];
    const expected = gpRows.map((r) => Array.from({length: w}, (_, i) => {
      if (i >= d) return 0;
      if (K === 0) return -r[i]!;
      return -Array.from({length: K}, (_, k) => r[K + k * 12 + i]!).reduce((a, b) => a + b, 0);
    }));
    // A float32 negation (K = 0) is exact; a sum of K float32 terms rounds once per term.
    expectClose(gx!, expected, {rtol: 1e-6, atol: 1e-7});
  });

  if (!compositePath()) {
    it('training on yPred alone computes no point gradient: no kernel beyond the fused one and its row scaling', async () => {
      const yt = tf.randomNormal([8, 4], 0, 1, 'float32', 1);
      const yp = randomRows(8, 4, 2);
      const step = tf.valueAndGrad((b: tf.Tensor) => tf.sum(gaussianNLLLoss()(yt, b)));
      const info = await tf.profile(() => {
        const {value, grad} = step(yp);
        return [value, grad];
      });
      const names = info.kernels.map((k) => k.name);
      for (const op of ['Neg', 'PadV2', 'Slice']) expect(names).not.toContain(op);
      expect(names.filter((n) => n === 'TfjsGaussianNLLWithGrad')).toHaveLength(1);
    });
  }
});


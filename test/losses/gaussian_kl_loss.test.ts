import * as tf from '@tensorflow/tfjs';

import {gaussianKLLoss, gaussianParamsSize, packGaussian} from '../../src/index';
import {allFinite, compositePath, expectClose, expectNoLeak, fixture, Tol, LossCase} from '../helpers';

const cases = fixture<{cases: LossCase[]}>('losses.json').cases.filter((c) => c.kind === 'kl');

// Same float32 inputs as the float64 torch fixtures (d <= 3, values below 20):
// fast path measured below 2e-6 absolute, composite below 5e-6; see
// kl_divergence.test.ts for the reasoning. rtol 1e-5 / 1e-4, atol 1e-5 / 5e-5.
const TOL: Tol = compositePath() ? {rtol: 1e-4, atol: 5e-5} : {rtol: 1e-5, atol: 1e-5};

describe('gaussianKLLoss', () => {
  it.each(cases.map((c) => [c.layout, c.d, c.direction, c] as const))(
    'gaussianKLLoss(%s layout, d = %i, %s) matches float64 torch, per-sample values and gradients', (_l, _d, _dir, c) => {
      const loss = gaussianKLLoss({layout: c.layout, direction: c.direction});
      const yt = tf.tensor2d(c.yTrue);
      const yp = tf.tensor2d(c.yPred);
      const v = loss(yt, yp);
      expect(v.shape).toEqual([c.yTrue.length]);
      expectClose(v, c.loss, TOL, 'loss');
      const w = tf.tensor1d(c.weights);
      const [gt, gp] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(loss(a, b), w)))([yt, yp]);
      expectClose(gt!, c.gradYTrue, TOL, 'gradYTrue');
      expectClose(gp!, c.gradYPred, TOL, 'gradYPred');
    });

  it('gaussianKLLoss reproduces the notebook value 0.6441068611 from y_true rows [mean, L row-major]', () => {
    const v = gaussianKLLoss()([[0, 0, 1, 7, 0.5, 1]], [[0, 0, 2, -3, 0.5, 2]]).dataSync()[0]!;
    expect(Math.abs(v - 0.6441068611)).toBeLessThan(2e-6);
  });

  it('gaussianKLLoss infers dim from the width in both layouts and accepts an explicit matching dim', () => {
    for (const layout of ['full', 'packed'] as const) {
      for (const d of [1, 2, 3, 4, 7]) {
        const y = packGaussian(tf.zeros([2, d]), tf.broadcastTo(tf.eye(d), [2, d, d]), layout);
        expect(y.shape).toEqual([2, gaussianParamsSize(d, layout)]);
        // KL(p || p) with identity factors is exactly 0; atol 1e-6 allows the composite path's float32 terms.
        expectClose(gaussianKLLoss({layout})(y, y), [0, 0], {rtol: 0, atol: 1e-6});
        expectClose(gaussianKLLoss({layout, dim: d})(y, y), [0, 0], {rtol: 0, atol: 1e-6});
      }
    }
  });

  it('gaussianKLLoss forward is KL(y_true || y_pred) and reverse swaps the arguments', () => {
    const p = [[0, 0, 1, 0, 0, 1]];
    const q = [[1, 0, 2, 0, 0, 0.5]];
    const fwd = gaussianKLLoss()(tf.tensor2d(p), tf.tensor2d(q)).dataSync()[0]!;
    const rev = gaussianKLLoss({direction: 'reverse'})(tf.tensor2d(q), tf.tensor2d(p)).dataSync()[0]!;
    // KL(N(0, I) || N([1, 0], diag(4, 0.25))) = 1/2(1/4 + 4 + 1/4 - 2 + 0) + 0 = 1.25
    expect(Math.abs(fwd - 1.25)).toBeLessThan(1e-6);
    expect(rev).toBe(fwd);
  });

  it('gaussianKLLoss with a predicted diagonal at 0 or 1e-30 gives a finite loss and finite gradients', () => {
    const loss = gaussianKLLoss();
    const yt = tf.tensor2d([[0, 0, 1, 0, 0.2, 1], [0, 0, 1, 0, 0.2, 1]]);
    for (const tiny of [0, 1e-30, -1e-30]) {
      const yp = tf.tensor2d([[0.1, 0, tiny, 0, 0.3, 1], [0, 0.1, 1, 0, 0.3, tiny]]);
      const [v, g] = [loss(yt, yp), tf.grad((p: tf.Tensor) => tf.mean(loss(yt, p)))(yp)];
      expect(allFinite(v)).toBe(true);
      expect(allFinite(g)).toBe(true);
    }
  });

  it('gaussianKLLoss diagonal guard leaves diagonals >= 1e-3 unchanged, values and gradients', () => {
    const yt = tf.tensor2d([[0, 0, 1, 0, 0.2, 1]]);
    const yp = tf.tensor2d([[0.1, 0, 1e-3, 0, 0.3, -2e-3]]);
    const guarded = gaussianKLLoss();
    const raw = gaussianKLLoss({minDiag: 0});
    expectClose(guarded(yt, yp), raw(yt, yp), {rtol: 0, atol: 0});
    const g1 = tf.grad((p: tf.Tensor) => tf.sum(guarded(yt, p)))(yp);
    const g2 = tf.grad((p: tf.Tensor) => tf.sum(raw(yt, p)))(yp);
    expectClose(g1, g2, {rtol: 0, atol: 0});
  });

  it('gaussianKLLoss throws for yTrue and yPred of different widths, naming both shapes', () => {
    expect(() => gaussianKLLoss()(tf.zeros([4, 6]), tf.zeros([4, 12]))).toThrow(/gaussianKLLoss\(\): yTrue must have width 12.*\[4,6\].*\[4,12\]/);
  });

  it('gaussianKLLoss throws for a width that fits no dim, naming the width and layout', () => {
    expect(() => gaussianKLLoss()(tf.zeros([4, 7]), tf.zeros([4, 7]))).toThrow(/gaussianKLLoss\(\): the width of yPred \(7, shape \[4,7\]\) fits no dim in the 'full' layout/);
    expect(() => gaussianKLLoss({layout: 'packed'})(tf.zeros([4, 6]), tf.zeros([4, 6]))).toThrow(/width of yPred \(6.*'packed'/);
  });

  it('gaussianKLLoss throws for an explicit dim that disagrees with the width', () => {
    expect(() => gaussianKLLoss({dim: 3})(tf.zeros([4, 6]), tf.zeros([4, 6]))).toThrow(/gaussianKLLoss\(\): dim \(3\) needs width 12 in the 'full' layout, but yPred has width 6 \(shape \[4,6\]\)/);
  });

  it('gaussianKLLoss throws for different batch shapes, unknown options and rank-0 input', () => {
    expect(() => gaussianKLLoss()(tf.zeros([3, 6]), tf.zeros([4, 6]))).toThrow(/gaussianKLLoss\(\): yTrue and yPred must have the same batch shape.*\[3,6\].*\[4,6\]/);
    expect(() => gaussianKLLoss({layout: 'band' as 'full'})).toThrow(/gaussianKLLoss\(\): layout must be one of 'full', 'packed', 'diag', 'lowrank', but got 'band'/);
    expect(() => gaussianKLLoss({direction: 'both' as 'forward'})).toThrow(/gaussianKLLoss\(\): direction must be one of 'forward', 'reverse', 'symmetric', but got 'both'/);
    expect(() => gaussianKLLoss()(tf.scalar(1), tf.scalar(1))).toThrow(/gaussianKLLoss\(\): yPred must have shape \[batch, width\].*\[\]/);
  });

  it('gaussianKLLoss value and gradient calls leave tf.memory().numTensors unchanged', () => {
    const loss = gaussianKLLoss();
    const yt = tf.randomUniform([8, 6], 0.5, 1.5, 'float32', 1);
    const yp = tf.randomUniform([8, 6], 0.5, 1.5, 'float32', 2);
    expectNoLeak(() => loss(yt, yp).dispose());
    const v = tf.variable(yp);
    expectNoLeak(() => {
      const {value, grads} = tf.variableGrads(() => tf.mean(loss(yt, v)) as tf.Scalar, [v]);
      value.dispose();
      Object.values(grads).forEach((g) => g.dispose());
    });
    expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mean(loss(a, b)))([yt, yp]).forEach((g) => g.dispose()));
  });
});

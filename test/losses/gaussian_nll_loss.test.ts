import * as tf from '@tensorflow/tfjs';

import {gaussianNLLLoss, padTargets} from '../../src/index';
import {allFinite, compositePath, expectClose, expectNoLeak, fixture, Tol, LossCase} from '../helpers';

const cases = fixture<{cases: LossCase[]}>('losses.json').cases.filter((c) => c.kind === 'nll');

// float64 torch fixtures (cross-checked with scipy.stats.multivariate_normal
// in the generator); values below 10, d <= 3. The fast path rounds once
// (error ~ u * 10 = 6e-7), the composite path carries float32 throughout.
const TOL: Tol = compositePath() ? {rtol: 1e-4, atol: 5e-5} : {rtol: 1e-5, atol: 1e-5};

describe('gaussianNLLLoss', () => {
  it.each(cases.map((c) => [c.layout, c.d, c.target, c] as const))(
    'gaussianNLLLoss(%s layout, d = %i, %s targets) matches float64 torch, values and gradients', (_l, _d, _t, c) => {
      const loss = gaussianNLLLoss({layout: c.layout});
      const yt = tf.tensor2d(c.yTrue);
      const yp = tf.tensor2d(c.yPred);
      expectClose(loss(yt, yp), c.loss, TOL, 'loss');
      const w = tf.tensor1d(c.weights);
      const [gt, gp] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(loss(a, b), w)))([yt, yp]);
      expectClose(gt!, c.gradYTrue, TOL, 'gradYTrue');
      expectClose(gp!, c.gradYPred, TOL, 'gradYPred');
    });

  it('gaussianNLLLoss of the origin under N(0, I) in 2-D is log 2π', () => {
    // One float32 rounding of log 2π (relative 6e-8).
    expectClose(gaussianNLLLoss()([[0, 0]], [[0, 0, 1, 0, 0, 1]]), [Math.log(2 * Math.PI)], {rtol: 1e-7, atol: 0});
  });

  it('gaussianNLLLoss gives the same values for plain points and points padded by padTargets', () => {
    const yp = tf.tensor2d([[0.5, -1, 1.2, 0, 0.3, 0.7], [0, 0, 2, 0, -0.5, 1]]);
    const x = tf.tensor2d([[1, 2], [-1, 0.5]]);
    expect(padTargets(x).shape).toEqual([2, 6]);
    expect(padTargets(x, 'packed').shape).toEqual([2, 5]);
    expectClose(gaussianNLLLoss()(padTargets(x), yp), gaussianNLLLoss()(x, yp), {rtol: 0, atol: 0});
  });

  it('gaussianNLLLoss with a predicted diagonal at 0 gives a finite loss and finite gradients', () => {
    const yp = tf.tensor2d([[0, 0, 0, 0, 0.3, 1]]);
    const x = tf.tensor2d([[1, 1]]);
    expect(allFinite(gaussianNLLLoss()(x, yp))).toBe(true);
    expect(allFinite(tf.grad((p: tf.Tensor) => tf.sum(gaussianNLLLoss()(x, p)))(yp))).toBe(true);
  });

  it('gaussianNLLLoss throws for targets of a width that is neither d nor the output width', () => {
    expect(() => gaussianNLLLoss()(tf.zeros([4, 3]), tf.zeros([4, 6]))).toThrow(/gaussianNLLLoss\(\): yTrue must have width 2 or 6 to match yPred \(dim 2\), but got yTrue \[4,3\] and yPred \[4,6\]/);
    expect(() => gaussianNLLLoss()(tf.zeros([4, 2]), tf.zeros([4, 5]))).toThrow(/gaussianNLLLoss\(\): the width of yPred \(5/);
  });

  it('gaussianNLLLoss value and gradient calls leave no tensors behind', () => {
    const loss = gaussianNLLLoss();
    const x = tf.randomNormal([8, 2], 0, 1, 'float32', 1);
    const yp = tf.randomUniform([8, 6], 0.5, 1.5, 'float32', 2);
    expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mean(loss(a, b)))([x, yp]).forEach((g) => g.dispose()));
  });
});

/**
 * gaussianMixtureNLLLoss against float64 torch MixtureSameFamily fixtures
 * (cross-checked with scipy in the generator), in every component layout,
 * with gradients to the points and the rows; K = 1 against gaussianNLLLoss;
 * leaks, bad input and validateArgs.
 */
import * as tf from '@tensorflow/tfjs';

import {
  gaussianMixtureNLLLoss, gaussianMixtureParamsSize, gaussianNLLLoss, GaussianLayout, padTargets,
} from '../../src/index';
import {allFinite, compositePath, expectClose, expectExact, expectNoLeak, fixture, Tol} from '../helpers';

interface MixtureLossCase {
  name: string; components: number; d: number; layout: GaussianLayout; target: 'points' | 'padded';
  yTrue: number[][]; yPred: number[][]; loss: number[]; weights: number[]; gradYTrue: number[][]; gradYPred: number[][];
}
const {cases} = fixture<{cases: MixtureLossCase[]}>('mixture_losses.json');

// Tolerances. Fused kernels: each component's NLL in float64 (the NLL
// kernel's maths), both log-sum-exps in float64, one float32 rounding per
// output; per-component gradients are rounded once before being weighted by
// the responsibilities. Values reach 5e5 (points 1e3 σ away), so rtol 1e-5
// with atol 2e-5, as the single-Gaussian NLL. Composite: every component
// NLL in float32 (float32 matMuls, relative error ~1e-6 of values up to
// 5e5), then tf.logSoftmax / tf.logSumExp in float32: rtol 1e-4 with atol
// 2e-4, as the single-Gaussian composite; the fixtures' far-out points sit
// at distinct distances, so float32's absolute error in those NLLs (~0.05)
// does not move the responsibilities (one of them is 1 to float32).
const TOL: Tol = compositePath() ? {rtol: 1e-4, atol: 2e-4} : {rtol: 1e-5, atol: 2e-5};

describe('gaussianMixtureNLLLoss', () => {
  it.each(cases.map((c) => [c.name, c.layout, c.target, c] as const))(
    '%s (%s, %s targets): matches float64 torch MixtureSameFamily, per-sample values and gradients',
    (_n, _l, _t, c) => {
      const loss = gaussianMixtureNLLLoss({components: c.components, layout: c.layout});
      const yt = tf.tensor2d(c.yTrue);
      const yp = tf.tensor2d(c.yPred);
      const value = loss(yt, yp);
      expect(value.shape).toEqual([c.loss.length]);
      expectClose(value, c.loss, TOL, 'loss');
      const w = tf.tensor1d(c.weights);
      const [gt, gp] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(loss(a, b), w)))([yt, yp]);
      expectClose(gt!, c.gradYTrue, TOL, 'gradYTrue');
      expectClose(gp!, c.gradYPred, TOL, 'gradYPred');
    });

  it.each(['full', 'packed', 'diag'] as const)(
    "with K = 1 equals gaussianNLLLoss to the bit, values and gradients (%s)", (layout) => {
      const single = cases.find((c) => c.components === 1 && c.layout === layout)!;
      const yp = tf.tensor2d(single.yPred);          // [logit | one Gaussian row]
      const x = tf.tensor2d(single.yTrue);
      const rows = yp.slice([0, 1], [-1, -1]);
      const mix = gaussianMixtureNLLLoss({components: 1, layout});
      const nll = gaussianNLLLoss({layout});
      expectExact(mix(x, yp), nll(x, rows));
      const gm = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(mix(a, b)))([x, yp]);
      const gs = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(nll(a, b)))([x, rows]);
      expectExact(gm[0]!, gs[0]!);
      expectExact(gm[1]!.slice([0, 1], [-1, -1]), gs[1]!);
      expectExact(gm[1]!.slice([0, 0], [-1, 1]), tf.zeros([x.shape[0], 1]));  // softmax of one logit is constant
    });

  it('stays finite for points 1e3 σ from every component and for logits of ±1e4, gradients included', () => {
    const far = cases.filter((c) => c.name === 'points 1e3 σ away' || c.name === 'logits of ±1e4');
    expect(far.length).toBe(6);
    for (const c of far) {
      const loss = gaussianMixtureNLLLoss({components: c.components, layout: c.layout});
      const yp = tf.tensor2d(c.yPred);
      const g = tf.grad((b: tf.Tensor) => tf.sum(loss(c.yTrue, b)))(yp);
      expect(allFinite(loss(c.yTrue, yp))).toBe(true);
      expect(allFinite(g)).toBe(true);
    }
  });

  // The typed-array kernels (cpu, wasm, tensorflow) flush; the composite path does not.
  (compositePath() ? it.skip : it)('writes no subnormal gradient: a far component\'s responsibility underflows to 0, not to 1e-40', () => {
    // Components 0 (at the point) and 1 (40 σ away): r_1 = exp(-800) in float64.
    // Subnormal float32 entries slow the backward matmul 50-100x on wasm; the
    // fused kernels write entries below 2^-100 as 0 (gaussian_mixture_nll_impl.ts).
    // The composite path writes subnormals here (this test fails on it).
    const row = (m: number) => [m, m, 1, 0, 0, 1];
    const yp = tf.tensor2d([[0, 0, ...row(0), ...row(40)], [0, -90, ...row(0), ...row(40)]]);
    const x = tf.tensor2d([[0, 0], [0, 0]]);
    const loss = gaussianMixtureNLLLoss({components: 2});
    const g = tf.grad((b: tf.Tensor) => tf.mean(loss(x, b)))(yp).dataSync();
    const subnormal = Array.from(g).filter((v) => v !== 0 && Math.abs(v) < 1.1754944e-38);
    expect(subnormal).toEqual([]);
  });

  it('infers dim from the width for each layout, and accepts [..., W] batches of any rank', () => {
    const K = 2;
    for (const [layout, d] of [['full', 3], ['packed', 2], ['diag', 4]] as const) {
      const w = gaussianMixtureParamsSize(K, d, layout);
      const loss = gaussianMixtureNLLLoss({components: K, layout});
      expect(loss(tf.zeros([2, 3, d]), tf.ones([2, 3, w])).shape).toEqual([2, 3]);
      expect(loss(padTargets(tf.zeros([5, d]), {components: K, layout}), tf.ones([5, w])).shape).toEqual([5]);
    }
  });

  it('a loss+gradient step leaves no tensors behind', () => {
    const c = cases.find((k) => k.components === 3 && k.layout === 'full')!;
    const loss = gaussianMixtureNLLLoss({components: 3});
    const yt = tf.tensor2d(c.yTrue);
    const yp = tf.tensor2d(c.yPred);
    const step = tf.valueAndGrad((p: tf.Tensor) => tf.mean(loss(yt, p)) as tf.Scalar);
    expectNoLeak(() => {
      const {value, grad} = step(yp);
      tf.dispose([value, grad]);
      loss(yt, yp).dispose();
    });
  });

  it('rejects bad options and shapes, naming the function, the argument and the sizes', () => {
    expect(() => gaussianMixtureNLLLoss({components: 0})).toThrow(
      /^gaussianMixtureNLLLoss\(\): components must be a positive integer, but got 0\.$/);
    expect(() => gaussianMixtureNLLLoss({} as {components: number})).toThrow(
      /^gaussianMixtureNLLLoss\(\): components must be a positive integer, but got undefined\.$/);
    expect(() => gaussianMixtureNLLLoss({components: 3})(tf.zeros([4, 2]), tf.zeros([4, 20]))).toThrow(
      /^gaussianMixtureNLLLoss\(\): the width of yPred \(20, shape \[4,20\]\) fits no dim for 3 components in the 'full' layout \(widths are K \+ K\(d \+ d²\): 9, 21, 39, 63, \.\.\.\)\.$/);
    expect(() => gaussianMixtureNLLLoss({components: 3})(tf.zeros([4, 3]), tf.zeros([4, 21]))).toThrow(
      /^gaussianMixtureNLLLoss\(\): yTrue must have width 2 or 21 to match yPred \(dim 2\), but got yTrue \[4,3\] and yPred \[4,21\]\.$/);
    expect(() => gaussianMixtureNLLLoss({components: 3, dim: 3})(tf.zeros([4, 2]), tf.zeros([4, 21]))).toThrow(
      /^gaussianMixtureNLLLoss\(\): dim \(3\) needs width 39 for 3 components in the 'full' layout, but yPred has width 21/);
  });

  it('validateArgs names the sample and component of a NaN logit, a non-finite parameter and a negative σ', () => {
    const row = [0, 0, /* c0 */ 0, 1, /* c1 */ 1, 2];  // K = 2, d = 1, 'diag'
    const loss = gaussianMixtureNLLLoss({components: 2, layout: 'diag', validateArgs: true});
    const bad = (i: number, v: number) => [row, row.map((x, j) => (j === i ? v : x))];
    expect(() => loss([[0], [0]], bad(1, NaN))).toThrow(
      /^gaussianMixtureNLLLoss\(\): yPred has a non-finite logit \(NaN\) at sample 1, component 1, entry 1 \(validateArgs\)\.$/);
    expect(() => loss([[0], [0]], bad(4, Infinity))).toThrow(
      /^gaussianMixtureNLLLoss\(\): yPred has a non-finite value \(Infinity\) at sample 1, component 1, entry 4 \(validateArgs\)\.$/);
    expect(() => loss([[0], [0]], bad(3, -1))).toThrow(
      /^gaussianMixtureNLLLoss\(\): yPred has a negative scale σ\[0\] = -1 at sample 1, component 0, entry 3: the 'diag' layout needs σ > 0 \(validateArgs\)\.$/);
    expect(() => loss([[0], [NaN]], [row, row])).toThrow(
      /^gaussianMixtureNLLLoss\(\): yTrue has a non-finite value \(NaN\) at sample 1, entry 0 \(validateArgs\)\.$/);
    expect(loss([[0], [1]], [row, row]).shape).toEqual([2]);
    // Without validateArgs a NaN logit is not an error: it gives NaN for that sample only.
    const v = gaussianMixtureNLLLoss({components: 2, layout: 'diag'})([[0], [0]], bad(1, NaN)).dataSync();
    expect(Number.isFinite(v[0])).toBe(true);
    expect(v[1]).toBeNaN();
  });
});

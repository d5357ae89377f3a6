import * as tf from '@tensorflow/tfjs';

import {gaussianLogProb, gaussianNLLLoss, packGaussian} from '../../src/index';
import {compositePath, expectClose, expectNoLeak, fixture, shapeOf, Tol} from '../helpers';

interface LogProbCase {
  d: number; negativeDiag: boolean; x: unknown; mean: unknown; scaleTril: unknown;
  logProb: number | number[]; weights: number | number[];
  gradX: unknown; gradMean: unknown; gradScaleTril: unknown;
}
const {cases} = fixture<{cases: LogProbCase[]}>('log_prob.json');

// Fixtures: -NLL by the covariance formulas in float64 (torch solve and
// slogdet on L L^T), cross-checked with torch MultivariateNormal.log_prob and
// scipy.stats.multivariate_normal.logpdf, for the same float32 inputs; the
// upper triangles hold N(0, 5^2) noise that must be ignored, and d reaches
// 16. The same NLL kernel as gaussianNLLLoss runs underneath, so the same
// tolerances and reasons apply (gaussian_nll_loss.test.ts): fast path
// rtol 1e-5 / atol 2e-5 (float64 inside, one float32 rounding, values up to
// ~60), composite rtol 1e-4 / atol 2e-4 (float32 matMuls). Gradients to mean
// and scaleTril come through broadcasting, whose sums add float32 roundings
// of at most a few terms: inside the same bounds.
const TOL: Tol = compositePath() ? {rtol: 1e-4, atol: 2e-4} : {rtol: 1e-5, atol: 2e-5};
const t = (v: unknown) => tf.tensor(v as number[]);

describe('gaussianLogProb', () => {
  it.each(cases.map((c) => [c.d, JSON.stringify(shapeOf(c.x)), JSON.stringify(shapeOf(c.mean)),
    JSON.stringify(shapeOf(c.scaleTril)), c] as const))(
    'gaussianLogProb(d = %i, x %s, mean %s, scaleTril %s) matches float64 torch and scipy, values and gradients',
    (_d, _x, _m, _l, c) => {
      const args = [t(c.x), t(c.mean), t(c.scaleTril)];
      const lp = gaussianLogProb(args[0]!, args[1]!, args[2]!);
      const expected = t(c.logProb);
      expect(lp.shape).toEqual(expected.shape);
      expectClose(lp, expected, TOL, 'logProb');
      const w = t(c.weights);
      const [gx, gm, gl] = tf.grads((x: tf.Tensor, m: tf.Tensor, l: tf.Tensor) =>
        tf.sum(tf.mul(gaussianLogProb(x, m, l), w)))(args);
      expect(gx!.shape).toEqual(args[0]!.shape);
      expect(gm!.shape).toEqual(args[1]!.shape);
      expect(gl!.shape).toEqual(args[2]!.shape);
      expectClose(gx!, t(c.gradX), TOL, 'gradX');
      expectClose(gm!, t(c.gradMean), TOL, 'gradMean');
      expectClose(gl!, t(c.gradScaleTril), TOL, 'gradScaleTril');
    });

  it('gaussianLogProb(x, mean, L) equals minus gaussianNLLLoss on the same rows, to the bit', () => {
    const c = cases.find((k) => k.d === 5)!;
    const [x, m, l] = [t(c.x), t(c.mean), t(c.scaleTril)];
    const lp = gaussianLogProb(x, m, l);
    const nll = gaussianNLLLoss()(tf.broadcastTo(x, [2, 5]), packGaussian(tf.broadcastTo(m, [2, 5]), tf.broadcastTo(l, [2, 5, 5])));
    expect(Array.from(lp.dataSync())).toEqual(Array.from(tf.neg(nll).dataSync()));
  });

  it('gaussianLogProb of the standard normal at its mean is -d/2 log 2π, for d = 1, 3, 32', () => {
    for (const d of [1, 3, 32]) {
      expectClose(gaussianLogProb(tf.zeros([d]), tf.zeros([d]), tf.eye(d)), -0.5 * d * Math.log(2 * Math.PI),
        {rtol: 1e-6, atol: 0}, `d = ${d}`);
    }
  });

  it('gaussianLogProb with minDiag 0 gives NaN for a zero diagonal (as TFP), and the default guard a finite value', () => {
    // log|L_11| = -Infinity meets ||z||^2 = +Infinity: the density of a
    // degenerate Gaussian has no finite log. validateArgs reports it instead.
    const L = [[1, 0], [0.5, 0]];
    expect(gaussianLogProb([0, 1], [0, 0], L, {minDiag: 0}).dataSync()[0]).toBeNaN();
    expect(Number.isFinite(gaussianLogProb([0, 1], [0, 0], L).dataSync()[0])).toBe(true);
  });

  it('gaussianLogProb rejects mismatched shapes, naming the function, the argument and the shapes', () => {
    expect(() => gaussianLogProb([0, 0, 0], [0, 0], tf.eye(2))).toThrow(
      /gaussianLogProb\(\): x must have shape \[\.\.\., 2\] to match mean \[2\], but got shape \[3\]/);
    expect(() => gaussianLogProb([0, 0], [0, 0], tf.eye(3))).toThrow(
      /gaussianLogProb\(\): scaleTril must have shape \[\.\.\., 2, 2\] to match mean \[2\], but got shape \[3,3\]/);
    expect(() => gaussianLogProb(tf.zeros([3, 2]), tf.zeros([4, 2]), tf.eye(2))).toThrow(
      /gaussianLogProb\(\): batch dimensions of x \[3,2\] and mean \[4,2\] do not broadcast/);
    expect(() => gaussianLogProb([0, 0], [0, 0], tf.eye(2), {minDiag: 2})).toThrow(
      /gaussianLogProb\(\): minDiag must be in \[0, 1\), but got 2/);
    expect(() => gaussianLogProb([0, NaN], [0, 0], tf.eye(2), {validateArgs: true})).toThrow(
      /gaussianLogProb\(\): x has a non-finite value \(NaN\) at sample 0, entry 1 \(validateArgs\)/);
    expect(() => gaussianLogProb([0, 0], [0, 0], [[1, 0], [0, 0]], {validateArgs: true})).toThrow(
      /gaussianLogProb\(\): mean\/scaleTril has a zero Cholesky diagonal L\[1\]\[1\] at sample 0/);
  });

  it('gaussianLogProb, its value and its gradients leak no tensors', () => {
    const c = cases[3]!;
    const args = [t(c.x), t(c.mean), t(c.scaleTril)];
    expectNoLeak(() => gaussianLogProb(args[0]!, args[1]!, args[2]!).dispose());
    expectNoLeak(() => tf.grads((x: tf.Tensor, m: tf.Tensor, l: tf.Tensor) =>
      tf.sum(gaussianLogProb(x, m, l)))(args).forEach((g) => g.dispose()));
  });
});

import * as tf from '@tensorflow/tfjs';

import {gaussianEntropy} from '../../src/index';
import {expectClose, expectNoLeak, fixture, shapeOf} from '../helpers';

interface EntropyCase {
  d: number; negativeDiag: boolean; scaleTril: unknown; entropy: number | number[];
  weights: number | number[]; gradScaleTril: unknown;
}
const {cases} = fixture<{cases: EntropyCase[]}>('entropy.json');

// Fixtures: 1/2 log det(2 pi e L L^T) from torch's float64 slogdet of the
// covariance (not from L's diagonal), cross-checked with torch
// MultivariateNormal.entropy and scipy's multivariate_normal.entropy, up to
// d = 32, with noise above the diagonal that must be ignored. The op is the
// same on every backend: float32 logs of d diagonal entries and a sum, so the
// error is a few float32 roundings of terms of size <= ~d (values reach ~45):
// rtol 1e-6 and atol 2e-5 bound that and fail on any wrong term (which is of
// order 0.1 or more). Gradients are 1/L_ii exactly rounded on the diagonal
// (rtol 1e-6) and exactly 0 elsewhere, where the reference, differentiated
// through slogdet, carries float64 round-off up to ~2e-16: atol 1e-12.
const TOL = {rtol: 1e-6, atol: 2e-5};
const t = (v: unknown) => tf.tensor(v as number[]);

describe('gaussianEntropy', () => {
  it.each(cases.map((c) => [c.d, JSON.stringify(shapeOf(c.scaleTril)), c.negativeDiag ? 'with' : 'without', c] as const))(
    'gaussianEntropy(d = %i, scaleTril %s, %s negative diagonals) matches float64 torch and scipy, value and gradient',
    (_d, _s, _n, c) => {
      const L = t(c.scaleTril);
      const h = gaussianEntropy(L);
      const expected = t(c.entropy);
      expect(h.shape).toEqual(expected.shape);
      expectClose(h, expected, TOL, 'entropy');
      const g = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(gaussianEntropy(l), t(c.weights))))(L);
      expectClose(g, t(c.gradScaleTril), {rtol: 1e-6, atol: 1e-12}, 'gradScaleTril');
    });

  it('gaussianEntropy of a zero diagonal is -Infinity, not NaN', () => {
    expect(gaussianEntropy([[1, 0], [3, 0]]).dataSync()[0]).toBe(-Infinity);
  });

  it('gaussianEntropy rejects a non-square or rank-1 scaleTril, naming the shape', () => {
    expect(() => gaussianEntropy(tf.zeros([2, 3]))).toThrow(
      /gaussianEntropy\(\): scaleTril must be square \[\.\.\., d, d\], but got shape \[2,3\]/);
    expect(() => gaussianEntropy([1, 2])).toThrow(/gaussianEntropy\(\): scaleTril must have shape \[\.\.\., d, d\] \(rank >= 2\), but got shape \[2\]/);
  });

  it('gaussianEntropy and its gradient leak no tensors', () => {
    const L = t(cases[1]!.scaleTril);
    expectNoLeak(() => gaussianEntropy(L).dispose());
    expectNoLeak(() => tf.grad((l: tf.Tensor) => tf.sum(gaussianEntropy(l)))(L).dispose());
  });
});

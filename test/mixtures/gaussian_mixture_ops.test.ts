/**
 * The mixture ops around the loss: gaussianMixtureLogProb against float64
 * torch fixtures with broadcasting, pack/unpack round trips,
 * gaussianMixtureParamsSize, padTargets for mixtures, and sampling
 * (reproducible, the right weights and moments, gradients to the means).
 */
import * as tf from '@tensorflow/tfjs';

import {
  gaussianLogProb, gaussianMixtureLogProb, gaussianMixtureParamsSize, packGaussianMixture, padTargets,
  sampleGaussianMixture, unpackGaussianMixture,
} from '../../src/index';
import {compositePath, expectClose, expectExact, expectNoLeak, fixture, shapeOf, Tol} from '../helpers';

interface LogProbCase {
  components: number; d: number; x: unknown; logits: unknown; mean: unknown; scaleTril: unknown;
  logProb: number | number[]; weights: number | number[];
  gradX: unknown; gradLogits: unknown; gradMean: unknown; gradScaleTril: unknown;
}
const {cases} = fixture<{cases: LogProbCase[]}>('mixture_log_prob.json');
const t = (v: unknown) => tf.tensor(v as number[]);

// The mixture loss's kernels underneath (gaussian_mixture_nll_loss.test.ts
// gives the tolerances); gradients to broadcast arguments add a few float32
// terms, well inside the same bounds.
const TOL: Tol = compositePath() ? {rtol: 1e-4, atol: 2e-4} : {rtol: 1e-5, atol: 2e-5};

describe('gaussianMixtureLogProb', () => {
  it.each(cases.map((c) => [c.components, c.d, JSON.stringify(shapeOf(c.x)), JSON.stringify(shapeOf(c.logits)),
    JSON.stringify(shapeOf(c.mean)), c] as const))(
    'K = %i, d = %i, x %s, logits %s, mean %s: matches float64 torch MixtureSameFamily, values and all four gradients',
    (_k, _d, _x, _a, _m, c) => {
      const args = [t(c.x), t(c.logits), t(c.mean), t(c.scaleTril)];
      const lp = gaussianMixtureLogProb(args[0]!, args[1]!, args[2]!, args[3]!);
      const expected = t(c.logProb);
      expect(lp.shape).toEqual(expected.shape);
      expectClose(lp, expected, TOL, 'logProb');
      const w = t(c.weights);
      const g = tf.grads((x: tf.Tensor, a: tf.Tensor, m: tf.Tensor, l: tf.Tensor) =>
        tf.sum(tf.mul(gaussianMixtureLogProb(x, a, m, l), w)))(args);
      ['gradX', 'gradLogits', 'gradMean', 'gradScaleTril'].forEach((name, i) => {
        expect(g[i]!.shape).toEqual(args[i]!.shape);
        expectClose(g[i]!, t(c[name as keyof LogProbCase]), TOL, name);
      });
    });

  it('with one component equals gaussianLogProb', () => {
    const x = [[0.5, -1], [2, 0]];
    const m = [[0.2, 0.1]];
    const L = [[[1.2, 0], [0.3, 0.7]]];
    expectClose(gaussianMixtureLogProb(x, [3], m, L), gaussianLogProb(x, m[0]!, L[0]!), {rtol: 1e-6, atol: 1e-6});
  });

  it('rejects mismatched shapes, naming the function, the argument and the shapes', () => {
    expect(() => gaussianMixtureLogProb([0, 0], [0, 0, 0], tf.zeros([2, 2]), tf.zeros([2, 2, 2]))).toThrow(
      /^gaussianMixtureLogProb\(\): logits must have shape \[\.\.\., 2\] to match mean \[2,2\] \(K = 2 components\), but got shape \[3\]\.$/);
    expect(() => gaussianMixtureLogProb([0, 0, 0], [0, 0], tf.zeros([2, 2]), tf.zeros([2, 2, 2]))).toThrow(
      /^gaussianMixtureLogProb\(\): x must have shape \[\.\.\., 2\] to match mean \[2,2\], but got shape \[3\]\.$/);
    expect(() => gaussianMixtureLogProb([0], [0], [0], [[1]])).toThrow(
      /^gaussianMixtureLogProb\(\): mean must have shape \[\.\.\., K, d\] \(rank >= 2\), but got shape \[1\]\.$/);
  });
});

describe('mixture rows', () => {
  it('gaussianMixtureParamsSize is K + K·gaussianParamsSize(d, layout)', () => {
    expect(gaussianMixtureParamsSize(3, 2)).toBe(21);
    expect(gaussianMixtureParamsSize(3, 2, 'packed')).toBe(18);
    expect(gaussianMixtureParamsSize(5, 4, 'diag')).toBe(45);
    expect(() => gaussianMixtureParamsSize(0, 2)).toThrow(
      /^gaussianMixtureParamsSize\(\): components must be a positive integer, but got 0\.$/);
  });

  it.each(['full', 'packed', 'diag'] as const)(
    'unpackGaussianMixture and packGaussianMixture are inverse (%s), batch shape [2, 3]', (layout) => {
      const K = 3;
      const d = 2;
      const logits = tf.randomNormal([2, 3, K], 0, 1, 'float32', 1);
      const mean = tf.randomNormal([2, 3, K, d], 0, 1, 'float32', 2);
      const lower = tf.linalg.bandPart(tf.randomNormal([2, 3, K, d, d], 0, 1, 'float32', 3), -1, 0);
      const L = layout === 'diag' ? tf.mul(lower, tf.eye(d)) : lower;
      const rows = packGaussianMixture(logits, mean, L, layout);
      expect(rows.shape).toEqual([2, 3, gaussianMixtureParamsSize(K, d, layout)]);
      const u = unpackGaussianMixture(rows, {components: K, layout});
      expectExact(u.logits, logits);
      expectExact(u.mean, mean);
      expectExact(u.scaleTril, L);
      expectExact(packGaussianMixture(u.logits, u.mean, u.scaleTril, layout), rows);
    });

  it('unpackGaussianMixture names a width that fits no dim', () => {
    expect(() => unpackGaussianMixture(tf.zeros([4, 20]), {components: 3})).toThrow(
      /^unpackGaussianMixture\(\): the width of y \(20, shape \[4,20\]\) does not fit any dim for 3 components in the 'full' layout\.$/);
  });

  it('padTargets({components}) pads points to the mixture width', () => {
    expectExact(padTargets([[1, 2]], {components: 2, layout: 'diag'}), [[1, 2, 0, 0, 0, 0, 0, 0, 0, 0]]);
    expect(padTargets(tf.zeros([3, 2]), {components: 3}).shape).toEqual([3, 21]);
    expect(() => padTargets([[1, 2]], {components: -1})).toThrow(
      /^padTargets\(\): components must be a positive integer, but got -1\.$/);
  });
});

describe('sampleGaussianMixture', () => {
  const logits = [0, Math.log(3)];
  const mean = [[-5, 0], [5, 1]];
  const L = [[[1, 0], [0, 1]], [[0.5, 0], [0.2, 0.5]]];

  it('draws [numSamples, ...batch, d], the same draws for the same seed', () => {
    const a = sampleGaussianMixture(logits, mean, L, 6, 42);
    expect(a.shape).toEqual([6, 2]);
    expectExact(sampleGaussianMixture(logits, mean, L, 6, 42), a);
    expect(sampleGaussianMixture(tf.zeros([4, 3, 2]), tf.zeros([3, 2, 2]), tf.broadcastTo(tf.eye(2), [2, 2, 2]), 5, 1).shape)
      .toEqual([5, 4, 3, 2]);
  });

  it('picks components with the softmax weights and draws each with its mean and covariance (40000 draws)', () => {
    // Binomial standard error of the weight: sqrt(0.25·0.75/40000) = 0.0022,
    // so 0.01 is 4.6 σ. Component 1's mean (5, 1) has standard error
    // 0.54/sqrt(30000) = 0.003; its covariance L Lᵀ = [[0.25, 0.1], [0.1, 0.29]]
    // entries have standard error <= 0.003; 0.02 is > 6 σ for each.
    const s = sampleGaussianMixture(logits, mean, L, 40000, 7).arraySync() as number[][];
    const r = tf.tensor2d(s.filter((v) => v[0]! > 0));
    expect(Math.abs(r.shape[0] / 40000 - 0.75)).toBeLessThan(0.01);
    const mu = tf.mean(r, 0);
    expectClose(mu, [5, 1], {rtol: 0, atol: 0.02}, 'mean');
    const c = tf.sub(r, mu);
    expectClose(tf.div(tf.matMul(c, c, true, false), r.shape[0]), [[0.25, 0.1], [0.1, 0.29]], {rtol: 0, atol: 0.02}, 'cov');
  });

  it('is reparameterized given the component: d(sum of draws)/d mean_k = number of draws from k', () => {
    const n = 200;
    const g = tf.grad((m: tf.Tensor) => tf.sum(sampleGaussianMixture(logits, m, L, n, 3)))(tf.tensor2d(mean));
    const fromRight = tf.sum(tf.greater(sampleGaussianMixture(logits, mean, L, n, 3).slice([0, 0], [-1, 1]), 0)).dataSync()[0]!;
    expectExact(g, [[n - fromRight, n - fromRight], [fromRight, fromRight]]);
  });

  it('with one component draws as sampleGaussian does (tf.oneHot rejects depth 1; the pick must not use it)', () => {
    const one = sampleGaussianMixture([[0.3]], [[[1, 2]]], [[[[2, 0], [1, 1]]]], 3000, 9);
    expect(one.shape).toEqual([3000, 1, 2]);
    // N((1, 2), [[4, 2], [2, 2]]): the sample mean's standard error is <= 2/sqrt(3000) = 0.037; 0.15 is 4 of them.
    expectClose(tf.mean(one, [0, 1]), [1, 2], {rtol: 0, atol: 0.15}, 'mean');
  });

  it('leaves no tensors behind', () => {
    expectNoLeak(() => sampleGaussianMixture(logits, mean, L, 4, 1).dispose());
  });
});

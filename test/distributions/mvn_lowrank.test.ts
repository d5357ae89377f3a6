/**
 * LowRankMultivariateNormal against float64 torch.distributions
 * LowRankMultivariateNormal (covDiag the variance): logProb, entropy and the
 * KL to and from diagonal and triangular MultivariateNormals, values and the
 * gradients for loc, covFactor and covDiag; the moments, sampling,
 * fromParams, errors and disposal.
 */
import * as tf from '@tensorflow/tfjs';

import {LowRankMultivariateNormal, MultivariateNormalDiag, MultivariateNormalTriL} from '../../src/index';
import {expectClose, expectNoLeak, fixture, Tol} from '../helpers';

interface Graded { value: number[] | number[][]; gradLoc: number[][]; gradCovFactor: number[][][]; gradCovDiag: number[][] }
interface DistCase {
  B: number; d: number; r: number; loc: number[][]; covFactor: number[][][]; covDiag: number[][]; x: number[][][];
  qLoc: number[][]; qScaleDiag: number[][]; qScaleTril: number[][][];
  logProb: Graded; entropy: Graded; klToDiag: Graded; klFromDiag: Graded; klToTril: Graded; klFromTril: Graded;
}
const cases = fixture<{distribution: DistCase[]}>('lowrank.json').distribution;

// Well-conditioned parameters (covDiag 0.3..2, |W| ~ 0.5, d ≤ 64). Values
// up to ~250 (logProb at d = 64), gradient entries up to ~20. The fused
// kernels are float64 with one rounding; the composite path and the
// triangular pairs (a float32 Cholesky of the dense covariance) carry
// float32 sums of d terms. Every case passes on every backend at rtol and
// atol 2e-5 (checked); the test holds 5e-5 for margin.
const TOL: Tol = {rtol: 5e-5, atol: 5e-5};
const tolFor = (_kind: string): Tol => TOL;

type Kind = 'logProb' | 'entropy' | 'klToDiag' | 'klFromDiag' | 'klToTril' | 'klFromTril';
const KINDS: Kind[] = ['logProb', 'entropy', 'klToDiag', 'klFromDiag', 'klToTril', 'klFromTril'];

function evaluate(c: DistCase, kind: Kind, loc: tf.Tensor, W: tf.Tensor, v: tf.Tensor): tf.Tensor {
  const p = new LowRankMultivariateNormal(loc, W, v);
  const qd = new MultivariateNormalDiag(c.qLoc, c.qScaleDiag);
  const qt = new MultivariateNormalTriL(c.qLoc, c.qScaleTril);
  try {
    switch (kind) {
      case 'logProb': return p.logProb(c.x);
      case 'entropy': return p.entropy();
      case 'klToDiag': return p.klDivergence(qd);
      case 'klFromDiag': return qd.klDivergence(p);
      case 'klToTril': return p.klDivergence(qt);
      case 'klFromTril': return qt.klDivergence(p);
    }
  } finally {
    // Disposing the objects frees their copies; the results are new tensors.
    [p, qd, qt].forEach((o) => o.dispose());
  }
}

describe('LowRankMultivariateNormal against torch.distributions.LowRankMultivariateNormal', () => {
  it.each(cases.flatMap((c) => KINDS.map((k) => [k, c.d, c.r, c] as const)))(
    '%s (d = %i, r = %i): values and the gradients for loc, covFactor and covDiag', (kind, _d, _r, c) => {
      const ref = c[kind];
      const loc = tf.tensor(c.loc);
      const W = tf.tensor(c.covFactor);
      const v = tf.tensor(c.covDiag);
      const tol = tolFor(kind);
      expectClose(evaluate(c, kind, loc, W, v), ref.value, tol, 'value');
      const [gl, gw, gv] = tf.grads((a: tf.Tensor, b: tf.Tensor, e: tf.Tensor) => tf.sum(evaluate(c, kind, a, b, e)))([loc, W, v]);
      expectClose(gl!, ref.gradLoc, tol, 'd/dloc');
      expectClose(gw!, ref.gradCovFactor, tol, 'd/dcovFactor');
      expectClose(gv!, ref.gradCovDiag, tol, 'd/dcovDiag');
    });

  it('mean, variance (covDiag + Σ_j W_ij²), stddev and the dense covariance W Wᵀ + diag(covDiag)', () => {
    const p = new LowRankMultivariateNormal([1, 2], [[1, 0.5], [2, -1]], [0.5, 2]);
    expectClose(p.mean(), [1, 2], {rtol: 0, atol: 0});
    expectClose(p.variance(), [1.75, 7], {rtol: 1e-7, atol: 0});
    expectClose(p.stddev(), [Math.sqrt(1.75), Math.sqrt(7)], {rtol: 1e-7, atol: 0});
    expectClose(p.covariance(), [[1.75, 1.5], [1.5, 7]], {rtol: 1e-7, atol: 0});
    expect(p.rank).toBe(2);
    p.dispose();
  });

  it('sample is μ + W ε_r + sqrt(covDiag) ε_d: 20 000 draws have the mean and covariance within 4 standard errors', () => {
    const p = new LowRankMultivariateNormal([1, -1, 0], [[1], [0.5], [-1]], [0.25, 1, 0.5]);
    const s = p.sample(20000, 7);
    expect(s.shape).toEqual([20000, 3]);
    const m = tf.mean(s, 0);
    const c = tf.div(tf.matMul(tf.sub(s, m), tf.sub(s, m), true, false), 20000);
    // Σ = [[1.25, .5, -1], [.5, 1.25, -.5], [-1, -.5, 1.5]]: standard error of a mean ≤ sqrt(1.5/2e4) = 0.0087,
    // of a covariance entry ≤ sqrt((Σ_ii Σ_jj + Σ_ij²)/2e4) ≤ 0.015.
    expectClose(m, [1, -1, 0], {rtol: 0, atol: 0.035});
    expectClose(c, [[1.25, 0.5, -1], [0.5, 1.25, -0.5], [-1, -0.5, 1.5]], {rtol: 0, atol: 0.06});
    tf.dispose([s, m, c]);
    p.dispose();
  });

  it("fromParams reads 'lowrank' rows [mean | σ | W]: covDiag = σ², and its errors name it", () => {
    const p = LowRankMultivariateNormal.fromParams([[1, 2, 3, 4, 0.5, -1]], {rank: 1});
    expectClose(p.covDiag, [[9, 16]], {rtol: 0, atol: 0});
    expectClose(p.covFactor, [[[0.5], [-1]]], {rtol: 0, atol: 0});
    p.dispose();
    expect(() => LowRankMultivariateNormal.fromParams([[1, 2, 3, 4, 5]], {rank: 1})).toThrow(
      /^LowRankMultivariateNormal\.fromParams\(\): the width of y \(5, shape \[1,5\]\) must be d \(2 \+ 1\) in the 'lowrank' layout of rank 1\.$/);
  });

  it('bad shapes and values throw errors that name the class, the argument and the shapes', () => {
    expect(() => new LowRankMultivariateNormal([0, 0], [[1], [1], [1]], [1, 1])).toThrow(
      /^LowRankMultivariateNormal\(\): covFactor must have shape \[\.\.\., 2, r\] to match loc \[2\], but got shape \[3,1\]\.$/);
    expect(() => new LowRankMultivariateNormal([0, 0], [[1], [1]], [1, 1, 1])).toThrow(
      /^LowRankMultivariateNormal\(\): covDiag must have shape \[\.\.\., 2\] to match loc \[2\], but got shape \[3\]\.$/);
    expect(() => new LowRankMultivariateNormal([0, 0], [[1], [1]], [1, 0], {validateArgs: true})).toThrow(
      /^LowRankMultivariateNormal\(\): covDiag must be finite and > 0, but has 0 at entry 1 \(validateArgs\)\.$/);
    const p = new LowRankMultivariateNormal([0, 0], [[1], [1]], [1, 1]);
    expect(() => p.logProb([0, 0, 0])).toThrow(/^LowRankMultivariateNormal\.logProb\(\): x must have shape \[\.\.\., 2\]/);
    const q = new MultivariateNormalDiag([0, 0, 0], [1, 1, 1]);
    expect(() => p.klDivergence(q)).toThrow(/^klDivergence\(\): the distributions have different event sizes \(2 and 3\)\.$/);
    p.dispose();
    q.dispose();
    expect(() => p.mean()).toThrow(/^LowRankMultivariateNormal\.mean\(\): this distribution has been disposed\.$/);
  });

  it('its methods leave no tensors behind, and dispose frees its parameters', () => {
    const c = cases[0]!;
    const before = tf.memory().numTensors;
    const p = new LowRankMultivariateNormal(c.loc, c.covFactor, c.covDiag);
    const q = new MultivariateNormalDiag(c.qLoc, c.qScaleDiag);
    expectNoLeak(() => {
      tf.dispose([p.logProb(c.x), p.entropy(), p.sample(3, 1), p.mean(), p.variance(), p.covariance(), p.klDivergence(q),
        q.klDivergence(p)]);
    });
    p.dispose();
    q.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

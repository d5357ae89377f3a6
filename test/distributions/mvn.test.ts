import * as tf from '@tensorflow/tfjs';

import {
  gaussianEntropy, gaussianLogProb, klDivergence, MultivariateNormalDiag, MultivariateNormalTriL, packGaussian, unpackGaussian,
} from '../../src/index';
import {compositePath, expectClose, expectExact, expectNoLeak, fixture, shapeOf, Tol} from '../helpers';

interface Part { value: unknown; weights: unknown; grads: unknown[] }
interface DiagCase {
  d: number; batch: number[]; loc: unknown; scaleDiag: unknown; x: unknown; loc2: unknown; scaleTril2: unknown;
  logProb: Part; entropy: Part; klDiagTril: Part; klTrilDiag: Part;
}
const {cases} = fixture<{cases: DiagCase[]}>('mvn_diag.json');
const t = (v: unknown) => tf.tensor(v as number[]);

// Fixtures: torch float64, Independent(Normal) for logProb/entropy and
// kl_divergence of MultivariateNormals for the mixed KLs, on the same float32
// inputs (negative scaleDiag entries included: torch sees |σ|). The diagonal
// maths is float32 elementwise work and one sum over d <= 8 on every backend:
// measured (cpu) worst error 7.9e-6 absolute on entries up to 137, 0.018 of
// rtol 1e-5 / atol 2e-5; any wrong term gives errors of order 0.1 or more. The mixed KLs run klDivergence's kernel: its tolerances
// (kl_divergence.test.ts): fused 1e-5 / 2e-5, composite 1e-4 / 2e-4.
const DIAG_TOL: Tol = {rtol: 1e-5, atol: 2e-5};
const KL_TOL: Tol = compositePath() ? {rtol: 1e-4, atol: 2e-4} : {rtol: 1e-5, atol: 2e-5};

/** Runs `f` on a fresh distribution and disposes it (inside a gradient function too). */
function withDist<D extends {dispose(): void}, R>(d: D, f: (d: D) => R): R {
  try {
    return f(d);
  } finally {
    d.dispose();
  }
}

describe('MultivariateNormalDiag', () => {
  it.each(cases.map((c) => [c.d, JSON.stringify(c.batch), c] as const))(
    'MultivariateNormalDiag(d = %i, batch %s): logProb, entropy and KL with a TriL both ways match float64 torch, values and gradients',
    (_d, _b, c) => {
      const [loc, scale, x, loc2, L2] = [c.loc, c.scaleDiag, c.x, c.loc2, c.scaleTril2].map(t) as tf.Tensor[];
      // Each part with the indices of the arguments it depends on (of loc,
      // scaleDiag, x, loc2, scaleTril2); torch's gradient is zero for the rest.
      const parts: Array<[string, Part, Tol, number[], (a: tf.Tensor[]) => tf.Tensor]> = [
        ['logProb', c.logProb, DIAG_TOL, [0, 1, 2],
          ([l, s, xx]) => withDist(new MultivariateNormalDiag(l!, s!), (q) => q.logProb(xx!))],
        ['entropy', c.entropy, DIAG_TOL, [1],
          ([s]) => withDist(new MultivariateNormalDiag(loc!, s!), (q) => q.entropy())],
        ['KL(diag ‖ tril)', c.klDiagTril, KL_TOL, [0, 1, 3, 4], ([l, s, l2, s2]) =>
          withDist(new MultivariateNormalDiag(l!, s!), (q) => withDist(new MultivariateNormalTriL(l2!, s2!), (p) => q.klDivergence(p)))],
        ['KL(tril ‖ diag)', c.klTrilDiag, KL_TOL, [0, 1, 3, 4], ([l, s, l2, s2]) =>
          withDist(new MultivariateNormalDiag(l!, s!), (q) => withDist(new MultivariateNormalTriL(l2!, s2!), (p) => p.klDivergence(q)))],
      ];
      const all = [loc!, scale!, x!, loc2!, L2!];
      for (const [name, part, tol, uses, f] of parts) {
        const args = uses.map((i) => all[i]!);
        const v = f(args);
        expect(v.shape).toEqual(shapeOf(part.value));
        expectClose(v, t(part.value), tol, `${name} value`);
        const w = t(part.weights);
        const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(a), w)))(args);
        grads.forEach((g, k) => expectClose(g, t(part.grads[uses[k]!]), tol, `${name} gradient ${uses[k]}`));
        for (let i = 0; i < all.length; i++) {
          if (!uses.includes(i)) {
            const g = t(part.grads[i]);
            expectClose(g, tf.zerosLike(g), {rtol: 0, atol: 0}, `${name} reference gradient ${i}`);
          }
        }
      }
    });

  it('fromParams reads [mean | σ] rows of width 2d, and rejects an odd width naming it', () => {
    withDist(MultivariateNormalDiag.fromParams([[1, 2, 3, 4]]), (q) => {
      expectExact(q.mean(), [[1, 2]]);
      expectExact(q.stddev(), [[3, 4]]);
      expect(q.batchShape).toEqual([1]);
      expect(q.eventShape).toEqual([2]);
    });
    expect(() => MultivariateNormalDiag.fromParams([[1, 2, 3]])).toThrow(
      /^MultivariateNormalDiag\.fromParams\(\): the width of y \(3, shape \[1,3\]\) must be 2 \* d in the 'diag' layout\.$/);
  });

  it('MultivariateNormalDiag({validateArgs}) rejects a zero scale; mismatched shapes are rejected always', () => {
    expect(() => new MultivariateNormalDiag([0, 0], [1, 0], {validateArgs: true})).toThrow(
      /^MultivariateNormalDiag\(\): scaleDiag has a zero at entry 1 \(validateArgs\)\.$/);
    expect(() => new MultivariateNormalDiag([0, 0], [1, 1, 1])).toThrow(
      /^MultivariateNormalDiag\(\): scaleDiag must have shape \[\.\.\., 2\] to match loc \[2\], but got shape \[3\]\.$/);
  });
});

describe('MultivariateNormalTriL', () => {
  const loc = () => tf.tensor2d([[0, 1], [2, -1], [0.5, 0]]);
  const L = () => tf.tensor3d([[[1, 0], [0.5, 2]], [[0.3, 0], [-1, 1]], [[2, 0], [0, 0.5]]]);

  it('logProb and entropy equal gaussianLogProb and gaussianEntropy; KL equals klDivergence; KL(p ‖ p) = 0', () => {
    withDist(new MultivariateNormalTriL(loc(), L()), (p) => {
      const x = tf.tensor2d([[1, 1], [0, 0], [3, -2]]);
      expectExact(p.logProb(x), gaussianLogProb(x, loc(), L()));
      expectExact(p.entropy(), gaussianEntropy(L()));
      withDist(new MultivariateNormalTriL([0, 0], [[1, 0], [0, 1]]), (q) => {
        expectExact(p.klDivergence(q), klDivergence(loc(), L(), [0, 0], [[1, 0], [0, 1]]));
      });
      expectClose(p.klDivergence(p), [0, 0, 0], {rtol: 0, atol: 1e-6}, 'KL(p ‖ p)');
    });
  });

  it('a TriL with a diagonal scale and the equal Diag give the same logProb, entropy, KL and covariance', () => {
    withDist(new MultivariateNormalTriL([1, 2], [[2, 0], [0, 0.5]]), (p) => withDist(new MultivariateNormalDiag([1, 2], [2, 0.5]), (q) => {
      const tol = {rtol: 1e-6, atol: 1e-6};
      expectClose(p.logProb([0, 0]), q.logProb([0, 0]), tol, 'logProb');
      expectClose(p.entropy(), q.entropy(), tol, 'entropy');
      expectClose(p.covariance(), q.covariance(), tol, 'covariance');
      expectClose(q.klDivergence(q), 0, {rtol: 0, atol: 0}, 'KL(q ‖ q)');
      expectClose(p.klDivergence(q), 0, tol, 'KL(p ‖ q)');
      expectClose(q.klDivergence(p), 0, tol, 'KL(q ‖ p)');
    }));
  });

  it('mean, covariance, variance and stddev have the batch shape and the values of L·Lᵀ', () => {
    withDist(new MultivariateNormalTriL([0, 1], L()), (p) => {
      expect(p.batchShape).toEqual([3]);
      expect(p.mean().shape).toEqual([3, 2]);
      expectClose(p.covariance(), tf.matMul(L(), L(), false, true), {rtol: 1e-6, atol: 0}, 'covariance');
      expectClose(p.variance(), [[1, 4.25], [0.09, 2], [4, 0.25]], {rtol: 1e-6, atol: 0}, 'variance');
      expectClose(p.stddev(), tf.sqrt(tf.tensor2d([[1, 4.25], [0.09, 2], [4, 0.25]])), {rtol: 1e-6, atol: 0}, 'stddev');
    });
  });

  it('sample(n, seed) has shape [n, ...batch, d], repeats with its seed, and is reparameterized (gradients reach loc and scale)', () => {
    withDist(new MultivariateNormalTriL(loc(), L()), (p) => {
      expect(p.sample(4, 7).shape).toEqual([4, 3, 2]);
      expectExact(p.sample(4, 7), p.sample(4, 7));
    });
    const [gl, gs] = tf.grads((l: tf.Tensor, s: tf.Tensor) =>
      withDist(new MultivariateNormalTriL(l, s), (p) => tf.sum(p.sample(5, 3))))([loc(), L()]);
    expectClose(gl!, tf.fill([3, 2], 5), {rtol: 0, atol: 1e-6}, 'd sum(samples) / d loc = n');
    expect(tf.any(tf.notEqual(gs!, 0)).dataSync()[0]).toBe(1);
  });

  it('fromParams reads the losses\' packed rows; fromCovariance factors a covariance with cholesky', () => {
    const rows = packGaussian(loc(), L());
    withDist(MultivariateNormalTriL.fromParams(rows), (p) => {
      const {mean, scaleTril} = unpackGaussian(rows);
      expectExact(p.loc, mean);
      expectExact(p.scaleTril, scaleTril);
    });
    // An error found by the helper that unpacks the rows names the method the user called.
    expect(() => MultivariateNormalTriL.fromParams([[0, 0, 1]])).toThrow(
      /^MultivariateNormalTriL\.fromParams\(\): the width of y \(3, shape \[1,3\]\) does not fit any dim in the 'full' layout\.$/);
    withDist(MultivariateNormalTriL.fromCovariance([0, 0], [[4, 2], [2, 3]]), (p) => {
      expectClose(p.scaleTril, [[2, 0], [1, Math.SQRT2]], {rtol: 1e-6, atol: 0}, 'scaleTril');
    });
  });

  it('a distribution owns its tensors: the caller may dispose its inputs, dispose() frees them, and later calls throw', () => {
    const before = tf.memory().numTensors;
    const l = loc();
    const s = L();
    const p = new MultivariateNormalTriL(l, s);
    tf.dispose([l, s]);
    expect(p.entropy().shape).toEqual([3]);
    p.dispose();
    expect(p.isDisposed).toBe(true);
    expect(() => p.entropy()).toThrow(/^MultivariateNormalTriL\.entropy\(\): this distribution has been disposed\.$/);
    expect(tf.memory().numTensors).toBe(before + 1); // the entropy tensor above, not disposed here
  });

  it('no method leaks tensors, on either class', () => {
    withDist(new MultivariateNormalTriL(loc(), L()), (p) => withDist(new MultivariateNormalDiag([0, 1], [1, 2]), (q) => {
      for (const d of [p, q] as const) {
        expectNoLeak(() => tf.dispose([d.logProb([1, 1]), d.prob([1, 1]), d.sample(3, 1), d.entropy(), d.mean(),
          d.covariance(), d.variance(), d.stddev(), d.klDivergence(p), d.klDivergence(q)]));
      }
      expectNoLeak(() => withDist(new MultivariateNormalTriL([0, 0], [[1, 0], [0, 1]]), () => undefined));
    }));
  });
});

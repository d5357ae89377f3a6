import * as tf from '@tensorflow/tfjs';

import {rng} from '../../examples/heteroscedastic_data';
import {fillTriangular, klDivergence} from '../../src/index';
import {allFinite, compositePath, expectClose, expectNoLeak, fixture, Tol} from '../helpers';

interface KLCase {
  d: number; batch: number[]; negativeDiag: boolean;
  mean1: number[]; scaleTril1: number[]; mean2: number[]; scaleTril2: number[];
  kl: number | number[]; weights: number | number[];
  gradMean1: number[]; gradScaleTril1: number[]; gradMean2: number[]; gradScaleTril2: number[];
}
const {cases} = fixture<{cases: KLCase[]}>('kl_divergence.json');
const notebook = fixture<{gridKL: number}>('notebook.json');

// Fixtures: exact float64 KL (covariance formulas, torch) for the same float32
// inputs; factors have |diag| in [0.5, 1.5], so cond(L) <= ~30 up to d = 16.
// Values reach 160 and gradient entries 330 at d = 16.
// Fast path: float64 accumulation, one float32 rounding of each output, so the
// error is about u = 6e-8 times the largest term: measured at most 1.2e-5
// absolute (an entry of size 334). rtol 1e-5, atol 2e-5 leaves a 10x margin
// on the worst entry and still fails on any real mistake (a wrong sign, a
// missing term, a transposed factor all give errors of order 1).
// Composite path: float32 matMuls over log2(d) stages and the cancellation in
// 1/2(||X||^2 - d) carried in float32: measured at most 8.9e-5 absolute (same
// entry of size 334), so rtol 1e-4, atol 2e-4.
const TOL: Tol = compositePath() ? {rtol: 1e-4, atol: 2e-4} : {rtol: 1e-5, atol: 2e-5};

const t = (v: unknown) => tf.tensor(v as number[]);

/** log N(x; m, L L^T) in plain float64 JS, by forward substitution. */
function logDensity(x: number[], m: number[], L: number[][]): number {
  const d = x.length;
  const z: number[] = [];
  let logDet = 0;
  for (let i = 0; i < d; i++) {
    let s = (x[i] as number) - (m[i] as number);
    for (let k = 0; k < i; k++) s -= (L[i]![k] as number) * (z[k] as number);
    z.push(s / (L[i]![i] as number));
    logDet += Math.log(Math.abs(L[i]![i] as number));
  }
  return -0.5 * z.reduce((a, b) => a + b * b, 0) - logDet - 0.5 * d * Math.log(2 * Math.PI);
}

describe('klDivergence', () => {
  it.each(cases.map((c) => [c.d, JSON.stringify(c.batch), c.negativeDiag ? 'with' : 'without', c] as const))(
    'klDivergence(d = %i, batch %s, %s negative diagonals) matches float64 torch, values and gradients',
    (_d, _b, _n, c) => {
      const args = [t(c.mean1), t(c.scaleTril1), t(c.mean2), t(c.scaleTril2)];
      const kl = klDivergence(args[0]!, args[1]!, args[2]!, args[3]!);
      expect(kl.shape).toEqual(c.batch);
      expectClose(kl, c.kl as number[], TOL, 'kl');
      const w = t(c.weights);
      const grads = tf.grads((m1: tf.Tensor, l1: tf.Tensor, m2: tf.Tensor, l2: tf.Tensor) =>
        tf.sum(tf.mul(klDivergence(m1, l1, m2, l2), w)))(args);
      expectClose(grads[0]!, c.gradMean1, TOL, 'gradMean1');
      expectClose(grads[1]!, c.gradScaleTril1, TOL, 'gradScaleTril1');
      expectClose(grads[2]!, c.gradMean2, TOL, 'gradMean2');
      expectClose(grads[3]!, c.gradScaleTril2, TOL, 'gradScaleTril2');
    });

  it('klDivergence reproduces the notebook: 0.6441068611 for covParams [1,.5,1] vs [2,.5,2]', () => {
    const kl = klDivergence([0, 0], fillTriangular([1, 0.5, 1]), [0, 0], fillTriangular([2, 0.5, 2]));
    expect(Math.abs(kl.dataSync()[0]! - 0.6441068611)).toBeLessThan(2e-6);
  });

  it('klDivergence agrees with float64 grid integration over [-10, 10]^2 on 1000 x 1000 points', () => {
    // The notebook's numerical KL, recomputed here in plain JS float64:
    // sum p log(p/q) dx dy with the bivariate normal densities in closed form.
    const S1 = [[1, 0.5], [0.5, 1.25]];
    const S2 = [[4, 1], [1, 4.25]];
    const dens = (S: number[][]) => {
      const [a, b, c] = [S[0]![0]!, S[0]![1]!, S[1]![1]!];
      const det = a * c - b * b;
      const norm = 1 / (2 * Math.PI * Math.sqrt(det));
      return (x: number, y: number) => norm * Math.exp(-0.5 * (c * x * x - 2 * b * x * y + a * y * y) / det);
    };
    const p = dens(S1);
    const q = dens(S2);
    const n = 1000;
    const h = 20 / (n - 1);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const x = -10 + i * h;
        const y = -10 + j * h;
        const pv = p(x, y);
        if (pv > 0) sum += pv * Math.log(pv / q(x, y));
      }
    }
    const grid = sum * h * h;
    expect(Math.abs(grid - notebook.gridKL)).toBeLessThan(1e-9); // the notebook's scipy value, from the fixture
    const kl = klDivergence([0, 0], fillTriangular([1, 0.5, 1]), [0, 0], fillTriangular([2, 0.5, 2])).dataSync()[0]!;
    // The Riemann sum of a smooth, rapidly decaying integrand is accurate to ~1e-9
    // here; the float32 KL is accurate to ~1e-7 relative.
    expect(Math.abs(kl - grid)).toBeLessThan(2e-6);
  });

  it('klDivergence at d = 5 agrees with a seeded Monte Carlo estimate within 4 standard errors', () => {
    const d = 5;
    const rnd = rng(12345).normal;
    const mk = (scale: number) => Array.from({length: d}, (_, i) => Array.from({length: d}, (_, j) =>
      (j < i ? 0.3 * rnd() : j === i ? scale * (0.8 + 0.1 * i) : 0)));
    const L1 = mk(1);
    const L2 = mk(1.3);
    const m1 = Array.from({length: d}, () => rnd());
    const m2 = Array.from({length: d}, () => rnd());
    // E_p[log p(x) - log q(x)], x = m1 + L1 eps, in float64 JS.
    const n = 20000;
    let s = 0;
    let s2 = 0;
    for (let k = 0; k < n; k++) {
      const eps = Array.from({length: d}, () => rnd());
      const x = m1.map((mi, i) => mi + L1[i]!.reduce((acc, lij, j) => acc + lij * eps[j]!, 0));
      const v = logDensity(x, m1, L1) - logDensity(x, m2, L2);
      s += v;
      s2 += v * v;
    }
    const mean = s / n;
    const se = Math.sqrt((s2 / n - mean * mean) / n);
    const kl = klDivergence(m1, L1, m2, L2).dataSync()[0]!;
    expect(se).toBeGreaterThan(0);
    expect(Math.abs(kl - mean)).toBeLessThan(4 * se);
  });

  it('klDivergence(p, p) is 0 and klDivergence(p, q) >= 0 over 64 random pairs at d = 4', () => {
    const m = tf.randomNormal([64, 4], 0, 1, 'float32', 1);
    const raw = tf.randomNormal([64, 4, 4], 0, 0.5, 'float32', 2);
    const L = tf.add(tf.mul(raw, tf.tensor2d([[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]])), tf.mul(tf.eye(4), tf.randomUniform([64, 4, 1], 0.5, 2, 'float32', 3)));
    const m2 = tf.randomNormal([64, 4], 0, 1, 'float32', 4);
    const L2 = tf.reverse(L, 0);
    // KL(p || p) = 0 exactly; what remains is float32 rounding of the solve and the log terms (d = 4).
    expectClose(klDivergence(m, L, m, L), tf.zeros([64]), {rtol: 0, atol: 2e-6});
    const kl = klDivergence(m, L, m2, L2).dataSync();
    expect(Math.min(...kl)).toBeGreaterThan(0);
  });

  it('klDivergence broadcasts a single q against a batch of p', () => {
    const kl = klDivergence([[0, 0], [1, 1]], fillTriangular([[1, 0.5, 1], [1, 0.5, 1]]), [0, 0], fillTriangular([2, 0.5, 2]));
    expect(kl.shape).toEqual([2]);
    expect(Math.abs(kl.dataSync()[0]! - 0.6441068611)).toBeLessThan(2e-6);
  });

  it('klDivergence with a zero diagonal in q is finite, values and gradients (diagonal guard)', () => {
    const L2 = tf.tensor2d([[0, 0], [0.5, 1]]);
    const [kl, g] = [klDivergence([0, 0], tf.eye(2), [0, 0], L2), tf.grad((l: tf.Tensor) => tf.sum(klDivergence([0, 0], tf.eye(2), [0, 0], l)))(L2)];
    expect(allFinite(kl)).toBe(true);
    expect(allFinite(g)).toBe(true);
    // With the guard off, the zero diagonal gives a non-finite value, as in TFP.
    expect(allFinite(klDivergence([0, 0], tf.eye(2), [0, 0], L2, {minDiag: 0}))).toBe(false);
  });

  it('klDivergence throws for mismatched mean and factor dimensions, naming the shapes', () => {
    expect(() => klDivergence([0, 0], tf.eye(3), [0, 0], tf.eye(2))).toThrow(/klDivergence\(\): scaleTril1 must have shape \[\.\.\., 2, 2\].*\[2\].*\[3,3\]/);
    expect(() => klDivergence([0, 0], tf.eye(2), [0, 0, 0], tf.eye(2))).toThrow(/klDivergence\(\): mean2 must have shape \[\.\.\., 2\].*\[3\]/);
    expect(() => klDivergence(tf.zeros([3, 2]), tf.eye(2), tf.zeros([4, 2]), tf.eye(2))).toThrow(/klDivergence\(\): batch dimensions of mean1 \[3,2\] and mean2 \[4,2\]/);
  });

  it('klDivergence and its gradients leave no tensors behind', () => {
    const args = [tf.zeros([3, 2]), tf.eye(2), tf.ones([3, 2]), tf.mul(tf.eye(2), 2)];
    expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(klDivergence(a, b, c, d)))(args).forEach((x) => x.dispose()));
  });
});

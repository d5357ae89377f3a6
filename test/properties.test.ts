/**
 * Property tests (fast-check, 200 random cases per property on each backend).
 * Random Gaussians have d in 1..5, |diag L| in [0.5, 2] with random signs,
 * off-diagonal entries in [-0.5, 0.5] and means in [-2, 2]: condition
 * numbers stay below ~1e2, where float32 keeps about 5 significant digits.
 */
import * as fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';

import {fillTriangular, fillTriangularInverse, gaussianNLLLoss, klDivergence} from '../src/index';
import {compositePath} from './helpers';

const RUNS = 200;
// Fast path: float64 inside, one rounding: 1e-5 relative. Composite: float32 throughout.
const RTOL = compositePath() ? 1e-4 : 1e-5;

interface G { d: number; mean: number[]; L: number[][] }

const f32 = (v: number) => Math.fround(v);
const gaussian = (d: number): fc.Arbitrary<G> => fc.record({
  d: fc.constant(d),
  mean: fc.array(fc.double({min: -2, max: 2, noNaN: true}).map(f32), {minLength: d, maxLength: d}),
  L: fc.array(fc.array(fc.double({min: -0.5, max: 0.5, noNaN: true}), {minLength: d, maxLength: d}), {minLength: d, maxLength: d}),
  diag: fc.array(fc.tuple(fc.double({min: 0.5, max: 2, noNaN: true}), fc.boolean()), {minLength: d, maxLength: d}),
}).map(({mean, L, diag}) => ({
  d,
  mean,
  L: L.map((row, i) => row.map((v, j) => (j < i ? f32(v) : j === i ? f32(diag[i]![0] * (diag[i]![1] ? -1 : 1)) : 0))),
}));
const pair = fc.integer({min: 1, max: 5}).chain((d) => fc.tuple(gaussian(d), gaussian(d)));

const kl = (p: G, q: G) => tf.tidy(() => klDivergence(p.mean, p.L, q.mean, q.L).dataSync()[0]!);

/** -log N(x; mean, Sigma) in float64 JS from Sigma = L L^T, by Gaussian elimination (no Cholesky). */
function nllFromCovariance(x: number[], g: G): number {
  const d = g.d;
  const S = g.L.map((ri) => g.L.map((rj) => ri.reduce((a, v, k) => a + v * rj[k]!, 0)));
  const r = x.map((v, i) => v - g.mean[i]!);
  // Solve S y = r and accumulate log det S from the pivots (partial pivoting).
  const A = S.map((row, i) => [...row, r[i]!]);
  let logDet = 0;
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let i = c + 1; i < d; i++) if (Math.abs(A[i]![c]!) > Math.abs(A[p]![c]!)) p = i;
    [A[c], A[p]] = [A[p]!, A[c]!];
    const piv = A[c]![c]!;
    logDet += Math.log(Math.abs(piv));
    for (let i = c + 1; i < d; i++) {
      const f = A[i]![c]! / piv;
      for (let j = c; j <= d; j++) A[i]![j] = A[i]![j]! - f * A[c]![j]!;
    }
  }
  const y = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let s = A[i]![d]!;
    for (let j = i + 1; j < d; j++) s -= A[i]![j]! * y[j]!;
    y[i] = s / A[i]![i]!;
  }
  const maha = r.reduce((a, v, i) => a + v * y[i]!, 0);
  return 0.5 * (d * Math.log(2 * Math.PI) + logDet + maha);
}

const row = (g: G) => [...g.mean, ...g.L.flat()];

describe('properties', () => {
  it('klDivergence(p, q) >= -tolerance for random pairs', () => {
    fc.assert(fc.property(pair, ([p, q]) => kl(p, q) >= -RTOL * p.d), {numRuns: RUNS, seed: 1});
  });

  it('klDivergence(p, p) is 0 within tolerance for random p', () => {
    fc.assert(fc.property(fc.integer({min: 1, max: 5}).chain(gaussian), (p) => Math.abs(kl(p, p)) <= RTOL * p.d), {numRuns: RUNS, seed: 2});
  });

  it('KL and NLL do not change when columns of L flip sign (L diag(s) gives the same covariance)', () => {
    const flipped = pair.chain(([p, q]) => fc.tuple(fc.constant(p), fc.constant(q),
      fc.array(fc.boolean(), {minLength: p.d, maxLength: p.d}), fc.array(fc.double({min: -3, max: 3, noNaN: true}).map(f32), {minLength: p.d, maxLength: p.d})));
    fc.assert(fc.property(flipped, ([p, q, signs, x]) => {
      const flip = (g: G): G => ({...g, L: g.L.map((r) => r.map((v, j) => (signs[j] ? -v : v)))});
      const close = (a: number, b: number) => Math.abs(a - b) <= RTOL * (1 + Math.abs(b));
      const nll = (g: G) => tf.tidy(() => gaussianNLLLoss()([x], [row(g)]).dataSync()[0]!);
      return close(kl(flip(p), flip(q)), kl(p, q)) && close(kl(flip(p), q), kl(p, q)) && close(nll(flip(q)), nll(q));
    }), {numRuns: RUNS, seed: 3});
  });

  it('fillTriangular round trips exactly for random n, batch and triangle', () => {
    const arb = fc.tuple(fc.integer({min: 1, max: 7}), fc.integer({min: 1, max: 3}), fc.boolean(), fc.integer());
    fc.assert(fc.property(arb, ([n, b, upper, seed]) => tf.tidy(() => {
      const x = tf.randomNormal([b, (n * (n + 1)) / 2], 0, 1, 'float32', seed);
      const back = fillTriangularInverse(fillTriangular(x, upper), upper).dataSync();
      return x.dataSync().every((v, i) => v === back[i]);
    })), {numRuns: RUNS, seed: 4});
  });

  it('gaussianNLLLoss equals -log of the density computed from the covariance (float64 elimination)', () => {
    const arb = fc.integer({min: 1, max: 5}).chain((d) => fc.tuple(gaussian(d),
      fc.array(fc.double({min: -3, max: 3, noNaN: true}).map(f32), {minLength: d, maxLength: d})));
    fc.assert(fc.property(arb, ([g, x]) => {
      const ours = tf.tidy(() => gaussianNLLLoss()([x], [row(g)]).dataSync()[0]!);
      const ref = nllFromCovariance(x, g);
      return Math.abs(ours - ref) <= RTOL * (1 + Math.abs(ref));
    }), {numRuns: RUNS, seed: 5});
  });
});

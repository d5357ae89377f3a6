import * as tf from '@tensorflow/tfjs';

import {cholesky} from '../../src/index';
import {compositePath, expectNoLeak, fixture} from '../helpers';

interface CholeskyCase { n: number; batch: number[]; cond: number; a: unknown; l: unknown; weights: unknown; gradA: unknown }
const {cases} = fixture<{cases: CholeskyCase[]}>('cholesky.json');
const t = (v: unknown) => tf.tensor(v as number[]);

type Nested = number | Nested[];
const flat = (x: Nested): number[] => (typeof x === 'number' ? [x] : x.flatMap(flat));

/**
 * Normwise closeness: every entry within `tol * max|expected|`. Cholesky
 * factors and their gradients are accurate relative to the matrix's scale,
 * not entry by entry (a tiny entry carries the error of its large neighbours).
 */
function expectNormwise(actual: tf.Tensor, expected: unknown, tol: number, label: string): void {
  const a = actual.dataSync();
  const e = flat(expected as Nested);
  expect(a.length).toBe(e.length);
  const scale = Math.max(...e.map(Math.abs));
  let worst = 0;
  e.forEach((v, i) => {
    const err = Math.abs((a[i] as number) - v);
    worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
  });
  if (worst > tol * scale) throw new Error(`${label}: error ${(worst / scale).toExponential(2)} of max|x|, allowed ${tol.toExponential(2)}`);
}

// Fixtures: torch.linalg.cholesky in float64 on float32 SPD inputs with
// eigenvalues log-spaced over a condition number κ up to 1e6, n up to 32;
// gradients by autograd, checked in the generator against float64 central
// differences along random symmetric directions.
// Fused kernels: float64 inside, one float32 rounding of each output; the
// gradient kernel reads the float32-rounded factor. Measured worst error:
// 4.3e-8 of max|L| and 2.0e-7 of max|dA| over all κ: tolerance 2e-6 (10x).
// Composite path: float32 column steps and a float32 Neumann-product inverse;
// its error grows with κ. Measured: L 7e-7 / 1.1e-6 / 1.4e-5 and dA
// 6.5e-6 / 6.1e-6 / 5.7e-4 at κ = 1e3 / 1e4 / 1e6; tolerances
// 2e-6 + 3e-11 κ for L and 2e-5 + 1e-9 κ for dA (about 2x at each).
const tolL = (cond: number) => (compositePath() ? 2e-6 + 3e-11 * cond : 2e-6);
const tolG = (cond: number) => (compositePath() ? 2e-5 + 1e-9 * cond : 2e-6);

describe('cholesky', () => {
  it.each(cases.map((c) => [c.n, JSON.stringify(c.batch), c.cond, c] as const))(
    'cholesky(n = %i, batch %s, condition %d) matches float64 torch.linalg.cholesky, factor and symmetric gradient',
    (_n, _b, cond, c) => {
      const A = t(c.a);
      const L = cholesky(A);
      expect(L.shape).toEqual(A.shape);
      expectNormwise(L, c.l, tolL(cond), 'L');
      const G = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(cholesky(a), t(c.weights))))(A);
      expectNormwise(G, c.gradA, tolG(cond), 'dA');
    });

  it('cholesky(a) is lower triangular with a positive diagonal, and L·Lᵀ rebuilds a', () => {
    for (const c of cases.filter((k) => k.cond <= 1e2)) {
      const A = t(c.a);
      const L = cholesky(A);
      const n = c.n;
      const v = L.dataSync();
      for (let m = 0; m < v.length / (n * n); m++) {
        for (let i = 0; i < n; i++) {
          expect(v[m * n * n + i * n + i]!).toBeGreaterThan(0);
          for (let j = i + 1; j < n; j++) expect(v[m * n * n + i * n + j]).toBe(0);
        }
      }
      expectNormwise(tf.matMul(L, L, false, true), c.a, 1e-5, `L·Lᵀ n = ${n}`);
    }
  });

  it('cholesky reads only the lower triangle of a, as tf.linalg.cholesky does', () => {
    const c = cases.find((k) => k.n === 8 && k.cond === 1e2)!;
    const A = t(c.a);
    const noisy = tf.add(A, tf.mul(tf.randomNormal(A.shape, 0, 100, 'float32', 3),
      tf.sub(1, tf.linalg.bandPart(tf.ones([8, 8]), -1, 0))));
    expect(Array.from(cholesky(noisy).dataSync())).toEqual(Array.from(cholesky(A).dataSync()));
  });

  it('the gradient of cholesky is symmetric', () => {
    const c = cases.find((k) => k.n === 32 && k.cond === 1e1)!;
    const G = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(cholesky(a), t(c.weights))))(t(c.a));
    expect(Array.from(G.dataSync())).toEqual(Array.from(tf.transpose(G).dataSync()));
  });

  it('a matrix that is not positive definite gets a factor of NaN; the rest of the batch is unaffected', () => {
    const A = tf.tensor3d([[[4, 2], [2, 3]], [[1, 2], [2, 1]], [[0, 0], [0, 1]], [[NaN, 0], [0, 1]], [[9, 0], [3, 2]]]);
    const L = cholesky(A).arraySync() as number[][][];
    expect(L[0]).toEqual([[2, 0], [1, Math.fround(Math.SQRT2)]]);
    for (const m of [1, 2, 3]) expect(L[m]!.flat().every(Number.isNaN)).toBe(true);
    expect(L[4]).toEqual([[3, 0], [1, 1]]);
  });

  it('cholesky({validateArgs: true}) names the batch index and the failing pivot of a matrix that is not positive definite', () => {
    const A = tf.tensor4d([[[[4, 2], [2, 3]], [[4, 2], [2, 3]]], [[[4, 2], [2, 3]], [[1, 2], [2, 1]]]]);
    expect(() => cholesky(A, {validateArgs: true})).toThrow(
      /^cholesky\(\): a is not positive definite: the matrix at batch index \[1,1\] fails at pivot 1 \(a\[1\]\[1\] - ‖L\[1\]\[:1\]‖² = -3\.000, must be > 0\) \(validateArgs\)\.$/);
    expect(() => cholesky([[1, 0], [NaN, 1]], {validateArgs: true})).toThrow(
      /^cholesky\(\): a has a non-finite value \(NaN\) at batch index \[\], entry \[1\]\[0\] \(validateArgs\)\.$/);
    expect(cholesky(A.slice([0], [1]), {validateArgs: true}).shape).toEqual([1, 2, 2, 2]);
  });

  it('cholesky rejects a non-square or rank-1 a, naming the shape', () => {
    expect(() => cholesky(tf.zeros([3, 2, 3]))).toThrow(/^cholesky\(\): a must be square \[\.\.\., n, n\], but got shape \[3,2,3\]\.$/);
    expect(() => cholesky([1, 2])).toThrow(/^cholesky\(\): a must have shape \[\.\.\., n, n\] \(rank >= 2\), but got shape \[2\]\.$/);
  });

  it('cholesky of a batch of one and of a single matrix work, and a [..., 0, 0] input gives [..., 0, 0]', () => {
    expect(cholesky(tf.tensor3d([[[4]]])).arraySync()).toEqual([[[2]]]);
    expect(cholesky([[9]]).arraySync()).toEqual([[3]]);
    expect(cholesky(tf.zeros([2, 0, 0])).shape).toEqual([2, 0, 0]);
  });

  it('cholesky and its gradient leak no tensors', () => {
    const c = cases.find((k) => k.n === 8 && k.cond === 1e2)!;
    const A = t(c.a);
    expectNoLeak(() => cholesky(A).dispose());
    expectNoLeak(() => tf.grad((a: tf.Tensor) => tf.sum(cholesky(a)))(A).dispose());
  });
});

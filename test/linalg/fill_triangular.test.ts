import * as tf from '@tensorflow/tfjs';

import {fillTriangular, fillTriangularInverse} from '../../src/index';
import {expectExact, expectNoLeak, fixture} from '../helpers';

interface FillCase { n: number; upper: boolean; x: number[]; y: number[][] }
const {cases} = fixture<{cases: FillCase[]}>('fill_triangular.json');

/**
 * A plain-JS port of TFP's NumPy reference `_fill_triangular` (TFP's
 * fill_triangular tests): concatenate x with its reversed tail, reshape,
 * keep one triangle. Works on one vector; batches loop over it.
 */
function refFill(x: number[], upper: boolean): number[][] {
  const m = x.length;
  const n = Math.sqrt(0.25 + 2 * m) - 0.5;
  const tail = x.slice(m - (n * n - m));
  const y = upper ? [...x, ...tail.reverse()] : [...tail, ...x.slice().reverse()];
  return Array.from({length: n}, (_, i) => Array.from({length: n}, (_, j) =>
    (upper ? j >= i : j <= i) ? y[i * n + j] as number : 0));
}

describe('fillTriangular', () => {
  it('fillTriangular([1..6]) gives TFP\'s documented lower and upper matrices', () => {
    expect(fillTriangular([1, 2, 3, 4, 5, 6]).arraySync()).toEqual([[4, 0, 0], [6, 5, 0], [3, 2, 1]]);
    expect(fillTriangular([1, 2, 3, 4, 5, 6], true).arraySync()).toEqual([[1, 2, 3], [0, 5, 6], [0, 0, 4]]);
  });

  it.each(cases.map((c) => [c.n, c.upper ? 'upper' : 'lower', c] as const))(
    'fillTriangular(n = %i, %s) equals TFP\'s NumPy reference exactly', (_n, _kind, c) => {
      expect(fillTriangular(c.x, c.upper).arraySync()).toEqual(c.y);
      expect(fillTriangularInverse(c.y, c.upper).arraySync()).toEqual(c.x);
    });

  it.each([false, true])('fillTriangular([2, 3, 28], upper=%s) matches the JS port of TFP\'s reference', (upper) => {
    const x = tf.randomNormal([2, 3, 28], 0, 1, 'float32', 7);
    const rows = x.arraySync() as number[][][];
    const expected = rows.map((r) => r.map((v) => refFill(v, upper)));
    expect(fillTriangular(x, upper).shape).toEqual([2, 3, 7, 7]);
    expectExact(fillTriangular(x, upper), expected);
  });

  it.each([false, true])('fillTriangular(upper=%s) sends each entry\'s gradient back from its own place', (upper) => {
    // Weighting the output by distinct numbers W and differentiating sum(W * fill(x))
    // gives grad[k] = W at the place x[k] lands, found with the reference on a one-hot x.
    const n = 5;
    const m = 15;
    const W = Array.from({length: n}, (_, i) => Array.from({length: n}, (_, j) => 1 + i * n + j));
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(fillTriangular(x, upper), W)))(tf.ones([m]));
    const expected = Array.from({length: m}, (_, k) => {
      const onehot = refFill(Array.from({length: m}, (_, i) => (i === k ? 1 : 0)), upper);
      return W.flat()[onehot.flat().indexOf(1)] as number;
    });
    expect(Array.from(g.dataSync())).toEqual(expected);
    expect(new Set(expected).size).toBe(m);
  });

  it('fillTriangular has a gradient for a batch of one (where tf.linalg.bandPart throws)', () => {
    const g = tf.grad((x: tf.Tensor) => tf.sum(fillTriangular(x)))(tf.ones([1, 3]));
    expect(Array.from(g.dataSync())).toEqual([1, 1, 1]);
  });

  it('fillTriangularInverse(fillTriangular(x)) returns x exactly, both triangles', () => {
    const x = tf.randomNormal([4, 10], 0, 1, 'float32', 3);
    for (const upper of [false, true]) {
      expect(Array.from(fillTriangularInverse(fillTriangular(x, upper), upper).dataSync())).toEqual(Array.from(x.dataSync()));
    }
  });

  it('fillTriangular(fillTriangularInverse(A)) keeps exactly the named triangle of A', () => {
    const A = tf.randomNormal([3, 4, 4], 0, 1, 'float32', 5);
    const lower = tf.mul(A, tf.tensor2d([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]]));
    expectExact(fillTriangular(fillTriangularInverse(A)), lower);
    const upper = tf.mul(A, tf.tensor2d([[1, 1, 1, 1], [0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 1]]));
    expectExact(fillTriangular(fillTriangularInverse(A, true), true), upper);
  });

  it('fillTriangular throws for a size m that is not triangular, naming m', () => {
    expect(() => fillTriangular(tf.zeros([2, 7]))).toThrow(/fillTriangular\(\).*m = 7.*\[2,7\]/);
    expect(() => fillTriangular(tf.scalar(1))).toThrow(/fillTriangular\(\): x must have shape \[\.\.\., m\]/);
  });

  it('fillTriangularInverse throws for non-square input, naming the shape', () => {
    expect(() => fillTriangularInverse(tf.zeros([2, 3]))).toThrow(/fillTriangularInverse\(\).*\[2,3\]/);
  });

  it('fillTriangular and its gradient leave no tensors behind', () => {
    const x = tf.ones([2, 6]);
    expectNoLeak(() => tf.grad((v: tf.Tensor) => tf.sum(fillTriangular(v)))(x).dispose());
    expectNoLeak(() => tf.tidy(() => { fillTriangularInverse(fillTriangular(x)); }));
  });
});

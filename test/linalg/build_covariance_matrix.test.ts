import * as tf from '@tensorflow/tfjs';

import {buildCovarianceMatrix} from '../../src/index';
import {expectClose, expectNoLeak, finiteDiff} from '../helpers';

describe('buildCovarianceMatrix', () => {
  it('buildCovarianceMatrix gives the notebook\'s covariances for [1, .5, 1] and [2, .5, 2]', () => {
    // L = [[1, 0], [0.5, 1]] and [[2, 0], [0.5, 2]] in TFP's fill order.
    // Sums of products of short binary fractions: exact in float32; the atol only allows for summation order.
    expectClose(buildCovarianceMatrix([1, 0.5, 1]), [[1, 0.5], [0.5, 1.25]], {rtol: 0, atol: 1e-7});
    expectClose(buildCovarianceMatrix([[2, 0.5, 2]]), [[[4, 1], [1, 4.25]]], {rtol: 0, atol: 1e-6});
  });

  it('buildCovarianceMatrix output is symmetric positive definite for a batch [4, 3, 10]', () => {
    // Packed params with the diagonal kept away from zero: entries 0..3 land on the diagonal for n = 4.
    const raw = tf.randomNormal([4, 3, 10], 0, 1, 'float32', 11);
    const cov = buildCovarianceMatrix(raw);
    expect(cov.shape).toEqual([4, 3, 4, 4]);
    expectClose(cov, tf.transpose(cov, [0, 1, 3, 2]), {rtol: 0, atol: 0});
    // Positive definite: every leading principal minor positive (Sylvester), in float64 JS.
    const mats = (cov.arraySync() as number[][][][]).flat();
    for (const S of mats) {
      const a = S.map((r) => r.slice());
      for (let k = 0; k < 4; k++) {
        const pivot = a[k]![k]!;
        expect(pivot).toBeGreaterThan(0);
        for (let i = k + 1; i < 4; i++) {
          const f = a[i]![k]! / pivot;
          for (let j = k; j < 4; j++) a[i]![j] = a[i]![j]! - f * a[k]![j]!;
        }
      }
    }
  });

  it('buildCovarianceMatrix gradient matches float64 finite differences', () => {
    // f(theta) = sum(W * L L^T) with L = fillTriangular(theta), n = 3, written
    // out in plain JS from TFP's fill order [[t3, 0, 0], [t5, t4, 0], [t2, t1, t0]].
    const W = [[1, -2, 0.5], [0.3, 2, -1], [1.5, 0.7, -0.4]];
    const Lof = (t: Float64Array) => [[t[3]!, 0, 0], [t[5]!, t[4]!, 0], [t[2]!, t[1]!, t[0]!]];
    const f = (t: Float64Array) => {
      const L = Lof(t);
      let s = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += W[i]![j]! * L[i]!.reduce((a, v, k) => a + v * L[j]![k]!, 0);
      return s;
    };
    const t0 = [0.9, -0.3, 0.4, 1.2, 0.8, -0.6];
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(buildCovarianceMatrix(t), W)))(tf.tensor1d(t0));
    // f is quadratic, so central differences are exact up to float64 rounding
    // (~1e-10); the float32 gradient has entries <= 10.
    expectClose(g, Array.from(finiteDiff(f, Float64Array.from(t0))), {rtol: 1e-6, atol: 1e-5});
  });

  it('buildCovarianceMatrix throws for a size that is not triangular, naming it', () => {
    expect(() => buildCovarianceMatrix([1, 2])).toThrow(/buildCovarianceMatrix\(\).*m = 2/);
  });

  it('buildCovarianceMatrix leaves no tensors behind', () => {
    expectNoLeak(() => buildCovarianceMatrix([1, 0.5, 1]).dispose());
  });
});

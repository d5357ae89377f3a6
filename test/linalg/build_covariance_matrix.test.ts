import * as tf from '@tensorflow/tfjs';

import {buildCovarianceMatrix} from '../../src/index';
import {expectClose, expectNoLeak} from '../helpers';

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

  it('buildCovarianceMatrix throws for a size that is not triangular, naming it', () => {
    expect(() => buildCovarianceMatrix([1, 2])).toThrow(/buildCovarianceMatrix\(\).*m = 2/);
  });

  it('buildCovarianceMatrix leaves no tensors behind', () => {
    expectNoLeak(() => buildCovarianceMatrix([1, 0.5, 1]).dispose());
  });
});

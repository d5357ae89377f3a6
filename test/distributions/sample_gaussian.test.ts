import * as tf from '@tensorflow/tfjs';

import {sampleGaussian} from '../../src/index';
import {expectExact, expectNoLeak} from '../helpers';

describe('sampleGaussian', () => {
  it('sampleGaussian returns [numSamples, ...batch, d] with the sample axis first', () => {
    expect(sampleGaussian(tf.zeros([4, 3]), tf.eye(3), 5, 1).shape).toEqual([5, 4, 3]);
    expect(sampleGaussian([0, 0], tf.eye(2), 2, 1).shape).toEqual([2, 2]);
  });

  it('sampleGaussian: mean and covariance of 20 000 draws are within 5 standard errors', () => {
    const mean = [1, -2, 0.5];
    const L = [[1.5, 0, 0], [0.8, 0.6, 0], [-0.4, 0.3, 0.9]];
    const S = L.map((ri) => L.map((rj) => ri.reduce((a, v, k) => a + v * rj[k]!, 0)));
    const n = 20000;
    const x = sampleGaussian(mean, L, n, 7).arraySync() as number[][];
    const m = [0, 1, 2].map((i) => x.reduce((a, r) => a + r[i]!, 0) / n);
    for (let i = 0; i < 3; i++) {
      // SE of a sample mean: sqrt(S_ii / n).
      expect(Math.abs(m[i]! - mean[i]!)).toBeLessThan(5 * Math.sqrt(S[i]![i]! / n));
      for (let j = 0; j <= i; j++) {
        const c = x.reduce((a, r) => a + (r[i]! - mean[i]!) * (r[j]! - mean[j]!), 0) / n;
        // SE of a Gaussian sample covariance (known mean): sqrt((S_ii S_jj + S_ij^2) / n).
        const se = Math.sqrt((S[i]![i]! * S[j]![j]! + S[i]![j]! ** 2) / n);
        expect(Math.abs(c - S[i]![j]!)).toBeLessThan(5 * se);
      }
    }
  });

  it('sampleGaussian with the same seed gives the same samples, another seed others', () => {
    const a = sampleGaussian([0, 0], [[1, 0], [0.5, 1]], 10, 42);
    expectExact(sampleGaussian([0, 0], [[1, 0], [0.5, 1]], 10, 42), a);
    expect(Array.from(sampleGaussian([0, 0], [[1, 0], [0.5, 1]], 10, 43).dataSync())).not.toEqual(Array.from(a.dataSync()));
  });

  it('sampleGaussian reads only the lower triangle of scaleTril', () => {
    expectExact(sampleGaussian([0, 0], [[1, 99], [0.5, 1]], 10, 3), sampleGaussian([0, 0], [[1, 0], [0.5, 1]], 10, 3));
  });

  it('sampleGaussian throws for a bad numSamples or mismatched shapes', () => {
    expect(() => sampleGaussian([0, 0], tf.eye(2), 0)).toThrow(/sampleGaussian\(\): numSamples must be a positive integer, but got 0/);
    expect(() => sampleGaussian([0, 0], tf.eye(3), 2)).toThrow(/sampleGaussian\(\): scaleTril must have shape \[\.\.\., 2, 2\].*\[3,3\]/);
  });

  it('sampleGaussian leaves no tensors behind', () => {
    const L = tf.eye(2);
    expectNoLeak(() => sampleGaussian([0, 0], L, 4, 1).dispose());
  });
});

import * as tf from '@tensorflow/tfjs';

import {gaussianParamsSize, packGaussian, unpackGaussian} from '../../src/index';
import {expectExact, expectNoLeak} from '../helpers';

describe('packGaussian / unpackGaussian', () => {
  it('unpackGaussian splits a full-layout row and drops the upper entry', () => {
    const {mean, scaleTril} = unpackGaussian([[1, 2, 1, 9, 0.5, 1]]);
    expectExact(mean, [[1, 2]]);
    expectExact(scaleTril, [[[1, 0], [0.5, 1]]]);
  });

  it('unpackGaussian reads the packed layout in fillTriangular order', () => {
    const {scaleTril} = unpackGaussian([0, 0, 0, 1, 2, 3, 4, 5, 6], {layout: 'packed'});
    expectExact(scaleTril, [[4, 0, 0], [6, 5, 0], [3, 2, 1]]);
  });

  it.each(['full', 'packed'] as const)('packGaussian(unpackGaussian(y)) equals y exactly (%s layout, d = 1..5, batch [2, 3])', (layout) => {
    for (let d = 1; d <= 5; d++) {
      const w = gaussianParamsSize(d, layout);
      let y = tf.randomNormal([2, 3, w], 0, 1, 'float32', d);
      if (layout === 'full') {
        // Only lower-triangular factors survive the round trip: zero the upper part first.
        const {mean, scaleTril} = unpackGaussian(y);
        y = tf.concat([mean, tf.reshape(scaleTril, [2, 3, d * d])], -1);
      }
      const {mean, scaleTril} = unpackGaussian(y, {layout});
      expect(mean.shape).toEqual([2, 3, d]);
      expect(scaleTril.shape).toEqual([2, 3, d, d]);
      expectExact(packGaussian(mean, scaleTril, layout), y);
    }
  });

  it('unpackGaussian and packGaussian throw for sizes that do not fit, naming them', () => {
    expect(() => unpackGaussian(tf.zeros([2, 7]))).toThrow(/unpackGaussian\(\): the width of y \(7, shape \[2,7\]\) does not fit any dim in the 'full' layout/);
    expect(() => unpackGaussian(tf.zeros([2, 6]), {dim: 3})).toThrow(/unpackGaussian\(\).*dim 3/);
    expect(() => packGaussian([0, 0], tf.eye(3))).toThrow(/packGaussian\(\): scaleTril must have shape \[\.\.\., 2, 2\].*\[3,3\]/);
  });

  it('packGaussian and unpackGaussian leave no tensors behind', () => {
    const y = tf.ones([4, 6]);
    expectNoLeak(() => {
      const {mean, scaleTril} = unpackGaussian(y);
      packGaussian(mean, scaleTril).dispose();
      mean.dispose();
      scaleTril.dispose();
    });
  });
});

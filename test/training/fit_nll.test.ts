import * as tf from '@tensorflow/tfjs';

import {gaussianHead, gaussianNLLLoss, gaussianParamsSize, padTargets, sampleGaussian, unpackGaussian} from '../../src/index';

describe('model.fit with gaussianNLLLoss and gaussianHead', () => {
  it('recovers a fixed 2-D Gaussian from 512 samples (mean within 0.2, covariance within 0.3)', async () => {
    const mean = [1, -1];
    const L = [[1.2, 0], [0.6, 0.5]];
    const cov = [[1.44, 0.72], [0.72, 0.61]];
    const points = sampleGaussian(mean, L, 512, 11) as tf.Tensor2D;
    const x = tf.ones([512, 1]);
    const model = tf.sequential({layers: [
      tf.layers.dense({units: gaussianParamsSize(2), inputShape: [1], kernelInitializer: tf.initializers.glorotUniform({seed: 1})}),
      gaussianHead({dim: 2}),
    ]});
    model.compile({optimizer: tf.train.adam(0.05), loss: gaussianNLLLoss()});
    const h = await model.fit(x, padTargets(points), {batchSize: 128, epochs: 60, verbose: 0, shuffle: false});
    const losses = h.history['loss'] as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    const {mean: m, scaleTril} = unpackGaussian(model.predict(tf.ones([1, 1])) as tf.Tensor);
    const S = tf.matMul(scaleTril, scaleTril, false, true);
    const mv = m.dataSync();
    const sv = S.dataSync();
    mean.forEach((v, i) => expect(Math.abs(mv[i]! - v)).toBeLessThan(0.2));
    cov.flat().forEach((v, i) => expect(Math.abs(sv[i]! - v)).toBeLessThan(0.3));
  });
});

/**
 * GaussianMixtureHead: logits pass through, every component is made valid
 * as gaussianHead makes one Gaussian, and a model containing it survives
 * model.save -> tf.loadLayersModel.
 */
import * as tf from '@tensorflow/tfjs';

import {
  gaussianHead, gaussianMixtureHead, GaussianMixtureHead, gaussianMixtureParamsSize, gaussianParamsSize,
} from '../../src/index';
import {expectClose, expectExact, expectNoLeak} from '../helpers';

describe('gaussianMixtureHead', () => {
  it.each(['full', 'packed', 'diag'] as const)(
    'passes the K logits through and maps each component block exactly as gaussianHead (%s)', (layout) => {
      const K = 3;
      const d = 3;
      const cw = gaussianParamsSize(d, layout);
      const x = tf.randomNormal([4, gaussianMixtureParamsSize(K, d, layout)], 0, 3, 'float32', 5);
      const y = gaussianMixtureHead({components: K, dim: d, layout, diagShift: 1e-3}).apply(x) as tf.Tensor;
      expectExact(y.slice([0, 0], [-1, K]), x.slice([0, 0], [-1, K]));
      const single = gaussianHead({dim: d, layout, diagShift: 1e-3});
      // The same ops on a narrower tensor: equal to a few float32 ulps, not to
      // the bit, since tfjs-node's softplus vectorizes by tensor length (a
      // 1-ulp difference was seen there; cpu and wasm agree exactly).
      for (let k = 0; k < K; k++) {
        expectClose(y.slice([0, K + k * cw], [-1, cw]), single.apply(x.slice([0, K + k * cw], [-1, cw])) as tf.Tensor,
          {rtol: 1e-6, atol: 0}, `component ${k}`);
      }
    });

  it('leaves no tensors behind', () => {
    const head = gaussianMixtureHead({components: 2, dim: 2});
    const x = tf.ones([3, gaussianMixtureParamsSize(2, 2)]);
    expectNoLeak(() => (head.apply(x) as tf.Tensor).dispose());
  });

  it('a model with gaussianMixtureHead survives model.save -> tf.loadLayersModel with identical predictions', async () => {
    const model = tf.sequential({layers: [
      tf.layers.dense({units: 8, inputShape: [3], activation: 'tanh'}),
      tf.layers.dense({units: gaussianMixtureParamsSize(4, 2, 'packed')}),
      gaussianMixtureHead({components: 4, dim: 2, layout: 'packed', diagShift: 1e-4}),
    ]});
    const x = tf.randomNormal([5, 3], 0, 1, 'float32', 4);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      saved = a;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expectExact(loaded.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor);
    const head = loaded.layers[2] as GaussianMixtureHead;
    expect(head).toBeInstanceOf(GaussianMixtureHead);
    expect([head.components, head.dim, head.layout, head.diagShift]).toEqual([4, 2, 'packed', 1e-4]);
  });

  it('throws for bad components, dim, layout, diagShift or input width, naming the function', () => {
    expect(() => gaussianMixtureHead({components: 0, dim: 2})).toThrow(
      /^gaussianMixtureHead\(\): components must be a positive integer, but got 0\.$/);
    expect(() => gaussianMixtureHead({components: 2, dim: 1.5})).toThrow(
      /^gaussianMixtureHead\(\): dim must be a positive integer, but got 1\.5\.$/);
    expect(() => gaussianMixtureHead({components: 2, dim: 2, layout: 'band' as 'full'})).toThrow(
      /^gaussianMixtureHead\(\): layout must be one of 'full', 'packed', 'diag', 'lowrank', but got 'band'\.$/);
    expect(() => gaussianMixtureHead({components: 2, dim: 2, diagShift: -1})).toThrow(
      /^gaussianMixtureHead\(\): diagShift must be a finite number >= 0, but got -1\.$/);
    expect(() => gaussianMixtureHead({components: 2, dim: 2}).apply(tf.zeros([3, 12]))).toThrow(
      /^gaussianMixtureHead\(\): input must have width 14 for 2 components of dim 2 in the 'full' layout, but got input shape \[3,12\]\.$/);
  });
});

import * as tf from '@tensorflow/tfjs';

import {GaussianHead, gaussianHead, gaussianParamsSize, unpackGaussian} from '../../src/index';
import {allFinite, expectClose, expectExact, expectNoLeak, finiteDiff} from '../helpers';

describe('GaussianHead', () => {
  it.each(['full', 'packed'] as const)('gaussianHead (%s) maps inputs of ±1e3 to a positive finite diagonal', (layout) => {
    const d = 3;
    const w = gaussianParamsSize(d, layout);
    const head = gaussianHead({dim: d, layout});
    const x = tf.concat([tf.fill([1, w], 1e3), tf.fill([1, w], -1e3), tf.fill([1, w], 0), tf.randomNormal([5, w], 0, 100, 'float32', 1)]);
    const y = head.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([8, w]);
    expect(allFinite(y)).toBe(true);
    const {mean, scaleTril} = unpackGaussian(y, {layout});
    const diag = tf.sum(tf.mul(scaleTril, tf.eye(d)), -1);
    expect(Math.min(...diag.dataSync())).toBeGreaterThan(0);
    // softplus(-1e3) + 1e-5 = 1e-5, softplus(1e3) = 1e3, softplus(0) = log 2.
    // softplus and the shift in float32: a couple of roundings (relative 6e-8 each), so rtol 1e-6.
    expectClose(diag.slice([0, 0], [3, d]), [[1e3, 1e3, 1e3], [1e-5, 1e-5, 1e-5], Array(3).fill(Math.log(2) + 1e-5)], {rtol: 1e-6, atol: 0});
    // Means pass through unchanged.
    expectExact(mean, tf.slice(x, [0, 0], [-1, d]));
  });

  it('gaussianHead (full) zeroes the strict upper triangle and passes the strict lower one', () => {
    const y = gaussianHead({dim: 2}).apply(tf.tensor2d([[5, 6, 0, 7, -8, 0]])) as tf.Tensor;
    expectClose(y, [[5, 6, Math.log(2) + 1e-5, 0, -8, Math.log(2) + 1e-5]], {rtol: 1e-6, atol: 0});
  });

  it('gaussianHead gradient matches float64 finite differences of its closed form', () => {
    // Closed form per column: mean and strict lower pass through, diagonal
    // softplus(x) + shift, strict upper 0 ('full', d = 2: columns 2 and 5 are
    // the diagonal, 3 the upper entry).
    const kinds = ['keep', 'keep', 'diag', 'zero', 'keep', 'diag'];
    const w = [0.5, -1, 2, 3, 1.5, -0.7];
    const f = (x: Float64Array) => kinds.reduce((a, k, i) =>
      a + w[i]! * (k === 'keep' ? x[i]! : k === 'diag' ? Math.log1p(Math.exp(x[i]!)) + 1e-5 : 0), 0);
    const x0 = [0.3, -0.2, -1.5, 0.7, 0.1, 2.0];
    const fd = finiteDiff(f, Float64Array.from(x0));
    const head = gaussianHead({dim: 2});
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(head.apply(x) as tf.Tensor, tf.tensor2d([w]))))(tf.tensor2d([x0]));
    // Central differences with h = 1e-5 in float64 are accurate to ~1e-10;
    // the float32 gradient to a few ulps of entries <= 3.
    expectClose(g, [Array.from(fd)], {rtol: 1e-6, atol: 1e-6});
  });

  it('gaussianHead leaves no tensors behind', () => {
    const head = gaussianHead({dim: 2});
    const x = tf.ones([4, 6]);
    expectNoLeak(() => tf.grad((v: tf.Tensor) => tf.sum(head.apply(v) as tf.Tensor))(x).dispose());
  });

  it('GaussianHead config carries dim, layout and diagShift', () => {
    const c = gaussianHead({dim: 4, layout: 'packed', diagShift: 1e-3}).getConfig();
    expect(c).toMatchObject({dim: 4, layout: 'packed', diagShift: 1e-3});
    expect(GaussianHead.className).toBe('GaussianHead');
  });

  it('a model with gaussianHead survives model.save -> tf.loadLayersModel with identical predictions', async () => {
    const model = tf.sequential({layers: [
      tf.layers.dense({units: 8, inputShape: [3], activation: 'tanh'}),
      tf.layers.dense({units: gaussianParamsSize(2)}),
      gaussianHead({dim: 2, diagShift: 1e-4}),
    ]});
    const x = tf.randomNormal([5, 3], 0, 1, 'float32', 4);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      saved = a;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expectExact(loaded.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor);
    const head = loaded.layers[2] as GaussianHead;
    expect(head).toBeInstanceOf(GaussianHead);
    expect([head.dim, head.layout, head.diagShift]).toEqual([2, 'full', 1e-4]);
  });

  it('gaussianHead throws for a bad dim, layout or input width', () => {
    expect(() => gaussianHead({dim: 0})).toThrow(/gaussianHead\(\): dim must be a positive integer, but got 0/);
    expect(() => gaussianHead({dim: 2, layout: 'x' as 'full'})).toThrow(/gaussianHead\(\): layout must be one of/);
    expect(() => gaussianHead({dim: 2}).apply(tf.zeros([3, 5]))).toThrow(/gaussianHead\(\): input must have width 6 for dim 2 in the 'full' layout, but got input shape \[3,5\]/);
  });
});

import * as tf from '@tensorflow/tfjs';

import {
  gaussianMixtureHead, gaussianMixtureNLLLoss, gaussianMixtureParamsSize, padTargets, sampleGaussianMixture,
  unpackGaussianMixture,
} from '../../src/index';

const TRUE = {
  weights: [0.5, 0.3, 0.2],
  means: [[-3, 0], [3, 1], [0, 4]],
  scaleTril: [[[1, 0], [0.5, 0.8]], [[0.6, 0], [-0.3, 1.1]], [[0.9, 0], [0, 0.5]]],
};
const cov = (L: number[][]) => [0, 1].map((i) => [0, 1].map((j) => L[i]![0]! * L[j]![0]! + L[i]![1]! * L[j]![1]!));

const PERMS = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

describe('model.fit with gaussianMixtureNLLLoss and gaussianMixtureHead', () => {
  it('recovers a known 3-component 2-D mixture from 3000 samples (weights ±0.05, means ±0.15, covariances 0.25 relative)',
    async () => {
      const N = 3000;
      const K = 3;
      const points = sampleGaussianMixture(TRUE.weights.map(Math.log), TRUE.means, TRUE.scaleTril, N, 21) as tf.Tensor2D;
      // Start as scikit-learn's GaussianMixture does: means from k-means
      // (farthest-first seeds, then 10 Lloyd steps), equal weights, unit
      // scales. From a start at raw data points, gradient descent lets one
      // component take two clusters for hundreds of steps.
      const p = points.arraySync();
      const start = [p[0]!];
      const sq = (a: number[], b: number[]) => (a[0]! - b[0]!) ** 2 + (a[1]! - b[1]!) ** 2;
      const nearest = (a: number[]) => start.reduce((bi, s, i) => (sq(a, s) < sq(a, start[bi]!) ? i : bi), 0);
      while (start.length < K) {
        const dist = (a: number[]) => Math.min(...start.map((s) => sq(a, s)));
        start.push(p.reduce((best, a) => (dist(a) > dist(best) ? a : best)));
      }
      for (let it = 0; it < 10; it++) {
        const sums = start.map(() => ({x: 0, y: 0, n: 0}));
        for (const a of p) {
          const s = sums[nearest(a)]!;
          s.x += a[0]!;
          s.y += a[1]!;
          s.n += 1;
        }
        sums.forEach((s, i) => {
          if (s.n > 0) start[i] = [s.x / s.n, s.y / s.n];
        });
      }
      const raw1 = Math.log(Math.E - 1);  // softplus(raw1) = 1
      const bias = [0, 0, 0, ...start.flatMap((m) => [...m, raw1, 0, 0, raw1])];
      const model = tf.sequential({layers: [
        tf.layers.dense({units: gaussianMixtureParamsSize(K, 2), inputShape: [1], kernelInitializer: 'zeros',
          biasInitializer: 'zeros'}),
        gaussianMixtureHead({components: K, dim: 2}),
      ]});
      model.layers[0]!.setWeights([tf.zeros([1, bias.length]), tf.tensor1d(bias)]);
      model.compile({optimizer: tf.train.adam(0.05), loss: gaussianMixtureNLLLoss({components: K})});
      const h = await model.fit(tf.ones([N, 1]), padTargets(points, {components: K}),
        {batchSize: N, epochs: 60, verbose: 0, shuffle: false});
      expect((h.history['loss'] as number[]).every(Number.isFinite)).toBe(true);

      const u = unpackGaussianMixture(model.predict(tf.ones([1, 1])) as tf.Tensor, {components: K});
      const w = tf.softmax(u.logits).dataSync();
      const m = u.mean.arraySync() as number[][][];
      const L = u.scaleTril.arraySync() as number[][][][];
      // Match fitted components to true ones by the permutation nearest in the means.
      const cost = (perm: number[]) => perm.reduce((s, j, i) =>
        s + (m[0]![j]![0]! - TRUE.means[i]![0]!) ** 2 + (m[0]![j]![1]! - TRUE.means[i]![1]!) ** 2, 0);
      const perm = PERMS.reduce((a, b) => (cost(b) < cost(a) ? b : a));
      perm.forEach((j, i) => {
        expect(Math.abs(w[j]! - TRUE.weights[i]!)).toBeLessThan(0.05);
        m[0]![j]!.forEach((v, c) => expect(Math.abs(v - TRUE.means[i]![c]!)).toBeLessThan(0.15));
        const S = cov(L[0]![j]!);
        const T = cov(TRUE.scaleTril[i]!);
        const diff = Math.hypot(...S.flat().map((v, c) => v - T.flat()[c]!));
        expect(diff / Math.hypot(...T.flat())).toBeLessThan(0.25);
      });
    }, 120_000); // ~40 s on the composite path alone on this 2-core machine; more when a core is shared
});

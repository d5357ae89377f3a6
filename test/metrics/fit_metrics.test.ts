/**
 * The metrics inside model.compile: logged under their names, equal to a
 * direct call, kept off the gradient tape, and leak-free across fit steps.
 */
import * as tf from '@tensorflow/tfjs';

import {
  gaussianCoverage, gaussianCRPS, gaussianHead, gaussianMixtureCoverage, gaussianMixtureCRPS, gaussianNLLLoss,
  gaussianParamsSize, gaussianPIT, padTargets,
} from '../../src/index';

function model(): tf.Sequential {
  return tf.sequential({layers: [
    tf.layers.dense({units: gaussianParamsSize(2, 'packed'), inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({seed: 2})}),
    gaussianHead({dim: 2, layout: 'packed'}),
  ]});
}

describe('metrics in model.compile', () => {
  // Made once the test backend is active (test/setup), not at collection time.
  let x: tf.Tensor;
  let y: tf.Tensor;
  beforeAll(() => {
    x = tf.keep(tf.randomNormal([64, 3], 0, 1, 'float32', 1));
    y = tf.keep(tf.randomNormal([64, 2], 0, 1, 'float32', 2));
  });
  const metrics = [gaussianCoverage({layout: 'packed'}), gaussianCRPS({layout: 'packed'}), gaussianPIT({layout: 'packed'})];

  it('model.evaluate reports each metric as the batch mean of a direct call, under the metric\'s name', () => {
    const m = model();
    m.compile({optimizer: 'sgd', loss: gaussianNLLLoss({layout: 'packed'}), metrics});
    expect(m.metricsNames).toEqual(['loss', 'gaussianCoverage90', 'gaussianCRPS', 'gaussianPIT']);
    const out = m.evaluate(x, padTargets(y, 'packed'), {batchSize: 64}) as tf.Scalar[];
    const pred = m.predict(x) as tf.Tensor;
    metrics.forEach((f, i) => {
      expect(Math.abs(out[i + 1]!.dataSync()[0]! - tf.mean(f(y, pred)).dataSync()[0]!)).toBeLessThan(1e-6);
    });
  });

  it('model.fit logs the metrics per epoch and leaves tf.memory().numTensors unchanged across 20 steps', async () => {
    const m = model();
    m.compile({optimizer: tf.train.adam(0.01), loss: gaussianNLLLoss({layout: 'packed'}), metrics});
    const t = padTargets(y, 'packed');
    await m.fit(x, t, {batchSize: 16, epochs: 1, verbose: 0}); // optimizer slots and kernels
    const before = tf.memory().numTensors;
    const h = await m.fit(x, t, {batchSize: 16, epochs: 5, verbose: 0});
    expect(tf.memory().numTensors).toBe(before);
    for (const k of ['gaussianCoverage90', 'gaussianCRPS', 'gaussianPIT']) {
      expect((h.history[k] as number[]).length).toBe(5);
      expect((h.history[k] as number[]).every(Number.isFinite)).toBe(true);
    }
  });

  it('a metric computed while the tape records adds no tape node (nothing kept for a backward pass)', () => {
    const m = model();
    const engine = tf.engine() as unknown as {state: {activeTape: unknown[]}};
    const taped = {metric: -1, loss: -1};
    const {value, grads} = tf.variableGrads(() => {
      const p = m.apply(x) as tf.Tensor;
      const n0 = engine.state.activeTape.length;
      tf.dispose([gaussianCoverage({layout: 'packed'})(y, p), gaussianCRPS({layout: 'packed'})(y, p),
        gaussianPIT({layout: 'packed'})(y, p)]);
      taped.metric = engine.state.activeTape.length - n0;
      const loss = tf.mean(gaussianNLLLoss({layout: 'packed'})(y, p)) as tf.Scalar;
      taped.loss = engine.state.activeTape.length - n0;
      return loss;
    });
    tf.dispose([value, ...Object.values(grads)]);
    expect(taped.metric).toBe(0);
    expect(taped.loss).toBeGreaterThan(0); // the tape was on: the loss was recorded
  });

  it('mixture metrics work in model.compile', () => {
    const K = 2;
    const width = K + K * 4; // K logits, then K 'diag' rows of d = 2: [μ (2) | σ (2)]
    const m = tf.sequential({layers: [tf.layers.dense({units: width, inputShape: [3], kernelInitializer: 'zeros',
      biasInitializer: tf.initializers.constant({value: 0.5})})]});
    const cover = gaussianMixtureCoverage({components: K, layout: 'diag', samples: 20, seed: 1});
    const crps = gaussianMixtureCRPS({components: K, layout: 'diag'});
    m.compile({optimizer: 'sgd', loss: 'meanSquaredError', metrics: [cover, crps]});
    expect(m.metricsNames).toEqual(['loss', 'gaussianMixtureCoverage90', 'gaussianMixtureCRPS']);
    const out = m.evaluate(x, tf.concat([y, tf.zeros([64, width - 2])], 1)) as tf.Scalar[];
    expect(out.every((v) => Number.isFinite(v.dataSync()[0]!))).toBe(true);
  });
});

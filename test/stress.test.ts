import * as tf from '@tensorflow/tfjs';

import {notebookData, smallModel} from '../examples/notebook_data';
import {gaussianKLLoss, gaussianNLLLoss} from '../src/index';
import {allFinite} from './helpers';

describe('stress', () => {
  it('1000 model.fit steps keep tf.memory().numTensors constant', async () => {
    const {x, yTrue} = notebookData(5);
    const model = smallModel(4, 6, 5);
    model.compile({optimizer: tf.train.adam(0.01), loss: gaussianKLLoss()});
    await model.fit(x, yTrue, {batchSize: 8, epochs: 1, verbose: 0}); // creates optimizer state
    const before = tf.memory().numTensors;
    const h = await model.fit(x, yTrue, {batchSize: 8, epochs: 250, verbose: 0}); // 4 steps per epoch
    expect(tf.memory().numTensors).toBe(before);
    expect((h.history['loss'] as number[]).every(Number.isFinite)).toBe(true);
    model.dispose();
    x.dispose();
    yTrue.dispose();
  });

  it('predicted diagonals from 1e-30 to 1e30 give finite losses and gradients (clamped to [1e-6, 1e6])', () => {
    const yTrue = tf.tensor2d([[0.2, -0.1, 1.1, 0.4, 0.3, 0.9]]);
    const point = tf.tensor2d([[0.5, -0.5]]);
    const losses = [
      gaussianKLLoss(), gaussianKLLoss({direction: 'reverse'}), gaussianKLLoss({direction: 'symmetric'}),
    ];
    for (let e = -30; e <= 30; e += 5) {
      for (const sign of [1, -1]) {
        const v = sign * 10 ** e;
        const yPred = tf.tensor2d([[0.1, 0.1, v, 0, 0.5, v]]);
        for (const loss of losses) {
          const [value, grad] = [loss(yTrue, yPred), tf.grad((p: tf.Tensor) => tf.sum(loss(yTrue, p)))(yPred)];
          expect([e, allFinite(value), allFinite(grad)]).toEqual([e, true, true]);
        }
        const nll = gaussianNLLLoss();
        expect([e, allFinite(nll(point, yPred)), allFinite(tf.grad((p: tf.Tensor) => tf.sum(nll(point, p)))(yPred))]).toEqual([e, true, true]);
      }
    }
  });

  it('training a plain Dense output (no head) on the notebook data from 20 seeds never gives NaN', async () => {
    for (let seed = 0; seed < 20; seed++) {
      const {x, yTrue} = notebookData(100 + seed);
      const model = smallModel(4, 6, 1000 + seed);
      model.compile({optimizer: tf.train.adam(0.01), loss: gaussianKLLoss()});
      const h = await model.fit(x, yTrue, {batchSize: 8, epochs: 10, verbose: 0});
      const losses = h.history['loss'] as number[];
      expect([seed, losses.every(Number.isFinite)]).toEqual([seed, true]);
      expect([seed, allFinite(model.predict(x) as tf.Tensor)]).toEqual([seed, true]);
      model.dispose();
      x.dispose();
      yTrue.dispose();
    }
  });
});

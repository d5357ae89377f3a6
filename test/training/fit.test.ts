import * as tf from '@tensorflow/tfjs';

import {notebookData, smallModel} from '../../examples/notebook_data';
import {gaussianKLLoss} from '../../src/index';

async function train(batchSize: number, epochs: number, seed: number): Promise<number[]> {
  const {x, yTrue} = notebookData(seed);
  const model = smallModel(4, 6, seed);
  model.compile({optimizer: tf.train.adam(0.01), loss: gaussianKLLoss()});
  const h = await model.fit(x, yTrue, {batchSize, epochs, shuffle: false, verbose: 0});
  model.dispose();
  x.dispose();
  yTrue.dispose();
  return h.history['loss'] as number[];
}

describe('model.fit with gaussianKLLoss on the notebook\'s batch of 32', () => {
  it('model.fit with batchSize 32 gives finite losses and lowers the loss', async () => {
    const losses = await train(32, 60, 1);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!).toBeLessThan(0.5 * losses[0]!);
  });

  it('model.fit with batchSize 1 (a batch of one) gives finite losses and lowers the loss', async () => {
    const losses = await train(1, 6, 2);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
  });

  it('model.fit keeps tf.memory().numTensors constant across epochs', async () => {
    const {x, yTrue} = notebookData(3);
    const model = smallModel(4, 6, 3);
    model.compile({optimizer: tf.train.adam(0.01), loss: gaussianKLLoss()});
    await model.fit(x, yTrue, {batchSize: 8, epochs: 1, verbose: 0});
    const before = tf.memory().numTensors;
    await model.fit(x, yTrue, {batchSize: 8, epochs: 5, verbose: 0});
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

/**
 * The seed notebook's job in TensorFlow.js: a model whose output is a
 * Gaussian (mean + flattened Cholesky factor) trained with model.fit on the
 * notebook's random batch-of-32 targets, with the KL loss.
 *
 *   npm run example
 */
import * as tf from '@tensorflow/tfjs';

import {gaussianKLLoss, klDivergence, unpackGaussian} from '../src/index';
import {pickBackend} from './backend';
import {notebookData, smallModel} from './notebook_data';

const EPOCHS = 500;

function stats(v: Float32Array | number[]): string {
  const s = Array.from(v).sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `min ${s[0]!.toFixed(4)}  median ${q(0.5).toFixed(4)}  mean ${mean.toFixed(4)}  max ${s[s.length - 1]!.toFixed(4)}`;
}

async function main(): Promise<void> {
  // The step this example repeats 500 times, timed on each backend.
  const backend = await pickBackend(() => {
    const {x, yTrue} = notebookData(42);
    const m = smallModel(4, 6, 42);
    m.compile({optimizer: tf.train.adam(0.01), loss: gaussianKLLoss()});
    return {step: () => m.trainOnBatch(x, yTrue), dispose: () => {
      m.optimizer.dispose();
      m.dispose();
      tf.dispose([x, yTrue]);
    }};
  });
  console.log(`tfjs-gaussian example: KL loss on the notebook's random batch of 32 (backend: ${backend})`);

  const {x, yTrue} = notebookData(42);
  const model = smallModel(4, 6, 42);
  model.compile({optimizer: tf.train.adam(0.01), loss: gaussianKLLoss()});
  console.log(`y_true ${JSON.stringify(yTrue.shape)} = [mean (2), Cholesky factor 2x2 row-major (4); upper entry ignored]`);
  console.log('model: Dense(32, tanh) -> Dense(6), a plain output with no head, so the first predicted diagonals');
  console.log('are near zero; the loss clamps |L_ii| to [1e-6, 1e6] and stays finite (README: Near-zero diagonals).');

  const start = Date.now();
  const history = await model.fit(x, yTrue, {
    batchSize: 32,
    epochs: EPOCHS,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        if (epoch === 0 || (epoch + 1) % 50 === 0) {
          console.log(`epoch ${String(epoch + 1).padStart(3)}/${EPOCHS}  loss ${logs!['loss']!.toFixed(4)}`);
        }
      },
    },
  });
  const losses = history.history['loss'] as number[];

  // Per-sample KL(true || predicted) after training, from the public op.
  const kl = tf.tidy(() => {
    const t = unpackGaussian(yTrue);
    const p = unpackGaussian(model.predict(x) as tf.Tensor);
    return klDivergence(t.mean, t.scaleTril, p.mean, p.scaleTril).dataSync() as Float32Array;
  });

  console.log('');
  console.log(`trained ${EPOCHS} epochs in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  console.log(`loss: initial ${losses[0]!.toFixed(4)} -> final ${losses[losses.length - 1]!.toFixed(4)}`);
  console.log(`per-sample KL(true || pred) over ${kl.length} samples: ${stats(kl)}`);
  console.log('(the targets are random and unrelated to the inputs, as in the notebook, so no model drives every KL to 0)');
  model.dispose();
  x.dispose();
  yTrue.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

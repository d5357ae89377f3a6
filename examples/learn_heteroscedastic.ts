/**
 * Learns a Gaussian whose mean and covariance change with the input, from
 * observed points only, with gaussianNLLLoss and gaussianHead; then checks it
 * against the known truth on held-out inputs and draws what it learned.
 *
 *   npm run example:learn
 */
import * as fs from 'fs';
import * as path from 'path';

import * as tf from '@tensorflow/tfjs';

import {gaussianHead, gaussianNLLLoss, gaussianParamsSize, klDivergence, padTargets, unpackGaussian} from '../src/index';
import {pickBackend} from './backend';
import {drawAt, makeData, rng, truth} from './heteroscedastic_data';
import {ellipsesSvg, Panel} from './svg';

const N_TRAIN = Number(process.env.N_TRAIN ?? 8192);
const EPOCHS = Number(process.env.EPOCHS ?? 120);
const BATCH = Number(process.env.BATCH ?? 256);
const LR = Number(process.env.LR ?? 1e-2);
const HELD_OUT = Array.from({length: 41}, (_, i) => -1 + i / 20);

async function main(): Promise<void> {
  // One training step of this example's model and batch, timed on each backend.
  const backend = await pickBackend(() => {
    const probeData = makeData(BATCH, 2);
    const m = tf.sequential({layers: [
      tf.layers.dense({units: 64, activation: 'tanh', inputShape: [1]}),
      tf.layers.dense({units: 64, activation: 'tanh'}),
      tf.layers.dense({units: gaussianParamsSize(2)}),
      gaussianHead({dim: 2}),
    ]});
    m.compile({optimizer: tf.train.adam(LR), loss: gaussianNLLLoss()});
    const targets = padTargets(probeData.y);
    return {step: () => m.trainOnBatch(probeData.x, targets), dispose: () => {
      m.optimizer.dispose();
      m.dispose();
      tf.dispose([probeData.x, probeData.y, targets]);
    }};
  });
  console.log(`tfjs-gaussian example: learning a heteroscedastic 2-D Gaussian by NLL (backend: ${backend})`);
  const train = makeData(N_TRAIN, 1);

  const model = tf.sequential({layers: [
    tf.layers.dense({units: 64, activation: 'tanh', inputShape: [1], kernelInitializer: tf.initializers.glorotUniform({seed: 1})}),
    tf.layers.dense({units: 64, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({seed: 2})}),
    tf.layers.dense({units: gaussianParamsSize(2), kernelInitializer: tf.initializers.glorotUniform({seed: 3})}),
    gaussianHead({dim: 2}),
  ]});
  const optimizer = tf.train.adam(LR);
  model.compile({optimizer, loss: gaussianNLLLoss()});

  // model.fit needs targets of the output's width: pad the points with zeros.
  const targets = padTargets(train.y);
  const start = Date.now();
  const history = await model.fit(train.x, targets, {
    batchSize: BATCH, epochs: EPOCHS, verbose: 0, shuffle: true,
    callbacks: {onEpochBegin: async (epoch) => {
      // Cosine decay of the learning rate, from LR to LR / 100.
      (optimizer as unknown as {learningRate: number}).learningRate = LR * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * epoch / EPOCHS)));
    }, onEpochEnd: async (epoch, logs) => {
      if (epoch === 0 || (epoch + 1) % 10 === 0) {
        console.log(`epoch ${String(epoch + 1).padStart(3)}/${EPOCHS}  NLL ${logs!['loss']!.toFixed(4)}`);
      }
    }},
  });
  const seconds = (Date.now() - start) / 1000;
  const losses = history.history['loss'] as number[];

  // Held-out inputs: compare with the known truth.
  const rows = tf.tidy(() => {
    const xh = tf.tensor2d(HELD_OUT, [HELD_OUT.length, 1]);
    const pred = unpackGaussian(model.predict(xh) as tf.Tensor);
    const tMean = tf.tensor2d(HELD_OUT.map((x) => truth(x).mean));
    const tL = tf.tensor3d(HELD_OUT.map((x) => truth(x).L));
    const kl = klDivergence(tMean, tL, pred.mean, pred.scaleTril).arraySync() as number[];
    return {kl, mean: pred.mean.arraySync() as number[][], L: pred.scaleTril.arraySync() as number[][][]};
  });
  const cov = (L: number[][]) => [[L[0]![0]! ** 2, L[0]![0]! * L[1]![0]!], [L[0]![0]! * L[1]![0]!, L[1]![0]! ** 2 + L[1]![1]! ** 2]];
  const frob = (A: number[][]) => Math.sqrt(A.flat().reduce((a, v) => a + v * v, 0));
  const table = HELD_OUT.map((x, i) => {
    const t = truth(x);
    const meanErr = Math.hypot(rows.mean[i]![0]! - t.mean[0], rows.mean[i]![1]! - t.mean[1]);
    const St = cov(t.L);
    const Sp = cov(rows.L[i]!);
    const covErr = frob(St.map((r, a) => r.map((v, b) => Sp[a]![b]! - v))) / frob(St);
    return {x, meanErr, covErr, kl: rows.kl[i]!};
  });

  console.log('');
  console.log(`trained ${EPOCHS} epochs on ${N_TRAIN} points in ${seconds.toFixed(1)} s; NLL ${losses[0]!.toFixed(3)} -> ${losses[losses.length - 1]!.toFixed(3)}`);
  console.log('held-out inputs (every 5th shown):');
  console.log('     x   |mean err|  rel. cov err  KL(true||pred)');
  table.filter((_, i) => i % 5 === 0).forEach((r) =>
    console.log(`${r.x.toFixed(2).padStart(6)}   ${r.meanErr.toFixed(4).padStart(8)}   ${r.covErr.toFixed(4).padStart(11)}   ${r.kl.toFixed(4).padStart(13)}`));
  const avg = (k: 'meanErr' | 'covErr' | 'kl') => table.reduce((a, r) => a + r[k], 0) / table.length;
  console.log(`mean over ${table.length} held-out inputs: |mean err| ${avg('meanErr').toFixed(4)}, ` +
    `rel. cov err ${avg('covErr').toFixed(4)}, KL(true||pred) ${avg('kl').toFixed(4)} (target < 0.05)`);

  // The picture: true vs predicted ellipses at a few inputs, over fresh samples.
  const shown = [-0.9, -0.45, 0, 0.45, 0.9];
  const {normal} = rng(99);
  const [pm, pL] = tf.tidy(() => {
    const pred = unpackGaussian(model.predict(tf.tensor2d(shown, [shown.length, 1])) as tf.Tensor);
    return [pred.mean.arraySync() as number[][], pred.scaleTril.arraySync() as number[][][]];
  });
  const panels: Panel[] = shown.map((x, i) => ({
      x,
      samples: Array.from({length: 150}, () => drawAt(x, normal)),
      truth: truth(x),
      pred: {mean: pm[i] as [number, number], L: pL[i] as [[number, number], [number, number]]},
  }));
  const outDir = path.join(__dirname, '..', 'out');
  fs.mkdirSync(outDir, {recursive: true});
  const file = path.join(outDir, 'heteroscedastic.svg');
  fs.writeFileSync(file, ellipsesSvg(panels, losses, train.xs.slice(0, 1500).map((x, i) => ({x, y: train.ys[i]!})), avg('kl')));
  console.log(`picture: ${file}`);
  model.dispose();
  if (!(avg('kl') < 0.05)) {
    console.error(`held-out mean KL ${avg('kl').toFixed(4)} misses the target 0.05`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

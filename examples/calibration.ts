/**
 * Is the uncertainty right? Trains models whose uncertainty is right,
 * wrong in shape, and overconfident, on synthetic data with a known answer
 * and on real data (diabetes progression); prints each model's
 * calibrationReport; recalibrates the overconfident one with
 * fitCovarianceScale; and draws reliability diagrams and PIT histograms.
 *
 *   npm run example:calibration
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

import * as tf from '@tensorflow/tfjs';

import {
  calibrationReport, CalibrationReport, cholesky, fitCovarianceScale, gaussianCoverage, gaussianCRPS, gaussianHead,
  GaussianLayout, gaussianNLLLoss, gaussianParamsSize, padTargets, scaleCovariance, triangularSolve,
} from '../src/index';
import {pickBackend} from './backend';
import {calibrationSvg, ModelCurve} from './calibration_svg';
import {makeData, rng} from './heteroscedastic_data';

const COLORS = {nll: '#1f5fbf', homo: '#2b8a3e', over: '#e8590c', recal: '#862e9c', linear: '#2b8a3e'};

function mlp(inputs: number, hidden: number, outputs: number, activation: 'tanh' | 'relu', seed: number): tf.Sequential {
  const init = (s: number) => tf.initializers.glorotUniform({seed: seed + s});
  return tf.sequential({layers: [
    tf.layers.dense({units: hidden, activation, inputShape: [inputs], kernelInitializer: init(0)}),
    tf.layers.dense({units: hidden, activation, kernelInitializer: init(1)}),
    tf.layers.dense({units: outputs, kernelInitializer: init(2)}),
  ]});
}

/** A Gaussian-output MLP trained by NLL, with coverage and CRPS logged as metrics during fit. */
async function fitGaussian(name: string, x: tf.Tensor, y: tf.Tensor, d: number, layout: GaussianLayout,
                           o: {hidden: number; activation: 'tanh' | 'relu'; epochs: number; batch: number; lr: number;
                             every: number; seed: number}): Promise<tf.Sequential> {
  const model = mlp(x.shape[1]!, o.hidden, gaussianParamsSize(d, layout), o.activation, o.seed);
  model.add(gaussianHead({dim: d, layout}));
  model.compile({optimizer: tf.train.adam(o.lr), loss: gaussianNLLLoss({layout}),
    metrics: [gaussianCoverage({layout}), gaussianCRPS({layout})]});
  await model.fit(x, padTargets(y, layout), {
    batchSize: o.batch, epochs: o.epochs, verbose: 0, shuffle: true,
    callbacks: {onEpochEnd: async (epoch, logs) => {
      if ((epoch + 1) % o.every === 0) {
        console.log(`  ${name} epoch ${String(epoch + 1).padStart(4)}/${o.epochs}  NLL ${logs!['loss']!.toFixed(3)}  ` +
          `coverage@0.9 ${logs!['gaussianCoverage90']!.toFixed(3)}  CRPS ${logs!['gaussianCRPS']!.toFixed(4)}`);
      }
    }},
  });
  return model;
}

/** Rows [μ | L] with one covariance for every input: the residual covariance of a mean model (homoscedastic). */
function constantCovarianceRows(mean: tf.Tensor2D, L: number[][]): tf.Tensor2D {
  const n = mean.shape[0];
  return tf.concat([mean, tf.tile(tf.tensor2d([L.flat()]), [n, 1])], 1) as tf.Tensor2D;
}

function table(reports: Array<[string, CalibrationReport]>, units: string): void {
  const pad = (s: string, w: number) => s.padStart(w);
  const num = (v: number, digits: number) => (Math.abs(v) >= 1e4 ? v.toExponential(2) : v.toFixed(digits));
  console.log(`${'model'.padEnd(34)}${pad('NLL', 9)}${pad('CRPS', 9)}${pad('energy', 9)}${pad('cov@.5', 8)}` +
    `${pad('cov@.9', 8)}${pad('cov@.99', 8)}${pad('miscal.', 8)}${pad('RMSCE', 7)}${pad('sharp.', 9)}`);
  for (const [name, r] of reports) {
    const at = (p: number) => r.coverage[Math.round(p * 100) - 1]!.observed.toFixed(3);
    console.log(`${name.padEnd(34)}${pad(num(r.nll, 3), 9)}${pad(num(r.crps, 4), 9)}${pad(num(r.energyScore, 4), 9)}` +
      `${pad(at(0.5), 8)}${pad(at(0.9), 8)}${pad(at(0.99), 8)}${pad(r.miscalibrationArea.toFixed(3), 8)}` +
      `${pad(r.rmsCalibrationError.toFixed(3), 7)}${pad(num(r.sharpness, 4), 9)}`);
  }
  console.log(`(NLL in nats per point; CRPS, energy score and sharpness in ${units}; lower is better for all three ` +
    'scores; coverage should equal its level; miscalibration area and RMSCE 0 when calibrated)');
}

const curve = (label: string, color: string, r: CalibrationReport): ModelCurve =>
  ({label, color, coverage: r.coverage.map(({level, observed}) => [level, observed]), pit: r.pitHistogram});

function readGz(file: string): string {
  return zlib.gunzipSync(fs.readFileSync(path.join(__dirname, 'data', file))).toString('utf8');
}

async function main(): Promise<void> {
  const backend = await pickBackend(() => {
    const m = mlp(1, 64, gaussianParamsSize(2), 'tanh', 1);
    m.add(gaussianHead({dim: 2}));
    m.compile({optimizer: tf.train.adam(1e-2), loss: gaussianNLLLoss(), metrics: [gaussianCoverage(), gaussianCRPS()]});
    const {x, y} = makeData(256, 2);
    const t = padTargets(y);
    return {step: () => m.trainOnBatch(x, t), dispose: () => {
      m.optimizer.dispose();
      m.dispose();
      tf.dispose([x, y, t]);
    }};
  });
  console.log(`tfjs-gaussian example: checking and recalibrating uncertainty (backend: ${backend})`);

  // ---------------------------------------------------------------- synthetic
  // example:learn's data: a 2-D Gaussian whose mean and covariance (size and
  // orientation) change with x. Three models, each checked on 4000 fresh points.
  console.log('\n1. Heteroscedastic 2-D data (example:learn), 4000 training points');
  const train = makeData(4000, 1);
  const val = makeData(2000, 3);
  const test = makeData(4000, 4);
  const nll = await fitGaussian('NLL', train.x, train.y, 2, 'full',
    {hidden: 64, activation: 'tanh', epochs: 60, batch: 256, lr: 1e-2, every: 20, seed: 10});

  // Homoscedastic: a mean model trained by MSE, and the residual covariance of
  // the training data for every input (classic least squares with one Σ).
  const meanModel = mlp(1, 64, 2, 'tanh', 20);
  meanModel.compile({optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError'});
  await meanModel.fit(train.x, train.y, {batchSize: 256, epochs: 60, verbose: 0, shuffle: true});
  const homoL = tf.tidy(() => {
    const r = tf.sub(train.y, meanModel.predict(train.x) as tf.Tensor);
    return cholesky(tf.div(tf.matMul(r, r, true, false), train.y.shape[0])).arraySync() as number[][];
  });
  console.log(`  homoscedastic: MSE mean model, residual covariance L = ${JSON.stringify(homoL.map((r) => r.map((v) => +v.toFixed(3))))}`);

  // Overconfident: NLL on 30 points, trained long; it shrinks its covariance
  // around the training points.
  const few = makeData(30, 5);
  const over = await fitGaussian('overfit NLL (30 points)', few.x, few.y, 2, 'full',
    {hidden: 32, activation: 'tanh', epochs: 800, batch: 30, lr: 3e-3, every: 200, seed: 30});

  const predict = (m: tf.LayersModel, x: tf.Tensor) => m.predict(x) as tf.Tensor2D;
  const homoRows = (x: tf.Tensor) => constantCovarianceRows(predict(meanModel, x), homoL);
  // Recalibrate on the validation split, check on the test split.
  const s = fitCovarianceScale(val.y, predict(over, val.x));
  console.log(`  fitCovarianceScale on 2000 validation points: s = ${s.toFixed(3)} (the overfit model's Σ is s² = ` +
    `${(s * s).toFixed(2)} times too small)`);
  const synth: Array<[string, CalibrationReport]> = [
    ['NLL, heteroscedastic', calibrationReport(test.y, predict(nll, test.x))],
    ['homoscedastic (MSE + one Σ)', calibrationReport(test.y, homoRows(test.x))],
    ['overfit NLL (30 points)', calibrationReport(test.y, predict(over, test.x))],
    ['overfit NLL, recalibrated', calibrationReport(test.y, scaleCovariance(predict(over, test.x), s))],
  ];
  console.log('\nheld-out test set, 4000 points:');
  table(synth, 'units of y');

  // ---------------------------------------------------------------- diabetes
  // Disease progression one year after baseline (442 patients, 10 baseline
  // variables; Efron et al. 2004): 282 to train, 60 to recalibrate, 100 to test.
  console.log('\n2. Diabetes progression (442 patients, 10 variables): 282 train, 60 validation, 100 test');
  const X = readGz('diabetes_data_raw.csv.gz').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const Y = readGz('diabetes_target.csv.gz').trim().split('\n').map(Number);
  const order = Array.from({length: Y.length}, (_, i) => i);
  const {uniform} = rng(7);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const trainIdx = order.slice(0, 282);
  const valIdx = order.slice(282, 342);
  const testIdx = order.slice(342);
  const cols = X[0]!.length;
  const mu = Array.from({length: cols}, (_, c) => trainIdx.reduce((a, i) => a + X[i]![c]!, 0) / trainIdx.length);
  const sd = mu.map((m, c) => Math.sqrt(trainIdx.reduce((a, i) => a + (X[i]![c]! - m) ** 2, 0) / trainIdx.length));
  const yMu = trainIdx.reduce((a, i) => a + Y[i]!, 0) / trainIdx.length;
  const ySd = Math.sqrt(trainIdx.reduce((a, i) => a + (Y[i]! - yMu) ** 2, 0) / trainIdx.length);
  const feats = (idx: number[]) => tf.tensor2d(idx.map((i) => X[i]!.map((v, c) => (v - mu[c]!) / sd[c]!)));
  const target = (idx: number[]) => tf.tensor2d(idx.map((i) => [Y[i]!]));
  const [xTr, xVa, xTe] = [feats(trainIdx), feats(valIdx), feats(testIdx)];
  const [yTr, yVa, yTe] = [target(trainIdx), target(valIdx), target(testIdx)];
  // The networks see a standardized target; predictions go back to its units (μ·sd + mean, σ·sd).
  const toUnits = (rows: tf.Tensor) => tf.add(tf.mul(rows, tf.tensor1d([ySd, ySd])), tf.tensor1d([yMu, 0]));
  const diab = await fitGaussian('NLL', xTr, tf.div(tf.sub(yTr, yMu), ySd), 1, 'diag',
    {hidden: 8, activation: 'relu', epochs: 60, batch: 32, lr: 5e-3, every: 20, seed: 40});
  // Homoscedastic linear regression: least squares by the normal equations
  // (our cholesky and triangularSolve), σ² = RSS / (n − p).
  const {beta, sigma} = tf.tidy(() => {
    const A = tf.concat([tf.ones([xTr.shape[0], 1]), xTr], 1);
    const L = cholesky(tf.matMul(A, A, true, false));
    const z = triangularSolve(L, tf.matMul(A, yTr, true, false));
    const b = triangularSolve(L, z, {adjoint: true});
    const rss = tf.sum(tf.square(tf.sub(yTr, tf.matMul(A, b)))).dataSync()[0]!;
    return {beta: b, sigma: Math.sqrt(rss / (A.shape[0] - (A.shape[1] as number)))};
  });
  const linearRows = tf.concat([tf.matMul(tf.concat([tf.ones([xTe.shape[0], 1]), xTe], 1), beta),
    tf.fill([xTe.shape[0], 1], sigma)], 1);
  const sDiab = fitCovarianceScale(yVa, toUnits(predict(diab, xVa)), {layout: 'diag'});
  console.log(`  fitCovarianceScale on the 60 validation patients: s = ${sDiab.toFixed(3)}`);
  const real: Array<[string, CalibrationReport]> = [
    ['NLL MLP (μ and σ from x)', calibrationReport(yTe, toUnits(predict(diab, xTe)), {layout: 'diag'})],
    ['NLL MLP, recalibrated', calibrationReport(yTe, scaleCovariance(toUnits(predict(diab, xTe)), sDiab, {layout: 'diag'}),
      {layout: 'diag'})],
    ['linear regression (one σ)', calibrationReport(yTe, linearRows, {layout: 'diag'})],
  ];
  console.log('\nheld-out test set, 100 patients:');
  table(real, 'units of progression');

  // ---------------------------------------------------------------- picture
  const outDir = path.join(__dirname, '..', 'out');
  fs.mkdirSync(outDir, {recursive: true});
  const file = path.join(outDir, 'calibration.svg');
  fs.writeFileSync(file, calibrationSvg([
    {title: 'Heteroscedastic 2-D (4000 test points)', models: [
      curve('NLL', COLORS.nll, synth[0]![1]), curve('homoscedastic', COLORS.homo, synth[1]![1]),
      curve('overfit NLL', COLORS.over, synth[2]![1]), curve('overfit, recalibrated', COLORS.recal, synth[3]![1])]},
    {title: 'Diabetes (100 test patients)', models: [
      curve('NLL MLP', COLORS.nll, real[0]![1]), curve('NLL MLP, recalibrated', COLORS.recal, real[1]![1]),
      curve('linear regression', COLORS.linear, real[2]![1])]},
  ]));
  console.log(`\npicture: ${file}`);

  // The recalibration must do what it is for.
  const before = synth[2]![1];
  const after = synth[3]![1];
  const gap = (r: CalibrationReport) => Math.abs(r.coverage[89]!.observed - 0.9);
  console.log(`recalibration: coverage@0.9 ${before.coverage[89]!.observed.toFixed(3)} -> ${after.coverage[89]!.observed.toFixed(3)}, ` +
    `NLL ${before.nll.toFixed(3)} -> ${after.nll.toFixed(3)}`);
  if (!(gap(after) < 0.03 && after.nll < before.nll)) {
    console.error('recalibration missed its target: coverage@0.9 within 0.03 of 0.9 and a lower NLL');
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

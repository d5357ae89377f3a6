/**
 * npm run example:mixture — a conditional distribution with three branches.
 *
 * For an input x in [-1, 1] the output y is 2-D and comes from one of three
 * branches: branch k has weight softmax(0.8x·[1, 0, −1])_k and is a Gaussian
 * around a point on a circle of radius 2, at angle 2πk/3 + x, with its own
 * fixed covariance. The same x gives points in three places, which no single
 * Gaussian can say. The true conditional density is known (mixtureTruth),
 * so the held-out NLL of the truth is the floor any model can reach.
 *
 * Two models train on the same data by negative log-likelihood:
 *  - a mixture density network: gaussianMixtureHead + gaussianMixtureNLLLoss, K = 4;
 *  - a single Gaussian: gaussianHead + gaussianNLLLoss.
 * It prints the held-out mean NLL of both and of the truth, and writes
 * out/mixture.svg: the data near a few inputs, with the learned components
 * as 1σ and 2σ ellipses whose opacity is their weight. It exits 1 unless the
 * mixture beats the single Gaussian by >= 0.5 nats and comes within 0.1
 * nats of the truth.
 */
import * as fs from 'fs';
import * as path from 'path';

import * as tf from '@tensorflow/tfjs';

import {
  gaussianHead, gaussianMixtureHead, gaussianMixtureNLLLoss, gaussianMixtureParamsSize, gaussianNLLLoss,
  gaussianParamsSize, padTargets, unpackGaussianMixture,
} from '../src/index';
import {pickBackend} from './backend';
import {rng} from './heteroscedastic_data';

const K = 4;
const N_TRAIN = Number(process.env['N_TRAIN'] ?? 8192);
const N_TEST = 4096;
const EPOCHS = Number(process.env['EPOCHS'] ?? 60);
const BATCH = 256;

type Mat2 = [[number, number], [number, number]];
/** The branches' fixed lower Cholesky factors. */
const FACTORS: Mat2[] = [[[0.3, 0], [0.12, 0.18]], [[0.2, 0], [-0.06, 0.3]], [[0.25, 0], [0, 0.22]]];

/** The true mixture at input x: weights, means and factors of its three branches. */
export function mixtureTruth(x: number): {weights: number[]; means: Array<[number, number]>; factors: Mat2[]} {
  const a = [0.8 * x, 0, -0.8 * x];
  const m = Math.max(...a);
  const e = a.map((v) => Math.exp(v - m));
  const s = e.reduce((p, q) => p + q, 0);
  return {
    weights: e.map((v) => v / s),
    means: [0, 1, 2].map((k) => {
      const t = (2 * Math.PI * k) / 3 + x;
      return [2 * Math.cos(t), 2 * Math.sin(t)] as [number, number];
    }),
    factors: FACTORS,
  };
}

/** −log p(y | x) under the truth, in float64 plain JS (independent of the library). */
function trueNLL(x: number, y: number[]): number {
  const {weights, means, factors} = mixtureTruth(x);
  const logs = weights.map((w, k) => {
    const [[l00], [l10, l11]] = factors[k]!;
    const z0 = (y[0]! - means[k]![0]) / l00;
    const z1 = (y[1]! - means[k]![1] - l10 * z0) / l11;
    return Math.log(w) - Math.log(2 * Math.PI) - Math.log(l00 * l11) - 0.5 * (z0 * z0 + z1 * z1);
  });
  const m = Math.max(...logs);
  return -(m + Math.log(logs.reduce((p, l) => p + Math.exp(l - m), 0)));
}

function draw(n: number, seed: number): {xs: number[]; ys: number[][]} {
  const {uniform, normal} = rng(seed);
  const xs: number[] = [];
  const ys: number[][] = [];
  for (let i = 0; i < n; i++) {
    const x = -1 + 2 * uniform();
    const {weights, means, factors} = mixtureTruth(x);
    let u = uniform();
    let k = 0;
    while (k < 2 && u >= weights[k]!) u -= weights[k++]!;
    const [e0, e1] = [normal(), normal()];
    const L = factors[k]!;
    xs.push(x);
    ys.push([means[k]![0] + L[0][0] * e0, means[k]![1] + L[1][0] * e0 + L[1][1] * e1]);
  }
  return {xs, ys};
}

function model(kind: 'mixture' | 'single'): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({seed});
  const m = tf.sequential({layers: [
    tf.layers.dense({units: 64, activation: 'tanh', inputShape: [1], kernelInitializer: init(1)}),
    tf.layers.dense({units: 64, activation: 'tanh', kernelInitializer: init(2)}),
    tf.layers.dense({units: kind === 'mixture' ? gaussianMixtureParamsSize(K, 2) : gaussianParamsSize(2),
      kernelInitializer: init(3)}),
    kind === 'mixture' ? gaussianMixtureHead({components: K, dim: 2}) : gaussianHead({dim: 2}),
  ]});
  m.compile({optimizer: tf.train.adam(3e-3),
    loss: kind === 'mixture' ? gaussianMixtureNLLLoss({components: K}) : gaussianNLLLoss()});
  return m;
}

/** The picture: data near each shown input, and the learned components as weighted ellipses. */
function svg(shown: number[], data: {xs: number[]; ys: number[][]}, pred: {w: number[][]; m: number[][][]; L: number[][][][]},
             nll: Record<string, number>): string {
  const size = 230;
  const gap = 14;
  const top = 84;
  const half = 3.2;
  const colors = ['#1f5fbf', '#e8590c', '#2b8a3e', '#862e9c'];
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [];
  const W = 20 + shown.length * (size + gap);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${top + size + 60}" font-family="sans-serif">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="20" y="30" font-size="17" font-weight="bold">tfjs-gaussian: a ${K}-component mixture density network ` +
    'learns p(y | x) with three branches</text>');
  out.push(`<text x="20" y="54" font-size="13" fill="#444">Held-out mean NLL: mixture ${nll['mixture']!.toFixed(3)}, ` +
    `single Gaussian ${nll['single']!.toFixed(3)}, true density ${nll['truth']!.toFixed(3)} nats. ` +
    'Ellipses: 1σ and 2σ of each component, opacity = its weight.</text>');
  shown.forEach((x, i) => {
    const x0 = 20 + i * (size + gap);
    const map = (a: number, b: number) => [x0 + ((a + half) / (2 * half)) * size, top + ((half - b) / (2 * half)) * size];
    out.push(`<rect x="${x0}" y="${top}" width="${size}" height="${size}" fill="#fafafa" stroke="#bbb"/>`);
    data.xs.forEach((xi, j) => {
      if (Math.abs(xi - x) < 0.03) {
        const [px, py] = map(data.ys[j]![0]!, data.ys[j]![1]!);
        out.push(`<circle cx="${f(px!)}" cy="${f(py!)}" r="1.6" fill="#555" opacity="0.45"/>`);
      }
    });
    for (let k = 0; k < K; k++) {
      const w = pred.w[i]![k]!;
      const [mx, my] = pred.m[i]![k]! as [number, number];
      const L = pred.L[i]![k]!;
      for (const s of [1, 2]) {
        const pts: string[] = [];
        for (let t = 0; t <= 64; t++) {
          const [u, v] = [Math.cos((2 * Math.PI * t) / 64), Math.sin((2 * Math.PI * t) / 64)];
          const [px, py] = map(mx + s * L[0]![0]! * u, my + s * (L[1]![0]! * u + L[1]![1]! * v));
          pts.push(`${f(px!)},${f(py!)}`);
        }
        out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${colors[k]}" stroke-width="2" ` +
          `opacity="${Math.min(1, w * 1.6).toFixed(2)}"/>`);
      }
    }
    out.push(`<text x="${x0 + 6}" y="${top + size + 18}" font-size="13">x = ${x}</text>`);
    const ws = pred.w[i]!.map((w, k) => `<tspan fill="${colors[k]}">${w.toFixed(2)}</tspan>`).join(' ');
    out.push(`<text x="${x0 + 6}" y="${top + size + 36}" font-size="12">weights ${ws}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

async function main(): Promise<void> {
  const train = draw(N_TRAIN, 7);
  const test = draw(N_TEST, 8);
  const x = tf.tensor2d(train.xs, [N_TRAIN, 1]);
  const y = tf.tensor2d(train.ys);
  const backend = await pickBackend(() => {
    const m = model('mixture');
    const bx = x.slice([0, 0], [BATCH, 1]);
    const by = padTargets(y.slice([0, 0], [BATCH, 2]), {components: K});
    return {step: () => m.trainOnBatch(bx, by), dispose: () => {
      m.optimizer.dispose();
      m.dispose();
      tf.dispose([bx, by]);
    }};
  });
  console.log(`tfjs-gaussian example: a mixture density network on a three-branch p(y | x) (backend: ${backend})`);

  const nll: Record<string, number> = {truth: test.xs.reduce((s, xi, i) => s + trueNLL(xi, test.ys[i]!), 0) / N_TEST};
  const tx = tf.tensor2d(test.xs, [N_TEST, 1]);
  const ty = tf.tensor2d(test.ys);
  const models: Record<string, tf.Sequential> = {};
  for (const kind of ['mixture', 'single'] as const) {
    const m = model(kind);
    const targets = kind === 'mixture' ? padTargets(y, {components: K}) : padTargets(y);
    const loss = kind === 'mixture' ? gaussianMixtureNLLLoss({components: K}) : gaussianNLLLoss();
    const start = Date.now();
    await m.fit(x, targets, {epochs: EPOCHS, batchSize: BATCH, shuffle: true, verbose: 0, callbacks: {
      onEpochEnd: async (epoch, logs) => {
        if ((epoch + 1) % 10 === 0) {
          console.log(`  ${kind.padEnd(7)} epoch ${String(epoch + 1).padStart(3)}/${EPOCHS}  NLL ${logs!['loss']!.toFixed(4)}` +
            `  (${((Date.now() - start) / 1000).toFixed(1)} s)`);
        }
      },
    }});
    nll[kind] = tf.tidy(() => tf.mean(loss(ty, m.predict(tx) as tf.Tensor)).dataSync()[0]!);
    models[kind] = m;
    targets.dispose();
  }
  console.log(`held-out mean NLL (nats per sample, ${N_TEST} points):`);
  console.log(`  true density     ${nll['truth']!.toFixed(4)}`);
  console.log(`  mixture (K = ${K})  ${nll['mixture']!.toFixed(4)}   (${(nll['mixture']! - nll['truth']!).toFixed(4)} above the truth)`);
  console.log(`  single Gaussian  ${nll['single']!.toFixed(4)}   (${(nll['single']! - nll['mixture']!).toFixed(4)} above the mixture)`);

  const shown = [-0.9, -0.45, 0, 0.45, 0.9];
  const pred = tf.tidy(() => {
    const u = unpackGaussianMixture(models['mixture']!.predict(tf.tensor2d(shown, [shown.length, 1])) as tf.Tensor,
      {components: K});
    return {w: tf.softmax(u.logits).arraySync() as number[][], m: u.mean.arraySync() as number[][][],
      L: u.scaleTril.arraySync() as number[][][][]};
  });
  const outDir = path.join(__dirname, '..', 'out');
  fs.mkdirSync(outDir, {recursive: true});
  const file = path.join(outDir, 'mixture.svg');
  fs.writeFileSync(file, svg(shown, train, pred, nll));
  console.log(`picture: ${file}`);

  const gain = nll['single']! - nll['mixture']!;
  const gap = nll['mixture']! - nll['truth']!;
  if (!(gain >= 0.5 && gap <= 0.1)) {
    console.error(`missed: the mixture must beat the single Gaussian by >= 0.5 nats (got ${gain.toFixed(3)}) ` +
      `and come within 0.1 nats of the truth (got ${gap.toFixed(3)})`);
    process.exit(1);
  }
  console.log(`ok: mixture beats the single Gaussian by ${gain.toFixed(3)} nats and is ${gap.toFixed(3)} nats from the truth`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

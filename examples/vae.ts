/**
 * A variational autoencoder on real data, trained with model.fit: the 1797
 * handwritten digits (8×8, UCI; examples/data/README.md), with gaussianLatent
 * as the latent layer and a Gaussian decoder (gaussianHead + gaussianNLLLoss,
 * 'diag'). Reports on a held-out split, in nats per image:
 * - the negative ELBO (evaluateObjective: what fit minimizes, KL included);
 * - an importance-weighted bound with K = 128 draws (Burda et al., 2016),
 *   from gaussianLogProb;
 * - the exact held-out log-likelihood of probabilistic PCA with the same
 *   latent dimension and the same data.
 * Exits 1 unless the 2-D VAE's bound beats 2-D PPCA. Writes out/vae.svg.
 *
 * Data transform: pixel counts v ∈ {0..16} are dequantized, x = (v + u)/17
 * with u ~ U(0, 1) (a fixed draw), so that both models are densities on the
 * same continuous [0, 1]⁶⁴ and a constant pixel cannot give an infinite
 * likelihood. Held-out log-likelihoods of the two models are then directly
 * comparable (and each is a lower bound on the discrete log-probability
 * minus 64·log 17).
 *
 *   npm run example:vae
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

import * as tf from '@tensorflow/tfjs';

import {
  evaluateObjective, gaussianHead, GaussianLatent, gaussianLatent, gaussianLogProb, gaussianNLLLoss, gaussianParamsSize, padTargets,
} from '../src/index';
import {pickBackend} from './backend';
import {fitPPCA, ppcaLogLikelihood} from './ppca';
import {mulberry32} from './rng';

const D = 64;
const HIDDEN = 128;
const K_IW = 128;
const LOG_2PI = Math.log(2 * Math.PI);

function loadDigits(): {x: number[][]; label: number[]} {
  const text = zlib.gunzipSync(fs.readFileSync(path.join(__dirname, 'data', 'digits.csv.gz'))).toString('utf8');
  const rows = text.trim().split('\n').map((l) => l.split(',').map(Number));
  const rand = mulberry32(17);
  return {x: rows.map((r) => r.slice(0, D).map((v) => (v + rand()) / 17)), label: rows.map((r) => r[D]!)};
}

interface VAE {
  model: tf.LayersModel;
  encoderRaw: tf.LayersModel;
  decoder: tf.LayersModel;
  latent: GaussianLatent;
}

function buildVAE(dim: number, seed: number): VAE {
  const init = (s: number) => tf.initializers.glorotUniform({seed: seed + s});
  const x = tf.input({shape: [D]});
  let h = tf.layers.dense({units: HIDDEN, activation: 'relu', kernelInitializer: init(0)}).apply(x) as tf.SymbolicTensor;
  h = tf.layers.dense({units: HIDDEN, activation: 'relu', kernelInitializer: init(1)}).apply(h) as tf.SymbolicTensor;
  const raw = tf.layers.dense({units: gaussianParamsSize(dim, 'diag'), kernelInitializer: init(2)}).apply(h) as tf.SymbolicTensor;
  const latent = gaussianLatent({dim, seed});
  const encoderRaw = tf.model({inputs: x, outputs: raw});
  const decoder = tf.sequential({layers: [
    tf.layers.dense({units: HIDDEN, activation: 'relu', inputShape: [dim], kernelInitializer: init(3)}),
    tf.layers.dense({units: HIDDEN, activation: 'relu', kernelInitializer: init(4)}),
    tf.layers.dense({units: gaussianParamsSize(D, 'diag'), kernelInitializer: init(5)}),
    gaussianHead({dim: D, layout: 'diag', diagShift: 1e-3}),
  ]});
  const model = tf.model({inputs: x, outputs: decoder.apply(latent.apply(raw)) as tf.SymbolicTensor});
  // Data loss: the per-image Gaussian NLL summed over the 64 pixels; with the
  // latent's KL (klWeight 1), fit reports the negative ELBO per image.
  model.compile({optimizer: tf.train.adam(1e-3), loss: gaussianNLLLoss({layout: 'diag'})});
  return {model, encoderRaw, decoder, latent};
}

/**
 * The importance-weighted bound log (1/K) Σ_k p(x|z_k) p(z_k) / q(z_k|x),
 * z_k ~ q(z|x), averaged over the rows of x; ≥ the ELBO and → log p(x) as K grows.
 */
function importanceWeightedBound(vae: VAE, x: tf.Tensor2D, K: number, seed: number): number {
  const dim = vae.latent.dim;
  // The posterior as the latent layer computes it: the same head transform.
  const head = gaussianHead({dim, layout: 'diag', diagShift: vae.latent.diagShift});
  let total = 0;
  const n = x.shape[0];
  for (let start = 0; start < n; start += 50) {
    const size = Math.min(50, n - start);
    total += tf.tidy(() => {
      const xb = tf.slice(x, start, size);
      const q = head.apply(vae.encoderRaw.predict(xb) as tf.Tensor) as tf.Tensor2D;
      const [mu, sigma] = tf.split(q, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      const eps = tf.randomNormal([K, size, dim], 0, 1, 'float32', seed + start);
      const z = tf.add(mu, tf.mul(sigma, eps)); // [K, size, dim]
      const scaleTril = tf.mul(tf.expandDims(sigma, -1), tf.eye(dim)); // [size, dim, dim]
      const logQ = gaussianLogProb(z, mu, scaleTril); // [K, size]
      const logPz = tf.sub(tf.mul(-0.5, tf.sum(tf.square(z), -1)), 0.5 * dim * LOG_2PI);
      const rows = vae.decoder.predict(tf.reshape(z, [K * size, dim])) as tf.Tensor2D;
      const [m, s] = tf.split(rows, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      const logPx = tf.reshape(gaussianLogProb(tf.tile(xb, [K, 1]), m, tf.mul(tf.expandDims(s, -1), tf.eye(D))), [K, size]);
      const logW = tf.add(tf.sub(logPx, logQ), logPz);
      return tf.sum(tf.sub(tf.logSumExp(logW, 0), Math.log(K))).dataSync()[0]!;
    });
  }
  return total / n;
}

async function train(vae: VAE, x: tf.Tensor2D, epochs: number, name: string): Promise<void> {
  // tfjs-layers wants targets as wide as the output: padTargets appends zeros the loss ignores.
  await vae.model.fit(x, padTargets(x, 'diag'), {
    batchSize: 64, epochs, verbose: 0, shuffle: true,
    callbacks: {onEpochEnd: async (epoch, logs) => {
      if ((epoch + 1) % 20 === 0 || epoch === 0) {
        console.log(`  ${name} epoch ${String(epoch + 1).padStart(3)}/${epochs}  negative ELBO ${logs!['loss']!.toFixed(1)} nats/image`);
      }
    }},
  });
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function digitSvg(pixels: number[], x0: number, y0: number, cell: number): string {
  return pixels.map((v, i) => {
    const g = Math.round(255 * (1 - Math.min(1, Math.max(0, v))));
    return `<rect x="${x0 + (i % 8) * cell}" y="${y0 + Math.floor(i / 8) * cell}" width="${cell}" height="${cell}" fill="rgb(${g},${g},${g})"/>`;
  }).join('');
}

function vaeSvg(latentMap: {z: number[]; label: number}[], originals: number[][], recon: number[][], samples: number[][]): string {
  const W = 900;
  const H = 330;
  const parts: string[] = [];
  // Panel 1: the 2-D latent means of held-out digits.
  const xs = latentMap.map((p) => p.z[0]!);
  const ys = latentMap.map((p) => p.z[1]!);
  const lo = Math.min(...xs, ...ys);
  const hi = Math.max(...xs, ...ys);
  const sx = (v: number) => 20 + (v - lo) / (hi - lo) * 260;
  const sy = (v: number) => 300 - (v - lo) / (hi - lo) * 260;
  parts.push('<text x="20" y="24" font-size="13">2-D latent means, held-out digits (colour = digit)</text>');
  parts.push('<rect x="20" y="40" width="260" height="260" fill="none" stroke="#ccc"/>');
  for (const p of latentMap) {
    parts.push(`<circle cx="${sx(p.z[0]!).toFixed(1)}" cy="${sy(p.z[1]!).toFixed(1)}" r="2.2" fill="${PALETTE[p.label]}" fill-opacity="0.75"/>`);
  }
  PALETTE.forEach((c, i) => parts.push(`<text x="${24 + i * 26}" y="318" font-size="12" fill="${c}">${i}</text>`));
  // Panel 2: held-out digits (top) and their reconstructions (bottom), decoder means.
  parts.push('<text x="320" y="24" font-size="13">held-out digits and reconstructions</text>');
  originals.forEach((img, i) => {
    parts.push(digitSvg(img, 320 + (i % 8) * 34, 40 + Math.floor(i / 8) * 80, 4));
    parts.push(digitSvg(recon[i]!, 320 + (i % 8) * 34, 76 + Math.floor(i / 8) * 80, 4));
  });
  // Panel 3: decoder means of draws from the prior.
  parts.push('<text x="620" y="24" font-size="13">samples from the prior N(0, I)</text>');
  samples.forEach((img, i) => parts.push(digitSvg(img, 620 + (i % 8) * 34, 40 + Math.floor(i / 8) * 36, 4)));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">` +
    `<rect width="${W}" height="${H}" fill="white"/>${parts.join('')}</svg>\n`;
}

async function main(): Promise<void> {
  const epochs = Number(process.env['VAE_EPOCHS'] ?? 150);
  const {x: all, label: labels} = loadDigits();
  const order = all.map((_, i) => i);
  const rand = mulberry32(5);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const testIdx = order.slice(0, 300);
  const trainIdx = order.slice(300);
  const xTrainRows = trainIdx.map((i) => all[i]!);
  const xTrain = tf.tensor2d(xTrainRows);
  const xTest = tf.tensor2d(testIdx.map((i) => all[i]!));
  console.log(`digits: ${trainIdx.length} training images, ${testIdx.length} held out; 8×8 = ${D} pixels, dequantized to [0, 1]`);

  await pickBackend(() => {
    const vae = buildVAE(2, 1);
    const xb = tf.slice(xTrain, 0, 64);
    const yb = padTargets(xb, 'diag');
    return {step: () => vae.model.trainOnBatch(xb, yb), dispose: () => { vae.model.dispose(); tf.dispose([xb, yb]); }};
  });

  const results: {dim: number; elbo: number; iw: number; ppca: number}[] = [];
  let vae2: VAE | null = null;
  for (const dim of [2, 8]) {
    console.log(`\nVAE, latent dimension ${dim} (${epochs} epochs of model.fit):`);
    const vae = buildVAE(dim, 10 * dim);
    await train(vae, xTrain, epochs, `d=${dim}`);
    const objective = await evaluateObjective(vae.model, xTest, padTargets(xTest, 'diag'), {batchSize: 100});
    const iw = importanceWeightedBound(vae, xTest, K_IW, 1000 + dim);
    const ppca = ppcaLogLikelihood(xTest, fitPPCA(xTrainRows, dim));
    results.push({dim, elbo: objective.loss, iw, ppca});
    console.log(`  held out: negative ELBO ${objective.loss.toFixed(1)} (reconstruction ${objective.dataLoss.toFixed(1)} + KL ${objective.layerLoss.toFixed(1)})`);
    if (dim === 2) vae2 = vae; else vae.model.dispose();
  }

  console.log('\nHeld-out log-likelihood, nats per image (higher is better):');
  console.log('  latent dim | VAE -ELBO bound | VAE IW bound (K=128) | PPCA (exact)');
  for (const r of results) {
    console.log(`  ${String(r.dim).padStart(10)} | ${(-r.elbo).toFixed(1).padStart(15)} | ${r.iw.toFixed(1).padStart(20)} | ${r.ppca.toFixed(1).padStart(12)}`);
  }

  // The figure, from the 2-D model.
  const v = vae2!;
  const head = gaussianHead({dim: 2, layout: 'diag', diagShift: v.latent.diagShift});
  const {latentMap, recon, samples} = tf.tidy(() => {
    const mu = tf.slice(head.apply(v.encoderRaw.predict(xTest) as tf.Tensor) as tf.Tensor2D, [0, 0], [-1, 2]);
    const decodeMean = (z: tf.Tensor) => tf.slice(v.decoder.predict(z) as tf.Tensor2D, [0, 0], [-1, D]).arraySync() as number[][];
    return {
      latentMap: (mu.arraySync() as number[][]).map((z, i) => ({z, label: labels[testIdx[i]!]!})),
      recon: decodeMean(tf.slice(mu, 0, 16)),
      samples: decodeMean(tf.randomNormal([32, 2], 0, 1, 'float32', 3)),
    };
  });
  const originals = testIdx.slice(0, 16).map((i) => all[i]!);
  fs.mkdirSync('out', {recursive: true});
  fs.writeFileSync(path.join('out', 'vae.svg'), vaeSvg(latentMap, originals, recon, samples));
  console.log('\nwrote out/vae.svg (latent map, reconstructions, samples from the prior)');

  const r2 = results[0]!;
  if (!(r2.iw > r2.ppca)) {
    console.error(`FAIL: the 2-D VAE's importance-weighted bound (${r2.iw.toFixed(1)}) does not beat 2-D PPCA (${r2.ppca.toFixed(1)})`);
    process.exit(1);
  }
  console.log(`OK: the 2-D VAE's bound beats 2-D PPCA by ${(r2.iw - r2.ppca).toFixed(1)} nats per image`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

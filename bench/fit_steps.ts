/**
 * Whole training steps as users feel them: `model.trainOnBatch` medians
 * (p10, p90), two models' steps alternating in one process (this machine
 * drifts), after 60 warm-up steps each (V8 tiers kernels up over the first
 * ~50), 150 timed steps each (40 with BENCH_QUICK=1).
 * - the MLP `in → H relu → H relu → params` with gaussianHead('packed') and
 *   gaussianNLLLoss, against the same model on MSE (the floor of a step);
 * - a VAE with gaussianLatent in model.trainOnBatch, against the hand-written
 *   form of tfjs-examples' fashion-mnist-vae (a sampling layer
 *   `zMean + exp(½ zLogVar)·ε`, its KL formula, optimizer.minimize in a
 *   custom loop), on the same encoder and decoder.
 */
import * as tf from '@tensorflow/tfjs';

import {
  gaussianHead, gaussianKLLoss, gaussianLatent, gaussianMixtureHead, gaussianMixtureNLLLoss, gaussianMixtureParamsSize,
  gaussianNLLLoss, gaussianParamsSize, padTargets,
} from '../src/index';

const QUICK = process.env['BENCH_QUICK'] === '1';
const WARMUP = 60;
const REPS = QUICK ? 40 : 150;

/** The q-quantile of `v`, linearly interpolated. */
export function quantile(v: number[], q: number): number {
  const s = [...v].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (i - lo);
}

export interface StepPairRow {
  backend: string; what: string; size: string; oursLabel: string; baseLabel: string; ours: number[]; base: number[];
  /** Median ms of the same step in PyTorch and Keras (bench/peers.py 'mlp'), timed right after ours. */
  peers?: {torch?: number; tf?: number};
}

/**
 * Times step functions interleaved in one process: in the given order on
 * even steps and reversed on odd ones, so that no step always follows
 * another; the first `warmup` rounds untimed. One array of ms per function.
 */
export async function interleave(steps: Array<() => Promise<unknown>>, warmup = WARMUP, reps = REPS): Promise<number[][]> {
  const times = steps.map(() => [] as number[]);
  const forward = [...steps.keys()];
  const backward = [...forward].reverse();
  for (let i = 0; i < warmup + reps; i++) {
    for (const k of i % 2 ? backward : forward) {
      const t0 = performance.now();
      await steps[k]!();
      if (i >= warmup) times[k]!.push(performance.now() - t0);
    }
  }
  return times;
}

/** The MLP `in → H relu → H relu → outputs` of every step pair (fixed seeds). */
export function mlp(inputs: number, hidden: number, outputs: number): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({seed});
  return tf.sequential({layers: [
    tf.layers.dense({units: hidden, inputShape: [inputs], activation: 'relu', kernelInitializer: init(1)}),
    tf.layers.dense({units: hidden, activation: 'relu', kernelInitializer: init(2)}),
    tf.layers.dense({units: outputs, kernelInitializer: init(3)}),
  ]});
}

/**
 * The kinds of MLP step: the NLL ('packed', the default), the KL to target
 * Gaussians ('packed'), the NLL in the 'diag' layout, and the mixture NLL
 * with K = 5 'packed' components (gaussianMixtureHead).
 */
export type MlpLoss = 'nll' | 'kl' | 'dnll' | 'mix5' | FloorLayer;
/**
 * Floors, not our code: the MSE model with one more built-in Keras layer,
 * `Activation('linear')` or `Activation('softplus')`, on MSE. What any head
 * layer costs a step before its own arithmetic: at (32, 2, 4, 32) a step is
 * under 1 ms, so tfjs-layers' per-layer and per-kernel overhead alone is a
 * few percent of it.
 */
export type FloorLayer = 'linear' | 'softplus';
const MLP_LOSS_LABEL: Record<MlpLoss, string> = {
  nll: 'gaussianNLLLoss', kl: 'gaussianKLLoss', dnll: "gaussianNLLLoss ('diag')", mix5: 'gaussianMixtureNLLLoss (K = 5)',
  linear: "floor: MSE + Activation('linear')", softplus: "floor: MSE + Activation('softplus')",
};

/** The model's output width, its head, its loss and its targets `[batch, width]`. */
function mlpTask(loss: MlpLoss, batch: number, d: number):
  {width: number; head: tf.layers.Layer; fn: string | ((yt: tf.Tensor, yp: tf.Tensor) => tf.Tensor); y: tf.Tensor} {
  const points = () => tf.randomNormal([batch, d], 0, 1, 'float32', 2);
  if (loss === 'linear' || loss === 'softplus') {
    return {width: gaussianParamsSize(d, 'packed'), head: tf.layers.activation({activation: loss}), fn: 'meanSquaredError',
      y: padTargets(points(), 'packed')};
  }
  if (loss === 'mix5') {
    const K = 5;
    return {width: gaussianMixtureParamsSize(K, d, 'packed'), head: gaussianMixtureHead({components: K, dim: d, layout: 'packed'}),
      fn: gaussianMixtureNLLLoss({components: K, layout: 'packed'}), y: padTargets(points(), {components: K, layout: 'packed'})};
  }
  const layout = loss === 'dnll' ? 'diag' : 'packed';
  const width = gaussianParamsSize(d, layout);
  const head = gaussianHead({dim: d, layout});
  if (loss === 'kl') {
    // Target Gaussians: the head's transform of N(0, 1) draws, so that every target is valid.
    const y = tf.tidy(() => head.apply(tf.randomNormal([batch, width], 0, 1, 'float32', 2)) as tf.Tensor);
    return {width, head, fn: gaussianKLLoss({layout}), y};
  }
  return {width, head, fn: gaussianNLLLoss({layout}), y: padTargets(points(), layout)};
}

/** The MLP with `loss` and its head, the same MLP on MSE, compiled with Adam, and a batch for both. */
export function mlpPair(loss: MlpLoss, batch: number, d: number, inputs: number, hidden: number):
  {ours: tf.Sequential; mse: tf.Sequential; x: tf.Tensor; y: tf.Tensor} {
  const task = mlpTask(loss, batch, d);
  const ours = mlp(inputs, hidden, task.width);
  ours.add(task.head);
  ours.compile({optimizer: tf.train.adam(1e-3), loss: task.fn});
  const mse = mlp(inputs, hidden, task.width);
  mse.compile({optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError'});
  return {ours, mse, x: tf.randomNormal([batch, inputs], 0, 1, 'float32', 1), y: task.y};
}

/** The regression MLP with a Gaussian loss (default: gaussianNLLLoss, 'packed') against the same MLP on MSE. */
export async function timeMlpStep(backend: string, batch: number, d: number, inputs: number, hidden: number,
                                  loss: MlpLoss = 'nll'): Promise<StepPairRow> {
  const {ours, mse, x, y} = mlpPair(loss, batch, d, inputs, hidden);
  const [a, b] = await interleave([() => ours.trainOnBatch(x, y), () => mse.trainOnBatch(x, y)]) as [number[], number[]];
  tf.dispose([x, y]);
  ours.dispose();
  mse.dispose();
  return {backend, what: 'MLP', size: `(${batch}, ${d}, ${inputs}, ${hidden})`, oursLabel: MLP_LOSS_LABEL[loss], baseLabel: 'MSE',
    ours: a, base: b};
}

/** A VAE step: gaussianLatent in trainOnBatch against tfjs-examples' hand-written sampling layer and KL. */
export async function timeVaeStep(backend: string, batch = 128, pixels = 64, hidden = 128, dim = 8): Promise<StepPairRow> {
  const init = (seed: number) => tf.initializers.glorotUniform({seed});
  const encoderBody = () => [
    tf.layers.dense({units: hidden, activation: 'relu', inputShape: [pixels], kernelInitializer: init(1)}),
  ];
  const decoder = () => tf.sequential({layers: [
    tf.layers.dense({units: hidden, activation: 'relu', inputShape: [dim], kernelInitializer: init(3)}),
    tf.layers.dense({units: pixels, activation: 'sigmoid', kernelInitializer: init(4)}),
  ]});
  // The reconstruction term both use: squared error summed over pixels, per sample.
  const recon = (t: tf.Tensor, p: tf.Tensor) => tf.sum(tf.squaredDifference(t, p), -1);

  // Ours: encoder -> Dense(2·dim) -> gaussianLatent -> decoder, in model.fit's step.
  const enc = tf.sequential({layers: [...encoderBody(),
    tf.layers.dense({units: gaussianParamsSize(dim, 'diag'), kernelInitializer: init(2)}), gaussianLatent({dim, seed: 1})]});
  const input = tf.input({shape: [pixels]});
  const ours = tf.model({inputs: input, outputs: decoder().apply(enc.apply(input)) as tf.SymbolicTensor});
  ours.compile({optimizer: tf.train.adam(1e-3), loss: recon});

  // tfjs-examples' form: zMean and zLogVar heads, a sampling function, the KL
  // formula, and optimizer.minimize over all weights in a custom loop.
  const body = tf.sequential({layers: encoderBody()});
  const zMean = tf.layers.dense({units: dim, kernelInitializer: init(2)});
  const zLogVar = tf.layers.dense({units: dim, kernelInitializer: init(5)});
  const dec = decoder();
  const optimizer = tf.train.adam(1e-3);
  const handStep = (x: tf.Tensor) => {
    const cost = optimizer.minimize(() => {
      const h = body.apply(x) as tf.Tensor;
      const m = zMean.apply(h) as tf.Tensor;
      const lv = zLogVar.apply(h) as tf.Tensor;
      const z = tf.add(m, tf.mul(tf.exp(tf.mul(0.5, lv)), tf.randomNormal(m.shape)));
      const rec = tf.mean(recon(x, dec.apply(z) as tf.Tensor));
      const kl = tf.mean(tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, lv), tf.square(m)), tf.exp(lv)), -1)));
      return tf.add(rec, kl) as tf.Scalar;
    }, true);
    const v = cost!.dataSync()[0];
    cost!.dispose();
    return v;
  };
  const x = tf.randomUniform([batch, pixels], 0, 1, 'float32', 3);
  const [a, b] = await interleave([() => ours.trainOnBatch(x, x), async () => handStep(x)]) as [number[], number[]];
  x.dispose();
  ours.dispose();
  return {backend, what: 'VAE', size: `(${batch}, ${pixels}, ${hidden}, d = ${dim})`, oursLabel: 'gaussianLatent, trainOnBatch',
    baseLabel: 'hand-written, minimize', ours: a, base: b};
}

/** The RESULTS.md section for rows of {@link timeMlpStep} and {@link timeVaeStep}. */
export function fitStepsTable(rows: StepPairRow[]): string {
  const f = (v: number) => v.toFixed(2);
  const q = (v: number[]) => `${f(quantile(v, 0.5))} (${f(quantile(v, 0.1))}–${f(quantile(v, 0.9))})`;
  const lines = [
    '## Whole training steps (trainOnBatch)',
    '',
    'MLP: in → H relu → H relu → gaussianHead(\'packed\') with gaussianNLLLoss and Adam, against the same MLP on MSE ' +
    '(the floor of a step); size (B, d, in, H). At (256, 8, 16, 128) also: gaussianKLLoss to target Gaussians (\'packed\'), ' +
    'gaussianNLLLoss in the \'diag\' layout, and gaussianMixtureNLLLoss with gaussianMixtureHead (K = 5, \'packed\'), each ' +
    'against MSE on the same output width. VAE: Dense(H relu) → Dense(2d) → gaussianLatent → Dense(H relu) → ' +
    'Dense(64 sigmoid), squared error summed over pixels plus the KL, in model.trainOnBatch; against tfjs-examples\' ' +
    'hand-written form (zMean/zLogVar heads, a sampling function, the KL formula, optimizer.minimize). ' +
    'Floor rows (at (32, 2, 4, 32)): no code of ours, the MSE model with one more built-in Keras layer, ' +
    'Activation(\'linear\') or Activation(\'softplus\'): what a head layer costs a step before its own arithmetic. ' +
    `The two steps alternate in one process; ${WARMUP} warm-up steps each, then ${REPS} timed each; medians (p10–p90), ms. ` +
    'Peers (bench/peers.py \'mlp\', one thread, float32, timed right after each size, median ms): the same MLP step in ' +
    'PyTorch (nn.Sequential, MultivariateNormal(loc, scale_tril).log_prob, Adam) and in Keras 3 on TensorFlow ' +
    '(model.train_on_batch, the NLL with tf.linalg.triangular_solve; compile\'s defaults, which use no XLA on a CPU-only machine).',
    '',
    '| backend | model | size | ours | ms (p10–p90) | baseline | ms (p10–p90) | ratio of medians | PyTorch ms | Keras ms | ours × faster peer |',
    '| --- | --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const peerMs = [r.peers?.torch, r.peers?.tf].filter((v): v is number => v !== undefined);
    const best = peerMs.length ? Math.min(...peerMs) : undefined;
    const cell = (v: number | undefined) => (v === undefined ? '-' : f(v));
    lines.push(`| ${r.backend} | ${r.what} | ${r.size} | ${r.oursLabel} | ${q(r.ours)} | ${r.baseLabel} | ${q(r.base)} | ` +
      `${(quantile(r.ours, 0.5) / quantile(r.base, 0.5)).toFixed(3)} | ${cell(r.peers?.torch)} | ${cell(r.peers?.tf)} | ` +
      `${best === undefined ? '-' : `${(quantile(r.ours, 0.5) / best).toFixed(2)}x`} |`);
  }
  return lines.join('\n') + '\n';
}

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {assertPositiveInt, fail, fmt} from '../util/checks.js';
import {GaussianLatent} from './gaussian_latent.js';

/**
 * Options of {@link evaluateObjective}.
 *
 * @category layers
 */
export interface EvaluateObjectiveArgs {
  /** Rows per forward pass. @default 32, as `model.evaluate` */
  batchSize?: number;
}

/**
 * The value of a model's training objective on some data, as
 * {@link evaluateObjective} returns it. Each is a mean per sample.
 *
 * @category layers
 */
export interface ObjectiveValue {
  /** `dataLoss + layerLoss`: what `model.fit` reports as `loss`. */
  loss: number;
  /** The compiled loss (summed over outputs), as `model.evaluate` reports it. */
  dataLoss: number;
  /** The layers' losses: {@link GaussianLatent}'s weighted KL, plus any weight regularizers. */
  layerLoss: number;
}

function gaussianLatents(model: tfl.LayersModel): GaussianLatent[] {
  return model.layers.flatMap((l) => l instanceof GaussianLatent ? [l]
    : l instanceof tfl.LayersModel ? gaussianLatents(l) : []);
}

function asList(x: tf.Tensor | tf.Tensor[], arg: string, count: number): tf.Tensor[] {
  const list = Array.isArray(x) ? x : [x];
  if (list.length !== count) fail('evaluateObjective', `${arg} must hold ${count} tensor(s), one per model ${arg === 'x' ? 'input' : 'output'}, but got ${list.length}.`);
  return list;
}

/**
 * The objective that `model.fit` minimizes, on held-out data: the compiled
 * loss plus the layers' losses, above all the KL terms that
 * {@link GaussianLatent} layers add. `tf.LayersModel.evaluate` leaves layer
 * losses out, so for a VAE it reports only the reconstruction term; this
 * reports the same quantity as `fit`'s `loss` (for a VAE with a per-sample
 * NLL and `klWeight: 1`, the negative ELBO per sample).
 *
 * As in `fit`, each `GaussianLatent` layer draws `z` (one draw per sample,
 * so the value is a one-sample estimate of the ELBO) and adds its KL; every
 * other layer runs in inference mode, as in `model.evaluate` (no dropout).
 * Batches are weighted by their size.
 *
 * ```js
 * const model = tf.sequential({layers: [
 *   tf.layers.dense({units: gaussianParamsSize(2, 'diag'), inputShape: [4]}),
 *   gaussianLatent({dim: 2, seed: 1}),
 * ]});
 * model.compile({optimizer: 'adam', loss: 'meanSquaredError'});
 * const value = await evaluateObjective(model, tf.ones([8, 4]), tf.zeros([8, 2]));
 * value.loss === value.dataLoss + value.layerLoss;  // true
 * ```
 *
 * @param model A compiled model.
 * @param x Inputs, one tensor per model input, `[n, ...]`.
 * @param y Targets, one tensor per model output, `[n, ...]`.
 * @param args `batchSize` (default 32).
 * @returns The per-sample means `{loss, dataLoss, layerLoss}`.
 *
 * @category layers
 */
export async function evaluateObjective(model: tfl.LayersModel, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[],
                                        {batchSize = 32}: EvaluateObjectiveArgs = {}): Promise<ObjectiveValue> {
  const fn = 'evaluateObjective';
  assertPositiveInt(batchSize, 'batchSize', fn);
  // A Sequential model compiles and trains the LayersModel it wraps.
  const inner = model instanceof tfl.Sequential ? (model as unknown as {model: tfl.LayersModel}).model ?? model : model;
  const lossFns = (inner as unknown as {lossFunctions?: ((t: tf.Tensor, p: tf.Tensor) => tf.Tensor)[]}).lossFunctions;
  if (lossFns === undefined || lossFns.length === 0) {
    fail(fn, 'model must be compiled with a loss (model.compile) first.');
  }
  const xs = asList(x, 'x', model.inputs.length);
  const ys = asList(y, 'y', model.outputs.length);
  const n = xs[0]!.shape[0] as number;
  for (const [arg, list] of [['x', xs], ['y', ys]] as const) {
    for (const t of list) {
      if (t.shape[0] !== n) {
        fail(fn, `every x and y must have the same number of rows, but got x ${fmt(xs[0]!.shape)} and ${arg} ${fmt(t.shape)}.`);
      }
    }
  }
  if (n === 0) fail(fn, `x must have at least one row, but got shape ${fmt(xs[0]!.shape)}.`);
  const latents = gaussianLatents(model);
  const run = (f: () => tf.Tensor[]): tf.Tensor[] =>
    latents.reduceRight<() => tf.Tensor[]>((g, layer) => () => layer.withObjective(g), f)();
  const sums = tf.tidy(() => {
    let data = tf.scalar(0);
    let layer = tf.scalar(0);
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      [data, layer] = tf.tidy(() => {
        const xb = xs.map((t) => tf.slice(t, start, size));
        const yb = ys.map((t) => tf.slice(t, start, size));
        return run(() => {
          const out = inner.apply(xb.length === 1 ? xb[0]! : xb, {training: false}) as tf.Tensor | tf.Tensor[];
          const outs = Array.isArray(out) ? out : [out];
          const dataLoss = tf.addN(lossFns.map((f, i) => tf.mean(f(yb[i]!, outs[i]!))));
          const losses = inner.calculateLosses();
          const layerLoss = losses.length === 0 ? tf.scalar(0) : tf.addN(losses);
          return [tf.add(data, tf.mul(dataLoss, size)), tf.add(layer, tf.mul(layerLoss, size))];
        });
      }) as [tf.Scalar, tf.Scalar];
    }
    return tf.div(tf.stack([data, layer]), n);
  });
  const [dataLoss, layerLoss] = Array.from(await sums.data());
  sums.dispose();
  return {loss: dataLoss! + layerLoss!, dataLoss: dataLoss!, layerLoss: layerLoss!};
}

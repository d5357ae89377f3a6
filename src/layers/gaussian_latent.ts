import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {MultivariateNormalDiag} from '../distributions/mvn_diag.js';
import {MultivariateNormalTriL} from '../distributions/mvn_tril.js';
import {DEFAULT_MIN_DIAG} from '../distributions/validate.js';
import {gaussianKLOp} from '../kernels/ops.js';
import {unpackRows} from '../layout/unpack_rows.js';
import {DENSE_LAYOUTS, GaussianLayout, rowLayout, widthOf} from '../layout/row_layout.js';
import {assertOneOf, assertPositiveInt, fail, fmt} from '../util/checks.js';
import {headMasks} from '../layout/head_masks.js';
import {applyHead, checkDiagShift} from './gaussian_head.js';

/**
 * The prior of a {@link GaussianLatent} layer:
 * - `'standardNormal'` (the default): `N(0, I)`;
 * - `'learnable'`: a trainable mean and scale in the layer's layout,
 *   starting at `N(0, I)` (weights `prior_loc` and `prior_scale`);
 * - a fixed `MultivariateNormalDiag` or `MultivariateNormalTriL` of batch
 *   size 1 (its values are copied; the object may be disposed afterwards);
 * - the same fixed prior as plain arrays, `{loc, scaleDiag}` or
 *   `{loc, scaleTril}`: the form that `getConfig()` stores.
 *
 * @category layers
 */
export type GaussianLatentPrior = 'standardNormal' | 'learnable' | MultivariateNormalDiag | MultivariateNormalTriL |
  {
    /** Mean, `[d]`. */
    loc: number[];
    /** Standard deviations, `[d]`. */
    scaleDiag: number[];
  } | {
    /** Mean, `[d]`. */
    loc: number[];
    /** Lower Cholesky factor, `[d][d]`. */
    scaleTril: number[][];
  };

/**
 * Arguments of {@link gaussianLatent}.
 *
 * @category layers
 */
export interface GaussianLatentArgs {
  /** Latent dimension `d`. */
  dim: number;
  /** Layout of the posterior's parameters (see gaussianKLLoss). @default 'diag' */
  layout?: GaussianLayout;
  /** The prior `p(z)`. @default 'standardNormal' */
  prior?: GaussianLatentPrior;
  /**
   * Weight of the KL term added to the training objective: 1 gives the
   * negative ELBO, other values a β-VAE. May be changed between steps
   * (`layer.klWeight = w`) for KL annealing. @default 1
   */
  klWeight?: number;
  /** Added to the softplus of each scale diagonal, as {@link gaussianHead}. @default 1e-5 */
  diagShift?: number;
  /**
   * Output outside training: the posterior mean (`'mean'`), or a fresh
   * reparameterized draw (`'sample'`). @default 'mean'
   */
  inference?: 'mean' | 'sample';
  /**
   * Seed of the draws: the n-th call uses `seed + n`, so a run is
   * reproducible and every step still gets new noise. Random when omitted.
   */
  seed?: number;
  /** Layer name. */
  name?: string;
}

/** What `getConfig()` stores for the prior. */
type PriorConfig = 'standardNormal' | 'learnable' | {loc: number[]; scaleDiag: number[]} | {loc: number[]; scaleTril: number[][]};

/** A fixed prior, read once: `scale` is σ (`'diag'`) or `L` row-major (`'full'`). */
interface FixedPrior {
  structure: 'diag' | 'full';
  loc: Float32Array;
  scale: Float32Array;
}

const FN = 'gaussianLatent';

/** softplus⁻¹(1 − diagShift): the raw value whose head transform is 1. */
function unitRaw(diagShift: number): number {
  return Math.log(Math.expm1(1 - diagShift));
}

function readPrior(prior: GaussianLatentPrior | undefined, dim: number): 'standardNormal' | 'learnable' | FixedPrior {
  if (prior === undefined || prior === 'standardNormal' || prior === 'learnable') return prior ?? 'standardNormal';
  if (typeof prior === 'string') {
    fail(FN, `prior must be 'standardNormal', 'learnable', a MultivariateNormalDiag or a MultivariateNormalTriL, but got '${prior}'.`);
  }
  let loc: tf.Tensor;
  let scale: tf.Tensor;
  let structure: 'diag' | 'full';
  const owned: tf.Tensor[] = [];
  if (prior instanceof MultivariateNormalDiag || prior instanceof MultivariateNormalTriL) {
    if (prior.isDisposed) fail(FN, 'prior has been disposed.');
    loc = prior.loc;
    structure = prior instanceof MultivariateNormalDiag ? 'diag' : 'full';
    scale = prior instanceof MultivariateNormalDiag ? prior.scaleDiag : prior.scaleTril;
  } else if (typeof prior === 'object' && prior !== null && 'loc' in prior && ('scaleDiag' in prior || 'scaleTril' in prior)) {
    loc = tf.tensor(prior.loc);
    structure = 'scaleDiag' in prior ? 'diag' : 'full';
    scale = tf.tensor('scaleDiag' in prior ? prior.scaleDiag : prior.scaleTril);
    owned.push(loc, scale);
  } else {
    return fail(FN, 'prior must be \'standardNormal\', \'learnable\', a MultivariateNormalDiag or a MultivariateNormalTriL.');
  }
  try {
    const d = loc.shape[loc.rank - 1];
    const scaleShape = structure === 'diag' ? [d] : [d, d];
    const batch = loc.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const scaleBatch = scale.shape.slice(0, -scaleShape.length).reduce((a, b) => a * b, 1);
    if (d !== dim) {
      fail(FN, `prior must have dimension ${dim} (dim), but got loc of shape ${fmt(loc.shape)}.`);
    }
    if (batch !== 1 || scaleBatch !== 1 || scale.shape.slice(-scaleShape.length).some((s, i) => s !== scaleShape[i])) {
      fail(FN, `prior must be a single Gaussian (batch size 1), but got loc ${fmt(loc.shape)} and ` +
        `${structure === 'diag' ? 'scaleDiag' : 'scaleTril'} ${fmt(scale.shape)}.`);
    }
    const l = Float32Array.from(loc.dataSync());
    const s = Float32Array.from(scale.dataSync());
    if (structure === 'full') {
      for (let i = 0; i < dim; i++) for (let j = i + 1; j < dim; j++) s[i * dim + j] = 0;
    }
    const diag = Array.from({length: dim}, (_, i) => Math.abs(s[structure === 'diag' ? i : i * dim + i] as number));
    if (!l.every(Number.isFinite) || !s.every(Number.isFinite) || diag.some((v) => !(v > 0))) {
      fail(FN, 'prior must have finite parameters and a nonzero scale diagonal.');
    }
    return {structure, loc: l, scale: s};
  } finally {
    tf.dispose(owned);
  }
}

/**
 * A variational autoencoder's latent layer: raw encoder outputs in, a
 * reparameterized draw from the posterior `q(z|x)` out, and the KL term of
 * the ELBO added to the objective that `model.fit` minimizes:
 * `[batch, gaussianParamsSize(dim, layout)] -> [batch, dim]`.
 *
 * - **Input.** Raw values, as a `Dense` layer outputs them. The layer applies
 *   {@link gaussianHead}'s transform (softplus + `diagShift` on each scale
 *   diagonal), so the posterior is valid for any finite input.
 * - **Output.** In training (`fit`, `trainOnBatch`): `z = μ + L·ε`,
 *   `ε ~ N(0, I)`, differentiable in μ and L. Otherwise (`predict`,
 *   `evaluate`): the posterior mean, or a draw with `inference: 'sample'`.
 * - **Objective.** In training, the layer adds
 *   `klWeight · mean over the batch of KL(q(z|x) ‖ p(z))` to the loss, as
 *   Keras averages the data loss. With a data loss that is the per-sample
 *   negative log-likelihood summed over the outputs, `model.fit` reports the
 *   negative ELBO per sample. `tf.LayersModel.evaluate` leaves layer losses
 *   out; {@link evaluateObjective} reports the same objective as `fit`.
 * - **KL.** Exact: in closed form for the standard normal
 *   (`½(‖μ‖² + ‖L‖²_F − d) − Σ log L_ii`, O(d) for `'diag'`), and otherwise
 *   by the library's KL kernels (fused where available).
 *
 * Registered with `tf.serialization`, so models containing it survive
 * `model.save` / `tf.loadLayersModel`, with every kind of prior (a learnable
 * prior's values are saved as weights).
 *
 * ```js
 * const encoder = tf.sequential({layers: [
 *   tf.layers.dense({units: 16, inputShape: [4], activation: 'relu'}),
 *   tf.layers.dense({units: gaussianParamsSize(2, 'diag')}),
 *   gaussianLatent({dim: 2}),
 * ]});
 * encoder.predict(tf.ones([3, 4])).shape;  // [3, 2]
 * ```
 *
 * Used once per model: a layer applied at two places in one model adds only
 * its last call's KL.
 *
 * @category layers
 */
export class GaussianLatent extends tfl.layers.Layer {
  /** The name under which `tf.serialization` registers the layer. */
  static className = 'GaussianLatent';
  /** Latent dimension `d`. */
  readonly dim: number;
  /** Row layout of the input (the posterior's parameters). */
  readonly layout: GaussianLayout;
  /** Added to the softplus scale diagonal. */
  readonly diagShift: number;
  /** What the layer outputs outside training. */
  readonly inference: 'mean' | 'sample';
  /** The seed of the first draw, if any. */
  readonly seed: number | undefined;
  private readonly prior: 'standardNormal' | 'learnable' | FixedPrior;
  private readonly keep: Float32Array;
  private readonly diagMask: Float32Array;
  private weightOfKL: number;
  private draws = 0;
  private lastKL: tf.Scalar | null = null;
  private objectiveMode = false;
  private priorLoc: tfl.LayerVariable | null = null;
  private priorScale: tfl.LayerVariable | null = null;

  constructor(args: GaussianLatentArgs) {
    super({name: args.name});
    assertPositiveInt(args.dim, 'dim', FN);
    this.dim = args.dim;
    this.layout = args.layout ?? 'diag';
    assertOneOf(this.layout, DENSE_LAYOUTS, 'layout', FN);
    this.diagShift = args.diagShift ?? 1e-5;
    checkDiagShift(FN, this.diagShift);
    this.inference = args.inference ?? 'mean';
    assertOneOf(this.inference, ['mean', 'sample'] as const, 'inference', FN);
    if (args.seed !== undefined && !Number.isFinite(args.seed)) fail(FN, `seed must be a finite number, but got ${args.seed}.`);
    this.seed = args.seed;
    this.weightOfKL = 1;
    this.klWeight = args.klWeight ?? 1;
    this.prior = readPrior(args.prior, this.dim);
    ({keep: this.keep, diag: this.diagMask} = headMasks(this.dim, this.layout));
    // tfjs-layers adds layer losses to the training objective (calculateLosses
    // in the train function, after the forward pass that set lastKL).
    this.addLoss(() => this.klTerm());
  }

  /** Weight of the KL term; may be changed between steps for annealing. */
  get klWeight(): number {
    return this.weightOfKL;
  }

  /** Sets the KL weight (a finite number >= 0). */
  set klWeight(w: number) {
    if (!(w >= 0) || !Number.isFinite(w)) fail(FN, `klWeight must be a finite number >= 0, but got ${w}.`);
    this.weightOfKL = w;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const w = shape[shape.length - 1];
    const expected = widthOf(this.dim, this.layout);
    if (shape.length !== 2 || w !== expected) {
      fail(FN, `input must have shape [batch, ${expected}] for dim ${this.dim} in the '${this.layout}' layout, ` +
        `but got input shape ${fmt(shape.map((s) => s ?? -1))}.`);
    }
    if (this.prior === 'learnable') {
      // Zeros mean N(0, I): the scale's diagonal is softplus(raw + c) + diagShift with c = softplus⁻¹(1 − diagShift).
      this.priorLoc = this.addWeight('prior_loc', [this.dim], 'float32', tfl.initializers.zeros());
      this.priorScale = this.addWeight('prior_scale', [expected - this.dim], 'float32', tfl.initializers.zeros());
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [shape[0] ?? null, this.dim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: {[key: string]: unknown}): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] as tf.Tensor : inputs;
    const w = this.keep.length;
    if (x.rank !== 2 || x.shape[1] !== w) {
      fail(FN, `input must have shape [batch, ${w}] for dim ${this.dim} in the '${this.layout}' layout, but got shape ${fmt(x.shape)}.`);
    }
    const training = kwargs?.['training'] === true || this.objectiveMode;
    const sample = training || this.inference === 'sample';
    const [z, kl] = tf.tidy(() => {
      if (this.layout === 'diag') return this.callDiag(x as tf.Tensor2D, training, sample);
      const q = applyHead(x, this.dim, this.layout, this.diagShift) as tf.Tensor2D;
      const out = sample ? this.draw(q) : tf.slice(q, [0, 0], [-1, this.dim]);
      if (!training) return [out];
      return [out, tf.mul(tf.mean(this.klRows(q)), this.weightOfKL) as tf.Scalar];
    });
    if (kl !== undefined) {
      // Kept: a nested model's call runs inside a tf.tidy that would free it
      // before calculateLosses reads it. One scalar per layer outlives the
      // step and is freed by the next call (or dispose()).
      this.lastKL?.dispose();
      this.lastKL = tf.keep(kl as tf.Scalar);
    }
    return z as tf.Tensor;
  }

  override dispose(): ReturnType<tfl.layers.Layer["dispose"]> {
    this.lastKL?.dispose();
    this.lastKL = null;
    return super.dispose();
  }

  /**
   * The KL term of the last training-mode forward pass. Called by
   * tfjs-layers' `calculateLosses()` inside the same step, after that pass,
   * so the tensor is on the step's gradient tape.
   */
  private klTerm(): tf.Scalar {
    if (this.lastKL === null || this.lastKL.isDisposed) {
      fail(FN, 'the KL term is read by model.fit / trainOnBatch after a training-mode call, ' +
        'but this layer has not run in training mode.');
    }
    return this.lastKL;
  }

  /**
   * The 'diag' layout, which VAEs use, in as few ops as the hand-written form:
   * the head splits the row instead of masking it, and against the standard
   * normal the batch mean of the KL is one sum,
   * `(w / 2n)·Σ(μ² + σ² − 2 log σ) − w·d/2`.
   * Returns the output and, in training, the weighted KL.
   */
  private callDiag(x: tf.Tensor2D, training: boolean, sample: boolean): tf.Tensor[] {
    const [mean, raw] = tf.split(x, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const sigma = tf.add(tf.softplus(raw), this.diagShift);
    let out: tf.Tensor = mean;
    if (sample) {
      const seed = this.seed === undefined ? undefined : this.seed + this.draws++;
      out = tf.add(mean, tf.mul(sigma, tf.randomNormal(mean.shape, 0, 1, 'float32', seed)));
    }
    if (!training) return [out];
    if (this.prior !== 'standardNormal') {
      const q = tf.concat([mean, sigma], 1) as tf.Tensor2D;
      return [out, tf.mul(tf.mean(this.klRows(q)), this.weightOfKL)];
    }
    // σ ≥ diagShift; the losses' minDiag clamp of log σ matters only for a
    // diagShift at or below it.
    const logSigma = tf.log(this.diagShift > DEFAULT_MIN_DIAG ? sigma : tf.maximum(sigma, DEFAULT_MIN_DIAG));
    const t = tf.sub(tf.add(tf.square(mean), tf.square(sigma)), tf.mul(2, logSigma));
    const n = x.shape[0];
    const w = this.weightOfKL;
    return [out, tf.sub(tf.mul(tf.sum(t), w / (2 * n)), w * this.dim / 2)];
  }

  /** `μ + L·ε` for rows `q [n, W]` in the layer's layout. */
  private draw(q: tf.Tensor2D): tf.Tensor2D {
    const n = q.shape[0];
    const d = this.dim;
    const seed = this.seed === undefined ? undefined : this.seed + this.draws++;
    const eps = tf.randomNormal([n, d], 0, 1, 'float32', seed);
    if (this.layout === 'diag') {
      const [mean, sigma] = tf.split(q, 2, 1);
      return tf.add(mean as tf.Tensor, tf.mul(sigma as tf.Tensor, eps));
    }
    const {mean, scaleTril} = unpackRows(q, d, this.layout);
    return tf.add(mean, tf.reshape(tf.matMul(scaleTril, tf.expandDims(eps, -1)), [n, d]));
  }

  /** `KL(q_i ‖ p)` per row, `[n]`. */
  private klRows(q: tf.Tensor2D): tf.Tensor1D {
    const n = q.shape[0];
    const d = this.dim;
    if (this.prior === 'standardNormal') {
      // KL(N(μ, LLᵀ) ‖ N(0, I)) = ½(‖μ‖² + ‖L‖²_F − d) − Σ log L_ii. The row's
      // squares are ‖μ‖² + ‖L‖²_F in every layout (the head zeroes the upper
      // triangle of 'full'); the diagonal is ≥ diagShift, and below the
      // losses' minDiag (only when diagShift < 1e-6) log L_ii is clamped.
      const diag = tf.tensor1d(this.diagMask);
      const logDiag = tf.log(tf.maximum(tf.add(tf.mul(q, diag), tf.sub(1, diag)), DEFAULT_MIN_DIAG));
      return tf.sub(tf.mul(0.5, tf.sub(tf.sum(tf.square(q), 1), d)), tf.sum(logDiag, 1)) as tf.Tensor1D;
    }
    const {layout, rows} = this.priorRows();
    const p = tf.tile(rows, [n, 1]);
    return gaussianKLOp([layout === this.layout ? q : this.asFull(q), p],
      {dim: d, layout, direction: 'forward', minDiag: DEFAULT_MIN_DIAG}) as tf.Tensor1D;
  }

  /** The prior as one row `[1, W]`, in the layout the KL is computed in. */
  private priorRows(): {layout: GaussianLayout; rows: tf.Tensor2D} {
    if (this.prior === 'learnable') {
      const c = unitRaw(this.diagShift);
      const shift = tf.mul(tf.tensor1d(this.diagMask.subarray(this.dim)), c);
      const raw = tf.reshape(tf.concat([this.priorLoc!.read(), tf.add(this.priorScale!.read(), shift)]), [1, -1]);
      return {layout: this.layout, rows: applyHead(raw, this.dim, this.layout, this.diagShift) as tf.Tensor2D};
    }
    const prior = this.prior as FixedPrior;
    // A diagonal posterior against a full prior is computed in the 'full' layout.
    const layout: GaussianLayout = this.layout === 'diag' && prior.structure === 'full' ? 'full' : this.layout;
    const d = this.dim;
    const lay = rowLayout(d, layout);
    const row = new Float32Array(lay.width);
    row.set(prior.loc, 0);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        const v = prior.structure === 'diag' ? (i === j ? prior.scale[i] as number : 0) : prior.scale[i * d + j] as number;
        const c = lay.lIndex[i * d + j] as number;
        if (c >= 0) row[c] = v;
      }
    }
    return {layout, rows: tf.tensor2d(row, [1, lay.width])};
  }

  /** Diagonal rows `[μ | σ]` as 'full' rows `[μ | diag(σ) row-major]`. */
  private asFull(q: tf.Tensor2D): tf.Tensor2D {
    const {mean, scaleTril} = unpackRows(q, this.dim, 'diag');
    return tf.concat([mean, tf.reshape(scaleTril, [q.shape[0], this.dim * this.dim])], 1);
  }

  /**
   * Runs `f` with the layer drawing and adding its KL term as in training,
   * whatever the `training` flag; {@link evaluateObjective} uses it so that
   * evaluation keeps `training: false` for other layers (dropout, batch
   * normalization) and still reports the objective that `fit` minimizes.
   * @hidden
   */
  withObjective<T>(f: () => T): T {
    const before = this.objectiveMode;
    this.objectiveMode = true;
    try {
      return f();
    } finally {
      this.objectiveMode = before;
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    let prior: PriorConfig;
    if (typeof this.prior === 'string') {
      prior = this.prior;
    } else {
      const {loc, scale, structure} = this.prior;
      const d = this.dim;
      prior = structure === 'diag'
        ? {loc: Array.from(loc), scaleDiag: Array.from(scale)}
        : {loc: Array.from(loc), scaleTril: Array.from({length: d}, (_, i) => Array.from(scale.subarray(i * d, (i + 1) * d)))};
    }
    const config: tf.serialization.ConfigDict = {
      ...super.getConfig(), dim: this.dim, layout: this.layout, prior: prior as tf.serialization.ConfigDictValue,
      klWeight: this.klWeight, diagShift: this.diagShift, inference: this.inference,
    };
    if (this.seed !== undefined) config['seed'] = this.seed;
    return config;
  }
}

/**
 * Creates a {@link GaussianLatent} layer.
 *
 * @param args `dim`, `layout` (default `'diag'`), `prior` (default
 *   `'standardNormal'`), `klWeight` (default 1), `diagShift` (default 1e-5),
 *   `inference` (default `'mean'`), `seed`.
 *
 * @category layers
 */
export function gaussianLatent(args: GaussianLatentArgs): GaussianLatent {
  return new GaussianLatent(args);
}

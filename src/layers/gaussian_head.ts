import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {gaussianHeadOp} from '../kernels/ops.js';
import {GaussianLayout, LAYOUTS, widthOf} from '../layout/row_layout.js';
import {checkRank} from '../distributions/validate.js';
import {assertOneOf, assertPositiveInt, fail, fmt} from '../util/checks.js';

/**
 * Arguments of {@link gaussianHead}.
 *
 * @category layers
 */
export interface GaussianHeadArgs {
  /** Event dimension `d`. */
  dim: number;
  /** Layout of the parameters (see gaussianKLLoss). @default 'full' */
  layout?: GaussianLayout;
  /** Rank of the `'lowrank'` layout's factor (required there, only there). */
  rank?: number;
  /** Added to the softplus of each diagonal entry, as TFP's FillScaleTriL. @default 1e-5 */
  diagShift?: number;
  /** Layer name, trainable flag, etc. */
  name?: string;
}

/**
 * The head transform of rows `[..., W]` (`components` K > 0: mixture rows
 * `[K logits | K rows]`): `x` where kept, `softplus(x) + diagShift` on each
 * scale entry, 0 elsewhere, as one fused op where the backend has it.
 */
export function applyHead(x: tf.Tensor, dim: number, layout: GaussianLayout, diagShift: number, components = 0): tf.Tensor {
  return gaussianHeadOp([x], {dim, layout, components, diagShift});
}

/** Checks `diagShift`: finite and >= 0. */
export function checkDiagShift(fn: string, diagShift: number): void {
  if (!(diagShift >= 0) || !Number.isFinite(diagShift)) {
    fail(fn, `diagShift must be a finite number >= 0, but got ${diagShift}.`);
  }
}

/**
 * A layer that turns raw values into valid Gaussian parameters, keeping the
 * width: `[batch, W] -> [batch, W]`, `W = gaussianParamsSize(dim, layout)`.
 *
 * - the mean and the strictly lower entries pass through;
 * - each Cholesky diagonal becomes `softplus(x) + diagShift` (TFP's
 *   `FillScaleTriL` default), so it is > 0 and finite for any finite input
 *   (softplus is evaluated stably: `softplus(-1e3) = 0`, `softplus(1e3) = 1e3`);
 * - the strict upper triangle is set to 0 in the `'full'` layout;
 * - in the `'diag'` layout every σ is a diagonal: `softplus(x) + diagShift`;
 * - in the `'lowrank'` layout (`rank: r`) each σ is `softplus(x) + diagShift`
 *   and the factor `W` passes through.
 *
 * Registered with `tf.serialization`, so models containing it survive
 * `model.save` / `tf.loadLayersModel`.
 *
 * ```js
 * const model = tf.sequential({layers: [
 *   tf.layers.dense({units: gaussianParamsSize(2), inputShape: [4]}),
 *   gaussianHead({dim: 2}),
 * ]});
 * model.compile({optimizer: 'adam', loss: gaussianNLLLoss()});
 * ```
 *
 * @category layers
 */
export class GaussianHead extends tfl.layers.Layer {
  /** The name under which `tf.serialization` registers the layer. */
  static className = 'GaussianHead';
  /** Event dimension `d`. */
  readonly dim: number;
  /** Row layout of the output. */
  readonly layout: GaussianLayout;
  /** Added to the softplus diagonal. */
  readonly diagShift: number;
  /** Rank of the `'lowrank'` factor; undefined in the other layouts. */
  readonly rank: number | undefined;
  /** Row width `W`. */
  private readonly width: number;

  constructor(args: GaussianHeadArgs) {
    super({name: args.name});
    const fn = 'gaussianHead';
    assertPositiveInt(args.dim, 'dim', fn);
    this.dim = args.dim;
    this.layout = args.layout ?? 'full';
    assertOneOf(this.layout, LAYOUTS, 'layout', fn);
    checkRank(fn, this.layout, args.rank, 'rank');
    this.rank = args.rank;
    this.diagShift = args.diagShift ?? 1e-5;
    checkDiagShift(fn, this.diagShift);
    this.width = widthOf(this.dim, this.layout, this.rank ?? 0);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const w = shape[shape.length - 1];
    const expected = widthOf(this.dim, this.layout, this.rank ?? 0);
    if (w !== expected) {
      fail('gaussianHead', `input must have width ${expected} for dim ${this.dim} in the '${this.layout}' layout` +
        `${this.rank === undefined ? '' : ` of rank ${this.rank}`}, ` +
        `but got input shape ${fmt(shape.map((s) => s ?? -1))}.`);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] as tf.Tensor : inputs;
      const w = this.width;
      if (x.shape[x.rank - 1] !== w) {
        fail('gaussianHead', `input must have width ${w}, but got shape ${fmt(x.shape)}.`);
      }
      return applyHead(x, this.dim, this.layout, this.diagShift);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {...super.getConfig(), dim: this.dim, layout: this.layout, diagShift: this.diagShift};
    if (this.rank !== undefined) config['rank'] = this.rank;
    return config;
  }
}

/**
 * Creates a {@link GaussianHead} layer.
 *
 * @param args `dim`, `layout` (default `'full'`), `rank` (`'lowrank'` only), `diagShift` (default 1e-5).
 *
 * @category layers
 */
export function gaussianHead(args: GaussianHeadArgs): GaussianHead {
  return new GaussianHead(args);
}

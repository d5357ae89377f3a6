import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {mixtureWidthOf} from '../layout/mixture_layout.js';
import {GaussianLayout, LAYOUTS} from '../layout/row_layout.js';
import {checkRank} from '../distributions/validate.js';
import {assertOneOf, assertPositiveInt, fail, fmt} from '../util/checks.js';
import {applyHead, checkDiagShift} from './gaussian_head.js';

/**
 * Arguments of {@link gaussianMixtureHead}.
 *
 * @category layers
 */
export interface GaussianMixtureHeadArgs {
  /** Number of components `K`. */
  components: number;
  /** Event dimension `d`. */
  dim: number;
  /** Layout of each component (see gaussianKLLoss). @default 'full' */
  layout?: GaussianLayout;
  /** Rank of the `'lowrank'` components' factor (required there, only there). */
  rank?: number;
  /** Added to the softplus of each diagonal entry, as TFP's FillScaleTriL. @default 1e-5 */
  diagShift?: number;
  /** Layer name. */
  name?: string;
}

/**
 * A layer that turns raw values into valid Gaussian-mixture parameters,
 * keeping the width: `[batch, W] -> [batch, W]`,
 * `W = gaussianMixtureParamsSize(components, dim, layout)`, rows
 * `[logits (K) | component 1 | … | component K]`.
 *
 * - the logits pass through (the loss normalizes them with a log-softmax);
 * - every component is made valid as {@link GaussianHead} makes one
 *   Gaussian: means and strictly lower entries pass through, each diagonal
 *   entry (or σ) becomes `softplus(x) + diagShift`, and the strict upper
 *   triangle of the `'full'` layout becomes 0.
 *
 * Registered with `tf.serialization`, so models containing it survive
 * `model.save` / `tf.loadLayersModel`.
 *
 * ```js
 * const model = tf.sequential({layers: [
 *   tf.layers.dense({units: 32, activation: 'relu', inputShape: [1]}),
 *   tf.layers.dense({units: gaussianMixtureParamsSize(3, 2)}),
 *   gaussianMixtureHead({components: 3, dim: 2}),
 * ]});
 * model.compile({optimizer: 'adam', loss: gaussianMixtureNLLLoss({components: 3})});
 * ```
 *
 * @category layers
 */
export class GaussianMixtureHead extends tfl.layers.Layer {
  /** The name under which `tf.serialization` registers the layer. */
  static className = 'GaussianMixtureHead';
  /** Number of components `K`. */
  readonly components: number;
  /** Event dimension `d`. */
  readonly dim: number;
  /** Layout of each component. */
  readonly layout: GaussianLayout;
  /** Added to each component's softplus diagonal. */
  readonly diagShift: number;
  /** Rank of the `'lowrank'` components' factor; undefined in the other layouts. */
  readonly rank: number | undefined;
  /** Row width `K + K·w`. */
  private readonly width: number;

  constructor(args: GaussianMixtureHeadArgs) {
    super({name: args.name});
    const fn = 'gaussianMixtureHead';
    assertPositiveInt(args.components, 'components', fn);
    assertPositiveInt(args.dim, 'dim', fn);
    this.components = args.components;
    this.dim = args.dim;
    this.layout = args.layout ?? 'full';
    assertOneOf(this.layout, LAYOUTS, 'layout', fn);
    checkRank(fn, this.layout, args.rank, 'rank');
    this.rank = args.rank;
    this.diagShift = args.diagShift ?? 1e-5;
    checkDiagShift(fn, this.diagShift);
    this.width = mixtureWidthOf(this.components, this.dim, this.layout, this.rank ?? 0);
  }

  private checkWidth(shape: ReadonlyArray<number | null>): void {
    const w = shape[shape.length - 1];
    if (w !== this.width) {
      fail('gaussianMixtureHead', `input must have width ${this.width} for ${this.components} components ` +
        `of dim ${this.dim} in the '${this.layout}' layout${this.rank === undefined ? '' : ` of rank ${this.rank}`}, but got input shape ${fmt(shape.map((s) => s ?? -1))}.`);
    }
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    this.checkWidth((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape);
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] as tf.Tensor : inputs;
      this.checkWidth(x.shape);
      return applyHead(x, this.dim, this.layout, this.diagShift, this.components);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {...super.getConfig(), components: this.components, dim: this.dim,
      layout: this.layout, diagShift: this.diagShift};
    if (this.rank !== undefined) config['rank'] = this.rank;
    return config;
  }
}

/**
 * Creates a {@link GaussianMixtureHead} layer.
 *
 * @param args `components`, `dim`, `layout` (default `'full'`), `rank` (`'lowrank'` only), `diagShift` (default 1e-5).
 *
 * @category layers
 */
export function gaussianMixtureHead(args: GaussianMixtureHeadArgs): GaussianMixtureHead {
  return new GaussianMixtureHead(args);
}

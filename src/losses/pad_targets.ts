import * as tf from '@tensorflow/tfjs-core';

import {mixtureWidthOf} from '../layout/mixture_layout.js';
import {GaussianLayout, LAYOUTS, widthOf} from '../layout/row_layout.js';
import {checkRank} from '../distributions/validate.js';
import {assertMinRank, assertOneOf, assertPositiveInt, toFloatTensor} from '../util/checks.js';

/**
 * Options of {@link padTargets} for mixture outputs.
 *
 * @category losses
 */
export interface PadTargetsOptions {
  /** Layout of the (component) Gaussians. @default 'full' */
  layout?: GaussianLayout;
  /** Number of mixture components `K`: pad to `gaussianMixtureParamsSize(K, d, layout)`. */
  components?: number;
  /** Rank of the `'lowrank'` layout's factor (required there, only there). */
  rank?: number;
}

/**
 * Pads observed points `[..., d]` with zeros to the width of a Gaussian
 * output, `[..., gaussianParamsSize(d, layout)]`, or of a mixture output,
 * `[..., gaussianMixtureParamsSize(K, d, layout)]` when `components` is
 * given, so that they can be passed to `model.fit` as targets for
 * {@link gaussianNLLLoss} or {@link gaussianMixtureNLLLoss} (tfjs `fit`
 * requires each target to have the model output's shape).
 *
 * ```js
 * padTargets([[1, 2]]).print();                   // [[1, 2, 0, 0, 0, 0]]
 * padTargets([[1, 2]], {components: 2}).shape;    // [1, 14]
 * padTargets([[1, 2]], {layout: 'lowrank', rank: 3}).shape;  // [1, 10]
 * ```
 *
 * @param points Observations, `[..., d]`.
 * @param layoutOrOptions The layout of the model output (default `'full'`),
 *   or `{layout, components, rank}`.
 *
 * @category losses
 */
export function padTargets(points: tf.Tensor | tf.TensorLike,
                           layoutOrOptions: GaussianLayout | PadTargetsOptions = 'full'): tf.Tensor {
  const fn = 'padTargets';
  const {layout = 'full', components, rank} = typeof layoutOrOptions === 'string'
    ? {layout: layoutOrOptions, rank: undefined} : layoutOrOptions;
  assertOneOf(layout, LAYOUTS, 'layout', fn);
  checkRank(fn, layout, rank, 'rank');
  if (components !== undefined) assertPositiveInt(components, 'components', fn);
  return tf.tidy(() => {
    const $x = toFloatTensor(points, 'points', fn);
    assertMinRank($x, 1, 'points', fn, '[..., d]');
    const d = $x.shape[$x.rank - 1] as number;
    const width = components === undefined ? widthOf(d, layout, rank ?? 0) : mixtureWidthOf(components, d, layout, rank ?? 0);
    const pad: Array<[number, number]> = $x.shape.map(() => [0, 0]);
    pad[pad.length - 1] = [0, width - d];
    return tf.pad($x, pad);
  });
}

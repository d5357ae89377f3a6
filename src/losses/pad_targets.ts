import * as tf from '@tensorflow/tfjs-core';

import {GaussianLayout, LAYOUTS, widthOf} from '../layout/row_layout.js';
import {assertMinRank, assertOneOf, toFloatTensor} from '../util/checks.js';

/**
 * Pads observed points `[..., d]` with zeros to the width of a Gaussian
 * output, `[..., gaussianParamsSize(d, layout)]`, so that they can be passed
 * to `model.fit` as targets for {@link gaussianNLLLoss} (tfjs `fit` requires
 * each target to have the model output's shape).
 *
 * ```js
 * padTargets([[1, 2]]).print();  // [[1, 2, 0, 0, 0, 0]]
 * ```
 *
 * @param points Observations, `[..., d]`.
 * @param layout Layout of the model output. Default `'full'`.
 */
export function padTargets(points: tf.Tensor | tf.TensorLike, layout: GaussianLayout = 'full'): tf.Tensor {
  const fn = 'padTargets';
  assertOneOf(layout, LAYOUTS, 'layout', fn);
  return tf.tidy(() => {
    const $x = toFloatTensor(points, 'points', fn);
    assertMinRank($x, 1, 'points', fn, '[..., d]');
    const d = $x.shape[$x.rank - 1] as number;
    const pad: Array<[number, number]> = $x.shape.map(() => [0, 0]);
    pad[pad.length - 1] = [0, widthOf(d, layout) - d];
    return tf.pad($x, pad);
  });
}

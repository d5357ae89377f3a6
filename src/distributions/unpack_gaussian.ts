import * as tf from '@tensorflow/tfjs-core';

import {unpackRows} from '../layout/unpack_rows.js';
import {DENSE_LAYOUTS, dimOfWidth, GaussianLayout, widthOf} from '../layout/row_layout.js';
import {assertMinRank, assertOneOf, assertPositiveInt, fail, fmt, toFloatTensor} from '../util/checks.js';

/**
 * Options of {@link unpackGaussian}.
 *
 * @category distributions
 */
export interface UnpackGaussianOptions {
  /** Event dimension `d`; inferred from the width when omitted. */
  dim?: number;
  /** @default 'full' */
  layout?: GaussianLayout;
}

/**
 * Splits packed rows `[..., W]` into `{mean: [..., d], scaleTril: [..., d, d]}`.
 * `scaleTril` is lower triangular: in the `'full'` layout the entries above
 * the diagonal are dropped (set to 0), as the losses ignore them.
 *
 * ```js
 * const {mean, scaleTril} = unpackGaussian([[1, 2, 1, 9, 0.5, 1]]);
 * mean.print();       // [[1, 2]]
 * scaleTril.print();  // [[[1, 0], [0.5, 1]]]
 * ```
 *
 * @param y Packed Gaussians, `[..., W]` with `W = gaussianParamsSize(d, layout)`.
 * @param options `dim` (inferred) and `layout` (`'full'`).
 *
 * @category distributions
 */
export function unpackGaussian(y: tf.Tensor | tf.TensorLike, {dim, layout = 'full'}: UnpackGaussianOptions = {}):
  {
    /** Means, `[..., d]`. */
    mean: tf.Tensor;
    /** Lower Cholesky factors, `[..., d, d]`. */
    scaleTril: tf.Tensor;
  } {
  const fn = 'unpackGaussian';
  if (layout === 'lowrank') {
    fail(fn, `the 'lowrank' layout has no d × d factor; use unpackLowRank(y, {rank}), which gives {mean, scaleDiag, covFactor}.`);
  }
  assertOneOf(layout, DENSE_LAYOUTS, 'layout', fn);
  if (dim !== undefined) assertPositiveInt(dim, 'dim', fn);
  return tf.tidy(() => {
    const $y = toFloatTensor(y, 'y', fn);
    assertMinRank($y, 1, 'y', fn, '[..., width]');
    const w = $y.shape[$y.rank - 1] as number;
    const d = dim ?? dimOfWidth(w, layout);
    if (d === null || widthOf(d, layout) !== w) {
      fail(fn, `the width of y (${w}, shape ${fmt($y.shape)}) does not fit ` +
        `${dim === undefined ? 'any dim' : `dim ${dim}`} in the '${layout}' layout.`);
    }
    const batch = $y.shape.slice(0, -1);
    const n = batch.reduce((a, b) => a * b, 1);
    const {mean, scaleTril} = unpackRows(tf.reshape($y, [n, w]), d, layout);
    return {mean: tf.reshape(mean, [...batch, d]), scaleTril: tf.reshape(scaleTril, [...batch, d, d])};
  });
}

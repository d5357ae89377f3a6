import * as tf from '@tensorflow/tfjs-core';

import {mixtureDimOfWidth, mixtureWidthOf} from '../layout/mixture_layout.js';
import {DENSE_LAYOUTS, GaussianLayout, widthOf} from '../layout/row_layout.js';
import {unpackRows} from '../layout/unpack_rows.js';
import {assertMinRank, assertOneOf, assertPositiveInt, fail, fmt, toFloatTensor} from '../util/checks.js';

/**
 * Options of {@link unpackGaussianMixture}.
 *
 * @category distributions
 */
export interface GaussianMixtureOptions {
  /** Number of components `K`, a positive integer. */
  components: number;
  /** Event dimension `d`; inferred from the width when omitted. */
  dim?: number;
  /** Layout of each component. @default 'full' */
  layout?: GaussianLayout;
}

/** Checks `components`, `dim` and `layout`; returns `{K, layout}`. */
export function checkMixtureOptions(fn: string, options: GaussianMixtureOptions | undefined):
  {K: number; layout: GaussianLayout} {
  const K = options?.components as number;
  assertPositiveInt(K, 'components', fn);
  const layout = options?.layout ?? 'full';
  assertOneOf(layout, DENSE_LAYOUTS, 'layout', fn);
  if (options?.dim !== undefined) assertPositiveInt(options.dim, 'dim', fn);
  return {K, layout};
}

/**
 * Splits Gaussian-mixture rows `[..., W]`, `W = K + K · gaussianParamsSize(d, layout)`,
 * into `{logits: [..., K], mean: [..., K, d], scaleTril: [..., K, d, d]}`,
 * the arguments of TFP's `MixtureSameFamily(Categorical(logits),
 * MultivariateNormalTriL(mean, scaleTril))`. Factors are lower triangular
 * (the strict upper part of the `'full'` layout is dropped).
 *
 * ```js
 * const {logits, mean, scaleTril} = unpackGaussianMixture(
 *     [[0, 1, 0, 1, 5, 2]], {components: 2, layout: 'diag'});  // d = 1: [μ, σ] per component
 * logits.print();     // [[0, 1]]
 * mean.print();       // [[[0], [5]]]
 * scaleTril.print();  // [[[[1]], [[2]]]]
 * ```
 *
 * @param y Mixture rows, `[..., W]`.
 * @param options `components` (required), `dim` (inferred), `layout` ('full').
 *
 * @category distributions
 */
export function unpackGaussianMixture(y: tf.Tensor | tf.TensorLike, options: GaussianMixtureOptions):
  {
    /** Logits, `[..., K]`. */
    logits: tf.Tensor;
    /** Component means, `[..., K, d]`. */
    mean: tf.Tensor;
    /** Component lower Cholesky factors, `[..., K, d, d]`. */
    scaleTril: tf.Tensor;
  } {
  const fn = 'unpackGaussianMixture';
  const {K, layout} = checkMixtureOptions(fn, options);
  return tf.tidy(() => {
    const $y = toFloatTensor(y, 'y', fn);
    assertMinRank($y, 1, 'y', fn, '[..., width]');
    const w = $y.shape[$y.rank - 1] as number;
    const d = options.dim ?? mixtureDimOfWidth(w, K, layout);
    if (d === null || mixtureWidthOf(K, d, layout) !== w) {
      fail(fn, `the width of y (${w}, shape ${fmt($y.shape)}) does not fit ` +
        `${options.dim === undefined ? 'any dim' : `dim ${options.dim}`} for ${K} components in the '${layout}' layout.`);
    }
    const batch = $y.shape.slice(0, -1);
    const n = batch.reduce((a, b) => a * b, 1);
    const rows = tf.reshape($y, [n, w]);
    const cw = widthOf(d, layout);
    const comps = tf.reshape(tf.slice(rows, [0, K], [n, K * cw]), [n * K, cw]) as tf.Tensor2D;
    const {mean, scaleTril} = unpackRows(comps, d, layout);
    return {
      logits: tf.reshape(tf.slice(rows, [0, 0], [n, K]), [...batch, K]),
      mean: tf.reshape(mean, [...batch, K, d]),
      scaleTril: tf.reshape(scaleTril, [...batch, K, d, d]),
    };
  });
}

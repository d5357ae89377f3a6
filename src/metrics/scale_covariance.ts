import * as tf from '@tensorflow/tfjs-core';

import {gaussianRows, mixtureRows} from '../losses/loss_args.js';
import {widthOf} from '../layout/row_layout.js';
import {assertMinRank, fail, fmt, toFloatTensor} from '../util/checks.js';
import {GaussianMetricOptions, metricSpec} from './metric_args.js';

/**
 * Options of {@link scaleCovariance} and {@link fitCovarianceScale}: a layout, and `components` for mixtures.
 *
 * @category metrics
 */
export interface CovarianceScaleOptions extends GaussianMetricOptions {
  /** Number of mixture components `K` when the rows are mixtures. */
  components?: number;
}

/** The per-column factor that scales every covariance of a row by s² (means and logits by 1). */
export function scaleMask(d: number, width: number, K: number | null, layout: CovarianceScaleOptions['layout'],
                          s: number): Float32Array {
  const w = widthOf(d, layout ?? 'full');
  const mask = new Float32Array(width).fill(s);
  const blocks = K === null ? [0] : Array.from({length: K}, (_, k) => K + k * w);
  if (K !== null) mask.fill(1, 0, K);
  for (const o of blocks) mask.fill(1, o, o + d);
  return mask;
}

/** The `dim` of rows `[..., W]` for these options, or an error naming `fn`. */
export function rowsDim(fn: string, $y: tf.Tensor, arg: string, layout: NonNullable<CovarianceScaleOptions['layout']>,
                        K: number | null, dim: number | undefined): number {
  assertMinRank($y, 1, arg, fn, '[..., width]');
  const shape = K === null ? gaussianRows(layout) : mixtureRows(K, layout);
  const w = $y.shape[$y.rank - 1] as number;
  const d = dim ?? shape.dimOf(w);
  if (d === null || shape.widthOf(d) !== w) {
    fail(fn, `the width of ${arg} (${w}, shape ${fmt($y.shape)}) does not fit ` +
      `${dim === undefined ? 'any dim' : `dim ${dim}`} ${shape.where}.`);
  }
  return d;
}

/**
 * Scales every predicted covariance by `s²`: each row `N(μ, Σ)` becomes
 * `N(μ, s²Σ)` (the factor L, or σ, times `s`); means, and the logits of
 * mixtures, are unchanged, so a mixture's every component is widened alike.
 * With `s` from {@link fitCovarianceScale} on held-out data, it
 * recalibrates an over- (s > 1) or underconfident (s < 1) model after
 * training, without retraining.
 *
 * Shape contract: `[..., W] -> [..., W]`.
 *
 * ```js
 * scaleCovariance([[1, 2, 0.5, 0.25]], 2, {layout: 'diag'}).print();  // [[1, 2, 1, 0.5]]
 * ```
 *
 * @param yPred Predicted rows, `[..., W]`, in `layout` (or mixture rows with `components`).
 * @param s The scale, finite and > 0.
 * @param options `layout` ('full'), `dim` (inferred), `components` (for mixtures).
 *
 * @category metrics
 */
export function scaleCovariance(yPred: tf.Tensor | tf.TensorLike, s: number,
                                options: CovarianceScaleOptions = {}): tf.Tensor {
  const fn = 'scaleCovariance';
  const spec = metricSpec(fn, options, 'optional');
  if (!(s > 0 && Number.isFinite(s))) fail(fn, `s must be a finite number > 0, but got ${s}.`);
  return tf.tidy(() => {
    const $y = toFloatTensor(yPred, 'yPred', fn);
    const d = rowsDim(fn, $y, 'yPred', spec.layout, spec.components, spec.dim);
    const w = $y.shape[$y.rank - 1] as number;
    return tf.mul($y, tf.tensor1d(scaleMask(d, w, spec.components, spec.layout, s)));
  });
}

/**
 * Argument handling shared by the calibration metrics and functions: the
 * losses' options and row checks (losses/loss_args.ts), the mixture's
 * `components`, and the per-sample function type `model.compile` takes.
 */
import * as tf from '@tensorflow/tfjs-core';

import {DEFAULT_MIN_DIAG, validateGaussianValues, validateMixtureValues} from '../distributions/validate.js';
import {checkLossOptions, GaussianLossOptions, lossRows, LossRows, mixtureRows} from '../losses/loss_args.js';
import {GaussianLayout} from '../layout/row_layout.js';
import {assertPositiveInt, fail} from '../util/checks.js';
import {offTape} from '../util/off_tape.js';
import {reshapeIfNeeded} from '../util/reshape.js';

/**
 * Options of the metrics for one Gaussian per row: the loss options
 * (`dim`, `layout`, `minDiag`, `validateArgs`), read the same way.
 *
 * @category metrics
 */
export type GaussianMetricOptions = GaussianLossOptions;

/**
 * Options of the mixture metrics: those of {@link GaussianMetricOptions} and `components`.
 *
 * @category metrics
 */
export interface GaussianMixtureMetricOptions extends GaussianMetricOptions {
  /** Number of mixture components `K`, a positive integer. */
  components: number;
}

/**
 * A per-sample metric `(yTrue, yPred) => [batch]` for
 * `model.compile({metrics})`; the trainer logs its batch mean under the
 * function's `name`.
 *
 * @category metrics
 */
export type GaussianMetricFn = (yTrue: tf.Tensor | tf.TensorLike, yPred: tf.Tensor | tf.TensorLike) => tf.Tensor;

/** Checked options: the layout, `K` (null for one Gaussian per row) and the diagonal guard. */
export interface MetricSpec {
  layout: GaussianLayout;
  components: number | null;
  minDiag: number;
  validateArgs: boolean;
  dim?: number;
}

/**
 * Checks the options that do not depend on data. `mixture` says whether
 * `components` is required (the mixture forms) or absent-or-optional
 * (`optionalMixture`: functions such as `calibrationReport` that take both).
 */
export function metricSpec(fn: string, options: GaussianMetricOptions & {components?: number} | undefined,
                           mixture: 'no' | 'yes' | 'optional'): MetricSpec {
  const opts = options ?? {};
  const layout = checkLossOptions(fn, opts);
  let components: number | null = null;
  if (mixture === 'yes' || (mixture === 'optional' && opts.components !== undefined)) {
    assertPositiveInt(opts.components as number, 'components', fn);
    components = opts.components as number;
  } else if (mixture === 'no' && opts.components !== undefined) {
    fail(fn, `takes no components option (got ${opts.components}); use the gaussianMixture* form for mixtures.`);
  }
  return {layout, components, minDiag: opts.minDiag ?? DEFAULT_MIN_DIAG, validateArgs: opts.validateArgs ?? false,
    ...(opts.dim === undefined ? {} : {dim: opts.dim})};
}

/**
 * Converts and checks `yTrue` (points `[..., d]`, or padded to the width of
 * `yPred`) and `yPred` (`[..., W]`) into rows, as the losses do, and runs
 * the opt-in data checks.
 */
export function metricRows(fn: string, yTrue: tf.Tensor | tf.TensorLike, yPred: tf.Tensor | tf.TensorLike,
                           spec: MetricSpec): LossRows {
  const shape = spec.components === null ? spec.layout : mixtureRows(spec.components, spec.layout);
  const rows = lossRows(fn, yTrue, yPred, spec, shape, (d, w) => (d === w ? [d] : [d, w]));
  if (spec.validateArgs) {
    validateGaussianValues(rows.yTrue, rows.dim, null, fn, 'yTrue');
    if (spec.components === null) validateGaussianValues(rows.yPred, rows.dim, spec.layout, fn, 'yPred');
    else validateMixtureValues(rows.yPred, spec.components, rows.dim, spec.layout, fn, 'yPred');
  }
  return rows;
}

/** Gives `f` the `name` under which tfjs-layers logs a metric (`history.history[name]`). */
export function named<F extends GaussianMetricFn>(f: F, name: string): F {
  Object.defineProperty(f, 'name', {value: name});
  return f;
}

/** Checks that a count of draws (`arg`, default `samples`) is an integer ≥ `min`. */
export function checkSamples(fn: string, samples: number, min: number, arg = 'samples'): void {
  if (!Number.isInteger(samples) || samples < min) fail(fn, `${arg} must be an integer >= ${min}, but got ${samples}.`);
}

/**
 * The per-sample metric `(yTrue, yPred) => [batch]` that runs `perRow` on
 * the checked rows, off the gradient tape (util/off_tape.ts), and returns
 * one value per sample under the name `name`.
 */
export function perSampleMetric(fn: string, spec: MetricSpec, name: string,
                                perRow: (rows: LossRows) => tf.Tensor): GaussianMetricFn {
  return named((yTrue, yPred) => tf.tidy(() => offTape(() => {
    const rows = metricRows(fn, yTrue, yPred, spec);
    return reshapeIfNeeded(perRow(rows), rows.batch);
  })), name);
}

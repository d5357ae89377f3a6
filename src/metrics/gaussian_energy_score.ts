import * as tf from '@tensorflow/tfjs-core';

import {checkSamples, GaussianMetricFn, GaussianMetricOptions, metricSpec, perSampleMetric} from './metric_args.js';
import {energyScoreRows, sampleRows} from './statistics.js';

/**
 * Options of {@link gaussianEnergyScore}.
 *
 * @category metrics
 */
export interface GaussianEnergyScoreOptions extends GaussianMetricOptions {
  /** Draws per sample, an integer ≥ 2. @default 64 */
  samples?: number;
  /** Seed of the draws; random when omitted. */
  seed?: number;
}

/**
 * A per-sample metric: the multivariate energy score ({@link energyScore},
 * fair estimator) of the predicted Gaussian, from `samples` draws per row.
 * Unlike {@link gaussianCRPS}, which scores each marginal alone, it
 * rewards getting the correlations right. Lower is better; units of y.
 * The estimate's standard error shrinks as 1/√samples.
 *
 * Shape contract: as {@link gaussianNLLLoss}, `-> [...]`. O(samples²·d)
 * per sample.
 *
 * ```js
 * const es = gaussianEnergyScore({layout: 'diag', samples: 8, seed: 1});
 * es([[0, 0]], [[0, 0, 1, 1]]).shape;  // [1]
 * ```
 *
 * @param options `samples` (64), `seed`, and the loss options.
 *
 * @category metrics
 */
export function gaussianEnergyScore(options: GaussianEnergyScoreOptions = {}): GaussianMetricFn {
  const fn = 'gaussianEnergyScore';
  const spec = metricSpec(fn, options, 'no');
  const S = options.samples ?? 64;
  checkSamples(fn, S, 2);
  return perSampleMetric(fn, spec, fn, ({yTrue, yPred, dim}) =>
    energyScoreRows(sampleRows(yPred, dim, spec.layout, null, S, options.seed),
      tf.slice(yTrue, [0, 0], [-1, dim])));
}

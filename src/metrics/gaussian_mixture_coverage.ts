import * as tf from '@tensorflow/tfjs-core';

import {checkLevel, coverageName} from './gaussian_coverage.js';
import {checkSamples, GaussianMetricFn, GaussianMixtureMetricOptions, metricSpec, perSampleMetric} from './metric_args.js';
import {mixtureDensityLevel} from './statistics.js';

/**
 * Options of {@link gaussianMixtureCoverage} and {@link gaussianMixturePIT}.
 *
 * @category metrics
 */
export interface GaussianMixtureCoverageOptions extends GaussianMixtureMetricOptions {
  /** Probability of the highest-density region, in (0, 1). @default 0.9 */
  level?: number;
  /** Draws per row that estimate the density threshold, an integer ≥ 1. @default 100 */
  samples?: number;
  /** Seed of the draws; random when omitted. */
  seed?: number;
}

/**
 * {@link gaussianCoverage} for Gaussian mixtures: 1 where the observed
 * point lies in the mixture's highest-density region of probability
 * `level`, `{x : p(x) ≥ p_level}`, else 0. That region is the smallest one
 * of its probability; for one component it is the ellipsoid of
 * {@link gaussianCoverage}.
 *
 * How the threshold is estimated: a mixture's region has no closed form,
 * so `samples` draws X_s are taken from each row and the point's level is
 * its randomized rank among them, u = (#{s : p(X_s) > p(y)} + V)/(S + 1),
 * V ~ U(0, 1); the point is inside when u ≤ level. For a calibrated model u
 * is exactly uniform for any S, so the batch mean is an unbiased coverage;
 * a larger S only lowers its noise. Each call costs S mixture
 * log-densities per row.
 *
 * Shape contract: as {@link gaussianMixtureNLLLoss}, `-> [...]` of 0 or 1.
 *
 * ```js
 * const cover = gaussianMixtureCoverage({components: 2, layout: 'diag', seed: 1});
 * cover([[2], [9]], [[0, 0, -2, 1, 2, 1], [0, 0, -2, 1, 2, 1]]).print();  // [1, 0]
 * ```
 *
 * @param options `components` (required), `level` (0.9), `samples` (100),
 *   `seed`, and the loss options.
 *
 * @category metrics
 */
export function gaussianMixtureCoverage(options: GaussianMixtureCoverageOptions): GaussianMetricFn {
  const fn = 'gaussianMixtureCoverage';
  const spec = metricSpec(fn, options, 'yes');
  const level = checkLevel(fn, options.level ?? 0.9);
  const S = options.samples ?? 100;
  checkSamples(fn, S, 1);
  return perSampleMetric(fn, spec, coverageName(fn, level), ({yTrue, yPred, dim}) => {
    const u = mixtureDensityLevel(yTrue, yPred, dim, spec.layout, spec.components as number, spec.minDiag, S,
      options.seed);
    return tf.cast(tf.lessEqual(u, level), 'float32');
  });
}

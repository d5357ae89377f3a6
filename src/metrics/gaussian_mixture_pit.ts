import {GaussianMixtureCoverageOptions} from './gaussian_mixture_coverage.js';
import {checkSamples, GaussianMetricFn, metricSpec, perSampleMetric} from './metric_args.js';
import {mixtureDensityLevel} from './statistics.js';

/**
 * {@link gaussianPIT} for Gaussian mixtures: the probability mass of the
 * mixture's highest-density region whose boundary passes through the
 * observed point, estimated from `samples` draws per row as a randomized
 * rank (see {@link gaussianMixtureCoverage}), so it is exactly uniform on
 * [0, 1] for a calibrated model. For one component it equals
 * {@link gaussianPIT} up to the sampling noise, √(u(1 − u)/S).
 *
 * Shape contract: as {@link gaussianMixtureNLLLoss}, `-> [...]` in [0, 1].
 *
 * ```js
 * const pit = gaussianMixturePIT({components: 2, layout: 'diag', samples: 1000, seed: 3});
 * pit([[0]], [[0, -50, 0, 1, 5, 1]]).shape;  // [1]
 * ```
 *
 * @param options `components` (required), `samples` (100), `seed`, and the
 *   loss options.
 *
 * @category metrics
 */
export function gaussianMixturePIT(options: Omit<GaussianMixtureCoverageOptions, 'level'>): GaussianMetricFn {
  const fn = 'gaussianMixturePIT';
  const spec = metricSpec(fn, options, 'yes');
  const S = options.samples ?? 100;
  checkSamples(fn, S, 1);
  return perSampleMetric(fn, spec, fn, ({yTrue, yPred, dim}) =>
    mixtureDensityLevel(yTrue, yPred, dim, spec.layout, spec.components as number, spec.minDiag, S, options.seed));
}

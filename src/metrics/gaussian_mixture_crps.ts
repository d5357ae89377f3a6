import {GaussianMetricFn, GaussianMixtureMetricOptions, metricSpec, perSampleMetric} from './metric_args.js';
import {mixtureCrpsRows} from './statistics.js';

/**
 * {@link gaussianCRPS} for Gaussian mixtures: the CRPS of each marginal of
 * the mixture, averaged over the d dimensions, in closed form (Grimit,
 * Gneiting, Berrocal & Johnson 2006):
 *
 *   CRPS = Σ_k w_k A(y − μ_k, σ_k) − ½ Σ_{k,l} w_k w_l A(μ_k − μ_l, √(σ_k² + σ_l²)),
 *   A(m, s) = 2s φ(m/s) + m (2Φ(m/s) − 1),
 *
 * with w = softmax(logits). O(K²·d) per sample. Lower is better.
 *
 * Shape contract: as {@link gaussianMixtureNLLLoss}, `-> [...]`.
 *
 * ```js
 * const crps = gaussianMixtureCRPS({components: 2, layout: 'diag'});
 * crps([[0]], [[0, 0, 0, 1, 0, 1]]).print();  // [0.2336950]  (one Gaussian, twice)
 * ```
 *
 * @param options `components` (required) and the loss options.
 *
 * @category metrics
 */
export function gaussianMixtureCRPS(options: GaussianMixtureMetricOptions): GaussianMetricFn {
  const fn = 'gaussianMixtureCRPS';
  const spec = metricSpec(fn, options, 'yes');
  return perSampleMetric(fn, spec, fn, ({yTrue, yPred, dim}) =>
    mixtureCrpsRows(yTrue, yPred, dim, spec.layout, spec.components as number, spec.minDiag));
}

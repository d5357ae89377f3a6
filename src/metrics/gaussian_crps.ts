import {GaussianMetricFn, GaussianMetricOptions, metricSpec, perSampleMetric} from './metric_args.js';
import {gaussianCrpsRows} from './statistics.js';

/**
 * A per-sample metric: the continuous ranked probability score of each
 * marginal of the predicted Gaussian, averaged over the d dimensions. For
 * the marginal N(μ_i, σ_i²), σ_i² = Σ_ii, and z = (y_i − μ_i)/σ_i,
 *
 *   CRPS = σ_i [z (2Φ(z) − 1) + 2φ(z) − 1/√π]      (closed form),
 *
 * which equals ∫ (F(t) − 1{t ≥ y_i})² dt. A proper scoring rule: lower is
 * better, it is in the units of y, and it reduces to |y − μ| as σ → 0, so
 * unlike the NLL it stays finite and comparable for sharp forecasts.
 *
 * Shape contract: as {@link gaussianNLLLoss}, `-> [...]`.
 *
 * ```js
 * const crps = gaussianCRPS({layout: 'diag'});
 * crps([[0]], [[0, 1]]).print();  // [0.2336950]  (= (√2 − 1)/√π)
 * ```
 *
 * @param options The loss options: `dim`, `layout` ('full'), `minDiag`
 *   (1e-6: the least σ_i), `validateArgs` (false).
 *
 * @category metrics
 */
export function gaussianCRPS(options: GaussianMetricOptions = {}): GaussianMetricFn {
  const fn = 'gaussianCRPS';
  const spec = metricSpec(fn, options, 'no');
  return perSampleMetric(fn, spec, fn, ({yTrue, yPred, dim}) =>
    gaussianCrpsRows(yTrue, yPred, dim, spec.layout, spec.minDiag));
}

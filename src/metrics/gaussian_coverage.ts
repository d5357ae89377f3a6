import {gaussianRowStatisticOp} from '../kernels/ops.js';
import {chiSquareQuantile} from '../math/distribution_functions.js';
import {fail} from '../util/checks.js';
import {GaussianMetricFn, GaussianMetricOptions, metricSpec, perSampleMetric} from './metric_args.js';

/**
 * Options of {@link gaussianCoverage}.
 *
 * @category metrics
 */
export interface GaussianCoverageOptions extends GaussianMetricOptions {
  /** Probability of the central region, in (0, 1). @default 0.9 */
  level?: number;
}

/** Checks a coverage level and returns it. */
export function checkLevel(fn: string, level: number): number {
  if (!(level > 0 && level < 1)) fail(fn, `level must be in (0, 1), but got ${level}.`);
  return level;
}

/** The name a coverage metric is logged under: `gaussianCoverage90` for level 0.9. */
export function coverageName(base: string, level: number): string {
  return `${base}${Number((level * 100).toFixed(6))}`;
}

/**
 * A per-sample metric for `model.compile({metrics})`: 1 where the observed
 * point lies in the predicted Gaussian's central `level` region, else 0, so
 * the batch mean is the observed coverage, which a calibrated model keeps
 * near `level`. The region is the ellipsoid
 *
 *   (x − μ)ᵀ Σ⁻¹ (x − μ) ≤ χ²_d⁻¹(level),
 *
 * the smallest region of probability `level` (for d = 1, the central
 * interval μ ± z·σ). Above `level` the model is underconfident, below it
 * overconfident. Logged as `gaussianCoverage90` for level 0.9.
 *
 * Shape contract: `yTrue [..., d] or [..., W]`, `yPred [..., W] -> [...]`,
 * as {@link gaussianNLLLoss}; values are 0 or 1. Computed off the gradient
 * tape. Zero scales follow the losses' `minDiag` guard.
 *
 * ```js
 * const cover = gaussianCoverage({level: 0.9});
 * cover([[0, 0], [3, 0]], [[0, 0, 1, 0, 0, 1], [0, 0, 1, 0, 0, 1]]).print();  // [1, 0]
 * ```
 *
 * @param options `level` (0.9) and the loss options: `dim`, `layout`
 *   ('full'), `minDiag` (1e-6), `validateArgs` (false).
 *
 * @category metrics
 */
export function gaussianCoverage(options: GaussianCoverageOptions = {}): GaussianMetricFn {
  const fn = 'gaussianCoverage';
  const level = checkLevel(fn, options.level ?? 0.9);
  const spec = metricSpec(fn, options, 'no');
  const bounds = new Map<number, number>();
  return perSampleMetric(fn, spec, coverageName(fn, level), ({yTrue, yPred, dim}) => {
    if (!bounds.has(dim)) bounds.set(dim, chiSquareQuantile(level, dim));
    return gaussianRowStatisticOp([yTrue, yPred], {dim, layout: spec.layout, minDiag: spec.minDiag, statistic: 'coverage',
      bound: bounds.get(dim) as number});
  });
}

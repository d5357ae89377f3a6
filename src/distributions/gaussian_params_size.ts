import {GaussianLayout, LAYOUTS, widthOf} from '../layout/row_layout.js';
import {assertOneOf, assertPositiveInt} from '../util/checks.js';

/**
 * Number of parameters that describe a `dim`-variate Gaussian in one row:
 * `dim + dim²` for the `'full'` layout (mean, then `L` row-major) and
 * `dim + dim(dim + 1)/2` for `'packed'` (mean, then `L` in fillTriangular
 * order, as `tfp.layers.MultivariateNormalTriL.params_size`), and `2 * dim`
 * for `'diag'` (mean, then the standard deviations σ).
 *
 * ```js
 * gaussianParamsSize(2);            // 6
 * gaussianParamsSize(2, 'packed');  // 5
 * gaussianParamsSize(2, 'diag');    // 4
 * ```
 *
 * @param dim Event dimension `d`, a positive integer.
 * @param layout `'full'`, `'packed'` or `'diag'`. Default `'full'`.
 *
 * @category distributions
 */
export function gaussianParamsSize(dim: number, layout: GaussianLayout = 'full'): number {
  assertPositiveInt(dim, 'dim', 'gaussianParamsSize');
  assertOneOf(layout, LAYOUTS, 'layout', 'gaussianParamsSize');
  return widthOf(dim, layout);
}

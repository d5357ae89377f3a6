import {GaussianLayout, LAYOUTS, widthOf} from '../layout/row_layout.js';
import {checkRank} from './validate.js';
import {assertOneOf, assertPositiveInt} from '../util/checks.js';

/**
 * Number of parameters that describe a `dim`-variate Gaussian in one row:
 * `dim + dim²` for the `'full'` layout (mean, then `L` row-major) and
 * `dim + dim(dim + 1)/2` for `'packed'` (mean, then `L` in fillTriangular
 * order, as `tfp.layers.MultivariateNormalTriL.params_size`), and `2 * dim`
 * for `'diag'` (mean, then the standard deviations σ), and `dim (2 + rank)`
 * for `'lowrank'` (mean, σ, then the factor `W`, `dim × rank` row-major).
 *
 * ```js
 * gaussianParamsSize(2);                // 6
 * gaussianParamsSize(2, 'packed');      // 5
 * gaussianParamsSize(2, 'diag');        // 4
 * gaussianParamsSize(4, 'lowrank', 2);  // 16
 * ```
 *
 * @param dim Event dimension `d`, a positive integer.
 * @param layout `'full'`, `'packed'`, `'diag'` or `'lowrank'`. Default `'full'`.
 * @param rank The rank of the `'lowrank'` factor (required there, only there).
 *
 * @category distributions
 */
export function gaussianParamsSize(dim: number, layout: GaussianLayout = 'full', rank?: number): number {
  assertPositiveInt(dim, 'dim', 'gaussianParamsSize');
  assertOneOf(layout, LAYOUTS, 'layout', 'gaussianParamsSize');
  checkRank('gaussianParamsSize', layout, rank, 'rank');
  return widthOf(dim, layout, rank ?? 0);
}

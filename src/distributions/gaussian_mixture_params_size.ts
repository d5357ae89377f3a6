import {mixtureWidthOf} from '../layout/mixture_layout.js';
import {GaussianLayout, LAYOUTS} from '../layout/row_layout.js';
import {assertOneOf, assertPositiveInt} from '../util/checks.js';
import {checkRank} from './validate.js';

/**
 * Number of parameters of a mixture of `components` Gaussians over `dim`
 * dimensions in one row, `[logits (K) | component 1 | … | component K]`:
 * `K + K · gaussianParamsSize(dim, layout)`.
 *
 * ```js
 * gaussianMixtureParamsSize(3, 2);          // 21 = 3 + 3·6
 * gaussianMixtureParamsSize(3, 2, 'diag');  // 15 = 3 + 3·4
 * gaussianMixtureParamsSize(3, 4, 'lowrank', 2);  // 51 = 3 + 3·16
 * ```
 *
 * @param components Number of components `K`, a positive integer.
 * @param dim Event dimension `d`, a positive integer.
 * @param layout Layout of each component: `'full'`, `'packed'`, `'diag'` or `'lowrank'`. Default `'full'`.
 * @param rank The rank of the `'lowrank'` components' factor (required there, only there).
 *
 * @category distributions
 */
export function gaussianMixtureParamsSize(components: number, dim: number, layout: GaussianLayout = 'full',
                                          rank?: number): number {
  const fn = 'gaussianMixtureParamsSize';
  assertPositiveInt(components, 'components', fn);
  assertPositiveInt(dim, 'dim', fn);
  assertOneOf(layout, LAYOUTS, 'layout', fn);
  checkRank(fn, layout, rank, 'rank');
  return mixtureWidthOf(components, dim, layout, rank ?? 0);
}

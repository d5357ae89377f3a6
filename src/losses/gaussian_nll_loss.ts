import * as tf from '@tensorflow/tfjs-core';

import {DEFAULT_MIN_DIAG, validateGaussianValues} from '../distributions/validate.js';
import {gaussianNLLOp} from '../kernels/ops.js';
import {LAYOUTS} from '../layout/row_layout.js';
import {checkLossOptions, gaussianRows, GaussianLossFn, GaussianLossOptions, lossRows} from './loss_args.js';
import {reshapeIfNeeded} from '../util/reshape.js';

/**
 * A Keras-style loss `(yTrue, yPred) => Tensor`: the negative log-likelihood
 * of observed points under the Gaussians packed in `yPred`, one value per
 * sample:
 *
 *   NLL = ½·d·log 2π + Σ log|Lᵢᵢ| + ½‖L⁻¹(x − μ)‖².
 *
 * `yTrue` may be
 * - plain points `[batch, d]` (custom loops, `fitDataset`), or
 * - points padded to the model's output width, `[batch, W]`, of which only
 *   the first `d` columns are read. `model.fit` requires targets of the
 *   output's shape; {@link padTargets} builds them.
 *
 * Shape contract: `yTrue [..., d] or [..., W]`, `yPred [..., W] -> [...]`.
 *
 * ```js
 * const nll = gaussianNLLLoss();
 * nll([[0, 0]], [[0, 0, 1, 0, 0, 1]]).print();  // [1.837877]  (= log 2π)
 * ```
 *
 * Near-zero diagonals get the same guard as {@link gaussianKLLoss}. In the
 * `'lowrank'` layout (`{layout: 'lowrank', rank: r}`), `Σ = diag(σ²) + W Wᵀ`
 * and the NLL costs O(d·r² + r³) per sample (Woodbury identity and the
 * matrix determinant lemma; no `d × d` matrix is formed).
 *
 * @param options `dim` (inferred from yPred), `layout` ('full'), `rank`
 *   ('lowrank' only), `minDiag` (1e-6), `validateArgs` (false).
 *
 * @category losses
 */
export function gaussianNLLLoss(options: GaussianLossOptions = {}): GaussianLossFn {
  const fn = 'gaussianNLLLoss';
  const layout = checkLossOptions(fn, options, LAYOUTS);
  const minDiag = options.minDiag ?? DEFAULT_MIN_DIAG;
  const shape = gaussianRows(layout, options.rank ?? 0);
  return (yTrue, yPred) => tf.tidy(() => {
    const rows = lossRows(fn, yTrue, yPred, options, shape, (d, w) => (d === w ? [d] : [d, w]));
    if (options.validateArgs) {
      validateGaussianValues(rows.yTrue, rows.dim, null, fn, 'yTrue');
      validateGaussianValues(rows.yPred, rows.dim, layout, fn, 'yPred', false);
    }
    const nll = gaussianNLLOp([rows.yTrue, rows.yPred], {dim: rows.dim, layout, minDiag});
    return reshapeIfNeeded(nll, rows.batch);
  });
}

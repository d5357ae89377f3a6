import * as tf from '@tensorflow/tfjs-core';

import {DEFAULT_MIN_DIAG, validateGaussianValues, validateMixtureValues} from '../distributions/validate.js';
import {gaussianMixtureNLLOp} from '../kernels/ops.js';
import {LAYOUTS} from '../layout/row_layout.js';
import {assertPositiveInt} from '../util/checks.js';
import {reshapeIfNeeded} from '../util/reshape.js';
import {checkLossOptions, GaussianLossFn, GaussianLossOptions, lossRows, mixtureRows} from './loss_args.js';

/**
 * Options of {@link gaussianMixtureNLLLoss}: the loss options and `components`.
 *
 * @category losses
 */
export interface GaussianMixtureLossOptions extends GaussianLossOptions {
  /** Number of mixture components `K`, a positive integer. */
  components: number;
}

/**
 * A Keras-style loss `(yTrue, yPred) => Tensor`: the negative log-likelihood
 * of observed points under Gaussian mixtures, one value per sample, as
 * `-MixtureSameFamily(Categorical(logits), MultivariateNormalTriL(μ, L)).log_prob(x)`
 * in TFP or PyTorch:
 *
 *   NLL = −log Σ_k softmax(logits)_k · N(x | μ_k, L_k L_kᵀ).
 *
 * Each `yPred` row is `[logits (K) | component 1 | … | component K]`, every
 * component a Gaussian row `[mean (d), factor]` in `layout`, of width
 * {@link gaussianMixtureParamsSize}. Both log-sum-exps are shifted by their
 * maximum (in float64 in the fused kernels), so the loss stays finite and
 * accurate for logits of ±1e4 and for points 1e3 σ from every component.
 * The per-component diagonal guard `minDiag` is that of
 * {@link gaussianNLLLoss}.
 *
 * `yTrue` is the points `[batch, d]`, or the points padded to the output
 * width (`padTargets(points, {components: K, layout})`) for `model.fit`.
 *
 * Shape contract: `yTrue [..., d] or [..., W]`, `yPred [..., W] -> [...]`,
 * `W = K + K · gaussianParamsSize(d, layout)`. Components in the
 * `'lowrank'` layout (`{layout: 'lowrank', rank: r}`) cost O(d·r² + r³) each.
 *
 * ```js
 * const nll = gaussianMixtureNLLLoss({components: 2});
 * // Two equal components at 0 and 4, unit covariance; x = 0:
 * nll([[0, 0]], [[0, 0, 0, 0, 1, 0, 0, 1, 4, 0, 1, 0, 0, 1]]).print();  // [2.530689]
 * ```
 *
 * Fused kernels (with analytic gradients) run on cpu, wasm and tensorflow;
 * the composite path elsewhere. The number of kernels per step does not
 * grow with K.
 *
 * @param options `components` (required), `dim` (inferred from the width),
 *   `layout` ('full'), `rank` ('lowrank' only), `minDiag` (1e-6), `validateArgs` (false: when true,
 *   non-finite logits or parameters, zero or negative scales throw).
 *
 * @category losses
 */
export function gaussianMixtureNLLLoss(options: GaussianMixtureLossOptions): GaussianLossFn {
  const fn = 'gaussianMixtureNLLLoss';
  const components = (options as Partial<GaussianMixtureLossOptions> | undefined)?.components;
  assertPositiveInt(components as number, 'components', fn);
  const K = components as number;
  const layout = checkLossOptions(fn, options, LAYOUTS);
  const minDiag = options.minDiag ?? DEFAULT_MIN_DIAG;
  const shape = mixtureRows(K, layout, options.rank ?? 0);
  return (yTrue, yPred) => tf.tidy(() => {
    const rows = lossRows(fn, yTrue, yPred, options, shape, (d, w) => (d === w ? [d] : [d, w]));
    if (options.validateArgs) {
      validateGaussianValues(rows.yTrue, rows.dim, null, fn, 'yTrue');
      validateMixtureValues(rows.yPred, K, rows.dim, layout, fn, 'yPred', false, options.rank ?? 0);
    }
    const nll = gaussianMixtureNLLOp([rows.yTrue, rows.yPred], {components: K, dim: rows.dim, layout, minDiag});
    return reshapeIfNeeded(nll, rows.batch);
  });
}

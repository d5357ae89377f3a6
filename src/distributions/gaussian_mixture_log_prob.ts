import * as tf from '@tensorflow/tfjs-core';

import {gaussianMixtureNLLOp} from '../kernels/ops.js';
import {assertMinRank, broadcastBatch, fail, fmt, toFloatTensor} from '../util/checks.js';
import {reshapeIfNeeded} from '../util/reshape.js';
import {GaussianLogProbOptions} from './gaussian_log_prob.js';
import {mixtureArgs, packMixtureRows} from './mixture_args.js';
import {checkMinDiag, DEFAULT_MIN_DIAG, validateGaussianValues, validateMixtureValues} from './validate.js';

function gaussianMixtureLogProb_(x: tf.Tensor | tf.TensorLike, logits: tf.Tensor | tf.TensorLike,
                                 mean: tf.Tensor | tf.TensorLike, scaleTril: tf.Tensor | tf.TensorLike,
                                 {minDiag = DEFAULT_MIN_DIAG, validateArgs = false}: GaussianLogProbOptions = {}):
  tf.Tensor {
  const fn = 'gaussianMixtureLogProb';
  checkMinDiag(fn, minDiag);
  const a = mixtureArgs(fn, logits, mean, scaleTril);
  const {components: K, dim: d} = a;
  const $x = toFloatTensor(x, 'x', fn);
  assertMinRank($x, 1, 'x', fn, '[..., d]');
  if ($x.shape[$x.rank - 1] !== d) {
    fail(fn, `x must have shape [..., ${d}] to match mean ${fmt(a.mean.shape)}, but got shape ${fmt($x.shape)}.`);
  }
  const batch = broadcastBatch($x.shape.slice(0, -1), a.batch, 'x', 'logits/mean', $x.shape, a.mean.shape, fn);
  const n = batch.reduce((p, q) => p * q, 1);
  const rows = packMixtureRows({...a, batch});
  const points = reshapeIfNeeded<tf.Tensor2D>(tf.broadcastTo($x, [...batch, d]), [n, d]);
  if (validateArgs) {
    validateGaussianValues(points, d, null, fn, 'x');
    validateMixtureValues(rows, K, d, 'full', fn, 'logits/mean/scaleTril');
  }
  const nll = gaussianMixtureNLLOp([points, rows], {components: K, dim: d, layout: 'full', minDiag});
  return reshapeIfNeeded(tf.neg(nll), batch);
}

/**
 * Log-density of a Gaussian mixture, TFP's
 * `MixtureSameFamily(Categorical(logits), MultivariateNormalTriL(mean, scaleTril)).log_prob(x)`:
 *
 *   log p(x) = logsumexp_k (log softmax(logits)_k + log N(x; μ_k, L_k L_kᵀ)),
 *
 * computed stably (see {@link gaussianMixtureNLLLoss}, whose per-sample value
 * it negates). Differentiable in all four arguments. Only the lower
 * triangle of each factor is read.
 *
 * Shape contract: `x [..., d]`, `logits [..., K]`, `mean [..., K, d]`,
 * `scaleTril [..., K, d, d] -> [...]`, batch dimensions broadcast.
 *
 * ```js
 * gaussianMixtureLogProb([0], [0, 0], [[0], [4]], [[[1]], [[1]]]).print();  // -1.611750
 * ```
 *
 * @param x Points, `[..., d]`.
 * @param logits Unnormalized log-weights, `[..., K]`.
 * @param mean Component means, `[..., K, d]`.
 * @param scaleTril Component lower Cholesky factors, `[..., K, d, d]`.
 * @param options `minDiag` (default 1e-6) and `validateArgs` (default false).
 *
 * @category distributions
 * @function
 */
export const gaussianMixtureLogProb = tf.op({gaussianMixtureLogProb_});

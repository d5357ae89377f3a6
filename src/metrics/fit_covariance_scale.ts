import * as tf from '@tensorflow/tfjs-core';

import {gaussianMixtureNLLOp} from '../kernels/ops.js';
import {metricRows, metricSpec} from './metric_args.js';
import {CovarianceScaleOptions, scaleMask} from './scale_covariance.js';
import {mahalanobisSquared, mean, read} from './statistics.js';

/**
 * The scalar `s` that minimizes the mean negative log-likelihood of the
 * observed points under `N(μ, s²Σ)`: the one-parameter recalibration of a
 * model's uncertainty (temperature scaling for regression), to be fitted on
 * held-out data and applied with {@link scaleCovariance}.
 *
 * - One Gaussian per row: in closed form. With M² the squared Mahalanobis
 *   distances, NLL(s) = const + d·log s + mean(M²)/(2s²), so
 *   s² = mean(M²)/d. s > 1 means the model was overconfident.
 * - Mixtures (`components`): no closed form; a scan of 21 values of log s
 *   over [1e-4, 1e4], then bisection on the sign of d NLL / d log s within
 *   a grid step of the best. Each step is one mixture NLL (and its
 *   gradient) over the data.
 *
 * Shape contract: `yTrue [n..., d] or [n..., W]`, `yPred [n..., W] -> number`.
 *
 * ```js
 * fitCovarianceScale([[2], [-2]], [[0, 1], [0, 1]], {layout: 'diag'});  // 2
 * ```
 *
 * @param yTrue Observed points (or targets padded to the output width).
 * @param yPred Predicted rows, one Gaussian (or mixture, with `components`) per point.
 * @param options `layout` ('full'), `dim`, `components`, `minDiag`, `validateArgs`.
 * @returns s, finite and > 0 (or NaN when no point has a finite distance).
 *
 * @category metrics
 */
export function fitCovarianceScale(yTrue: tf.Tensor | tf.TensorLike, yPred: tf.Tensor | tf.TensorLike,
                                   options: CovarianceScaleOptions = {}): number {
  const fn = 'fitCovarianceScale';
  const spec = metricSpec(fn, options, 'optional');
  const K = spec.components;
  return tf.tidy(() => {
    const rows = metricRows(fn, yTrue, yPred, spec);
    const d = rows.dim;
    if (K === null) return Math.sqrt(mean(read(mahalanobisSquared(rows.yTrue, rows.yPred, d, spec.layout, spec.minDiag))) / d);
    const w = rows.yPred.shape[1];
    const attrs = {components: K, dim: d, layout: spec.layout, minDiag: spec.minDiag};
    // The rows with their covariances scaled by e^(2t): entries times 1 + (e^t − 1)·[scale entry].
    const isScale = tf.tensor1d(scaleMask(d, w, K, spec.layout, 2).map((v) => v - 1));
    const meanNLL = (t: tf.Tensor): tf.Scalar => {
      const scaled = tf.mul(rows.yPred, tf.add(1, tf.mul(isScale, tf.sub(tf.exp(t), 1)))) as tf.Tensor2D;
      return tf.mean(gaussianMixtureNLLOp([rows.yTrue, scaled], attrs));
    };
    const value = (t: number): number => tf.tidy(() => meanNLL(tf.scalar(t)).dataSync()[0] as number);
    const slope = tf.grad(meanNLL);
    const rising = (t: number): boolean => tf.tidy(() => (slope(tf.scalar(t)).dataSync()[0] as number) > 0);
    const lo = Math.log(1e-4);
    const step = (Math.log(1e4) - lo) / 20;
    let best = 0;
    let bestValue = Infinity;
    for (let i = 0; i <= 20; i++) {
      const v = value(lo + i * step);
      if (v < bestValue) {
        bestValue = v;
        best = i;
      }
    }
    // The minimum lies within a grid step of the best grid value. Near it the
    // mean NLL is flat to within float32 rounding over |Δt| ~ 3e-4, so
    // bisect on the sign of its derivative (the fused kernels' gradient)
    // to a bracket of 1e-8 (about 30 steps).
    let a = lo + Math.max(best - 1, 0) * step;
    let b = lo + Math.min(best + 1, 20) * step;
    for (let i = 0; i < 40 && b - a > 1e-8; i++) {
      const m = 0.5 * (a + b);
      if (rising(m)) b = m; else a = m;
    }
    return Math.exp(0.5 * (a + b));
  });
}

import * as tf from '@tensorflow/tfjs-core';

import {assertMinRank, fail, fmt, toFloatTensor} from '../util/checks.js';
import {reshapeIfNeeded} from '../util/reshape.js';
import {energyScoreRows} from './statistics.js';

/**
 * The energy score of a forecast given by draws, with the fair (unbiased)
 * estimator (Gneiting & Raftery 2007, eq. 22):
 *
 *   ES = (1/S) Σ_s ‖X_s − y‖ − 1/(2S(S − 1)) Σ_{s≠t} ‖X_s − X_t‖,
 *
 * an unbiased estimate of E‖X − y‖ − ½ E‖X − X'‖, the multivariate
 * generalization of the CRPS (equal to it for d = 1). A proper scoring rule
 * for the whole joint distribution, correlations included: lower is
 * better, in the units of y.
 *
 * Shape contract: `samples [S, ..., d]`, `y [..., d] -> [...]`, S ≥ 2.
 * O(S²·d) per point.
 *
 * ```js
 * energyScore([[[0]], [[2]]], [[1]]).print();  // [0]  (= 1 − (2 + 2)/(2·2·1))
 * ```
 *
 * @param samples Draws from the forecast, sample axis first.
 * @param y Observed points.
 *
 * @category metrics
 */
export function energyScore(samples: tf.Tensor | tf.TensorLike, y: tf.Tensor | tf.TensorLike): tf.Tensor {
  const fn = 'energyScore';
  return tf.tidy(() => {
    const $x = toFloatTensor(samples, 'samples', fn);
    const $y = toFloatTensor(y, 'y', fn);
    assertMinRank($y, 1, 'y', fn, '[..., d]');
    if ($x.rank !== $y.rank + 1 || $x.shape.slice(1).some((s, i) => s !== $y.shape[i])) {
      fail(fn, `samples must have shape [S, ...${fmt($y.shape)}] to match y, but got samples ${fmt($x.shape)} ` +
        `and y ${fmt($y.shape)}.`);
    }
    const S = $x.shape[0] as number;
    if (S < 2) fail(fn, `the fair estimator needs at least 2 samples, but samples has shape ${fmt($x.shape)}.`);
    const d = $y.shape[$y.rank - 1] as number;
    const batch = $y.shape.slice(0, -1);
    const n = batch.reduce((a, b) => a * b, 1);
    const es = energyScoreRows(tf.reshape($x, [S, n, d]), tf.reshape($y, [n, d]));
    return reshapeIfNeeded(es, batch);
  });
}

import * as tf from '@tensorflow/tfjs-core';

import {assertMinRank, broadcastBatch, fail, fmt, toFloatTensor} from '../util/checks.js';

/**
 * The inverse of {@link unpackLowRank}: packs means `[..., d]`, standard
 * deviations `[..., d]` and factors `[..., d, r]` into rows
 * `[..., d (2 + r)]` in the `'lowrank'` layout, `[mean | σ | W row-major]`,
 * broadcasting their batch dimensions.
 *
 * ```js
 * packLowRank([1, 2], [0.5, 0.5], [[3], [-1]]).print();  // [1, 2, 0.5, 0.5, 3, -1]
 * ```
 *
 * @param mean Means, `[..., d]`.
 * @param scaleDiag Standard deviations σ (`Σ = diag(σ²) + W Wᵀ`), `[..., d]`.
 * @param covFactor Factors `W`, `[..., d, r]`.
 *
 * @category distributions
 */
export function packLowRank(mean: tf.Tensor | tf.TensorLike, scaleDiag: tf.Tensor | tf.TensorLike,
                            covFactor: tf.Tensor | tf.TensorLike): tf.Tensor {
  const fn = 'packLowRank';
  return tf.tidy(() => {
    const $m = toFloatTensor(mean, 'mean', fn);
    const $s = toFloatTensor(scaleDiag, 'scaleDiag', fn);
    const $w = toFloatTensor(covFactor, 'covFactor', fn);
    assertMinRank($m, 1, 'mean', fn, '[..., d]');
    assertMinRank($s, 1, 'scaleDiag', fn, '[..., d]');
    assertMinRank($w, 2, 'covFactor', fn, '[..., d, r]');
    const d = $m.shape[$m.rank - 1] as number;
    if ($s.shape[$s.rank - 1] !== d) {
      fail(fn, `scaleDiag must have shape [..., ${d}] to match mean ${fmt($m.shape)}, but got shape ${fmt($s.shape)}.`);
    }
    if ($w.shape[$w.rank - 2] !== d) {
      fail(fn, `covFactor must have shape [..., ${d}, r] to match mean ${fmt($m.shape)}, but got shape ${fmt($w.shape)}.`);
    }
    const r = $w.shape[$w.rank - 1] as number;
    let batch = broadcastBatch($m.shape.slice(0, -1), $s.shape.slice(0, -1), 'mean', 'scaleDiag', $m.shape, $s.shape, fn);
    batch = broadcastBatch(batch, $w.shape.slice(0, -2), 'mean/scaleDiag', 'covFactor', [...batch, d], $w.shape, fn);
    return tf.concat([tf.broadcastTo($m, [...batch, d]), tf.broadcastTo($s, [...batch, d]),
      tf.reshape(tf.broadcastTo($w, [...batch, d, r]), [...batch, d * r])], batch.length);
  });
}

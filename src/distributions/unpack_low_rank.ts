import * as tf from '@tensorflow/tfjs-core';

import {assertMinRank, assertPositiveInt, fail, fmt, toFloatTensor} from '../util/checks.js';

/**
 * Options of {@link unpackLowRank}.
 *
 * @category distributions
 */
export interface UnpackLowRankOptions {
  /** Rank `r` of the factor `W`. */
  rank: number;
  /** Event dimension `d`; inferred from the width (`d (2 + r)`) when omitted. */
  dim?: number;
}

/**
 * Splits rows `y [..., d (2 + r)]` in the `'lowrank'` layout,
 * `[mean (d) | σ (d) | W (d·r, row-major)]`, into their parts, never forming
 * a `d × d` matrix: `Σ = diag(σ²) + W Wᵀ`. The inverse is {@link packLowRank};
 * `LowRankMultivariateNormal.fromParams` builds the distribution
 * (`covDiag = σ²`).
 *
 * Shape contract: `y [..., d (2 + r)] -> {mean [..., d], scaleDiag [..., d], covFactor [..., d, r]}`.
 *
 * ```js
 * const {mean, scaleDiag, covFactor} = unpackLowRank([[1, 2, 0.5, 0.5, 3, -1]], {rank: 1});
 * covFactor.print();  // [[[3], [-1]]]
 * ```
 *
 * @category distributions
 */
export function unpackLowRank(y: tf.Tensor | tf.TensorLike, {rank, dim}: UnpackLowRankOptions):
  {
    /** Means, `[..., d]`. */
    mean: tf.Tensor;
    /** The standard deviations σ of the diagonal part, `[..., d]`. */
    scaleDiag: tf.Tensor;
    /** The factors `W`, `[..., d, r]`. */
    covFactor: tf.Tensor;
  } {
  const fn = 'unpackLowRank';
  assertPositiveInt(rank, 'rank', fn);
  if (dim !== undefined) assertPositiveInt(dim, 'dim', fn);
  return tf.tidy(() => {
    const $y = toFloatTensor(y, 'y', fn);
    assertMinRank($y, 1, 'y', fn, '[..., d (2 + rank)]');
    const w = $y.shape[$y.rank - 1] as number;
    const d = dim ?? w / (2 + rank);
    if (!Number.isInteger(d) || d < 1 || d * (2 + rank) !== w) {
      fail(fn, `the width of y (${w}, shape ${fmt($y.shape)}) must be d (2 + ${rank}) in the 'lowrank' layout of rank ${rank}` +
        `${dim === undefined ? '' : ` with dim ${dim}`}.`);
    }
    const [mean, scaleDiag, f] = tf.split($y, [d, d, d * rank], -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
    return {mean, scaleDiag, covFactor: tf.reshape(f, [...$y.shape.slice(0, -1), d, rank])};
  });
}

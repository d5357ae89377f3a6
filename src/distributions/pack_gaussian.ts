import * as tf from '@tensorflow/tfjs-core';

import {fillTriangularInverse} from '../linalg/fill_triangular_inverse.js';
import {maskValues} from '../layout/masks.js';
import {DENSE_LAYOUTS, GaussianLayout} from '../layout/row_layout.js';
import {assertOneOf, fail} from '../util/checks.js';
import {gaussianArgs} from './gaussian_args.js';

/**
 * The inverse of {@link unpackGaussian}: packs means `[..., d]` and lower
 * factors `[..., d, d]` into rows `[..., W]`. Entries above the diagonal are
 * written as 0 in the `'full'` layout, so `packGaussian(unpackGaussian(y))`
 * equals `y` for any `y` whose factors are lower triangular.
 *
 * ```js
 * packGaussian([1, 2], [[1, 0], [0.5, 1]]).print();            // [1, 2, 1, 0, 0.5, 1]
 * packGaussian([1, 2], [[1, 0], [0.5, 1]], 'packed').print();  // [1, 2, 1, 0.5, 1]
 * ```
 *
 * @param mean Means, `[..., d]`.
 * @param scaleTril Lower Cholesky factors, `[..., d, d]` (upper part ignored).
 * @param layout `'full'`, `'packed'` or `'diag'` (keeps only the diagonal). Default `'full'`.
 *
 * @category distributions
 */
export function packGaussian(mean: tf.Tensor | tf.TensorLike, scaleTril: tf.Tensor | tf.TensorLike,
                             layout: GaussianLayout = 'full'): tf.Tensor {
  const fn = 'packGaussian';
  if (layout === 'lowrank') fail(fn, `the 'lowrank' layout has no d × d factor; use packLowRank(mean, scaleDiag, covFactor).`);
  assertOneOf(layout, DENSE_LAYOUTS, 'layout', fn);
  return tf.tidy(() => {
    const {mean: $m, scaleTril: $l, dim: d, batch} = gaussianArgs(fn, mean, scaleTril);
    const m = tf.broadcastTo($m, [...batch, d]);
    const l = tf.broadcastTo($l, [...batch, d, d]);
    // 'diag' keeps only the diagonal: entries below it are dropped.
    const factor = layout === 'diag'
      ? tf.sum(tf.mul(l, tf.tensor2d(maskValues(d, 'eye'), [d, d])), -1)
      : layout === 'full'
        ? tf.reshape(tf.mul(l, tf.tensor2d(maskValues(d, 'lower'), [d, d])), [...batch, d * d])
        : fillTriangularInverse(l);
    return tf.concat([m, factor], batch.length);
  });
}

/**
 * The gradients of the NLL primitives with respect to their points, which
 * their `WithGrad` kernels leave out (kernel_names.ts: `gradInputs`): the
 * NLL depends on a point `x` only through `x − μ`, so
 *
 *   ∂NLL/∂x = −∂NLL/∂μ,   and for a mixture   ∂NLL/∂x = −Σ_k ∂NLL/∂μ_k,
 *
 * with the means in the first `dim` columns of every layout's row, and 0 on
 * a padded point's extra columns (`wx`: the point rows' width). `g` is the
 * gradient of `yPred`, already scaled by the upstream gradient.
 */
import * as tf from '@tensorflow/tfjs-core';

import {GaussianMixtureNLLAttrs, GaussianNLLAttrs} from '../kernel_names.js';

/** Pads `[B, dim]` with zero columns to the point's width `wx`. */
function padTo(g: tf.Tensor2D, wx: number, dim: number): tf.Tensor {
  return wx === dim ? g : tf.pad(g, [[0, 0], [0, wx - dim]]);
}

export function nllPointGrad(g: tf.Tensor, wx: number, {dim}: GaussianNLLAttrs): tf.Tensor {
  return tf.tidy(() => padTo(tf.neg(tf.slice(g as tf.Tensor2D, [0, 0], [-1, dim])), wx, dim));
}

export function mixturePointGrad(g: tf.Tensor, wx: number, {dim, components: K}: GaussianMixtureNLLAttrs): tf.Tensor {
  return tf.tidy(() => {
    const [batch, w] = g.shape as [number, number];
    const rows = tf.reshape(tf.slice(g as tf.Tensor2D, [0, K], [-1, w - K]), [batch, K, (w - K) / K]);
    return padTo(tf.neg(tf.sum(tf.slice(rows, [0, 0, 0], [-1, -1, dim]), 1)) as tf.Tensor2D, wx, dim);
  });
}

/**
 * Argument handling shared by the Keras-style losses: checks the options and
 * shapes up front, infers `dim`, and flattens `[..., W]` to rows `[n, W]`.
 */
import * as tf from '@tensorflow/tfjs-core';

import {dimOfWidth, GaussianLayout, LAYOUTS, widthOf} from '../layout/row_layout.js';
import {checkMinDiag} from '../distributions/validate.js';
import {assertMinRank, assertOneOf, assertPositiveInt, fail, fmt, toFloatTensor} from '../util/checks.js';
import {reshapeIfNeeded} from '../util/reshape.js';

export interface GaussianLossOptions {
  /** Event dimension `d`. Inferred from the width of `yPred` when omitted. */
  dim?: number;
  /**
   * `'full'`: `[mean (d), L row-major (d·d)]`; `'packed'`: `[mean (d), fillTriangular order]`;
   * `'diag'`: `[mean (d), σ (d)]`, `Σ = diag(σ²)`. @default 'full'
   */
  layout?: GaussianLayout;
  /**
   * Diagonal guard: `|L_ii|` is clamped to `[minDiag, 1 / minDiag]` with its
   * sign kept and the gradient passed straight through, so a predicted
   * diagonal at or near zero gives a finite loss and finite gradients.
   * `0` turns the guard off. @default 1e-6
   */
  minDiag?: number;
  /** Check the data on every call (non-finite entries, zero diagonals). Costs a sync. @default false */
  validateArgs?: boolean;
}

/** Checks options that do not depend on data; returns the layout. */
export function checkLossOptions(fn: string, {dim, layout = 'full', minDiag}: GaussianLossOptions): GaussianLayout {
  assertOneOf(layout, LAYOUTS, 'layout', fn);
  if (dim !== undefined) assertPositiveInt(dim, 'dim', fn);
  if (minDiag !== undefined) checkMinDiag(fn, minDiag);
  return layout;
}

export interface LossRows {
  yTrue: tf.Tensor2D;
  yPred: tf.Tensor2D;
  dim: number;
  /** Leading (batch) shape of the inputs: the shape of the loss. */
  batch: number[];
}

/**
 * Converts and checks `yTrue`, `yPred` of shape `[..., W]`. `trueWidths`
 * says which widths `yTrue` may have given `d` and `W`.
 */
export function lossRows(fn: string, yTrue: tf.Tensor | tf.TensorLike, yPred: tf.Tensor | tf.TensorLike,
                         opts: GaussianLossOptions, layout: GaussianLayout,
                         trueWidths: (d: number, w: number) => number[]): LossRows {
  const $t = toFloatTensor(yTrue, 'yTrue', fn);
  const $p = toFloatTensor(yPred, 'yPred', fn);
  assertMinRank($p, 1, 'yPred', fn, '[batch, width]');
  assertMinRank($t, 1, 'yTrue', fn, '[batch, width]');
  const w = $p.shape[$p.rank - 1] as number;
  let dim: number;
  if (opts.dim !== undefined) {
    dim = opts.dim;
    if (widthOf(dim, layout) !== w) {
      fail(fn, `dim (${dim}) needs width ${widthOf(dim, layout)} in the '${layout}' layout, ` +
        `but yPred has width ${w} (shape ${fmt($p.shape)}).`);
    }
  } else {
    const inferred = dimOfWidth(w, layout);
    if (inferred === null) {
      fail(fn, `the width of yPred (${w}, shape ${fmt($p.shape)}) fits no dim in the '${layout}' layout ` +
        `(widths are d + ${layout === 'full' ? 'd²' : layout === 'diag' ? 'd' : 'd(d+1)/2'}: ` +
        `${[1, 2, 3, 4].map((d) => widthOf(d, layout)).join(', ')}, ...).`);
    }
    dim = inferred;
  }
  const allowed = trueWidths(dim, w);
  const wt = $t.shape[$t.rank - 1] as number;
  if (!allowed.includes(wt)) {
    fail(fn, `yTrue must have width ${allowed.join(' or ')} to match yPred (dim ${dim}), ` +
      `but got yTrue ${fmt($t.shape)} and yPred ${fmt($p.shape)}.`);
  }
  const batch = $p.shape.slice(0, -1);
  const tBatch = $t.shape.slice(0, -1);
  if (tBatch.length !== batch.length || tBatch.some((s, i) => s !== batch[i])) {
    fail(fn, `yTrue and yPred must have the same batch shape, but got yTrue ${fmt($t.shape)} and yPred ${fmt($p.shape)}.`);
  }
  const n = batch.reduce((a, b) => a * b, 1);
  return {
    yTrue: reshapeIfNeeded<tf.Tensor2D>($t, [n, wt]),
    yPred: reshapeIfNeeded<tf.Tensor2D>($p, [n, w]),
    dim,
    batch,
  };
}

/** A Keras-style loss: per-sample values for `model.compile({loss})`. */
export type GaussianLossFn = (yTrue: tf.Tensor | tf.TensorLike, yPred: tf.Tensor | tf.TensorLike) => tf.Tensor;

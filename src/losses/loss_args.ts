/**
 * Argument handling shared by the Keras-style losses: checks the options and
 * shapes up front, infers `dim`, and flattens `[..., W]` to rows `[n, W]`.
 */
import * as tf from '@tensorflow/tfjs-core';

import {mixtureDimOfWidth, mixtureWidthOf} from '../layout/mixture_layout.js';
import {DENSE_LAYOUTS, dimOfWidth, GaussianLayout, LAYOUTS, widthOf} from '../layout/row_layout.js';
import {checkMinDiag, checkRank} from '../distributions/validate.js';
import {assertMinRank, assertOneOf, assertPositiveInt, fail, fmt, toFloatTensor} from '../util/checks.js';
import {reshapeIfNeeded} from '../util/reshape.js';

/**
 * Options shared by the Gaussian losses, metrics and their row checks.
 *
 * @category losses
 */
export interface GaussianLossOptions {
  /** Event dimension `d`. Inferred from the width of `yPred` when omitted. */
  dim?: number;
  /**
   * `'full'`: `[mean (d), L row-major (d·d)]`; `'packed'`: `[mean (d), fillTriangular order]`;
   * `'diag'`: `[mean (d), σ (d)]`, `Σ = diag(σ²)`; `'lowrank'` (with `rank`):
   * `[mean (d), σ (d), W (d·r, row-major)]`, `Σ = diag(σ²) + W Wᵀ`. @default 'full'
   */
  layout?: GaussianLayout;
  /** Rank `r` of the `'lowrank'` layout's factor `W` (required there, and only there). */
  rank?: number;
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

/**
 * Checks options that do not depend on data; returns the layout. `layouts`
 * are the ones `fn` takes (`'lowrank'` only where it is listed).
 */
export function checkLossOptions(fn: string, {dim, layout = 'full', minDiag, rank}: GaussianLossOptions,
                                 layouts: readonly GaussianLayout[] = DENSE_LAYOUTS): GaussianLayout {
  assertOneOf(layout, layouts, 'layout', fn);
  if (dim !== undefined) assertPositiveInt(dim, 'dim', fn);
  if (minDiag !== undefined) checkMinDiag(fn, minDiag);
  checkRank(fn, layout, rank, 'rank');
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
 * How wide a row of `dim` is, and which `dim` a width gives: one Gaussian in
 * a layout ({@link gaussianRows}), or a mixture ({@link mixtureRows}).
 */
export interface RowShape {
  widthOf(dim: number): number;
  /** The `dim` of a width, or `null` when none fits. */
  dimOf(width: number): number | null;
  /** Names the row shape in messages: "in the 'full' layout". */
  where: string;
  /** The formula of the width, for messages: "d + d²". */
  formula: string;
}

const FORMULA: Record<GaussianLayout, string> = {full: 'd + d²', packed: 'd + d(d+1)/2', diag: 'd + d', lowrank: 'd(2 + r)'};

/** Rows of one Gaussian in `layout` (`rank`: the 'lowrank' factor's). */
export function gaussianRows(layout: GaussianLayout, rank = 0): RowShape {
  const lowrank = layout === 'lowrank';
  return {widthOf: (d) => widthOf(d, layout, rank), dimOf: (w) => dimOfWidth(w, layout, rank),
    where: lowrank ? `in the 'lowrank' layout of rank ${rank}` : `in the '${layout}' layout`,
    formula: lowrank ? `d(2 + ${rank})` : FORMULA[layout]};
}

/** Rows of a mixture of `components` Gaussians in `layout`: `[logits (K) | K components]`. */
export function mixtureRows(components: number, layout: GaussianLayout, rank = 0): RowShape {
  const one = gaussianRows(layout, rank);
  return {widthOf: (d) => mixtureWidthOf(components, d, layout, rank), dimOf: (w) => mixtureDimOfWidth(w, components, layout, rank),
    where: `for ${components} components ${one.where}`, formula: `K + K(${one.formula})`};
}

/**
 * Converts and checks `yTrue`, `yPred` of shape `[..., W]`, for rows of
 * `shape` (a layout, or {@link RowShape}). `trueWidths` says which widths
 * `yTrue` may have given `d` and `W`.
 */
export function lossRows(fn: string, yTrue: tf.Tensor | tf.TensorLike, yPred: tf.Tensor | tf.TensorLike,
                         opts: {dim?: number}, shape: GaussianLayout | RowShape,
                         trueWidths: (d: number, w: number) => number[]): LossRows {
  const rows = typeof shape === 'string' ? gaussianRows(shape) : shape;
  const $t = toFloatTensor(yTrue, 'yTrue', fn);
  const $p = toFloatTensor(yPred, 'yPred', fn);
  assertMinRank($p, 1, 'yPred', fn, '[batch, width]');
  assertMinRank($t, 1, 'yTrue', fn, '[batch, width]');
  const w = $p.shape[$p.rank - 1] as number;
  let dim: number;
  if (opts.dim !== undefined) {
    dim = opts.dim;
    if (rows.widthOf(dim) !== w) {
      fail(fn, `dim (${dim}) needs width ${rows.widthOf(dim)} ${rows.where}, ` +
        `but yPred has width ${w} (shape ${fmt($p.shape)}).`);
    }
  } else {
    const inferred = rows.dimOf(w);
    if (inferred === null) {
      fail(fn, `the width of yPred (${w}, shape ${fmt($p.shape)}) fits no dim ${rows.where} ` +
        `(widths are ${rows.formula}: ${[1, 2, 3, 4].map((d) => rows.widthOf(d)).join(', ')}, ...).`);
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

/**
 * A Keras-style loss: per-sample values for `model.compile({loss})`.
 *
 * @category losses
 */
export type GaussianLossFn = (yTrue: tf.Tensor | tf.TensorLike, yPred: tf.Tensor | tf.TensorLike) => tf.Tensor;

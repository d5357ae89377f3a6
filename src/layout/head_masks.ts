/**
 * Which columns of a parameter row the head transform (gaussianHead,
 * gaussianMixtureHead, gaussianLatent) passes through, which it maps to a
 * positive scale, and which it zeroes. Shared by the layers (their composite
 * form) and the fused GaussianHead kernels (kernels/shared/gaussian_head_impl.ts).
 */
import {GaussianLayout, rowLayout} from './row_layout.js';

/**
 * Column masks over one row: `keep` is 1 for the mean and the strictly lower
 * entries (passed through), `diag` is 1 for the Cholesky diagonal (or σ).
 * Anything else (the strict upper triangle of the 'full' layout) becomes 0.
 */
export function headMasks(dim: number, layout: GaussianLayout, rank = 0): {keep: Float32Array; diag: Float32Array} {
  const lay = rowLayout(dim, layout, rank);
  const keep = new Float32Array(lay.width);
  const diag = new Float32Array(lay.width);
  keep.fill(1, 0, dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      const c = lay.lIndex[i * dim + j] as number;
      if (i === j) diag[c] = 1; else keep[c] = 1;
    }
  }
  // 'lowrank': the factor W, after σ, passes through.
  if (layout === 'lowrank') keep.fill(1, 2 * dim);
  return {keep, diag};
}

/**
 * The masks of a mixture row `[K logits | K rows]` (`components` K ≥ 1), or
 * of one row when `components` is 0: the logits are kept as they are.
 */
export function mixtureHeadMasks(components: number, dim: number, layout: GaussianLayout, rank = 0):
  {keep: Float32Array; diag: Float32Array} {
  const one = headMasks(dim, layout, rank);
  if (components === 0) return one;
  const w = one.keep.length;
  const keep = new Float32Array(components + components * w).fill(1, 0, components);
  const diag = new Float32Array(keep.length);
  for (let k = 0; k < components; k++) {
    keep.set(one.keep, components + k * w);
    diag.set(one.diag, components + k * w);
  }
  return {keep, diag};
}

/**
 * The masks of a head row of width `width` (mixtureHeadMasks; `components`
 * 0 for one Gaussian): the rank of a `'lowrank'` row follows from its width,
 * as in the loss kernels.
 */
export function headRowMasks(width: number, dim: number, layout: GaussianLayout,
                             components: number): {keep: Float32Array; diag: Float32Array} {
  const one = components === 0 ? width : (width - components) / components;
  return mixtureHeadMasks(components, dim, layout, layout === 'lowrank' ? one / dim - 2 : 0);
}

/** The columns of a head row that become scales (softplus) and that become 0; every other column is kept. */
export interface HeadColumns {
  readonly scale: Int32Array;
  readonly zero: Int32Array;
}

const columnCache = new Map<string, HeadColumns>();

/**
 * The scale and zeroed columns of a head row of width `width` (cached); the
 * rank of a `'lowrank'` row follows from its width, as in the loss kernels.
 */
export function headColumns(width: number, dim: number, layout: GaussianLayout, components: number): HeadColumns {
  const key = `${width}:${dim}:${layout}:${components}`;
  const hit = columnCache.get(key);
  if (hit !== undefined) return hit;
  const {keep, diag} = headRowMasks(width, dim, layout, components);
  if (keep.length !== width) throw new Error(`GaussianHead: width ${width} does not fit dim ${dim}, layout ${layout}, ${components} components.`);
  const scale: number[] = [];
  const zero: number[] = [];
  for (let c = 0; c < width; c++) {
    if (diag[c] === 1) scale.push(c); else if (keep[c] !== 1) zero.push(c);
  }
  const out = {scale: Int32Array.from(scale), zero: Int32Array.from(zero)};
  columnCache.set(key, out);
  return out;
}

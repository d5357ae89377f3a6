/**
 * The mixture row layout: a mixture of `K` Gaussians over `dim` dimensions
 * is one row `[logits (K) | component 1 | … | component K]`, each component
 * block a Gaussian row (row_layout.ts) in the component layout. Like
 * row_layout.ts it imports nothing from the rest of the library: losses,
 * layers, pack/unpack and kernels all read it.
 */
import {dimOfWidth, GaussianLayout, widthOf} from './row_layout.js';

/** Entries per mixture row: `K + K · widthOf(dim, layout)`. */
export function mixtureWidthOf(components: number, dim: number, layout: GaussianLayout, rank = 0): number {
  return components + components * widthOf(dim, layout, rank);
}

/**
 * The `dim` whose mixture rows of `components` Gaussians in `layout` have
 * `width` entries, or `null` if none fits. For a given `K` and layout the
 * width grows strictly with `dim`, so at most one fits.
 */
export function mixtureDimOfWidth(width: number, components: number, layout: GaussianLayout, rank = 0): number | null {
  const rest = width - components;
  if (rest <= 0 || rest % components !== 0) return null;
  return dimOfWidth(rest / components, layout, rank);
}

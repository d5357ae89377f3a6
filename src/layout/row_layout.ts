/**
 * The row-layout descriptor: where each parameter of a Gaussian lives inside
 * one row of `y`. Public code (losses, layers, pack/unpack, validation) and
 * the kernels all read it; it imports nothing from the rest of the library.
 *
 * A row is `[mean (dim) | scale entries]`, the mean at offset 0. The scale is
 * a lower triangular factor `L`:
 * - `'full'` stores `L` row-major (`dim * dim` entries, the strict upper
 *   triangle ignored);
 * - `'packed'` stores the lower triangle in `fillTriangular` order
 *   (`dim (dim + 1) / 2` entries);
 * - `'diag'` stores only its diagonal `σ` (`dim` entries): `Σ = diag(σ²)`.
 *   Kernels treat it as its own structure (O(dim) maths, `scale: 'diag'`);
 *   `lIndex` still names where each diagonal entry sits.
 *
 * New layouts (mixtures with logits and components) extend
 * `RowLayout`; kernels take `{dim, layout}` as attributes and ask for the
 * descriptor here, so they never depend on public ops.
 *
 * @category layout
 */
export type GaussianLayout = 'full' | 'packed' | 'diag';

export const LAYOUTS: readonly GaussianLayout[] = ['full', 'packed', 'diag'];

export interface RowLayout {
  readonly layout: GaussianLayout;
  readonly dim: number;
  /** Entries per row: `dim + dim * dim`, `dim + dim * (dim + 1) / 2` or `2 * dim`. */
  readonly width: number;
  /** Offset of the mean within a row. */
  readonly meanOffset: number;
  /** Structure of the scale: a lower triangular factor, or a diagonal. */
  readonly scale: 'tril' | 'diag';
  /**
   * `lIndex[i * dim + j]` is the column of `L[i][j]` within a row for
   * `j <= i` (in `'diag'`, only for `j === i`), and `-1` elsewhere.
   */
  readonly lIndex: Int32Array;
}

/** Number of parameters of a `dim`-variate Gaussian in `layout`. */
export function widthOf(dim: number, layout: GaussianLayout): number {
  if (layout === 'diag') return 2 * dim;
  return layout === 'full' ? dim + dim * dim : dim + (dim * (dim + 1)) / 2;
}

/** The `dim` whose width in `layout` is `width`, or `null` if none fits. */
export function dimOfWidth(width: number, layout: GaussianLayout): number | null {
  // full: d^2 + d - w = 0;  packed: d^2 + 3d - 2w = 0;  diag: 2d = w.
  const d = layout === 'diag' ? width / 2 : layout === 'full'
    ? Math.round((Math.sqrt(1 + 4 * width) - 1) / 2)
    : Math.round((Math.sqrt(9 + 8 * width) - 3) / 2);
  return Number.isInteger(d) && d >= 1 && widthOf(d, layout) === width ? d : null;
}

const cache = new Map<string, RowLayout>();

/** The descriptor of `dim`-variate rows in `layout` (cached). */
export function rowLayout(dim: number, layout: GaussianLayout): RowLayout {
  const key = `${layout}:${dim}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const lIndex = new Int32Array(dim * dim).fill(-1);
  const m = (dim * (dim + 1)) / 2;
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      const k = i * dim + j;
      if (layout === 'diag') {
        if (i === j) lIndex[k] = dim + i;
      } else if (layout === 'full') {
        lIndex[k] = dim + k;
      } else {
        // fillTriangular (lower) reshapes [x[n:], reverse(x)] to [n, n]: flat
        // position k < m - n holds x[n + k], the rest hold x[2m - n - 1 - k].
        lIndex[k] = dim + (k < m - dim ? dim + k : 2 * m - dim - 1 - k);
      }
    }
  }
  const out: RowLayout = {layout, dim, width: widthOf(dim, layout), meanOffset: 0,
    scale: layout === 'diag' ? 'diag' : 'tril', lIndex};
  cache.set(key, out);
  return out;
}

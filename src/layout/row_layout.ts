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
 * - `'lowrank'`, with a rank `r`, stores `σ` (`dim` entries) and then a
 *   factor `W` (`dim × r`, row-major): `Σ = diag(σ²) + W·Wᵀ`, never formed
 *   (O(dim·r²) maths, `scale: 'lowrank'`). `lIndex` names the `σ` entries,
 *   as in `'diag'`, which is the same row with `r = 0`.
 *
 * New layouts (mixtures with logits and components) extend
 * `RowLayout`; kernels take `{dim, layout}` as attributes and ask for the
 * descriptor here, so they never depend on public ops.
 *
 * @category layout
 */
export type GaussianLayout = 'full' | 'packed' | 'diag' | 'lowrank';

/** Every layout. `'lowrank'` also takes a rank. */
export const LAYOUTS: readonly GaussianLayout[] = ['full', 'packed', 'diag', 'lowrank'];

/** The layouts whose covariance is a factor `L Lᵀ` or a diagonal: where a rank-free layout is needed. */
export const DENSE_LAYOUTS: readonly GaussianLayout[] = ['full', 'packed', 'diag'];

export interface RowLayout {
  readonly layout: GaussianLayout;
  readonly dim: number;
  /** Rank of the `'lowrank'` factor; 0 in the other layouts. */
  readonly rank: number;
  /** Entries per row: `dim + dim * dim`, `dim + dim * (dim + 1) / 2`, `2 * dim` or `dim * (2 + rank)`. */
  readonly width: number;
  /** Offset of the mean within a row. */
  readonly meanOffset: number;
  /** Structure of the scale: a lower triangular factor, a diagonal, or a diagonal plus a low-rank factor. */
  readonly scale: 'tril' | 'diag' | 'lowrank';
  /**
   * `lIndex[i * dim + j]` is the column of `L[i][j]` within a row for
   * `j <= i` (in `'diag'`, only for `j === i`), and `-1` elsewhere.
   */
  readonly lIndex: Int32Array;
}

/** Number of parameters of a `dim`-variate Gaussian in `layout` (`rank`: the `'lowrank'` factor's). */
export function widthOf(dim: number, layout: GaussianLayout, rank = 0): number {
  if (layout === 'diag') return 2 * dim;
  if (layout === 'lowrank') return dim * (2 + rank);
  return layout === 'full' ? dim + dim * dim : dim + (dim * (dim + 1)) / 2;
}

/** The `dim` whose width in `layout` is `width`, or `null` if none fits. */
export function dimOfWidth(width: number, layout: GaussianLayout, rank = 0): number | null {
  // full: d^2 + d - w = 0;  packed: d^2 + 3d - 2w = 0;  diag: 2d = w;  lowrank: d(2 + r) = w.
  const d = layout === 'diag' ? width / 2 : layout === 'lowrank' ? width / (2 + rank) : layout === 'full'
    ? Math.round((Math.sqrt(1 + 4 * width) - 1) / 2)
    : Math.round((Math.sqrt(9 + 8 * width) - 3) / 2);
  return Number.isInteger(d) && d >= 1 && widthOf(d, layout, rank) === width ? d : null;
}

const cache = new Map<string, RowLayout>();

/** The descriptor of `dim`-variate rows in `layout` (cached); `rank` for `'lowrank'`. */
export function rowLayout(dim: number, layout: GaussianLayout, rank = 0): RowLayout {
  const r = layout === 'lowrank' ? rank : 0;
  const key = `${layout}:${dim}:${r}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const lIndex = new Int32Array(dim * dim).fill(-1);
  const m = (dim * (dim + 1)) / 2;
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      const k = i * dim + j;
      if (layout === 'diag' || layout === 'lowrank') {
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
  const scale = layout === 'diag' ? 'diag' : layout === 'lowrank' ? 'lowrank' : 'tril';
  const out: RowLayout = {layout, dim, rank: r, width: widthOf(dim, layout, r), meanOffset: 0, scale, lIndex};
  cache.set(key, out);
  return out;
}

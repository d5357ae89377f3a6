/**
 * The typed-array maths (js_math.ts) reads Gaussians from rows in the 'full'
 * layout. These convert rows of another tril layout to 'full' and back; a
 * 'full' input is used in place.
 */
import {RowLayout} from '../../layout/row_layout.js';

/**
 * Rows of `y [batch, width]` in the 'full' layout with row stride `d + d * d`:
 * `y` itself when it already is, else a repacked copy (upper part zero).
 */
export function fullRows(y: Float32Array, batch: number, width: number, lay: RowLayout): Float32Array {
  const d = lay.dim;
  const fw = d + d * d;
  if (width === fw) return y;
  const out = new Float32Array(batch * fw);
  for (let b = 0; b < batch; b++) {
    const o = b * width;
    const f = b * fw;
    for (let i = 0; i < d; i++) out[f + i] = y[o + i] as number;
    for (let k = 0; k < d * d; k++) {
      const c = lay.lIndex[k] as number;
      if (c >= 0) out[f + d + k] = y[o + c] as number;
    }
  }
  return out;
}

/**
 * A full-layout gradient buffer: `out` itself when rows are already full,
 * else scratch for storeRows. The gradient kernels write every entry of it.
 */
export function fullGradRows(out: Float32Array, batch: number, width: number, lay: RowLayout): Float32Array {
  const fw = lay.dim + lay.dim * lay.dim;
  return width === fw ? out : new Float32Array(batch * fw);
}

/** Writes full-layout gradient rows `g` back to `out` in layout `lay` (a copy when they differ). */
export function storeRows(g: Float32Array, out: Float32Array, batch: number, width: number, lay: RowLayout): void {
  if (g === out) return;
  const d = lay.dim;
  const fw = d + d * d;
  for (let b = 0; b < batch; b++) {
    const o = b * width;
    const f = b * fw;
    for (let i = 0; i < d; i++) out[o + i] = g[f + i] as number;
    for (let k = 0; k < d * d; k++) {
      const c = lay.lIndex[k] as number;
      if (c >= 0) out[o + c] = g[f + d + k] as number;
    }
  }
}

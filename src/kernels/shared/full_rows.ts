/**
 * The typed-array maths (js_math.ts, and the WebAssembly module) reads
 * Gaussians from rows in the 'full' layout. These convert rows of another
 * tril layout to 'full' and back; a 'full' input is used in place.
 *
 * The conversions walk precomputed column maps (one per layout, cached)
 * and write into a caller's buffer: wasm_math.ts converts straight into and
 * out of the module's memory, so a 'packed' row is copied once each way
 * (before, it went through a scratch array allocated per call, which at
 * (1024, 16) cost 1.6 ms of a 3.4 ms NLL-and-gradient kernel).
 */
import {RowLayout} from '../../layout/row_layout.js';

/**
 * The entries a `lay` row fills in a 'full' row: `to[k]` (in the 'full'
 * row) comes from `from[k]` (in the `lay` row); every other entry is a
 * structural zero. Cached per layout.
 */
const maps = new WeakMap<RowLayout, {from: Int32Array; to: Int32Array}>();

export function fullMap(lay: RowLayout): {from: Int32Array; to: Int32Array} {
  const hit = maps.get(lay);
  if (hit !== undefined) return hit;
  const d = lay.dim;
  const from: number[] = [];
  const to: number[] = [];
  for (let j = 0; j < d + d * d; j++) {
    const c = j < d ? j : lay.lIndex[j - d] as number;
    if (c >= 0) {
      from.push(c);
      to.push(j);
    }
  }
  const map = {from: Int32Array.from(from), to: Int32Array.from(to)};
  maps.set(lay, map);
  return map;
}

/** Writes rows `y [batch, width]` in layout `lay` into `dst` as 'full' rows (stride d + d·d), zeros included. */
export function toFullRows(y: Float32Array, batch: number, width: number, lay: RowLayout, dst: Float32Array): void {
  const fw = lay.dim + lay.dim * lay.dim;
  if (width === fw) {
    dst.set(y.length === batch * fw ? y : y.subarray(0, batch * fw));
    return;
  }
  const {from, to} = fullMap(lay);
  const n = from.length;
  dst.fill(0, 0, batch * fw);
  for (let b = 0; b < batch; b++) {
    const o = b * width;
    const f = b * fw;
    for (let k = 0; k < n; k++) dst[f + (to[k] as number)] = y[o + (from[k] as number)] as number;
  }
}

/** Writes full-layout gradient rows `g` into `out [batch, width]` in layout `lay` (every entry of `out`). */
export function fromFullRows(g: Float32Array, batch: number, width: number, lay: RowLayout, out: Float32Array): void {
  const fw = lay.dim + lay.dim * lay.dim;
  if (width === fw) {
    out.set(g.length === batch * fw ? g : g.subarray(0, batch * fw));
    return;
  }
  const {from, to} = fullMap(lay);
  const n = from.length;
  for (let b = 0; b < batch; b++) {
    const o = b * width;
    const f = b * fw;
    for (let k = 0; k < n; k++) out[o + (from[k] as number)] = g[f + (to[k] as number)] as number;
  }
}

/**
 * Rows of `y [batch, width]` in the 'full' layout with row stride `d + d * d`:
 * `y` itself when it already is, else a repacked copy (upper part zero).
 */
export function fullRows(y: Float32Array, batch: number, width: number, lay: RowLayout): Float32Array {
  const fw = lay.dim + lay.dim * lay.dim;
  if (width === fw) return y;
  const out = new Float32Array(batch * fw);
  toFullRows(y, batch, width, lay, out);
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
  if (g !== out) fromFullRows(g, batch, width, lay, out);
}

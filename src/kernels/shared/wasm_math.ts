/**
 * The WebAssembly build of js_math.ts, cholesky_math.ts, diag_math.ts and
 * ScaleRows (assembly/gaussian_math.ts): the same float64 algorithms, bit for
 * bit, without JS's typed-array bounds checks. The row kernels (*_impl.ts)
 * call it when it is ready and fall back to the JS otherwise. (JS loops over
 * views of the tfjs wasm backend's heap are slow: ScaleRows over 1 MB took
 * 0.54 ms there, 0.11 ms here including the copies in and out.)
 *
 * It is compiled synchronously on first use (a 20 kB module). Where the host
 * refuses that (a browser's main thread may limit synchronous compiles), it
 * is compiled asynchronously instead, and the JS maths serves until it is
 * ready; both give identical results.
 *
 * Memory: the module allocates nothing. Each call lays out, from byte 65536
 * (above the module's own static data): the scratch of one sample, then the
 * float32 inputs and outputs, growing the memory when a call needs more.
 */
import {WASM_MATH_BASE64} from './wasm_math_bytes.js';
import {RowLayout} from '../../layout/row_layout.js';
import {fullMap} from './full_rows.js';

interface Exports {
  memory: WebAssembly.Memory;
  scratchBytes(d: number): number;
  klRows(batch: number, d: number, T: number, P: number, out: number, minDiag: number, direction: number, s: number): void;
  klGradRows(batch: number, d: number, T: number, P: number, out: number, gT: number, gP: number,
             minDiag: number, direction: number, s: number): void;
  nllRows(batch: number, d: number, X: number, wx: number, P: number, out: number, minDiag: number, s: number): void;
  nllGradRows(batch: number, d: number, X: number, wx: number, P: number, out: number, gX: number, gP: number,
              minDiag: number, s: number): void;
  choleskyScratchBytes(n: number): number;
  choleskyRows(batch: number, n: number, A: number, out: number, s: number): void;
  choleskyGradRows(batch: number, n: number, L: number, dL: number, out: number, s: number): void;
  klDiagRows(batch: number, d: number, T: number, P: number, out: number, grad: boolean, gT: number, gP: number,
             minDiag: number, direction: number): void;
  nllDiagRows(batch: number, d: number, X: number, wx: number, P: number, wy: number, out: number, grad: boolean,
              gX: number, gP: number, minDiag: number): void;
  scaleRows(batch: number, width: number, X: number, S: number, out: number): void;
  toFullRows(batch: number, w: number, fw: number, Y: number, out: number, from: number, to: number, n: number): void;
  fromFullRows(batch: number, w: number, fw: number, G: number, out: number, from: number, to: number, n: number): void;
  headRows(rows: number, width: number, X: number, O: number, S: number, slope: boolean, cols: number, nScale: number,
           nZero: number, shift: number): void;
  mixtureWorkBytes(K: number, d: number): number;
  mixtureRows(batch: number, K: number, d: number, X: number, wx: number, Y: number, wy: number, cw: number, from: number,
              to: number, nmap: number, out: number, GY: number, grad: boolean, minDiag: number, s: number,
              work: number): void;
  lowRankScratchBytes(d: number, r: number): number;
  lowRankNLLRows(batch: number, d: number, r: number, X: number, wx: number, P: number, out: number, grad: boolean,
                 gX: number, gP: number, minDiag: number, s: number): void;
  lowRankKLRows(batch: number, d: number, rT: number, rP: number, T: number, P: number, out: number, grad: boolean,
                gT: number, gP: number, minDiag: number, direction: number, s: number): void;
}

let wasm: Exports | null = null;
let state: 'untried' | 'ready' | 'pending' | 'failed' = 'untried';
let enabled = true;

function bytes(): Uint8Array {
  const s = atob(WASM_MATH_BASE64);
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

function load(): Exports | null {
  if (state === 'ready' || state === 'pending' || state === 'failed') return wasm;
  if (typeof WebAssembly !== 'object') {
    state = 'failed';
    return null;
  }
  const b = bytes();
  try {
    wasm = new WebAssembly.Instance(new WebAssembly.Module(b), {}).exports as unknown as Exports;
    state = 'ready';
  } catch {
    state = 'pending';
    WebAssembly.instantiate(b, {}).then((r) => {
      wasm = r.instance.exports as unknown as Exports;
      state = 'ready';
    }, () => {
      state = 'failed';
    });
  }
  return wasm;
}

/** Turns the WebAssembly maths off (or back on): for tests that compare it with the JS maths. */
export function setWasmMath(on: boolean): void {
  enabled = on;
}

/** The module, or null where it is off, unavailable or still compiling. */
function ready(): Exports | null {
  return enabled ? load() : null;
}

const BASE = 65536;
const align8 = (n: number): number => (n + 7) & ~7;

/** Byte offsets of consecutive float32 arrays of the given lengths, after `scratch` bytes; grows memory to fit. */
function layout(m: Exports, d: number, lengths: number[], scratch = m.scratchBytes(d)): number[] {
  let p = BASE + align8(scratch);
  const offs = lengths.map((n) => {
    const o = p;
    p += align8(4 * n);
    return o;
  });
  const need = p - m.memory.buffer.byteLength;
  if (need > 0) m.memory.grow(Math.ceil(need / 65536));
  return offs;
}

function put(m: Exports, off: number, a: Float32Array): void {
  new Float32Array(m.memory.buffer, off, a.length).set(a);
}

function get(m: Exports, off: number, a: Float32Array): void {
  a.set(new Float32Array(m.memory.buffer, off, a.length));
}

/** Rows `y [batch, width]` in a tril layout, which the module reads as 'full' rows. */
export interface TrilRows {
  y: Float32Array;
  width: number;
  lay: RowLayout;
}

const fullLength = (r: TrilRows, batch: number): number => batch * (r.lay.dim + r.lay.dim * r.lay.dim);

/** Float32 entries of the staging area `r` needs: its rows and its column map (none for 'full' rows). */
function stageLength(r: TrilRows, batch: number): number {
  return r.width === r.lay.dim + r.lay.dim * r.lay.dim ? 0 : batch * r.width + 2 * fullMap(r.lay).from.length;
}

/**
 * Writes `r` into the module's memory at `off` as 'full' rows: 'full' rows
 * are copied, other layouts are copied to `stage` and converted there by
 * the module (a JS loop over the column map took 0.5 ms each way at (1024, 16)).
 */
function putRows(m: Exports, off: number, r: TrilRows, batch: number, stage: number): void {
  const fw = r.lay.dim + r.lay.dim * r.lay.dim;
  if (r.width === fw) {
    put(m, off, r.y.length === batch * fw ? r.y : r.y.subarray(0, batch * fw));
    return;
  }
  const {from, to} = fullMap(r.lay);
  const mapAt = stage + 4 * batch * r.width;
  put(m, stage, r.y.length === batch * r.width ? r.y : r.y.subarray(0, batch * r.width));
  new Int32Array(m.memory.buffer, mapAt, from.length).set(from);
  new Int32Array(m.memory.buffer, mapAt + 4 * from.length, to.length).set(to);
  m.toFullRows(batch, r.width, fw, stage, off, mapAt, mapAt + 4 * from.length, from.length);
}

/** Reads 'full' gradient rows at `off` into `g`, in the layout of `r` (converted in `stage`, which putRows set up). */
function getRows(m: Exports, off: number, r: TrilRows, batch: number, g: Float32Array, stage: number): void {
  const fw = r.lay.dim + r.lay.dim * r.lay.dim;
  if (r.width === fw) {
    get(m, off, g);
    return;
  }
  const n = fullMap(r.lay).from.length;
  const mapAt = stage + 4 * batch * r.width;
  m.fromFullRows(batch, r.width, fw, off, stage, mapAt, mapAt + 4 * n, n);
  get(m, stage, g);
}

const DIRECTION = {forward: 0, reverse: 1, symmetric: 2} as const;

/** Per-row KL of tril-layout rows into `out`; false when the module is not ready. */
export function wasmKLRows(T: TrilRows, P: TrilRows, batch: number, d: number, minDiag: number,
                           direction: keyof typeof DIRECTION, out: Float32Array): boolean {
  const m = ready();
  if (m === null) return false;
  const [oT, oP, oOut, sT, sP] = layout(m, d, [fullLength(T, batch), fullLength(P, batch), batch,
    stageLength(T, batch), stageLength(P, batch)]) as [number, number, number, number, number];
  putRows(m, oT, T, batch, sT);
  putRows(m, oP, P, batch, sP);
  m.klRows(batch, d, oT, oP, oOut, minDiag, DIRECTION[direction], BASE);
  get(m, oOut, out);
  return true;
}

/** Per-row KL and its gradients into `out`, `gT`, `gP` (in the rows' layouts); false when not ready. */
export function wasmKLGradRows(T: TrilRows, P: TrilRows, batch: number, d: number, minDiag: number,
                               direction: keyof typeof DIRECTION, out: Float32Array, gT: Float32Array,
                               gP: Float32Array): boolean {
  const m = ready();
  if (m === null) return false;
  const n = fullLength(T, batch);
  const [oT, oP, oOut, ogT, ogP, sT, sP] = layout(m, d, [n, n, batch, n, n, stageLength(T, batch), stageLength(P, batch)]) as
    [number, number, number, number, number, number, number];
  putRows(m, oT, T, batch, sT);
  putRows(m, oP, P, batch, sP);
  m.klGradRows(batch, d, oT, oP, oOut, ogT, ogP, minDiag, DIRECTION[direction], BASE);
  get(m, oOut, out);
  getRows(m, ogT, T, batch, gT, sT);
  getRows(m, ogP, P, batch, gP, sP);
  return true;
}

/** Copies `out.length` float64 values from `off` (the NLL rows' values) into `out`, rounding when it is float32. */
function get64(m: Exports, off: number, out: Float32Array | Float64Array): void {
  out.set(new Float64Array(m.memory.buffer, off, out.length));
}

/**
 * Per-row NLL of points `X [batch, wx]` (first d columns) under tril-layout
 * rows `P` into `out` (float64 where the caller keeps full precision); false
 * when not ready.
 */
export function wasmNLLRows(X: Float32Array, wx: number, P: TrilRows, batch: number, d: number, minDiag: number,
                            out: Float32Array | Float64Array): boolean {
  const m = ready();
  if (m === null) return false;
  const [oX, oP, oOut, sP] = layout(m, d, [X.length, fullLength(P, batch), 2 * batch, stageLength(P, batch)]) as
    [number, number, number, number];
  put(m, oX, X);
  putRows(m, oP, P, batch, sP);
  m.nllRows(batch, d, oX, wx, oP, oOut, minDiag, BASE);
  get64(m, oOut, out);
  return true;
}

/**
 * Per-row NLL and its gradients into `out`, `gX` (first d columns of each
 * row; the caller zeroes any padding) and `gP` (in the layout of `P`);
 * false when not ready.
 */
export function wasmNLLGradRows(X: Float32Array, wx: number, P: TrilRows, batch: number, d: number,
                                minDiag: number, out: Float32Array | Float64Array, gX: Float32Array,
                                gP: Float32Array): boolean {
  const m = ready();
  if (m === null) return false;
  const n = fullLength(P, batch);
  const [oX, oP, oOut, ogX, ogP, sP] = layout(m, d, [X.length, n, 2 * batch, gX.length, n, stageLength(P, batch)]) as
    [number, number, number, number, number, number];
  put(m, oX, X);
  putRows(m, oP, P, batch, sP);
  if (wx > d) new Float32Array(m.memory.buffer, ogX, gX.length).fill(0);
  m.nllGradRows(batch, d, oX, wx, oP, oOut, ogX, ogP, minDiag, BASE);
  get64(m, oOut, out);
  get(m, ogX, gX);
  getRows(m, ogP, P, batch, gP, sP);
  return true;
}

/** Cholesky factors of `batch` n x n matrices (lower triangles read) into `out`; false when not ready. */
export function wasmCholesky(a: Float32Array, batch: number, n: number, out: Float32Array): boolean {
  const m = ready();
  if (m === null) return false;
  const [oA, oOut] = layout(m, n, [a.length, out.length], m.choleskyScratchBytes(n)) as [number, number];
  put(m, oA, a);
  m.choleskyRows(batch, n, oA, oOut, BASE);
  get(m, oOut, out);
  return true;
}

/** The symmetric gradient of Cholesky (factors `l`, upstream `dl`) into `out`; false when not ready. */
export function wasmCholeskyGrad(l: Float32Array, dl: Float32Array, batch: number, n: number, out: Float32Array): boolean {
  const m = ready();
  if (m === null) return false;
  const [oL, oD, oOut] = layout(m, n, [l.length, dl.length, out.length], m.choleskyScratchBytes(n)) as
    [number, number, number];
  put(m, oL, l);
  put(m, oD, dl);
  m.choleskyGradRows(batch, n, oL, oD, oOut, BASE);
  get(m, oOut, out);
  return true;
}

/**
 * Per-row KL of 'diag' rows `T`, `P` (width 2d) into `out`, and when `gT` and
 * `gP` are given their gradients (diag_math.ts klDiag); false when not ready.
 */
export function wasmKLDiagRows(T: Float32Array, P: Float32Array, batch: number, d: number, minDiag: number,
                               direction: keyof typeof DIRECTION, out: Float32Array,
                               gT: Float32Array | null, gP: Float32Array | null): boolean {
  const m = ready();
  if (m === null) return false;
  const grad = gT !== null && gP !== null;
  const lengths = [T.length, P.length, batch, grad ? T.length : 0, grad ? P.length : 0];
  const [oT, oP, oOut, ogT, ogP] = layout(m, d, lengths, 0) as [number, number, number, number, number];
  put(m, oT, T);
  put(m, oP, P);
  m.klDiagRows(batch, d, oT, oP, oOut, grad, ogT, ogP, minDiag, DIRECTION[direction]);
  get(m, oOut, out);
  if (grad) {
    get(m, ogT, gT);
    get(m, ogP, gP);
  }
  return true;
}

/**
 * Per-row NLL of points `X [batch, wx]` (first d columns) under 'diag' rows
 * `P` of stride `wy` into `out` (float64 where the caller keeps it), and when
 * `gX` and `gP` are given the gradients (`gX`'s padding columns 0); false
 * when not ready.
 */
export function wasmNLLDiagRows(X: Float32Array, wx: number, P: Float32Array, wy: number, batch: number, d: number,
                                minDiag: number, out: Float32Array | Float64Array,
                                gX: Float32Array | null, gP: Float32Array | null): boolean {
  const m = ready();
  if (m === null) return false;
  const grad = gX !== null && gP !== null;
  const lengths = [X.length, P.length, 2 * batch, grad ? X.length : 0, grad ? P.length : 0];
  const [oX, oP, oOut, ogX, ogP] = layout(m, d, lengths, 0) as [number, number, number, number, number];
  put(m, oX, X);
  put(m, oP, P);
  if (grad && wx > d) new Float32Array(m.memory.buffer, ogX, X.length).fill(0);
  m.nllDiagRows(batch, d, oX, wx, oP, wy, oOut, grad, ogX, ogP, minDiag);
  get64(m, oOut, out);
  if (grad) {
    get(m, ogX, gX);
    get(m, ogP, gP);
  }
  return true;
}

/**
 * Per-row NLL of points `X [batch, wx]` under 'lowrank' rows `P` of rank `r`
 * (lowrank_math.ts nllLowRank) into `out`, and the gradients when `gX` and
 * `gP` are given (`gX`'s padding columns 0); false when not ready. The
 * scratch sits at BASE, the arrays after it.
 */
export function wasmLowRankNLLRows(X: Float32Array, wx: number, P: Float32Array, batch: number, d: number, r: number,
                                   minDiag: number, out: Float32Array | Float64Array,
                                   gX: Float32Array | null, gP: Float32Array | null): boolean {
  const m = ready();
  if (m === null) return false;
  const grad = gX !== null && gP !== null;
  const lengths = [X.length, P.length, 2 * batch, grad ? X.length : 0, grad ? P.length : 0];
  const [oX, oP, oOut, ogX, ogP] = layout(m, d, lengths, m.lowRankScratchBytes(d, r)) as [number, number, number, number, number];
  put(m, oX, X);
  put(m, oP, P);
  if (grad && wx > d) new Float32Array(m.memory.buffer, ogX, X.length).fill(0);
  m.lowRankNLLRows(batch, d, r, oX, wx, oP, oOut, grad, ogX, ogP, minDiag, BASE);
  get64(m, oOut, out);
  if (grad) {
    get(m, ogX, gX);
    get(m, ogP, gP);
  }
  return true;
}

/**
 * Per-row KL of 'lowrank' rows `T` (rank rT) and `P` (rank rP) into `out`
 * (lowrank_math.ts klLowRank), and their gradients when `gT` and `gP` are
 * given; false when not ready.
 */
export function wasmLowRankKLRows(T: Float32Array, P: Float32Array, batch: number, d: number, rT: number, rP: number,
                                  minDiag: number, direction: keyof typeof DIRECTION, out: Float32Array,
                                  gT: Float32Array | null, gP: Float32Array | null): boolean {
  const m = ready();
  if (m === null) return false;
  const grad = gT !== null && gP !== null;
  const lengths = [T.length, P.length, batch, grad ? T.length : 0, grad ? P.length : 0];
  const scratch = m.lowRankScratchBytes(d, Math.max(rT, rP));
  const [oT, oP, oOut, ogT, ogP] = layout(m, d, lengths, scratch) as [number, number, number, number, number];
  put(m, oT, T);
  put(m, oP, P);
  m.lowRankKLRows(batch, d, rT, rP, oT, oP, oOut, grad, ogT, ogP, minDiag, DIRECTION[direction], BASE);
  get(m, oOut, out);
  if (grad) {
    get(m, ogT, gT);
    get(m, ogP, gP);
  }
  return true;
}

/** `out[b, :] = x[b, :] * scale[b]` for rows of `width` (ScaleRows); false when not ready. */
export function wasmScaleRows(x: Float32Array, scale: Float32Array, batch: number, width: number,
                              out: Float32Array): boolean {
  const m = ready();
  if (m === null) return false;
  const [oX, oS, oOut] = layout(m, 0, [x.length, scale.length, out.length], 0) as [number, number, number];
  put(m, oX, x);
  put(m, oS, scale);
  m.scaleRows(batch, width, oX, oS, oOut);
  get(m, oOut, out);
  return true;
}

/**
 * The head transform of rows `x [rows, width]` into `out`, and its slope
 * into `slope` when given (gaussian_head_impl.ts): `scale` columns get
 * softplus(x) + shift, `zero` columns 0; false when not ready.
 */
export function wasmHeadRows(x: Float32Array, rows: number, width: number, scale: Int32Array, zero: Int32Array,
                             shift: number, out: Float32Array, slope: Float32Array | null): boolean {
  const m = ready();
  if (m === null) return false;
  const [oX, oO, oS, oC] = layout(m, 0, [x.length, x.length, slope === null ? 0 : x.length, scale.length + zero.length], 0) as
    [number, number, number, number];
  put(m, oX, x);
  const cols = new Int32Array(m.memory.buffer, oC, scale.length + zero.length);
  cols.set(scale);
  cols.set(zero, scale.length);
  m.headRows(rows, width, oX, oO, oS, slope !== null, oC, scale.length, zero.length, shift);
  get(m, oO, out);
  if (slope !== null) get(m, oS, slope);
  return true;
}

/**
 * Mixture NLL rows `y [batch, wy]` (`[logits (K) | K component rows]`, the
 * components in the tril layout `lay`) at points `x [batch, wx]` (first d
 * columns) into `out`, and when `gy` is given the gradient with respect to
 * `y` (gaussian_mixture_nll_impl.ts); false when not ready.
 */
export function wasmMixtureRows(x: Float32Array, wx: number, y: Float32Array, wy: number, batch: number, K: number,
                                lay: RowLayout, minDiag: number, out: Float32Array, gy: Float32Array | null): boolean {
  const m = ready();
  if (m === null) return false;
  const d = lay.dim;
  const {from, to} = fullMap(lay);
  const cw = (wy - K) / K;
  const lengths = [x.length, y.length, batch, gy === null ? 0 : y.length, 2 * from.length, m.mixtureWorkBytes(K, d) / 4];
  const [oX, oY, oOut, oG, oMap, oWork] = layout(m, d, lengths) as [number, number, number, number, number, number];
  put(m, oX, x);
  put(m, oY, y);
  new Int32Array(m.memory.buffer, oMap, from.length).set(from);
  new Int32Array(m.memory.buffer, oMap + 4 * from.length, to.length).set(to);
  m.mixtureRows(batch, K, d, oX, wx, oY, wy, cw, oMap, oMap + 4 * from.length, from.length, oOut, oG, gy !== null,
    minDiag, BASE, oWork);
  get(m, oOut, out);
  if (gy !== null) get(m, oG, gy);
  return true;
}

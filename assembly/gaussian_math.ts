// AssemblyScript source of the WebAssembly build of src/kernels/shared/js_math.ts
// (and cholesky_math.ts, diag_math.ts and scale_rows_impl.ts, in their sections).
//
// The same algorithms, loop forms and float64 operation order as js_math.ts
// (read its comments for the maths): rows are float32 in the 'full' layout,
// [mean (d) | L row-major (d * d)], every product and sum is float64, and the
// only float32 roundings are the load and the store. WebAssembly has no
// fused multiply-add, and the f64x2 (SIMD) loops run the scalar operations
// lane by lane in the same order, so each result equals the JS one bit for
// bit (tests compare the two).
//
// Memory is laid out by the caller (src/kernels/shared/wasm_math.ts): the
// functions take byte offsets into this module's memory and allocate nothing.
// Built by scripts/build_wasm.mjs (npm run build:wasm).

const LOG_2PI: f64 = Math.log(2 * Math.PI);

@inline function ld32(p: usize, i: i32): f64 { return <f64>load<f32>(p + (<usize>i << 2)); }
@inline function st32(p: usize, i: i32, v: f64): void { store<f32>(p + (<usize>i << 2), <f32>v); }
@inline function ld(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }
@inline function st(p: usize, i: i32, v: f64): void { store<f64>(p + (<usize>i << 3), v); }
// Two adjacent float64 entries as one f64x2 vector. Each lane does the
// scalar code's operations in the scalar code's order, so SIMD changes no bit.
@inline function ld2(p: usize, i: i32): v128 { return v128.load(p + (<usize>i << 3)); }
@inline function st2(p: usize, i: i32, v: v128): void { v128.store(p + (<usize>i << 3), v); }

// Scratch for one sample, at `s`: X, XT, W (d * d each), then row, z, w, diagA, diagB (d each).
@inline function sX(s: usize, d: i32): usize { return s; }
@inline function sXT(s: usize, d: i32): usize { return s + (<usize>(d * d) << 3); }
@inline function sW(s: usize, d: i32): usize { return s + (<usize>(2 * d * d) << 3); }
@inline function sRow(s: usize, d: i32): usize { return s + (<usize>(3 * d * d) << 3); }
@inline function sZ(s: usize, d: i32): usize { return s + (<usize>(3 * d * d + d) << 3); }
@inline function sWv(s: usize, d: i32): usize { return s + (<usize>(3 * d * d + 2 * d) << 3); }
@inline function sDiagA(s: usize, d: i32): usize { return s + (<usize>(3 * d * d + 3 * d) << 3); }
@inline function sDiagB(s: usize, d: i32): usize { return s + (<usize>(3 * d * d + 4 * d) << 3); }

/** Bytes of scratch needed for dimension d. */
export function scratchBytes(d: i32): i32 { return (3 * d * d + 5 * d) << 3; }

function guardDiag(v: f64, minDiag: f64): f64 {
  if (minDiag <= 0) return v;
  const a = Math.abs(v);
  const c = a < minDiag ? minDiag : a > 1 / minDiag ? 1 / minDiag : a;
  return v < 0 ? -c : c;
}

function readDiag(y: usize, o: i32, d: i32, minDiag: f64, diag: usize): void {
  for (let i = 0; i < d; i++) st(diag, i, guardDiag(ld32(y, o + d + i * d + i), minDiag));
}

function sumLogAbs(a: usize, d: i32): f64 {
  let prod: f64 = 1;
  let acc: f64 = 0;
  for (let i = 0; i < d; i++) {
    prod *= ld(a, i);
    const m = Math.abs(prod);
    if (!(m > 1e-100 && m < 1e100)) {
      acc += Math.log(m);
      prod = 1;
    }
  }
  return acc + Math.log(Math.abs(prod));
}

function solveKL(d: i32, yA: usize, oA: i32, yB: usize, oB: i32, s: usize): void {
  const X = sX(s, d), XT = sXT(s, d), z = sZ(s, d), diagA = sDiagA(s, d), diagB = sDiagB(s, d);
  const lA = oA + d;
  const lB = oB + d;
  for (let i = 0; i < d; i++) {
    const r = i * d;
    for (let j = 0; j < i; j++) st(X, r + j, ld32(yA, lA + r + j));
    st(X, r + i, ld(diagA, i));
    let zi = ld32(yB, oB + i) - ld32(yA, oA + i);
    const li = lB + r;
    let k = 0;
    for (; k + 3 < i; k += 4) {
      const c0 = ld32(yB, li + k), c1 = ld32(yB, li + k + 1), c2 = ld32(yB, li + k + 2), c3 = ld32(yB, li + k + 3);
      const r0 = k * d, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d;
      const v0 = f64x2.splat(c0), v1 = f64x2.splat(c1), v2 = f64x2.splat(c2), v3 = f64x2.splat(c3);
      let j = 0;
      for (; j + 1 <= k + 3; j += 2) {
        const t = f64x2.add(f64x2.add(f64x2.add(f64x2.mul(v0, ld2(X, r0 + j)), f64x2.mul(v1, ld2(X, r1 + j))),
          f64x2.mul(v2, ld2(X, r2 + j))), f64x2.mul(v3, ld2(X, r3 + j)));
        st2(X, r + j, f64x2.sub(ld2(X, r + j), t));
      }
      for (; j <= k + 3; j++) {
        st(X, r + j, ld(X, r + j) - (c0 * ld(X, r0 + j) + c1 * ld(X, r1 + j) + c2 * ld(X, r2 + j) + c3 * ld(X, r3 + j)));
      }
      zi -= c0 * ld(z, k) + c1 * ld(z, k + 1) + c2 * ld(z, k + 2) + c3 * ld(z, k + 3);
    }
    for (; k < i; k++) {
      const c = ld32(yB, li + k);
      const rk = k * d;
      for (let j = 0; j <= k; j++) st(X, r + j, ld(X, r + j) - c * ld(X, rk + j));
      zi -= c * ld(z, k);
    }
    const inv = 1 / ld(diagB, i);
    for (let j = 0; j <= i; j++) {
      const v = ld(X, r + j) * inv;
      st(X, r + j, v);
      st(XT, j * d + i, v);
    }
    st(z, i, zi * inv);
  }
}

function klValue(d: i32, yA: usize, oA: i32, yB: usize, oB: i32, minDiag: f64, s: usize): f64 {
  const diagA = sDiagA(s, d), diagB = sDiagB(s, d);
  readDiag(yA, oA, d, minDiag, diagA);
  readDiag(yB, oB, d, minDiag, diagB);
  solveKL(d, yA, oA, yB, oB, s);
  const X = sX(s, d), z = sZ(s, d);
  let sq: f64 = 0;
  for (let i = 0; i < d; i++) {
    const r = i * d;
    for (let j = 0; j <= i; j++) sq += ld(X, r + j) * ld(X, r + j);
    sq += ld(z, i) * ld(z, i);
  }
  return 0.5 * (sq - d) + sumLogAbs(diagB, d) - sumLogAbs(diagA, d);
}

function klGrad(d: i32, yA: usize, oA: i32, yB: usize, oB: i32, minDiag: f64, s: usize, g: f64,
                gA: usize, gB: usize, accumulate: bool): f64 {
  const diagA = sDiagA(s, d), diagB = sDiagB(s, d);
  readDiag(yA, oA, d, minDiag, diagA);
  readDiag(yB, oB, d, minDiag, diagB);
  solveKL(d, yA, oA, yB, oB, s);
  const X = sX(s, d), XT = sXT(s, d), W = sW(s, d), z = sZ(s, d), w = sWv(s, d);
  const lB = oB + d;
  let sq: f64 = 0;
  for (let i = d - 1; i >= 0; i--) {
    const r = i * d;
    for (let j = 0; j <= i; j++) {
      const v = ld(X, r + j);
      st(W, r + j, v);
      sq += v * v;
    }
    let wi = ld(z, i);
    sq += wi * wi;
    let k = i + 1;
    for (; k + 3 < d; k += 4) {
      const c0 = ld32(yB, lB + k * d + i), c1 = ld32(yB, lB + (k + 1) * d + i);
      const c2 = ld32(yB, lB + (k + 2) * d + i), c3 = ld32(yB, lB + (k + 3) * d + i);
      const r0 = k * d, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d;
      const v0 = f64x2.splat(c0), v1 = f64x2.splat(c1), v2 = f64x2.splat(c2), v3 = f64x2.splat(c3);
      let j = 0;
      for (; j + 1 <= i; j += 2) {
        const t = f64x2.add(f64x2.add(f64x2.add(f64x2.mul(v0, ld2(W, r0 + j)), f64x2.mul(v1, ld2(W, r1 + j))),
          f64x2.mul(v2, ld2(W, r2 + j))), f64x2.mul(v3, ld2(W, r3 + j)));
        st2(W, r + j, f64x2.sub(ld2(W, r + j), t));
      }
      for (; j <= i; j++) {
        st(W, r + j, ld(W, r + j) - (c0 * ld(W, r0 + j) + c1 * ld(W, r1 + j) + c2 * ld(W, r2 + j) + c3 * ld(W, r3 + j)));
      }
      wi -= c0 * ld(w, k) + c1 * ld(w, k + 1) + c2 * ld(w, k + 2) + c3 * ld(w, k + 3);
    }
    for (; k < d; k++) {
      const c = ld32(yB, lB + k * d + i);
      const rk = k * d;
      for (let j = 0; j <= i; j++) st(W, r + j, ld(W, r + j) - c * ld(W, rk + j));
      wi -= c * ld(w, k);
    }
    const inv = 1 / ld(diagB, i);
    for (let j = 0; j <= i; j++) st(W, r + j, ld(W, r + j) * inv);
    st(w, i, wi * inv);
  }
  const row = sRow(s, d);
  for (let i = 0; i < d; i++) {
    const r = i * d;
    const wi = ld(w, i);
    for (let j = 0; j <= i; j++) st(row, j, wi * ld(z, j));
    let k = 0;
    for (; k + 3 <= i; k += 4) {
      const c0 = ld(W, r + k), c1 = ld(W, r + k + 1), c2 = ld(W, r + k + 2), c3 = ld(W, r + k + 3);
      const r0 = k * d, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d;
      const v0 = f64x2.splat(c0), v1 = f64x2.splat(c1), v2 = f64x2.splat(c2), v3 = f64x2.splat(c3);
      let j = k;
      for (; j + 1 <= i; j += 2) {
        st2(row, j, f64x2.add(f64x2.add(f64x2.add(f64x2.add(ld2(row, j), f64x2.mul(v0, ld2(XT, r0 + j))),
          f64x2.mul(v1, ld2(XT, r1 + j))), f64x2.mul(v2, ld2(XT, r2 + j))), f64x2.mul(v3, ld2(XT, r3 + j))));
      }
      for (; j <= i; j++) {
        st(row, j, ld(row, j) + c0 * ld(XT, r0 + j) + c1 * ld(XT, r1 + j) + c2 * ld(XT, r2 + j) + c3 * ld(XT, r3 + j));
      }
    }
    for (; k <= i; k++) {
      const c = ld(W, r + k);
      const rk = k * d;
      for (let j = k; j <= i; j++) st(row, j, ld(row, j) + c * ld(XT, rk + j));
    }
    const pa = oA + d + r;
    const pb = oB + d + r;
    if (accumulate) {
      st32(gA, oA + i, ld32(gA, oA + i) - g * wi);
      st32(gB, oB + i, ld32(gB, oB + i) + g * wi);
      for (let j = 0; j <= i; j++) {
        st32(gA, pa + j, ld32(gA, pa + j) + g * ld(W, r + j));
        st32(gB, pb + j, ld32(gB, pb + j) - g * ld(row, j));
      }
    } else {
      st32(gA, oA + i, -g * wi);
      st32(gB, oB + i, g * wi);
      for (let j = 0; j <= i; j++) {
        st32(gA, pa + j, g * ld(W, r + j));
        st32(gB, pb + j, -g * ld(row, j));
      }
      for (let j = i + 1; j < d; j++) {
        st32(gA, pa + j, 0);
        st32(gB, pb + j, 0);
      }
    }
    st32(gA, pa + i, ld32(gA, pa + i) - g / ld(diagA, i));
    st32(gB, pb + i, ld32(gB, pb + i) + g / ld(diagB, i));
  }
  return 0.5 * (sq - d) + sumLogAbs(diagB, d) - sumLogAbs(diagA, d);
}

function solveNLL(d: i32, x: usize, xo: i32, y: usize, o: i32, s: usize): void {
  const z = sZ(s, d), diagB = sDiagB(s, d);
  const l = o + d;
  for (let i = 0; i < d; i++) {
    const r = l + i * d;
    let acc = ld32(x, xo + i) - ld32(y, o + i);
    for (let k = 0; k < i; k++) acc -= ld32(y, r + k) * ld(z, k);
    st(z, i, acc / ld(diagB, i));
  }
}

function nllValue(d: i32, x: usize, xo: i32, y: usize, o: i32, minDiag: f64, s: usize): f64 {
  const z = sZ(s, d), diagB = sDiagB(s, d);
  readDiag(y, o, d, minDiag, diagB);
  solveNLL(d, x, xo, y, o, s);
  let sq: f64 = 0;
  for (let i = 0; i < d; i++) sq += ld(z, i) * ld(z, i);
  return 0.5 * d * LOG_2PI + sumLogAbs(diagB, d) + 0.5 * sq;
}

function nllGrad(d: i32, x: usize, xo: i32, y: usize, o: i32, minDiag: f64, s: usize, g: f64,
                 gx: usize, gy: usize): f64 {
  const z = sZ(s, d), w = sWv(s, d), diagB = sDiagB(s, d);
  readDiag(y, o, d, minDiag, diagB);
  solveNLL(d, x, xo, y, o, s);
  const l = o + d;
  let sq: f64 = 0;
  for (let i = 0; i < d; i++) {
    const zi = ld(z, i);
    sq += zi * zi;
    st(w, i, zi);
  }
  for (let k = d - 1; k >= 0; k--) {
    const wk = ld(w, k) / ld(diagB, k);
    st(w, k, wk);
    const r = l + k * d;
    for (let j = 0; j < k; j++) st(w, j, ld(w, j) - ld32(y, r + j) * wk);
  }
  for (let i = 0; i < d; i++) {
    const wi = ld(w, i);
    st32(gx, xo + i, g * wi);
    st32(gy, o + i, -g * wi);
    const p = l + i * d;
    const c = -g * wi;
    for (let j = 0; j < i; j++) st32(gy, p + j, c * ld(z, j));
    st32(gy, p + i, c * ld(z, i) + g / ld(diagB, i));
    for (let j = i + 1; j < d; j++) st32(gy, p + j, 0);
  }
  return 0.5 * d * LOG_2PI + sumLogAbs(diagB, d) + 0.5 * sq;
}

// Batch drivers: rows of width fw = d + d * d; direction 0 forward, 1 reverse, 2 symmetric.
// Each starts by zeroing the scratch: the blocked loops read entries above
// the diagonal of X, W and below it in XT, which must be zero (js_math.ts
// gets that from fresh arrays; here the scratch is reused across calls).

@inline function zeroScratch(s: usize, d: i32): void { memory.fill(s, 0, <usize>scratchBytes(d)); }

export function klRows(batch: i32, d: i32, T: usize, P: usize, out: usize, minDiag: f64, direction: i32, s: usize): void {
  zeroScratch(s, d);
  const fw = d + d * d;
  for (let b = 0; b < batch; b++) {
    const o = b * fw;
    let v: f64 = 0;
    if (direction != 1) v += klValue(d, T, o, P, o, minDiag, s);
    if (direction != 0) v += klValue(d, P, o, T, o, minDiag, s);
    st32(out, b, v);
  }
}

export function klGradRows(batch: i32, d: i32, T: usize, P: usize, out: usize, gT: usize, gP: usize,
                           minDiag: f64, direction: i32, s: usize): void {
  zeroScratch(s, d);
  const fw = d + d * d;
  for (let b = 0; b < batch; b++) {
    const o = b * fw;
    let v: f64 = 0;
    if (direction != 1) v += klGrad(d, T, o, P, o, minDiag, s, 1, gT, gP, false);
    if (direction != 0) v += klGrad(d, P, o, T, o, minDiag, s, 1, gP, gT, direction == 2);
    st32(out, b, v);
  }
}

// The NLL rows write float64 values (`out`): the mixture kernel combines
// per-component NLLs in float64 (a far-out component's NLL of 5e5 in
// float32 would be off by 0.03 nats); the single-Gaussian kernel rounds.
export function nllRows(batch: i32, d: i32, X: usize, wx: i32, P: usize, out: usize, minDiag: f64, s: usize): void {
  zeroScratch(s, d);
  const fw = d + d * d;
  for (let b = 0; b < batch; b++) st(out, b, nllValue(d, X, b * wx, P, b * fw, minDiag, s));
}

export function nllGradRows(batch: i32, d: i32, X: usize, wx: i32, P: usize, out: usize, gX: usize, gP: usize,
                            minDiag: f64, s: usize): void {
  zeroScratch(s, d);
  const fw = d + d * d;
  let b = 0;
  if (d >= 4) {
    for (; b + 3 < batch; b += 4) {
      nllGradQuad(d, X, b * wx, wx, P, b * fw, fw, minDiag, s, 1, gX, gP, out, b);
    }
  }
  if (d >= 2) {
    for (; b + 1 < batch; b += 2) nllGradPair(d, X, b * wx, (b + 1) * wx, P, b * fw, (b + 1) * fw, minDiag, s, 1, gX, gP, out, b);
  }
  for (; b < batch; b++) st(out, b, nllGrad(d, X, b * wx, P, b * fw, minDiag, s, 1, gX, gP));
}

// nllGrad on two rows at once, as f64x2: lane 0 is the row at o0, lane 1 the
// row at o1, and each lane runs nllGrad's scalar operations in nllGrad's
// order, so each row gets nllGrad's bits. The two rows' triangular solves
// are chains of dependent multiply-subtracts (one accumulator each, latency
// bound); side by side they run in the time of one. Pair scratch (d f64x2
// each: z, w and the guarded diagonal) sits in the X block of the scratch
// (3d² ≥ 6d float64 entries for d ≥ 2), which nllGrad does not use.
@inline function ldPair32(p: usize, i0: i32, i1: i32): v128 { return f64x2(ld32(p, i0), ld32(p, i1)); }
@inline function ldP(p: usize, i: i32): v128 { return v128.load(p + (<usize>i << 4)); }
@inline function stP(p: usize, i: i32, v: v128): void { v128.store(p + (<usize>i << 4), v); }
/** Lane `lane` (0 or 1) of pair `i` of the pair array at `p`. */
@inline function ldLane(p: usize, i: i32, lane: usize): f64 { return load<f64>(p + (<usize>i << 4) + (lane << 3)); }

function nllGradPair(d: i32, x: usize, xo0: i32, xo1: i32, y: usize, o0: i32, o1: i32, minDiag: f64, s: usize, g: f64,
                     gx: usize, gy: usize, out: usize, b: i32): void {
  const z = sX(s, d);
  const w = z + (<usize>d << 4);
  const D = w + (<usize>d << 4);
  const dA = sDiagA(s, d), dB = sDiagB(s, d);
  readDiag(y, o0, d, minDiag, dA);
  readDiag(y, o1, d, minDiag, dB);
  for (let i = 0; i < d; i++) stP(D, i, f64x2(ld(dA, i), ld(dB, i)));
  // solveNLL, both rows.
  const l0 = o0 + d, l1 = o1 + d;
  for (let i = 0; i < d; i++) {
    const r0 = l0 + i * d, r1 = l1 + i * d;
    let acc = f64x2.sub(ldPair32(x, xo0 + i, xo1 + i), ldPair32(y, o0 + i, o1 + i));
    for (let k = 0; k < i; k++) acc = f64x2.sub(acc, f64x2.mul(ldPair32(y, r0 + k, r1 + k), ldP(z, k)));
    stP(z, i, f64x2.div(acc, ldP(D, i)));
  }
  let sq = f64x2.splat(0);
  for (let i = 0; i < d; i++) {
    const zi = ldP(z, i);
    sq = f64x2.add(sq, f64x2.mul(zi, zi));
    stP(w, i, zi);
  }
  for (let k = d - 1; k >= 0; k--) {
    const wk = f64x2.div(ldP(w, k), ldP(D, k));
    stP(w, k, wk);
    const r0 = l0 + k * d, r1 = l1 + k * d;
    for (let j = 0; j < k; j++) stP(w, j, f64x2.sub(ldP(w, j), f64x2.mul(ldPair32(y, r0 + j, r1 + j), wk)));
  }
  nllGradStores(d, 0, z, w, D, g, gx, xo0, gy, o0);
  nllGradStores(d, 1, z, w, D, g, gx, xo1, gy, o1);
  st(out, b, 0.5 * d * LOG_2PI + sumLogAbs(dA, d) + 0.5 * f64x2.extract_lane(sq, 0));
  st(out, b + 1, 0.5 * d * LOG_2PI + sumLogAbs(dB, d) + 0.5 * f64x2.extract_lane(sq, 1));
}

// nllGradPair on two pairs of rows (four consecutive rows: x at xo + q·sx,
// y at o + q·sy), their operations interleaved: each pair's solve is still a
// dependent chain, and two chains side by side fill the divider and the
// multipliers that one leaves idle (d = 8, 1280 rows: 0.156 -> 0.125 ms; d = 4:
// 0.061 -> 0.046 ms; d = 16: no change).
// Every lane runs nllGrad's scalar operations in nllGrad's order, so the
// bits are nllGrad's. Scratch: pair A's z, w, D then pair B's, 6d f64x2 in
// the X block (3d² float64 entries: enough for d ≥ 4); the four guarded
// diagonals in the d-length arrays after it.
function nllGradQuad(d: i32, x: usize, xo: i32, sx: i32, y: usize, o: i32, sy: i32, minDiag: f64, s: usize, g: f64,
                     gx: usize, gy: usize, out: usize, b: i32): void {
  const zA = sX(s, d);
  const wA = zA + (<usize>d << 4);
  const DA = wA + (<usize>d << 4);
  const zB = DA + (<usize>d << 4);
  const wB = zB + (<usize>d << 4);
  const DB = wB + (<usize>d << 4);
  const o0 = o, o1 = o + sy, o2 = o + 2 * sy, o3 = o + 3 * sy;
  const x0 = xo, x1 = xo + sx, x2 = xo + 2 * sx, x3 = xo + 3 * sx;
  const q0 = sDiagA(s, d), q1 = sDiagB(s, d), q2 = sRow(s, d), q3 = sZ(s, d);
  readDiag(y, o0, d, minDiag, q0);
  readDiag(y, o1, d, minDiag, q1);
  readDiag(y, o2, d, minDiag, q2);
  readDiag(y, o3, d, minDiag, q3);
  for (let i = 0; i < d; i++) {
    stP(DA, i, f64x2(ld(q0, i), ld(q1, i)));
    stP(DB, i, f64x2(ld(q2, i), ld(q3, i)));
  }
  const l0 = o0 + d, l1 = o1 + d, l2 = o2 + d, l3 = o3 + d;
  for (let i = 0; i < d; i++) {
    const id = i * d;
    let a = f64x2.sub(ldPair32(x, x0 + i, x1 + i), ldPair32(y, o0 + i, o1 + i));
    let c = f64x2.sub(ldPair32(x, x2 + i, x3 + i), ldPair32(y, o2 + i, o3 + i));
    for (let k = 0; k < i; k++) {
      a = f64x2.sub(a, f64x2.mul(ldPair32(y, l0 + id + k, l1 + id + k), ldP(zA, k)));
      c = f64x2.sub(c, f64x2.mul(ldPair32(y, l2 + id + k, l3 + id + k), ldP(zB, k)));
    }
    stP(zA, i, f64x2.div(a, ldP(DA, i)));
    stP(zB, i, f64x2.div(c, ldP(DB, i)));
  }
  let sqA = f64x2.splat(0), sqB = f64x2.splat(0);
  for (let i = 0; i < d; i++) {
    const za = ldP(zA, i), zb = ldP(zB, i);
    sqA = f64x2.add(sqA, f64x2.mul(za, za));
    sqB = f64x2.add(sqB, f64x2.mul(zb, zb));
    stP(wA, i, za);
    stP(wB, i, zb);
  }
  for (let k = d - 1; k >= 0; k--) {
    const wa = f64x2.div(ldP(wA, k), ldP(DA, k));
    const wb = f64x2.div(ldP(wB, k), ldP(DB, k));
    stP(wA, k, wa);
    stP(wB, k, wb);
    const kd = k * d;
    for (let j = 0; j < k; j++) {
      stP(wA, j, f64x2.sub(ldP(wA, j), f64x2.mul(ldPair32(y, l0 + kd + j, l1 + kd + j), wa)));
      stP(wB, j, f64x2.sub(ldP(wB, j), f64x2.mul(ldPair32(y, l2 + kd + j, l3 + kd + j), wb)));
    }
  }
  nllGradStores(d, 0, zA, wA, DA, g, gx, x0, gy, o0);
  nllGradStores(d, 1, zA, wA, DA, g, gx, x1, gy, o1);
  nllGradStores(d, 0, zB, wB, DB, g, gx, x2, gy, o2);
  nllGradStores(d, 1, zB, wB, DB, g, gx, x3, gy, o3);
  const c0 = 0.5 * d * LOG_2PI;
  st(out, b, c0 + sumLogAbs(q0, d) + 0.5 * f64x2.extract_lane(sqA, 0));
  st(out, b + 1, c0 + sumLogAbs(q1, d) + 0.5 * f64x2.extract_lane(sqA, 1));
  st(out, b + 2, c0 + sumLogAbs(q2, d) + 0.5 * f64x2.extract_lane(sqB, 0));
  st(out, b + 3, c0 + sumLogAbs(q3, d) + 0.5 * f64x2.extract_lane(sqB, 1));
}

/** nllGrad's gradient stores for lane `lane` of the pair arrays. */
@inline function nllGradStores(d: i32, lane: usize, z: usize, w: usize, D: usize, g: f64, gx: usize, xo: i32, gy: usize, o: i32): void {
  const l = o + d;
  for (let i = 0; i < d; i++) {
    const wi = ldLane(w, i, lane);
    st32(gx, xo + i, g * wi);
    st32(gy, o + i, -g * wi);
    const p = l + i * d;
    const c = -g * wi;
    for (let j = 0; j < i; j++) st32(gy, p + j, c * ldLane(z, j, lane));
    st32(gy, p + i, c * ldLane(z, i, lane) + g / ldLane(D, i, lane));
    for (let j = i + 1; j < d; j++) st32(gy, p + j, 0);
  }
}

// ---------------------------------------------------------------- Cholesky
// The algorithms of src/kernels/shared/cholesky_math.ts with every entry's
// operations in the same order (so the results are the same bits), arranged
// as row updates over contiguous float64 rows for f64x2. Scratch at `s`:
// four n x n float64 matrices.

export function choleskyScratchBytes(n: i32): i32 { return (4 * n * n) << 3; }

/** `dst -= c * src` over `len` float64 entries from `d` and `r` (indices into p). */
@inline function axpyNeg(p: usize, d: i32, q: usize, r: i32, c: f64, len: i32): void {
  const vc = f64x2.splat(c);
  let j = 0;
  for (; j + 1 < len; j += 2) st2(p, d + j, f64x2.sub(ld2(p, d + j), f64x2.mul(vc, ld2(q, r + j))));
  for (; j < len; j++) st(p, d + j, ld(p, d + j) - c * ld(q, r + j));
}

/**
 * Factors of `batch` matrices `A` into `out`; a matrix with a pivot that is
 * not > 0 gets NaN throughout. Row i: r = A[i][:i+1]; for k < i,
 * L[i][k] = r[k] / L[k][k], then r[k+1..i] -= L[i][k] * Lᵀ[k][k+1..i], which
 * subtracts from each r[j] the products L[i][k] L[j][k] in the order of
 * js's dot product. Lᵀ is kept row-major (U) so that update is contiguous.
 */
export function choleskyRows(batch: i32, n: i32, A: usize, out: usize, s: usize): void {
  const U = s;
  const r = s + (<usize>(n * n) << 3);
  const nn = n * n;
  for (let b = 0; b < batch; b++) {
    const o = b * nn;
    let failed = false;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j <= i; j++) st(r, j, ld32(A, o + ri + j));
      for (let k = 0; k < i; k++) {
        const lik = ld(r, k) / ld(U, k * n + k);
        st(U, k * n + i, lik);
        axpyNeg(r, k + 1, U, k * n + k + 1, lik, i - k);
      }
      const t = ld(r, i);
      if (!(t > 0)) {
        failed = true;
        break;
      }
      st(U, i * n + i, Math.sqrt(t));
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) st32(out, o + i * n + j, failed ? NaN : j <= i ? ld(U, j * n + i) : 0);
    }
  }
}

export function choleskyGradRows(batch: i32, n: i32, Lf: usize, dL: usize, out: usize, s: usize): void {
  const nn = n * n;
  const P = s;
  const S = s + (<usize>nn << 3);
  const L = s + (<usize>(2 * nn) << 3);
  const D = s + (<usize>(3 * nn) << 3);
  for (let b = 0; b < batch; b++) {
    const o = b * nn;
    for (let q = 0; q < nn; q++) {
      st(L, q, ld32(Lf, o + q));
      st(D, q, ld32(dL, o + q));
    }
    memory.fill(P, 0, <usize>nn << 3);
    for (let k = 0; k < n; k++) {
      const rk = k * n;
      for (let i = 0; i <= k; i++) axpyNeg(P, i * n, D, rk, -ld(L, rk + i), i + 1);
    }
    for (let i = 0; i < n; i++) st(P, i * n + i, 0.5 * ld(P, i * n + i));
    for (let rw = 0; rw < n; rw++) {
      const rr = rw * n;
      for (let k = rw; k >= 0; k--) {
        const xk = ld(P, rr + k) / ld(L, k * n + k);
        st(P, rr + k, xk);
        axpyNeg(P, rr, L, k * n, xk, k);
      }
    }
    memory.copy(S, P, <usize>nn << 3);
    for (let k = n - 1; k >= 0; k--) {
      const rk = k * n;
      const inv = 1 / ld(L, rk + k);
      for (let j = 0; j < n; j++) st(S, rk + j, ld(S, rk + j) * inv);
      for (let i = 0; i < k; i++) axpyNeg(S, i * n, S, rk, ld(L, rk + i), n);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) st32(out, o + i * n + j, 0.5 * (ld(S, i * n + j) + ld(S, j * n + i)));
    }
  }
}

// ---------------------------------------------------------------- 'diag' layout
// src/kernels/shared/diag_math.ts on rows [mean (d) | σ (d)] of float32, in
// f64x2: entry i is lane i & 1, as there, so each lane's sums and running
// product see their entries in the same order and the results are the same
// bits. An odd d's last entry is lane 0; lane 1 then gets a neutral entry
// (mean 0, σ 1: r = 1, z = 0), which changes no sum and is never stored.

@inline function ldf2(p: usize, i: i32): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p + (<usize>i << 2)));
}
@inline function ldf1(p: usize, i: i32, pad: f64): v128 {
  return f64x2.replace_lane(f64x2.splat(<f64>load<f32>(p + (<usize>i << 2))), 1, pad);
}
/** Entries i and i + 1 (`pair`) or entry i alone of float32 array p, as f64x2. */
@inline function ldf(p: usize, i: i32, pair: bool, pad: f64): v128 {
  return pair ? ldf2(p, i) : ldf1(p, i, pad);
}
/** Stores lane 0, and lane 1 when `pair`, as float32. */
@inline function stf(p: usize, i: i32, pair: bool, v: v128): void {
  if (pair) v128.store64_lane(p + (<usize>i << 2), f32x4.demote_f64x2_zero(v), 0);
  else store<f32>(p + (<usize>i << 2), <f32>f64x2.extract_lane(v, 0));
}

/** diag_math.ts guard(), lane by lane: |v| clamped to [lo, hi], with v's sign when v < 0. */
@inline function guard2(v: v128, lo: v128, hi: v128): v128 {
  const c = f64x2.pmin(f64x2.pmax(f64x2.abs(v), lo), hi);  // a < lo ? lo : a > hi ? hi : a; NaN stays NaN
  return v128.or(c, v128.and(f64x2.lt(v, f64x2.splat(0)), f64x2.splat(-0.0)));
}

// Σ log|v| (diag_math.ts LogProduct): a running product per lane, flushed
// into a sum by Math.log before it leaves [1e-100, 1e100]. Here the vector
// loop only multiplies and notes whether every partial product stayed
// inside; then no flush happened, and the sum is log|prod0| + log|prod1|.
// Otherwise the row's sum is recomputed entry by entry with the flushes
// (logSumScalar), so the result is the JS one in every case.

/** Lanes of `p` that are inside (1e-100, 1e100), ANDed into `ok`. */
@inline function stillInside(ok: v128, p: v128): v128 {
  const m = f64x2.abs(p);
  return v128.and(ok, v128.and(f64x2.gt(m, f64x2.splat(1e-100)), f64x2.lt(m, f64x2.splat(1e100))));
}

/** guard2 on one number. */
@inline function guard1(v: f64, lo: f64, hi: f64): f64 {
  const a = Math.abs(v);
  const c = a < lo ? lo : a > hi ? hi : a;
  return v < 0 ? -c : c;
}

// One lane's running product and flushed sum while logSumScalar runs.
let lane0Prod: f64 = 1;
let lane0Acc: f64 = 0;
let lane1Prod: f64 = 1;
let lane1Acc: f64 = 0;

@inline function laneAdd(lane: i32, v: f64): void {
  const prod = lane == 0 ? lane0Prod : lane1Prod;
  const p = prod * v;
  const m = Math.abs(p);
  let next = p;
  if (!(m > 1e-100 && m < 1e100)) {
    if (lane == 0) lane0Acc += Math.log(Math.abs(prod));
    else lane1Acc += Math.log(Math.abs(prod));
    next = v;
  }
  if (lane == 0) lane0Prod = next;
  else lane1Prod = next;
}

/**
 * Σ log|v_i| with the JS flushes, for v_i = guard(a_i) / guard(b_i) (the KL's
 * r, computed as a * (1 / b)) or, when `B` is 0, v_i = guard(a_i): σ entries
 * of the row at `A[oA]` (and `B[oB]`).
 */
function logSumScalar(d: i32, A: usize, oA: i32, B: usize, oB: i32, lo: f64, hi: f64): f64 {
  lane0Prod = 1;
  lane0Acc = 0;
  lane1Prod = 1;
  lane1Acc = 0;
  for (let i = 0; i < d; i++) {
    let v = guard1(<f64>load<f32>(A + (<usize>(oA + d + i) << 2)), lo, hi);
    if (B != 0) v = v * (1 / guard1(<f64>load<f32>(B + (<usize>(oB + d + i) << 2)), lo, hi));
    laneAdd(i & 1, v);
  }
  return (lane0Acc + Math.log(Math.abs(lane0Prod))) + (lane1Acc + Math.log(Math.abs(lane1Prod)));
}

/** The lanes' Σ log|v| when no partial product left the range: no flush happened. */
@inline function logSumFast(prod: v128): f64 {
  return Math.log(Math.abs(f64x2.extract_lane(prod, 0))) + Math.log(Math.abs(f64x2.extract_lane(prod, 1)));
}

/**
 * diag_math.ts klDiag: KL(row A ‖ row B), gradients to gA and gB when `grad`
 * (added when `accumulate`). Inlined with constant flags (klDiagRow), so
 * each variant's loop has no flag tests, and with `even` (d is even) none
 * for an odd tail either.
 */
@inline function klDiagRowT(d: i32, yA: usize, oA: i32, yB: usize, oB: i32, lo: v128, hi: v128,
                            gA: usize, gB: usize, grad: bool, accumulate: bool, even: bool): f64 {
  const one = f64x2.splat(1);
  let half = f64x2.splat(0);
  let prod = one;
  let ok = i64x2.splat(-1);
  for (let i = 0; i < d; i += 2) {
    const pair = even || i + 1 < d;
    const a = guard2(ldf(yA, oA + d + i, pair, 1), lo, hi);
    const b = guard2(ldf(yB, oB + d + i, pair, 1), lo, hi);
    const delta = f64x2.sub(ldf(yB, oB + i, pair, 0), ldf(yA, oA + i, pair, 0));
    const ib = f64x2.div(one, b);
    const r = f64x2.mul(a, ib);
    const zb = f64x2.mul(delta, ib);
    half = f64x2.add(half, f64x2.add(f64x2.sub(f64x2.mul(r, r), one), f64x2.mul(zb, zb)));
    prod = f64x2.mul(prod, r);
    ok = stillInside(ok, prod);
    if (grad) {
      const ib2 = f64x2.mul(ib, ib);
      const dMean = f64x2.mul(delta, ib2);
      const dA = f64x2.sub(f64x2.mul(a, ib2), f64x2.div(one, a));
      const dB = f64x2.mul(ib, f64x2.sub(one, f64x2.mul(f64x2.add(f64x2.mul(a, a), f64x2.mul(delta, delta)), ib2)));
      if (accumulate) {
        stf(gA, oA + i, pair, f64x2.sub(ldf(gA, oA + i, pair, 0), dMean));
        stf(gB, oB + i, pair, f64x2.add(ldf(gB, oB + i, pair, 0), dMean));
        stf(gA, oA + d + i, pair, f64x2.add(ldf(gA, oA + d + i, pair, 0), dA));
        stf(gB, oB + d + i, pair, f64x2.add(ldf(gB, oB + d + i, pair, 0), dB));
      } else {
        stf(gA, oA + i, pair, f64x2.neg(dMean));
        stf(gB, oB + i, pair, dMean);
        stf(gA, oA + d + i, pair, dA);
        stf(gB, oB + d + i, pair, dB);
      }
    }
  }
  const logs = v128.all_true<i64>(ok) ? logSumFast(prod)
    : logSumScalar(d, yA, oA, yB, oB, f64x2.extract_lane(lo, 0), f64x2.extract_lane(hi, 0));
  return 0.5 * (f64x2.extract_lane(half, 0) + f64x2.extract_lane(half, 1)) - logs;
}

/** diag_math.ts nllDiag: the NLL of the point at x[xo] under row y[o], gradients to gx and gy when `grad`. */
@inline function nllDiagRowT(d: i32, x: usize, xo: i32, y: usize, o: i32, lo: v128, hi: v128,
                             gx: usize, gy: usize, grad: bool, even: bool): f64 {
  const one = f64x2.splat(1);
  let sq = f64x2.splat(0);
  let prod = one;
  let ok = i64x2.splat(-1);
  for (let i = 0; i < d; i += 2) {
    const pair = even || i + 1 < d;
    const s = guard2(ldf(y, o + d + i, pair, 1), lo, hi);
    const is = f64x2.div(one, s);
    const z = f64x2.mul(f64x2.sub(ldf(x, xo + i, pair, 0), ldf(y, o + i, pair, 0)), is);
    sq = f64x2.add(sq, f64x2.mul(z, z));
    prod = f64x2.mul(prod, s);
    ok = stillInside(ok, prod);
    if (grad) {
      const gz = f64x2.mul(z, is);
      stf(gx, xo + i, pair, gz);
      stf(gy, o + i, pair, f64x2.neg(gz));
      stf(gy, o + d + i, pair, f64x2.mul(f64x2.sub(one, f64x2.mul(z, z)), is));
    }
  }
  const logs = v128.all_true<i64>(ok) ? logSumFast(prod)
    : logSumScalar(d, y, o, 0, 0, f64x2.extract_lane(lo, 0), f64x2.extract_lane(hi, 0));
  return 0.5 * <f64>d * LOG_2PI + logs + 0.5 * (f64x2.extract_lane(sq, 0) + f64x2.extract_lane(sq, 1));
}

/** klDiagRowT with its flags made constants: 0 value, 1 gradients, 2 gradients added. */
function klDiagRow(d: i32, yA: usize, oA: i32, yB: usize, oB: i32, lo: v128, hi: v128,
                   gA: usize, gB: usize, mode: i32): f64 {
  if (d & 1) {
    if (mode == 0) return klDiagRowT(d, yA, oA, yB, oB, lo, hi, gA, gB, false, false, false);
    if (mode == 1) return klDiagRowT(d, yA, oA, yB, oB, lo, hi, gA, gB, true, false, false);
    return klDiagRowT(d, yA, oA, yB, oB, lo, hi, gA, gB, true, true, false);
  }
  if (mode == 0) return klDiagRowT(d, yA, oA, yB, oB, lo, hi, gA, gB, false, false, true);
  if (mode == 1) return klDiagRowT(d, yA, oA, yB, oB, lo, hi, gA, gB, true, false, true);
  return klDiagRowT(d, yA, oA, yB, oB, lo, hi, gA, gB, true, true, true);
}

/** nllDiagRowT with its flags made constants. */
function nllDiagRow(d: i32, x: usize, xo: i32, y: usize, o: i32, lo: v128, hi: v128,
                    gx: usize, gy: usize, grad: bool): f64 {
  if (d & 1) {
    return grad ? nllDiagRowT(d, x, xo, y, o, lo, hi, gx, gy, true, false)
      : nllDiagRowT(d, x, xo, y, o, lo, hi, gx, gy, false, false);
  }
  return grad ? nllDiagRowT(d, x, xo, y, o, lo, hi, gx, gy, true, true)
    : nllDiagRowT(d, x, xo, y, o, lo, hi, gx, gy, false, true);
}

/** diag_math.ts bounds, as vectors: no clamping when minDiag <= 0. */
@inline function loBound(minDiag: f64): v128 { return f64x2.splat(minDiag > 0 ? minDiag : -Infinity); }
@inline function hiBound(minDiag: f64): v128 { return f64x2.splat(minDiag > 0 ? 1 / minDiag : Infinity); }

/** Per-row KL of 'diag' rows (width 2d) into float32 `out`, gradients into gT and gP when `grad`. */
export function klDiagRows(batch: i32, d: i32, T: usize, P: usize, out: usize, grad: bool, gT: usize, gP: usize,
                           minDiag: f64, direction: i32): void {
  const lo = loBound(minDiag), hi = hiBound(minDiag);
  for (let b = 0; b < batch; b++) {
    const o = b * 2 * d;
    let v: f64 = 0;
    if (direction != 1) v += klDiagRow(d, T, o, P, o, lo, hi, gT, gP, grad ? 1 : 0);
    if (direction != 0) v += klDiagRow(d, P, o, T, o, lo, hi, gP, gT, grad ? (direction == 2 ? 2 : 1) : 0);
    st32(out, b, v);
  }
}

/**
 * Per-row NLL of the points X [batch, wx] (first d columns) under 'diag' rows
 * of stride wy, into float64 `out` (as nllRows); gradients into gX and gP
 * when `grad` (gX's padding columns are the caller's).
 */
export function nllDiagRows(batch: i32, d: i32, X: usize, wx: i32, P: usize, wy: i32, out: usize, grad: bool,
                            gX: usize, gP: usize, minDiag: f64): void {
  const lo = loBound(minDiag), hi = hiBound(minDiag);
  for (let b = 0; b < batch; b++) st(out, b, nllDiagRow(d, X, b * wx, P, b * wy, lo, hi, gX, gP, grad));
}

// ---------------------------------------------------------------- ScaleRows
// src/kernels/shared/scale_rows_impl.ts: out[b, :] = X[b, :] * S[b] in
// float32 (the JS computes the product in float64 and rounds once, which
// for two float32 factors is the same correctly rounded float32 product).

export function scaleRows(batch: i32, width: i32, X: usize, S: usize, out: usize): void {
  for (let b = 0; b < batch; b++) {
    const o = <usize>(b * width) << 2;
    const c = load<f32>(S + (<usize>b << 2));
    const vc = f32x4.splat(c);
    let j = 0;
    for (; j + 3 < width; j += 4) {
      const q = o + (<usize>j << 2);
      v128.store(out + q, f32x4.mul(v128.load(X + q), vc));
    }
    for (; j < width; j++) {
      const q = o + (<usize>j << 2);
      store<f32>(out + q, load<f32>(X + q) * c);
    }
  }
}

// ---------------------------------------------------------------- row maps
// src/kernels/shared/full_rows.ts: a row of a tril layout other than 'full'
// (width w) fills the entries `to[k]` of a 'full' row (width fw) from its
// entries `from[k]` (n of them, int32 at `from` and `to`); every other entry
// is a structural zero. Copies only: no arithmetic, so no bit can change.

export function toFullRows(batch: i32, w: i32, fw: i32, Y: usize, out: usize, from: usize, to: usize, n: i32): void {
  memory.fill(out, 0, <usize>(batch * fw) << 2);
  for (let b = 0; b < batch; b++) {
    const y = Y + (<usize>(b * w) << 2);
    const o = out + (<usize>(b * fw) << 2);
    for (let k = 0; k < n; k++) {
      const f = <usize>load<i32>(from + (<usize>k << 2));
      const t = <usize>load<i32>(to + (<usize>k << 2));
      store<f32>(o + (t << 2), load<f32>(y + (f << 2)));
    }
  }
}

export function fromFullRows(batch: i32, w: i32, fw: i32, G: usize, out: usize, from: usize, to: usize, n: i32): void {
  for (let b = 0; b < batch; b++) {
    const g = G + (<usize>(b * fw) << 2);
    const o = out + (<usize>(b * w) << 2);
    for (let k = 0; k < n; k++) {
      const f = <usize>load<i32>(from + (<usize>k << 2));
      const t = <usize>load<i32>(to + (<usize>k << 2));
      store<f32>(o + (f << 2), load<f32>(g + (t << 2)));
    }
  }
}

// ---------------------------------------------------------------- 'lowrank'
// src/kernels/shared/lowrank_math.ts: the same algorithm and operation order
// (read its comments for the maths). Rows are float32 [mean (d) | σ (d) |
// W (d × r, row-major)]; W is copied into float64 columns, so the O(d·r²)
// work is dot products and axpys over d, here as f64x2 loops whose two lanes
// are the JS's accumulators.
//
// A side (one row's factorisation) at `b`, for ranks up to R: s, is2 (d
// each), Wt, At, Pt (R·d each), K, Ki, Cinv (R² each). The scratch at `s`:
// sides p and q, then delta, alpha, qd, pd, rd (d each), T, G, V (R·d each),
// u, t (R each), m1..m4 (R² each).

@inline function sideBytes(d: i32, R: i32): i32 { return (2 * d + 3 * R * d + 3 * R * R) << 3; }
@inline function sdS(b: usize): usize { return b; }
@inline function sdIs2(b: usize, d: i32): usize { return b + (<usize>d << 3); }
@inline function sdWt(b: usize, d: i32): usize { return b + (<usize>(2 * d) << 3); }
@inline function sdAt(b: usize, d: i32, R: i32): usize { return b + (<usize>(2 * d + R * d) << 3); }
@inline function sdPt(b: usize, d: i32, R: i32): usize { return b + (<usize>(2 * d + 2 * R * d) << 3); }
@inline function sdK(b: usize, d: i32, R: i32): usize { return b + (<usize>(2 * d + 3 * R * d) << 3); }
@inline function sdKi(b: usize, d: i32, R: i32): usize { return b + (<usize>(2 * d + 3 * R * d + R * R) << 3); }
@inline function sdCinv(b: usize, d: i32, R: i32): usize { return b + (<usize>(2 * d + 3 * R * d + 2 * R * R) << 3); }

/** Bytes of scratch for 'lowrank' rows of dimension d and ranks up to R. */
export function lowRankScratchBytes(d: i32, R: i32): i32 {
  return 2 * sideBytes(d, R) + ((5 * d + 3 * R * d + 2 * R + 4 * R * R) << 3);
}

/**
 * lowrank_math.ts dot: four f64x2 accumulators over blocks of 8 (the JS's
 * s0..s7, lane by lane), leftover pairs into the first, combined as
 * (a0 + a1) + (a2 + a3); an odd tail joins lane 0. Four chains hide the
 * add latency that one chain is bound by.
 */
@inline function dotv(a: usize, b: usize, n: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  let i = 0;
  for (; i + 7 < n; i += 8) {
    a0 = f64x2.add(a0, f64x2.mul(ld2(a, i), ld2(b, i)));
    a1 = f64x2.add(a1, f64x2.mul(ld2(a, i + 2), ld2(b, i + 2)));
    a2 = f64x2.add(a2, f64x2.mul(ld2(a, i + 4), ld2(b, i + 4)));
    a3 = f64x2.add(a3, f64x2.mul(ld2(a, i + 6), ld2(b, i + 6)));
  }
  for (; i + 1 < n; i += 2) a0 = f64x2.add(a0, f64x2.mul(ld2(a, i), ld2(b, i)));
  const v = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  let s0 = f64x2.extract_lane(v, 0);
  if (i < n) s0 += ld(a, i) * ld(b, i);
  return s0 + f64x2.extract_lane(v, 1);
}

/** lowrank_math.ts axpy: y += c x, elementwise. */
@inline function axpyv(c: f64, x: usize, y: usize, n: i32): void {
  const vc = f64x2.splat(c);
  let i = 0;
  for (; i + 1 < n; i += 2) st2(y, i, f64x2.add(ld2(y, i), f64x2.mul(vc, ld2(x, i))));
  if (i < n) st(y, i, ld(y, i) + c * ld(x, i));
}

/**
 * lowrank_math.ts combine: out_j += ±coef[j·sj + k·sk] X_k, tiled over 256
 * entries, four k at a time: a pair of entries takes its four terms in k
 * order in a register, so out is loaded and stored once per four axpys.
 */
function combineCols(out: usize, nOut: i32, X: usize, nX: i32, coef: usize, sj: i32, sk: i32, neg: bool, d: i32): void {
  const sign: f64 = neg ? -1 : 1;
  for (let c0 = 0; c0 < d; c0 += 256) {
    const n = min(256, d - c0);
    for (let j = 0; j < nOut; j++) {
      const oj = out + (<usize>(j * d + c0) << 3);
      let k = 0;
      for (; k + 3 < nX; k += 4) {
        const e0 = sign * ld(coef, j * sj + k * sk), e1 = sign * ld(coef, j * sj + (k + 1) * sk);
        const e2 = sign * ld(coef, j * sj + (k + 2) * sk), e3 = sign * ld(coef, j * sj + (k + 3) * sk);
        const v0 = f64x2.splat(e0), v1 = f64x2.splat(e1), v2 = f64x2.splat(e2), v3 = f64x2.splat(e3);
        const x0 = X + (<usize>(k * d + c0) << 3), x1 = x0 + (<usize>d << 3);
        const x2 = x1 + (<usize>d << 3), x3 = x2 + (<usize>d << 3);
        let i = 0;
        for (; i + 1 < n; i += 2) {
          let acc = f64x2.add(ld2(oj, i), f64x2.mul(v0, ld2(x0, i)));
          acc = f64x2.add(acc, f64x2.mul(v1, ld2(x1, i)));
          acc = f64x2.add(acc, f64x2.mul(v2, ld2(x2, i)));
          st2(oj, i, f64x2.add(acc, f64x2.mul(v3, ld2(x3, i))));
        }
        if (i < n) st(oj, i, ld(oj, i) + e0 * ld(x0, i) + e1 * ld(x1, i) + e2 * ld(x2, i) + e3 * ld(x3, i));
      }
      for (; k < nX; k++) axpyv(sign * ld(coef, j * sj + k * sk), X + (<usize>(k * d + c0) << 3), oj, n);
    }
  }
}

/** lowrank_math.ts prodAcc: z += c x ⊙ y, elementwise ((c x) y, as the JS). */
@inline function prodAccv(c: f64, x: usize, y: usize, z: usize, n: i32): void {
  const vc = f64x2.splat(c);
  let i = 0;
  for (; i + 1 < n; i += 2) st2(z, i, f64x2.add(ld2(z, i), f64x2.mul(f64x2.mul(vc, ld2(x, i)), ld2(y, i))));
  if (i < n) st(z, i, ld(z, i) + c * ld(x, i) * ld(y, i));
}

function lrGuard(v: f64, lo: f64, hi: f64): f64 {
  const a = Math.abs(v);
  const c = a < lo ? lo : a > hi ? hi : a;
  return v < 0 ? -c : c;
}

/** lowrank_math.ts prepare; returns log|Σ|. */
function lrPrepare(b: usize, d: i32, R: i32, r: i32, y: usize, o: i32, lo: f64, hi: f64): f64 {
  const s = sdS(b), is2 = sdIs2(b, d), Wt = sdWt(b, d), At = sdAt(b, d, R);
  const K = sdK(b, d, R), Ki = sdKi(b, d, R), Cinv = sdCinv(b, d, R);
  let logS: f64 = 0;
  for (let i = 0; i < d; i++) {
    const v = lrGuard(ld32(y, o + d + i), lo, hi);
    st(s, i, v);
    st(is2, i, 1 / (v * v));
    logS += Math.log(Math.abs(v));
  }
  const w0 = o + 2 * d;
  for (let j = 0; j < r; j++) {
    const oj = j * d;
    for (let i = 0; i < d; i++) {
      const v = ld32(y, w0 + i * r + j);
      st(Wt, oj + i, v);
      st(At, oj + i, v * ld(is2, i));
    }
  }
  for (let j = 0; j < r; j++) {
    for (let k = 0; k <= j; k++) {
      st(K, j * r + k, (j == k ? 1.0 : 0.0) + dotv(Wt + (<usize>(j * d) << 3), At + (<usize>(k * d) << 3), d));
    }
  }
  let logC: f64 = 0;
  for (let j = 0; j < r; j++) {
    for (let k = 0; k <= j; k++) {
      let v = ld(K, j * r + k);
      for (let m = 0; m < k; m++) v -= ld(K, j * r + m) * ld(K, k * r + m);
      if (k == j) {
        const p = Math.sqrt(v);
        st(K, j * r + j, p);
        logC += Math.log(p);
      } else {
        st(K, j * r + k, v / ld(K, k * r + k));
      }
    }
    for (let k = j + 1; k < r; k++) st(K, j * r + k, 0);
  }
  for (let j = 0; j < r; j++) {
    for (let k = 0; k <= j; k++) {
      let v: f64 = j == k ? 1 : 0;
      for (let m = k; m < j; m++) v -= ld(K, j * r + m) * ld(Ki, m * r + k);
      st(Ki, j * r + k, v / ld(K, j * r + j));
    }
  }
  for (let j = 0; j < r; j++) {
    for (let k = 0; k <= j; k++) {
      let v: f64 = 0;
      for (let m = j; m < r; m++) v += ld(Ki, m * r + j) * ld(Ki, m * r + k);
      st(Cinv, j * r + k, v);
      st(Cinv, k * r + j, v);
    }
  }
  return 2 * logS + 2 * logC;
}

/** lowrank_math.ts solveW: Pt = (W C⁻¹)ᵀ. */
function lrSolveW(b: usize, d: i32, R: i32, r: i32): void {
  const Wt = sdWt(b, d), Pt = sdPt(b, d, R), Cinv = sdCinv(b, d, R);
  memory.fill(Pt, 0, <usize>(r * d) << 3);
  combineCols(Pt, r, Wt, r, Cinv, 1, r, false, d);
}

/** lowrank_math.ts invDiagInto. */
function lrInvDiag(b: usize, d: i32, R: i32, r: i32, out: usize): void {
  const is2 = sdIs2(b, d), Wt = sdWt(b, d), Pt = sdPt(b, d, R);
  for (let i = 0; i < d; i++) st(out, i, 0);
  for (let j = 0; j < r; j++) {
    const o = j * d;
    for (let i = 0; i < d; i++) st(out, i, ld(out, i) + ld(Pt, o + i) * ld(Wt, o + i));
  }
  for (let i = 0; i < d; i++) {
    const e = ld(is2, i);
    st(out, i, e - e * e * ld(out, i));
  }
}

/** lowrank_math.ts solveVector. */
function lrSolveVector(b: usize, d: i32, R: i32, r: i32, delta: usize, alpha: usize, u: usize, t: usize): void {
  const is2 = sdIs2(b, d), At = sdAt(b, d, R), Cinv = sdCinv(b, d, R);
  for (let j = 0; j < r; j++) st(u, j, dotv(At + (<usize>(j * d) << 3), delta, d));
  for (let j = 0; j < r; j++) {
    let v: f64 = 0;
    for (let k = 0; k < r; k++) v += ld(Cinv, j * r + k) * ld(u, k);
    st(t, j, v);
  }
  for (let i = 0; i < d; i++) st(alpha, i, ld(delta, i) * ld(is2, i));
  for (let j = 0; j < r; j++) axpyv(-ld(t, j), At + (<usize>(j * d) << 3), alpha, d);
}

/** lowrank_math.ts mm: out (n × m) = A (n × k) B (k × m). */
function lrMm(A: usize, B: usize, n: i32, k: i32, m: i32, out: usize): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let v: f64 = 0;
      for (let l = 0; l < k; l++) v += ld(A, i * k + l) * ld(B, l * m + j);
      st(out, i * m + j, v);
    }
  }
}

@inline function lrPut(g: usize, k: i32, v: f64, accumulate: bool): void {
  st32(g, k, accumulate ? ld32(g, k) + v : v);
}

/** lowrank_math.ts nllLowRank for the point at x[xo] and the row at y[o]. */
function lrNLL(d: i32, r: i32, x: usize, xo: i32, y: usize, o: i32, lo: f64, hi: f64, s: usize,
               grad: bool, gx: usize, gy: usize): f64 {
  const R = r;
  const q = s + <usize>sideBytes(d, R);
  const w = q + <usize>sideBytes(d, R);
  const delta = w, alpha = w + (<usize>d << 3), inv = w + (<usize>(2 * d) << 3);
  const u = w + (<usize>(5 * d + 3 * R * d) << 3), t = u + (<usize>R << 3);
  const logDet = lrPrepare(q, d, R, r, y, o, lo, hi);
  for (let i = 0; i < d; i++) st(delta, i, ld32(x, xo + i) - ld32(y, o + i));
  lrSolveVector(q, d, R, r, delta, alpha, u, t);
  const quad = dotv(delta, alpha, d);
  if (grad) {
    lrSolveW(q, d, R, r);
    lrInvDiag(q, d, R, r, inv);
    const is2 = sdIs2(q, d), Pt = sdPt(q, d, R), Wt = sdWt(q, d), sv = sdS(q);
    for (let j = 0; j < r; j++) st(u, j, dotv(alpha, Wt + (<usize>(j * d) << 3), d));
    const w0 = o + 2 * d;
    for (let i = 0; i < d; i++) {
      const a = ld(alpha, i);
      const e = ld(is2, i);
      st32(gx, xo + i, a);
      st32(gy, o + i, -a);
      st32(gy, o + d + i, ld(sv, i) * (ld(inv, i) - a * a));
      for (let j = 0; j < r; j++) st32(gy, w0 + i * r + j, e * ld(Pt, j * d + i) - a * ld(u, j));
    }
  }
  return 0.5 * (<f64>d * LOG_2PI + logDet + quad);
}

/**
 * Per-row NLL of the points X [batch, wx] (first d columns) under 'lowrank'
 * rows of rank r (width wy = d (2 + r)), into float64 `out`; gradients into
 * gX and gP when `grad` (gX's padding columns are the caller's).
 */
export function lowRankNLLRows(batch: i32, d: i32, r: i32, X: usize, wx: i32, P: usize, out: usize, grad: bool,
                               gX: usize, gP: usize, minDiag: f64, s: usize): void {
  const lo = minDiag > 0 ? minDiag : -Infinity, hi = minDiag > 0 ? 1 / minDiag : Infinity;
  const wy = d * (2 + r);
  for (let b = 0; b < batch; b++) st(out, b, lrNLL(d, r, X, b * wx, P, b * wy, lo, hi, s, grad, gX, gP));
}

/** lowrank_math.ts klLowRank: KL(p ‖ q) for the rows at yP[oP] (rank rp) and yQ[oQ] (rank rq). */
function lrKL(d: i32, R: i32, yP: usize, oP: i32, rp: i32, yQ: usize, oQ: i32, rq: i32, lo: f64, hi: f64, s: usize,
              grad: bool, gP: usize, gQ: usize, accumulate: bool): f64 {
  const p = s;
  const q = s + <usize>sideBytes(d, R);
  const w = q + <usize>sideBytes(d, R);
  const delta = w, alpha = w + (<usize>d << 3), Qd = w + (<usize>(2 * d) << 3), sp2 = w + (<usize>(3 * d) << 3);
  const Pd = w + (<usize>(4 * d) << 3);
  const T = w + (<usize>(5 * d) << 3), G = T + (<usize>(R * d) << 3), V = G + (<usize>(R * d) << 3);
  const u = V + (<usize>(R * d) << 3), t = u + (<usize>R << 3);
  const m1 = t + (<usize>R << 3), m2 = m1 + (<usize>(R * R) << 3), m3 = m2 + (<usize>(R * R) << 3);
  const m4 = m3 + (<usize>(R * R) << 3);
  const logDetP = lrPrepare(p, d, R, rp, yP, oP, lo, hi);
  const logDetQ = lrPrepare(q, d, R, rq, yQ, oQ, lo, hi);
  const ps = sdS(p), pis2 = sdIs2(p, d), pWt = sdWt(p, d), pPt = sdPt(p, d, R);
  const qs = sdS(q), qis2 = sdIs2(q, d), qWt = sdWt(q, d), qAt = sdAt(q, d, R), qPt = sdPt(q, d, R);
  const qCinv = sdCinv(q, d, R);
  for (let i = 0; i < d; i++) st(delta, i, ld32(yQ, oQ + i) - ld32(yP, oP + i));
  lrSolveVector(q, d, R, rq, delta, alpha, u, t);
  const quad = dotv(delta, alpha, d);
  for (let i = 0; i < d; i++) st(sp2, i, ld(ps, i) * ld(ps, i));
  let diagTerm: f64 = 0;
  for (let i = 0; i < d; i++) diagTerm += ld(sp2, i) * ld(qis2, i);
  for (let k = 0; k < rp; k++) {
    const o = k * d;
    for (let i = 0; i < d; i++) diagTerm += ld(pWt, o + i) * ld(pWt, o + i) * ld(qis2, i);
  }
  for (let j = 0; j < rq; j++) {
    const o = j * d;
    for (let i = 0; i < d; i++) st(V, o + i, ld(qAt, o + i) * ld(sp2, i));
  }
  for (let j = 0; j < rq; j++) {
    for (let k = 0; k <= j; k++) {
      const v = dotv(qAt + (<usize>(j * d) << 3), V + (<usize>(k * d) << 3), d);
      st(m3, j * rq + k, v);
      st(m3, k * rq + j, v);
    }
  }
  for (let j = 0; j < rq; j++) {
    for (let k = 0; k < rp; k++) st(m2, j * rp + k, dotv(qAt + (<usize>(j * d) << 3), pWt + (<usize>(k * d) << 3), d));
  }
  let trCS: f64 = 0;
  for (let j = 0; j < rq * rq; j++) trCS += ld(qCinv, j) * ld(m3, j);
  lrMm(qCinv, m2, rq, rq, rp, m1);
  let trM: f64 = 0;
  for (let j = 0; j < rq * rp; j++) trM += ld(m2, j) * ld(m1, j);
  const value = 0.5 * (diagTerm - trCS - trM + quad - <f64>d + logDetQ - logDetP);
  if (!grad) return value;

  memory.copy(T, pWt, <usize>(rp * d) << 3);
  combineCols(T, rp, qWt, rq, m1, 1, rp, true, d);
  for (let k = 0; k < rp; k++) {
    const o = k * d;
    for (let i = 0; i < d; i++) st(T, o + i, ld(T, o + i) * ld(qis2, i));
  }
  lrSolveW(p, d, R, rp);
  lrSolveW(q, d, R, rq);
  lrInvDiag(q, d, R, rq, Qd);
  lrInvDiag(p, d, R, rp, Pd);
  const wp = oP + 2 * d;
  const wq = oQ + 2 * d;
  for (let i = 0; i < d; i++) {
    const a = ld(alpha, i);
    lrPut(gP, oP + i, -a, accumulate);
    lrPut(gQ, oQ + i, a, accumulate);
    lrPut(gP, oP + d + i, ld(ps, i) * (ld(Qd, i) - ld(Pd, i)), accumulate);
    const ep = ld(pis2, i);
    for (let k = 0; k < rp; k++) lrPut(gP, wp + i * rp + k, ld(T, k * d + i) - ep * ld(pPt, k * d + i), accumulate);
  }
  const B = V;
  for (let j = 0; j < rq; j++) {
    const o = j * d;
    for (let i = 0; i < d; i++) st(B, o + i, ld(qPt, o + i) * ld(qis2, i));
  }
  for (let j = 0; j < rq; j++) {
    const o = j * d;
    const c = ld(t, j);
    for (let i = 0; i < d; i++) st(G, o + i, ld(sp2, i) * ld(B, o + i) + c * ld(delta, i));
  }
  combineCols(G, rq, pWt, rp, m1, rp, 1, false, d);
  for (let j = 0; j < rq; j++) {
    for (let k = 0; k < rq; k++) {
      let v = ld(u, j) * ld(t, k);
      for (let l = 0; l < rq; l++) v += ld(m3, j * rq + l) * ld(qCinv, l * rq + k);
      for (let l = 0; l < rp; l++) v += ld(m2, j * rp + l) * ld(m1, k * rp + l);
      st(m4, j * rq + k, v);
    }
  }
  lrMm(qCinv, m4, rq, rq, rq, m2);
  combineCols(G, rq, qWt, rq, m2, 1, rq, true, d);
  for (let j = 0; j < rq; j++) {
    const o = j * d;
    for (let i = 0; i < d; i++) lrPut(gQ, wq + i * rq + j, ld(B, o + i) - ld(G, o + i) * ld(qis2, i), accumulate);
  }
  lrMm(qCinv, m3, rq, rq, rq, m1);
  lrMm(m1, qCinv, rq, rq, rq, m2);
  const aNa = delta, t2 = Pd;
  memory.fill(aNa, 0, <usize>d << 3);
  memory.fill(t2, 0, <usize>d << 3);
  for (let j = 0; j < rq; j++) {
    prodAccv(ld(m2, j * rq + j), qAt + (<usize>(j * d) << 3), qAt + (<usize>(j * d) << 3), aNa, d);
    for (let k = 0; k < j; k++) prodAccv(2 * ld(m2, j * rq + k), qAt + (<usize>(j * d) << 3), qAt + (<usize>(k * d) << 3), aNa, d);
  }
  for (let k = 0; k < rp; k++) prodAccv(1, T + (<usize>(k * d) << 3), T + (<usize>(k * d) << 3), t2, d);
  for (let i = 0; i < d; i++) {
    const e = ld(qis2, i);
    const s2 = ld(sp2, i);
    const acA = e - ld(Qd, i);
    const a = ld(alpha, i);
    const mDiag = s2 * e * e - 2 * s2 * e * acA + ld(aNa, i) + ld(t2, i) + a * a;
    lrPut(gQ, oQ + d + i, ld(qs, i) * (ld(Qd, i) - mDiag), accumulate);
  }
  return value;
}

/**
 * Per-row KL of 'lowrank' rows T (rank rT, width d (2 + rT)) and P (rank rP)
 * into float32 `out`: direction 0 KL(T ‖ P), 1 KL(P ‖ T), 2 their sum;
 * gradients into gT and gP when `grad`.
 */
export function lowRankKLRows(batch: i32, d: i32, rT: i32, rP: i32, T: usize, P: usize, out: usize, grad: bool,
                              gT: usize, gP: usize, minDiag: f64, direction: i32, s: usize): void {
  const lo = minDiag > 0 ? minDiag : -Infinity, hi = minDiag > 0 ? 1 / minDiag : Infinity;
  const R = rT > rP ? rT : rP;
  const wT = d * (2 + rT), wP = d * (2 + rP);
  for (let b = 0; b < batch; b++) {
    let v: f64 = 0;
    if (direction != 1) v += lrKL(d, R, T, b * wT, rT, P, b * wP, rP, lo, hi, s, grad, gT, gP, false);
    if (direction != 0) v += lrKL(d, R, P, b * wP, rP, T, b * wT, rT, lo, hi, s, grad, gP, gT, direction == 2);
    st32(out, b, v);
  }
}

// ---------------------------------------------------------------- HeadTransform
// src/kernels/shared/gaussian_head_impl.ts's WithGrad: rows are copied, the
// scale columns get softplus(x) + shift and the slope sigmoid(x), the zeroed
// columns 0 (value and slope), the others slope 1. Two scale entries at a
// time, as f64x2, with exp and log1p evaluated here by fdlibm's algorithms
// (e_exp.c, s_log1p.c/e_log.c: the same reductions and minimax
// coefficients), because WebAssembly has no exp or log instruction and a
// call per entry (AssemblyScript's Math.exp, musl's) cost 17.5 ns where a
// vector of two costs ~5 ns. Unlike the sections above, this one is not the
// JS's bits: fdlibm's exp and log1p are within 1 float64 ulp of the true
// values, as V8's are, so after the one rounding to float32 the two agree
// except where the float64 value lies within ~1e-16 of a float32 rounding
// boundary (test/wasm_math.test.ts pins at most one float32 ulp apart, and
// equal on all but a tiny fraction of 10^5 entries).
//
// With e = exp(−|x|) (in (0, 1]: no overflow) and u = 1 + e:
//   softplus(x) = max(x, 0) + log1p(e),   sigmoid(x) = (x ≥ 0 ? 1 : e) / u.
// |x| is capped at 200 inside exp: e⁻²⁰⁰ = 1.4e-87 already rounds to a
// float32 0, and the cap keeps 2^k normal (k ≥ −289), so no subnormal path.

const EXP_P1: f64 = 1.66666666666666019037e-01;
const EXP_P2: f64 = -2.77777777770155933842e-03;
const EXP_P3: f64 = 6.61375632143793436117e-05;
const EXP_P4: f64 = -1.65339022054652515390e-06;
const EXP_P5: f64 = 4.13813679705723846039e-08;
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700e+00;
const LG1: f64 = 6.666666666666735130e-01;
const LG2: f64 = 3.999999999940941908e-01;
const LG3: f64 = 2.857142874366239149e-01;
const LG4: f64 = 2.222219843214978396e-01;
const LG5: f64 = 1.818357216161805012e-01;
const LG6: f64 = 1.531383769920937332e-01;
const LG7: f64 = 1.479819860511658591e-01;
const SLOPE_TINY: f64 = 7.888609052210118e-31;  // 2^-100: smaller slopes are written as 0

@inline function sp(v: f64): v128 { return f64x2.splat(v); }

/** exp(t) for t in [−200, 0] lane by lane (fdlibm e_exp.c: t = k ln2 + r, |r| ≤ ln2/2, rational approximation of exp(r)). */
@inline function exp2v(t: v128): v128 {
  const k = f64x2.nearest(f64x2.mul(t, sp(INV_LN2)));
  const hi = f64x2.sub(t, f64x2.mul(k, sp(LN2_HI)));  // exact: LN2_HI has 32 trailing zero bits, |k| ≤ 289
  const lo = f64x2.mul(k, sp(LN2_LO));
  const r = f64x2.sub(hi, lo);
  const rr = f64x2.mul(r, r);
  const p = f64x2.add(sp(EXP_P4), f64x2.mul(rr, sp(EXP_P5)));
  const q = f64x2.add(sp(EXP_P1), f64x2.mul(rr, f64x2.add(sp(EXP_P2), f64x2.mul(rr, f64x2.add(sp(EXP_P3), f64x2.mul(rr, p))))));
  const c = f64x2.sub(r, f64x2.mul(rr, q));
  const y = f64x2.sub(sp(1), f64x2.sub(f64x2.sub(lo, f64x2.div(f64x2.mul(r, c), f64x2.sub(sp(2), c))), hi));
  // 2^k from its bits: k in [−289, 0], a normal number.
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  return f64x2.mul(y, i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52));
}

/**
 * log1p(e) for e in [0, 1] and u = 1 + e rounded (fdlibm s_log1p.c): log(u)
 * with u = 2^k (1 + f), k ∈ {0, 1}, f ∈ [√2/2 − 1, √2 − 1], both exact, plus
 * the rounding of u, (e − (u − 1)) / u.
 */
@inline function log1p2v(e: v128, u: v128): v128 {
  const big = f64x2.gt(u, sp(1.4142135623730951));
  const f = v128.bitselect(f64x2.sub(f64x2.mul(u, sp(0.5)), sp(1)), f64x2.sub(u, sp(1)), big);
  const k = v128.and(big, sp(1));
  const c = f64x2.div(f64x2.sub(e, f64x2.sub(u, sp(1))), u);
  const s = f64x2.div(f, f64x2.add(sp(2), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(sp(LG2), f64x2.mul(w, f64x2.add(sp(LG4), f64x2.mul(w, sp(LG6))))));
  const t2 = f64x2.mul(z, f64x2.add(sp(LG1), f64x2.mul(w, f64x2.add(sp(LG3), f64x2.mul(w, f64x2.add(sp(LG5), f64x2.mul(w, sp(LG7))))))));
  const R = f64x2.add(t2, t1);
  const hfsq = f64x2.mul(sp(0.5), f64x2.mul(f, f));
  // k ln2_hi − ((hfsq − (s (hfsq + R) + (k ln2_lo + c))) − f)
  const inner = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.add(f64x2.mul(k, sp(LN2_LO)), c));
  return f64x2.sub(f64x2.mul(k, sp(LN2_HI)), f64x2.sub(f64x2.sub(hfsq, inner), f));
}

/** Global lanes out of headValue2: the slope of the last pair. */
let headSlope: v128 = f64x2.splat(0);

/** softplus(x) + shift of two head entries, lane by lane; sigmoid(x) (flushed below 2^-100) into headSlope. */
@inline function headValue2(x: v128, shift: v128): v128 {
  const t = f64x2.pmax(f64x2.neg(f64x2.abs(x)), sp(-200));  // pmax keeps NaN
  const e = exp2v(t);
  const u = f64x2.add(sp(1), e);
  const m = f64x2.div(v128.bitselect(sp(1), e, f64x2.ge(x, sp(0))), u);
  headSlope = v128.andnot(m, f64x2.lt(m, sp(SLOPE_TINY)));
  return f64x2.add(f64x2.add(f64x2.pmax(x, sp(0)), log1p2v(e, u)), shift);
}

@inline function colAt(cols: usize, o: usize, i: i32): usize { return o + (<usize>load<i32>(cols + (<usize>i << 2)) << 2); }
@inline function ldAt(X: usize, i: usize): f64 { return <f64>load<f32>(X + i); }
@inline function st0(P: usize, i: usize, v: v128): void { store<f32>(P + i, <f32>f64x2.extract_lane(v, 0)); }
@inline function st1(P: usize, i: usize, v: v128): void { store<f32>(P + i, <f32>f64x2.extract_lane(v, 1)); }

/**
 * The head on `rows` rows of `width` float32 at X into O, and the slope into
 * S when `slope`: column indices at `cols` (int32), the `nScale` scale
 * columns first, then `nZero` zeroed columns. Four entries per step, as two
 * independent vectors: one vector's exp, log1p and divisions are a chain of
 * dependent operations, and two side by side run in about the time of one.
 */
export function headRows(rows: i32, width: i32, X: usize, O: usize, S: usize, slope: bool, cols: usize, nScale: i32,
                         nZero: i32, shift: f64): void {
  const n = <usize>(rows * width) << 2;
  memory.copy(O, X, n);
  if (slope) {
    const one = f32x4.splat(1);
    let q: usize = 0;
    for (; q + 16 <= n; q += 16) v128.store(S + q, one);
    for (; q < n; q += 4) store<f32>(S + q, 1);
  }
  const vs = sp(shift);
  for (let b = 0; b < rows; b++) {
    const o = <usize>(b * width) << 2;
    let i = 0;
    for (; i + 3 < nScale; i += 4) {
      const i0 = colAt(cols, o, i), i1 = colAt(cols, o, i + 1), i2 = colAt(cols, o, i + 2), i3 = colAt(cols, o, i + 3);
      const va = headValue2(f64x2(ldAt(X, i0), ldAt(X, i1)), vs);
      const ma = headSlope;
      const vb = headValue2(f64x2(ldAt(X, i2), ldAt(X, i3)), vs);
      const mb = headSlope;
      st0(O, i0, va); st1(O, i1, va); st0(O, i2, vb); st1(O, i3, vb);
      if (slope) { st0(S, i0, ma); st1(S, i1, ma); st0(S, i2, mb); st1(S, i3, mb); }
    }
    for (; i < nScale; i++) {
      const i0 = colAt(cols, o, i);
      const v = headValue2(sp(ldAt(X, i0)), vs);
      st0(O, i0, v);
      if (slope) st0(S, i0, headSlope);
    }
    for (let j = nScale; j < nScale + nZero; j++) {
      const i0 = colAt(cols, o, j);
      store<f32>(O + i0, 0);
      if (slope) store<f32>(S + i0, 0);
    }
  }
}

// ---------------------------------------------------------------- mixtures
// src/kernels/shared/gaussian_mixture_nll_impl.ts for components in a tril
// layout ('full', 'packed'): the B·K component rows go through nllRows /
// nllGradRows above (so each component's NLL and gradient are those bits),
// then each sample's K values are combined here:
//   ℓ_k = a_k − lse(a) − nll_k,  NLL = −lse(ℓ),  π = softmax(a),  r_k = exp(ℓ_k + NLL),
//   ∂/∂a_k = π_k − r_k,  ∂/∂θ_k = r_k ∂nll_k/∂θ_k,
// in the JS's operation order, with entries below 2^-100 written as 0. exp
// and log are fdlibm's (e_exp.c, e_log.c), ported below: V8's Math.exp is
// the same code, its Math.log was too until V8 took llvm-libc's correctly
// rounded log; either way each is within one float64 ulp, and the results
// are rounded once to float32 (test/wasm_math.test.ts compares the two).

const MIX_TINY: f64 = 7.888609052210118e-31;  // 2^-100

/** fdlibm e_exp.c (as V8's ieee754::exp, with its exp(1) = E). */
function fdExp(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  let hx = <u32>(bits >> 32);
  const xsb = <i32>(hx >> 31);
  hx &= 0x7FFFFFFF;
  if (hx >= 0x40862E42) {
    if (hx >= 0x7FF00000) {
      if (((hx & 0xFFFFF) | <u32>bits) != 0) return x + x;
      return xsb == 0 ? x : 0.0;
    }
    if (x > 7.09782712893383973096e+02) return Infinity;
    if (x < -7.45133219101941108420e+02) return 0.0;
  }
  let hi: f64 = 0, lo: f64 = 0, k: i32 = 0;
  if (hx > 0x3FD62E42) {
    if (hx < 0x3FF0A2B2) {
      if (x == 1.0) return Math.E;
      hi = xsb == 0 ? x - LN2_HI : x + LN2_HI;
      lo = xsb == 0 ? LN2_LO : -LN2_LO;
      k = 1 - xsb - xsb;
    } else {
      k = <i32>(INV_LN2 * x + (xsb == 0 ? 0.5 : -0.5));
      const t = <f64>k;
      hi = x - t * LN2_HI;
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3E300000) {
    return 1.0 + x;
  }
  const t = x * x;
  const twopk = k >= -1021 ? reinterpret<f64>(<u64>(0x3FF00000 + (k << 20)) << 32)
    : reinterpret<f64>(<u64>(0x3FF00000 + ((k + 1000) << 20)) << 32);
  const c = x - t * (EXP_P1 + t * (EXP_P2 + t * (EXP_P3 + t * (EXP_P4 + t * EXP_P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * 8.988465674311579539e307;
    return y * twopk;
  }
  return y * twopk * 9.33263618503218878990e-302;
}

/** fdlibm e_log.c. */
function fdLog(x: f64): f64 {
  let bits = reinterpret<u64>(x);
  let hx = <i32>(bits >> 32);
  const lx = <u32>bits;
  let k: i32 = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7FFFFFFF) | lx) == 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= 1.80143985094819840000e+16;
    bits = reinterpret<u64>(x);
    hx = <i32>(bits >> 32);
  }
  if (hx >= 0x7FF00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000FFFFF;
  let i = (hx + 0x95F64) & 0x100000;
  x = reinterpret<f64>((<u64>(hx | (i ^ 0x3FF00000)) << 32) | (bits & 0xFFFFFFFF));
  k += i >> 20;
  const f = x - 1.0;
  if ((0x000FFFFF & (2 + hx)) < 3) {
    if (f == 0) {
      if (k == 0) return 0;
      const dk = <f64>k;
      return dk * LN2_HI + dk * LN2_LO;
    }
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - R;
    const dk = <f64>k;
    return dk * LN2_HI - ((R - dk * LN2_LO) - f);
  }
  const s = f / (2.0 + f);
  const dk = <f64>k;
  const z = s * s;
  i = hx - 0x6147A;
  const w = z * z;
  const j = 0x6B851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + R));
    return dk * LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LN2_LO)) - f);
  }
  if (k == 0) return f - s * (f - R);
  return dk * LN2_HI - ((s * (f - R) - dk * LN2_LO) - f);
}

@inline function flushTiny(v: f64): f64 { return Math.abs(v) < MIX_TINY ? 0 : v; }

/**
 * −logsumexp_k(log softmax(a)_k − nll_k) for the K logits at Y[o..o+K) and
 * the float64 NLLs at nll[no..): π_k into w[k], r_k into w[K + k]
 * (gaussian_mixture_nll_impl.ts combine, operation for operation).
 */
function mixtureCombine(Y: usize, o: i32, K: i32, nll: usize, no: i32, w: usize): f64 {
  let ma = -Infinity;
  for (let k = 0; k < K; k++) ma = Math.max(ma, ld32(Y, o + k));
  let sa: f64 = 0;
  for (let k = 0; k < K; k++) {
    const e = fdExp(ld32(Y, o + k) - ma);
    st(w, k, e);
    sa += e;
  }
  const lseA = ma + fdLog(sa);
  let ml = -Infinity;
  for (let k = 0; k < K; k++) {
    const l = ld32(Y, o + k) - lseA - ld(nll, no + k);
    st(w, K + k, l);
    ml = Math.max(ml, l);
  }
  let sl: f64 = 0;
  for (let k = 0; k < K; k++) {
    const e = fdExp(ld(w, K + k) - ml);
    st(w, K + k, e);
    sl += e;
  }
  for (let k = 0; k < K; k++) {
    st(w, k, ld(w, k) / sa);
    st(w, K + k, ld(w, K + k) / sl);
  }
  return -(ml + fdLog(sl));
}

// Samples per block: the block's rows, gradients and NLLs (~30 kB at d = 8,
// K = 5) stay in cache between the NLL pass and the combination; the whole
// batch at once (1.2 MB at (256, 8)) did not.
const MIX_BLOCK: i32 = 16;

/** Bytes of `mixtureRows`'s work area for samples of K components of dimension d. */
export function mixtureWorkBytes(K: i32, d: i32): i32 {
  const n = MIX_BLOCK * K;
  return ((2 * n * (d + d * d) + 2 * n * d + 1) << 2) + ((n + 2 * K) << 3);
}

/**
 * Mixture NLL rows `[logits (K) | K component rows of width cw]` (Y, stride
 * wy; components in a tril layout whose 'full' map is from/to, n entries)
 * at points X (stride wx) into float32 `out`, and when `grad` the gradient
 * with respect to Y into GY (every entry). Scratch of one sample at `s`,
 * the work area (mixtureWorkBytes) at `work`. Blocks of MIX_BLOCK samples.
 */
export function mixtureRows(batch: i32, K: i32, d: i32, X: usize, wx: i32, Y: usize, wy: i32, cw: i32, from: usize,
                            to: usize, nmap: i32, out: usize, GY: usize, grad: bool, minDiag: f64, s: usize,
                            work: usize): void {
  const fw = d + d * d;
  const nMax = MIX_BLOCK * K;
  const P = work;
  const pts = P + (<usize>(nMax * fw) << 2);
  const gXs = pts + (<usize>(nMax * d) << 2);
  const gP = gXs + (<usize>(nMax * d) << 2);
  const nll = (gP + (<usize>(nMax * fw) << 2) + 7) & ~(<usize>7);
  const w = nll + (<usize>nMax << 3);
  for (let b0 = 0; b0 < batch; b0 += MIX_BLOCK) {
    const nb = batch - b0 < MIX_BLOCK ? batch - b0 : MIX_BLOCK;
    const n = nb * K;
    for (let q = 0; q < nb; q++) {
      const b = b0 + q;
      toFullRows(K, cw, fw, Y + (<usize>(b * wy + K) << 2), P + (<usize>(q * K * fw) << 2), from, to, nmap);
      for (let k = 0; k < K; k++) memory.copy(pts + (<usize>((q * K + k) * d) << 2), X + (<usize>(b * wx) << 2), <usize>d << 2);
    }
    if (grad) nllGradRows(n, d, pts, d, P, nll, gXs, gP, minDiag, s);
    else nllRows(n, d, pts, d, P, nll, minDiag, s);
    for (let q = 0; q < nb; q++) {
      const b = b0 + q;
      const o = b * wy;
      st32(out, b, mixtureCombine(Y, o, K, nll, q * K, w));
      if (!grad) continue;
      for (let k = 0; k < K; k++) {
        const r = ld(w, K + k);
        st32(GY, o + k, flushTiny(ld(w, k) - r));
        const oc = o + K + k * cw;
        if (r < MIX_TINY) {
          memory.fill(GY + (<usize>oc << 2), 0, <usize>cw << 2);
          continue;
        }
        const c = (q * K + k) * fw;
        // 'full' rows: the map skips the structural zeros above the diagonal, whose gradient is 0.
        if (nmap < cw) memory.fill(GY + (<usize>oc << 2), 0, <usize>cw << 2);
        for (let j = 0; j < nmap; j++) {
          st32(GY, oc + load<i32>(from + (<usize>j << 2)), flushTiny(r * ld32(gP, c + load<i32>(to + (<usize>j << 2)))));
        }
      }
    }
  }
}

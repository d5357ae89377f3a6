/**
 * The webgpu backend's fused programs: WGSL compute shaders in the form of
 * the backend's `WebGPUProgram`, run with `WebGPUBackend.runWebGPUProgram`.
 * Inputs are storage buffers named by `variableNames` (read here as flat
 * arrays, `A[i]`), the output is the buffer `result`, and each invocation
 * may write any number of its entries. So, unlike the webgl shaders (one
 * value per invocation), a triangular solve is one invocation per (sample,
 * column) that runs the whole substitution, O(d²), and writes the column:
 *
 * - KL: X = L_B⁻¹[L_A | δ] and Y = L_B⁻ᵀX, one pass each by columns, then
 *   the value and one pass per gradient (5 passes);
 * - NLL (and each mixture component): z = L⁻¹(x − μ) and w = L⁻ᵀz in one
 *   invocation per (sample, component), then the value (and the mixture's
 *   log-sum-exp and responsibilities) and one pass per gradient;
 * - triangularSolve: one pass by columns; its gradient two.
 *
 * The maths is that of the webgl programs (../webgl/programs.ts, which
 * names the formulas) and of shared/js_math.ts, in float32. Sizes and
 * options are baked into the source (`shaderKey` names them), so each
 * program is compiled once per (shape, options).
 */
import {GaussianLayout} from '../../layout/row_layout.js';

export interface WebGPUProgramLike {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: {x: number[]};
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  getUserCode(): string;
}

const WG = 64;

/** A program of `work` invocations (flat index `index`, guarded), writing `outputShape`. */
function program(key: string, variableNames: string[], outputShape: number[], work: number, body: string): WebGPUProgramLike {
  const groups = Math.max(1, Math.ceil(work / WG));
  // More than 65535 workgroups in x is not allowed: fold them into x and y
  // (tfjs's getGlobalIndex then counts across both).
  const side = Math.ceil(Math.sqrt(groups));
  const dispatch: [number, number, number] = groups <= 65535 ? [groups, 1, 1] : [side, side, 1];
  return {
    variableNames, outputShape, shaderKey: `tfjs_gaussian_${key}`,
    dispatchLayout: {x: outputShape.map((_, i) => i)}, dispatch, workgroupSize: [WG, 1, 1], size: false,
    getUserCode: () => `
      ${body}
      fn main(index : i32) {
        // Every binding must be used statically: the pipeline's layout is
        // derived from the shader, and the backend binds all of them.
        _ = uniforms.NAN;
        ${variableNames.map((v) => `_ = ${v}[0];`).join(' ')}
        if (index >= ${work}) { return; }
        g_main(index);
      }
    `,
  };
}

const lit = (x: number): string => `${Number.isFinite(x) ? x.toExponential() : '0.0'}f`;

/** Constants, the diagonal guard and the KL's per-diagonal term (webgl/programs.ts KL_TERM). */
function header(d: number, minDiag: number): string {
  const guard = minDiag > 0
    ? `let a = clamp(abs(v), ${lit(minDiag)}, ${lit(1 / minDiag)}); return select(a, -a, v < 0.0);`
    : 'return v;';
  return `
    const D : i32 = ${d};
    const LOG_2PI : f32 = ${lit(Math.log(2 * Math.PI))};
    fn g_guard(v : f32) -> f32 { ${guard} }
    fn g_log1p(t : f32) -> f32 {
      let u = 1.0 + t;
      if (u == 1.0) { return t; }
      return log(u) * t / (u - 1.0);
    }
    fn g_klTerm(t : f32) -> f32 {
      if (abs(t) < 0.1) {
        var p = -1.0 / 9.0;
        p = 1.0 / 8.0 + t * p;
        p = -1.0 / 7.0 + t * p;
        p = 1.0 / 6.0 + t * p;
        p = -1.0 / 5.0 + t * p;
        p = 1.0 / 4.0 + t * p;
        p = -1.0 / 3.0 + t * p;
        p = 1.0 + t * p;
        return t * t * p;
      }
      return t + 0.5 * t * t - g_log1p(t);
    }
  `;
}

/** `g_L<V>(b, base, i, j)` and `g_MU<V>(b, base, i)` on rows of width `w` of input V (webgl rowAccess). */
function rowAccess(v: string, layout: 'full' | 'packed', d: number, w: number): string {
  const m = (d * (d + 1)) / 2;
  const col = layout === 'full'
    ? `return ${d} + i * ${d} + j;`
    : `let k = i * ${d} + j; return ${d} + select(${2 * m - d - 1} - k, ${d} + k, k < ${m - d});`;
  return `
    fn g_lcol${v}(i : i32, j : i32) -> i32 { ${col} }
    fn g_L${v}(b : i32, base : i32, i : i32, j : i32) -> f32 {
      if (j > i) { return 0.0; }
      let x = ${v}[b * ${w} + base + g_lcol${v}(i, j)];
      if (i == j) { return g_guard(x); }
      return x;
    }
    fn g_MU${v}(b : i32, base : i32, i : i32) -> f32 { return ${v}[b * ${w} + base + i]; }
  `;
}

/** `g_entryOf(e)`: (i, j) of factor entry e (webgl entryOf). */
function entryOf(layout: 'full' | 'packed', d: number): string {
  if (layout === 'full') return `fn g_entryOf(e : i32) -> vec2<i32> { return vec2<i32>(e / ${d}, e % ${d}); }`;
  const m = (d * (d + 1)) / 2;
  return `
    fn g_isLower(k : i32) -> bool { return k >= 0 && k < ${d * d} && (k % ${d}) <= (k / ${d}); }
    fn g_entryOf(e : i32) -> vec2<i32> {
      let k1 = e - ${d};
      let k = select(${2 * m - d - 1} - e, k1, e >= ${d} && k1 < ${m - d} && g_isLower(k1));
      return vec2<i32>(k / ${d}, k % ${d});
    }
  `;
}

const key = (...parts: Array<string | number | boolean>) => parts.join('_');

// ------------------------------------------------------------- KL (tril layouts)

/** `X = L_B⁻¹[L_A | μ_B − μ_A]`: `[batch, D, D + 1]`, one invocation per (sample, column). */
export function klXProgram(batch: number, d: number, w: number, layout: 'full' | 'packed', minDiag: number): WebGPUProgramLike {
  return program(key('klX', batch, d, w, layout, minDiag), ['A', 'B'], [batch, d, d + 1], batch * (d + 1), `
    ${header(d, minDiag)}
    ${rowAccess('A', layout, d, w)}
    ${rowAccess('B', layout, d, w)}
    fn g_main(index : i32) {
      let b = index / (D + 1);
      let c = index % (D + 1);
      // Column c < D of L_A starts at row c; the δ column at row 0.
      let r0 = select(0, c, c < D);
      var x : array<f32, ${d}>;
      for (var r = 0; r < D; r++) {
        var v = 0.0;
        if (r >= r0) {
          v = select(g_LA(b, 0, r, c), g_MUB(b, 0, r) - g_MUA(b, 0, r), c == D);
          for (var u = r0; u < r; u++) { v -= g_LB(b, 0, r, u) * x[u]; }
          v = v / g_LB(b, 0, r, r);
        }
        x[r] = v;
        result[(b * D + r) * (D + 1) + c] = v;
      }
    }
  `);
}

/** `Y = L_B⁻ᵀX`: `[batch, D, D + 1]`, back substitution per (sample, column). */
export function klYProgram(batch: number, d: number, w: number, layout: 'full' | 'packed', minDiag: number): WebGPUProgramLike {
  return program(key('klY', batch, d, w, layout, minDiag), ['X', 'B'], [batch, d, d + 1], batch * (d + 1), `
    ${header(d, minDiag)}
    ${rowAccess('B', layout, d, w)}
    fn g_main(index : i32) {
      let b = index / (D + 1);
      let c = index % (D + 1);
      var y : array<f32, ${d}>;
      for (var r = D - 1; r >= 0; r--) {
        var v = X[(b * D + r) * (D + 1) + c];
        for (var u = r + 1; u < D; u++) { v -= g_LB(b, 0, u, r) * y[u]; }
        y[r] = v / g_LB(b, 0, r, r);
        result[(b * D + r) * (D + 1) + c] = y[r];
      }
    }
  `);
}

/** KL(A ‖ B) per row in non-negative terms (webgl klValueProgram), plus ACC: `[batch]`. */
export function klValueProgram(batch: number, d: number, w: number, layout: 'full' | 'packed', minDiag: number,
                               accumulate: boolean): WebGPUProgramLike {
  return program(key('klV', batch, d, w, layout, minDiag, accumulate), accumulate ? ['X', 'A', 'B', 'ACC'] : ['X', 'A', 'B'],
    [batch], batch, `
    ${header(d, minDiag)}
    ${rowAccess('A', layout, d, w)}
    ${rowAccess('B', layout, d, w)}
    fn g_main(b : i32) {
      var sq = 0.0;
      var h = 0.0;
      for (var i = 0; i < D; i++) {
        for (var c = 0; c <= D; c++) {
          if (c >= i && c < D) { continue; }
          let x = X[(b * D + i) * (D + 1) + c];
          sq += x * x;
        }
        let lb = abs(g_LB(b, 0, i, i));
        h += g_klTerm((abs(g_LA(b, 0, i, i)) - lb) / lb);
      }
      result[b] = 0.5 * sq + h${accumulate ? ' + ACC[b]' : ''};
    }
  `);
}

/** Gradient of KL(A ‖ B) w.r.t. row B (webgl klGradBProgram): `[batch, W]`, plus ACC. */
export function klGradBProgram(batch: number, d: number, w: number, layout: 'full' | 'packed', minDiag: number,
                               accumulate: boolean): WebGPUProgramLike {
  return program(key('klGB', batch, d, w, layout, minDiag, accumulate),
    accumulate ? ['X', 'Y', 'B', 'ACC'] : ['X', 'Y', 'B'], [batch, w], batch * w, `
    ${header(d, minDiag)}
    ${rowAccess('B', layout, d, w)}
    ${entryOf(layout, d)}
    fn g_X(b : i32, i : i32, c : i32) -> f32 { return X[(b * D + i) * (D + 1) + c]; }
    fn g_Y(b : i32, i : i32, c : i32) -> f32 { return Y[(b * D + i) * (D + 1) + c]; }
    fn g_main(index : i32) {
      let b = index / ${w};
      let col = index % ${w};
      var g = 0.0;
      if (col < D) {
        g = g_Y(b, col, D);
      } else {
        let ij = g_entryOf(col - D);
        let i = ij.x;
        let j = ij.y;
        if (j <= i) {
          var s = g_Y(b, i, D) * g_X(b, j, D);
          for (var k = 0; k <= j; k++) { s += g_Y(b, i, k) * g_X(b, j, k); }
          g = -s;
          if (i == j) { g += 1.0 / g_LB(b, 0, i, i); }
        }
      }
      result[index] = g${accumulate ? ' + ACC[index]' : ''};
    }
  `);
}

/** Gradient of KL(A ‖ B) w.r.t. row A (webgl klGradAProgram): `[batch, W]`, plus ACC. */
export function klGradAProgram(batch: number, d: number, w: number, layout: 'full' | 'packed', minDiag: number,
                               accumulate: boolean): WebGPUProgramLike {
  return program(key('klGA', batch, d, w, layout, minDiag, accumulate), accumulate ? ['Y', 'A', 'ACC'] : ['Y', 'A'],
    [batch, w], batch * w, `
    ${header(d, minDiag)}
    ${rowAccess('A', layout, d, w)}
    ${entryOf(layout, d)}
    fn g_main(index : i32) {
      let b = index / ${w};
      let col = index % ${w};
      var g = 0.0;
      if (col < D) {
        g = -Y[(b * D + col) * (D + 1) + D];
      } else {
        let ij = g_entryOf(col - D);
        let i = ij.x;
        let j = ij.y;
        if (j <= i) {
          g = Y[(b * D + i) * (D + 1) + j];
          if (i == j) { g -= 1.0 / g_LA(b, 0, i, i); }
        }
      }
      result[index] = g${accumulate ? ' + ACC[index]' : ''};
    }
  `);
}

// ------------------------------------------------------------- KL ('diag' layout)

/** KL between 'diag' rows, directions summed: value `[batch]`. */
export function klDiagValueProgram(batch: number, d: number, minDiag: number, dirs: Array<'AB' | 'BA'>): WebGPUProgramLike {
  return program(key('klDV', batch, d, minDiag, dirs.join('')), ['A', 'B'], [batch], batch, `
    ${header(d, minDiag)}
    fn g_term(mp : f32, sp : f32, mq : f32, sq : f32) -> f32 {
      let z = (mq - mp) / sq;
      return g_klTerm((abs(sp) - abs(sq)) / abs(sq)) + 0.5 * z * z;
    }
    fn g_main(b : i32) {
      var v = 0.0;
      for (var i = 0; i < D; i++) {
        let ma = A[b * 2 * D + i]; let sa = g_guard(A[b * 2 * D + D + i]);
        let mb = B[b * 2 * D + i]; let sb = g_guard(B[b * 2 * D + D + i]);
        ${dirs.map((x) => (x === 'AB' ? 'v += g_term(ma, sa, mb, sb);' : 'v += g_term(mb, sb, ma, sa);')).join('\n')}
      }
      result[b] = v;
    }
  `);
}

/** Gradient of the 'diag' KL w.r.t. row `wrt` (webgl klDiagGradProgram): `[batch, 2D]`. */
export function klDiagGradProgram(batch: number, d: number, minDiag: number, dirs: Array<'AB' | 'BA'>,
                                  wrt: 'A' | 'B'): WebGPUProgramLike {
  const terms = dirs.map((x) => {
    const isP = (x === 'AB') === (wrt === 'A');
    const [mp, sp, mq, sq] = x === 'AB' ? ['ma', 'sa', 'mb', 'sb'] : ['mb', 'sb', 'ma', 'sa'];
    return `{
      let delta = ${mq} - ${mp}; let iq = 1.0 / ${sq};
      if (isMean) { g += ${isP ? '-' : ''}delta * iq * iq; }
      else { g += ${isP ? `${sp} * iq * iq - 1.0 / ${sp}` : `iq * (1.0 - (${sp} * ${sp} + delta * delta) * iq * iq)`}; }
    }`;
  });
  return program(key('klDG', batch, d, minDiag, dirs.join(''), wrt), ['A', 'B'], [batch, 2 * d], batch * 2 * d, `
    ${header(d, minDiag)}
    fn g_main(index : i32) {
      let b = index / (2 * D);
      let col = index % (2 * D);
      let isMean = col < D;
      let i = select(col - D, col, isMean);
      let ma = A[b * 2 * D + i]; let sa = g_guard(A[b * 2 * D + D + i]);
      let mb = B[b * 2 * D + i]; let sb = g_guard(B[b * 2 * D + D + i]);
      var g = 0.0;
      ${terms.join('\n')}
      result[index] = g;
    }
  `);
}

// ------------------------------------------------------------- NLL and mixture NLL

/** As webgl's NllShape: `k` Gaussian rows per sample, the first at column `off`, each `cw` wide; rows `wy`, points `wx` wide. */
export interface NllShape {batch: number; d: number; k: number; off: number; cw: number; wy: number; wx: number; layout: GaussianLayout}

const sk = (s: NllShape) => key(s.batch, s.d, s.k, s.off, s.cw, s.wy, s.wx, s.layout);

/** z = L⁻¹(x − μ) then w = L⁻ᵀz per (sample, component): `[batch, k, 2, D]` (z, then w). */
export function nllZWProgram(s: NllShape, minDiag: number): WebGPUProgramLike {
  return program(key('nllZW', sk(s), minDiag), ['P', 'Y'], [s.batch, s.k, 2, s.d], s.batch * s.k, `
    ${header(s.d, minDiag)}
    ${rowAccess('Y', s.layout as 'full' | 'packed', s.d, s.wy)}
    fn g_main(index : i32) {
      let b = index / ${s.k};
      let k = index % ${s.k};
      let o = ${s.off} + k * ${s.cw};
      var z : array<f32, ${s.d}>;
      for (var r = 0; r < D; r++) {
        var v = P[b * ${s.wx} + r] - g_MUY(b, o, r);
        for (var u = 0; u < r; u++) { v -= g_LY(b, o, r, u) * z[u]; }
        z[r] = v / g_LY(b, o, r, r);
        result[(index * 2) * D + r] = z[r];
      }
      var w : array<f32, ${s.d}>;
      for (var r = D - 1; r >= 0; r--) {
        var v = z[r];
        for (var u = r + 1; u < D; u++) { v -= g_LY(b, o, u, r) * w[u]; }
        w[r] = v / g_LY(b, o, r, r);
        result[(index * 2 + 1) * D + r] = w[r];
      }
    }
  `);
}

/** Per-component NLL (from ZW; 'diag': from the rows): `[batch, k]`, or `[batch]` for one Gaussian. */
export function nllValueProgram(s: NllShape, minDiag: number): WebGPUProgramLike {
  const single = s.k === 1 && s.off === 0;
  const diag = s.layout === 'diag';
  const body = diag
    ? `for (var i = 0; i < D; i++) {
         let sd = g_guard(Y[b * ${s.wy} + o + D + i]);
         let z = (P[b * ${s.wx} + i] - Y[b * ${s.wy} + o + i]) / sd;
         v += log(abs(sd)) + 0.5 * z * z;
       }`
    : `for (var i = 0; i < D; i++) {
         let z = ZW[(index * 2) * D + i];
         v += log(abs(g_LY(b, o, i, i))) + 0.5 * z * z;
       }`;
  return program(key('nllV', sk(s), minDiag), diag ? ['P', 'Y'] : ['ZW', 'Y'], single ? [s.batch] : [s.batch, s.k],
    s.batch * s.k, `
    ${header(s.d, minDiag)}
    ${diag ? '' : rowAccess('Y', s.layout as 'full' | 'packed', s.d, s.wy)}
    fn g_main(index : i32) {
      let b = index / ${s.k};
      let k = index % ${s.k};
      let o = ${s.off} + k * ${s.cw};
      var v = 0.5 * f32(D) * LOG_2PI;
      ${body}
      result[index] = v;
    }
  `);
}

/** log softmax(a)_k − nll_k and its log-sum-exp (webgl mixtureHelpers), for rows of width `wy`. */
function mixtureHelpers(K: number, wy: number): string {
  return `
    fn g_maxLogit(b : i32) -> f32 {
      var m = Y[b * ${wy}];
      for (var k = 1; k < ${K}; k++) { m = max(m, Y[b * ${wy} + k]); }
      return m;
    }
    fn g_logSumShifted(b : i32, m : f32) -> f32 {
      var s = 0.0;
      for (var k = 0; k < ${K}; k++) { s += exp(Y[b * ${wy} + k] - m); }
      return log(s);
    }
    fn g_ell(b : i32, k : i32, m : f32, ls : f32) -> f32 { return (Y[b * ${wy} + k] - m) - ls - N[b * ${K} + k]; }
    fn g_lseAll(b : i32, m : f32, ls : f32) -> f32 {
      var mx = g_ell(b, 0, m, ls);
      for (var k = 1; k < ${K}; k++) { mx = max(mx, g_ell(b, k, m, ls)); }
      var s = 0.0;
      for (var k = 0; k < ${K}; k++) { s += exp(g_ell(b, k, m, ls) - mx); }
      return mx + log(s);
    }
  `;
}

/** Mixture NLL `−logsumexp_k(log softmax(a)_k − nll_k)`: `[batch]`. */
export function mixtureValueProgram(batch: number, K: number, wy: number): WebGPUProgramLike {
  return program(key('mixV', batch, K, wy), ['Y', 'N'], [batch], batch, `
    ${mixtureHelpers(K, wy)}
    fn g_main(b : i32) {
      let m = g_maxLogit(b);
      result[b] = -g_lseAll(b, m, g_logSumShifted(b, m));
    }
  `);
}

/** Responsibilities `r_k`: `[batch, K]`. */
export function mixtureRespProgram(batch: number, K: number, wy: number): WebGPUProgramLike {
  return program(key('mixR', batch, K, wy), ['Y', 'N'], [batch, K], batch * K, `
    ${mixtureHelpers(K, wy)}
    fn g_main(index : i32) {
      let b = index / ${K};
      let k = index % ${K};
      let m = g_maxLogit(b);
      let ls = g_logSumShifted(b, m);
      result[index] = exp(g_ell(b, k, m, ls) - g_lseAll(b, m, ls));
    }
  `);
}

/** Gradient w.r.t. the rows Y (webgl nllGradYProgram): `[batch, wy]`. */
export function nllGradYProgram(s: NllShape, minDiag: number): WebGPUProgramLike {
  const mixture = s.off > 0;
  const diag = s.layout === 'diag';
  const names = [...(diag ? ['P'] : ['ZW']), 'Y', ...(mixture ? ['R'] : [])];
  const zw = (part: 0 | 1, i: string) => `ZW[((b * ${s.k} + k) * 2 + ${part}) * D + ${i}]`;
  const entry = diag
    ? `let i = e - D;
       let sd = g_guard(Y[b * ${s.wy} + o + D + i]);
       let z = (P[b * ${s.wx} + i] - Y[b * ${s.wy} + o + i]) / sd;
       g = (1.0 - z * z) / sd;`
    : `let ij = g_entryOf(e - D);
       let i = ij.x;
       let j = ij.y;
       if (j <= i) {
         g = -${zw(1, 'i')} * ${zw(0, 'j')};
         if (i == j) { g += 1.0 / g_LY(b, o, i, i); }
       }`;
  const mean = diag
    ? `let sd0 = g_guard(Y[b * ${s.wy} + o + D + e]);
       g = -(P[b * ${s.wx} + e] - Y[b * ${s.wy} + o + e]) / (sd0 * sd0);`
    : `g = -${zw(1, 'e')};`;
  return program(key('nllGY', sk(s), minDiag), names, [s.batch, s.wy], s.batch * s.wy, `
    ${header(s.d, minDiag)}
    ${diag ? '' : rowAccess('Y', s.layout as 'full' | 'packed', s.d, s.wy)}
    ${diag ? '' : entryOf(s.layout as 'full' | 'packed', s.d)}
    ${mixture ? `
    fn g_softmaxAt(b : i32, k : i32) -> f32 {
      var m = Y[b * ${s.wy}];
      for (var u = 1; u < ${s.k}; u++) { m = max(m, Y[b * ${s.wy} + u]); }
      var t = 0.0;
      for (var u = 0; u < ${s.k}; u++) { t += exp(Y[b * ${s.wy} + u] - m); }
      return exp(Y[b * ${s.wy} + k] - m) / t;
    }` : ''}
    fn g_main(index : i32) {
      let b = index / ${s.wy};
      let col = index % ${s.wy};
      ${mixture ? `if (col < ${s.off}) { result[index] = g_softmaxAt(b, col) - R[b * ${s.k} + col]; return; }` : ''}
      let k = (col - ${s.off}) / ${s.cw};
      let e = col - ${s.off} - k * ${s.cw};
      let o = ${s.off} + k * ${s.cw};
      var g = 0.0;
      if (e < D) {
        ${mean}
      } else {
        ${entry}
      }
      result[index] = g${mixture ? ` * R[b * ${s.k} + k]` : ''};
    }
  `);
}

// ------------------------------------------------------------- triangular solve

/** `L X = R` (`Lᵀ X = R` when `adjoint`): `[batch, D, K]`, one invocation per (sample, column). */
export function solveProgram(batch: number, d: number, k: number, adjoint: boolean): WebGPUProgramLike {
  const body = adjoint
    ? `for (var r = D - 1; r >= 0; r--) {
         var v = R[(b * D + r) * ${k} + c];
         for (var u = r + 1; u < D; u++) { v -= M[(b * D + u) * D + r] * x[u]; }
         x[r] = v / M[(b * D + r) * D + r];
         result[(b * D + r) * ${k} + c] = x[r];
       }`
    : `for (var r = 0; r < D; r++) {
         var v = R[(b * D + r) * ${k} + c];
         for (var u = 0; u < r; u++) { v -= M[(b * D + r) * D + u] * x[u]; }
         x[r] = v / M[(b * D + r) * D + r];
         result[(b * D + r) * ${k} + c] = x[r];
       }`;
  return program(key('solve', batch, d, k, adjoint), ['M', 'R'], [batch, d, k], batch * k, `
    const D : i32 = ${d};
    fn g_main(index : i32) {
      let b = index / ${k};
      let c = index % ${k};
      var x : array<f32, ${d}>;
      ${body}
    }
  `);
}

/** `dL = −tril(dB Xᵀ)` (`adjoint`: `−tril(X dBᵀ)`): `[batch, D, D]`. */
export function solveGradLProgram(batch: number, d: number, k: number, adjoint: boolean): WebGPUProgramLike {
  const [p, q] = adjoint ? ['X', 'G'] : ['G', 'X'];
  return program(key('solveGL', batch, d, k, adjoint), ['X', 'G'], [batch, d, d], batch * d * d, `
    const D : i32 = ${d};
    fn g_main(index : i32) {
      let b = index / (D * D);
      let i = (index / D) % D;
      let j = index % D;
      var s = 0.0;
      if (j <= i) {
        for (var c = 0; c < ${k}; c++) { s += ${p}[(b * D + i) * ${k} + c] * ${q}[(b * D + j) * ${k} + c]; }
      }
      result[index] = -s;
    }
  `);
}

/** ScaleRows: `x [batch, W] * scale [batch]`. */
export function scaleRowsProgram(batch: number, width: number): WebGPUProgramLike {
  return program(key('scaleRows', batch, width), ['X', 'S'], [batch, width], batch * width, `
    fn g_main(index : i32) {
      result[index] = X[index] * S[index / ${width}];
    }
  `);
}

/**
 * The webgl backend's fused programs: GLSL fragment shaders in the form of
 * the backend's `GPGPUProgram` (variable names, output shape, user code),
 * run with `MathBackendWebGL.runWebGLProgram`. A fragment shader writes one
 * output value, so the maths is split into a few passes, each with one
 * output texture:
 *
 * - a triangular solve is one pass: the invocation for `(sample, row i,
 *   column c)` runs the substitution down column c as far as row i, in a
 *   local array (O(i²) per invocation, no other pass needed);
 * - the KL needs `L_b⁻¹` (one pass), `X = L_b⁻¹[L_a | δ]` and
 *   `Y = L_b⁻ᵀX` (one matrix-product pass each), the value, and one pass per
 *   gradient; the NLL needs `z = L⁻¹(x − μ)` and `w = L⁻ᵀz` (substitution
 *   passes), the value and one pass per gradient.
 *
 * Sizes (`D`, the layout, the guard) are baked into the source, so each
 * program is compiled once per (shape, options) and cached by the backend.
 * Arrays are indexed only by loop indices, and loops have constant bounds
 * with `break`, so the shaders are valid GLSL ES 1.00 (WebGL 1) as well as
 * 3.00. Everything is float32, as on the composite path.
 *
 * The maths (gradients included) is that of shared/js_math.ts and
 * shared/diag_math.ts; the comments name the formulas.
 */
import {GaussianLayout} from '../../layout/row_layout.js';

export interface Program {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
}

const lit = (x: number): string => (Number.isFinite(x) ? x.toExponential() : '0.0');

/** Constants and the diagonal guard (|v| clamped to [minDiag, 1/minDiag], sign kept; off when minDiag = 0). */
function header(d: number, minDiag: number): string {
  const guard = minDiag > 0
    ? `float guardDiag(float v) { float a = clamp(abs(v), ${lit(minDiag)}, ${lit(1 / minDiag)}); return v < 0.0 ? -a : a; }`
    : 'float guardDiag(float v) { return v; }';
  return `
    const int D = ${d};
    const float LOG_2PI = ${lit(Math.log(2 * Math.PI))};
    int gdiv(int a, int b) { return a / b; }
    int gmod(int a, int b) { return a - (a / b) * b; }
    ${guard}
    ${PICK}
    ${KL_TERM}
  `;
}

/**
 * `L<V>(b, base, i, j)`: entry (i, j) of the lower factor of the Gaussian row
 * at column `base` of row b of input V, in `layout` (0 above the diagonal,
 * the diagonal guarded), and `MU<V>(b, base, i)` its mean. For 'packed'
 * rows the column is fillTriangular's (layout/row_layout.ts lIndex).
 */
function rowAccess(v: string, layout: 'full' | 'packed', d: number, packed = false): string {
  const m = (d * (d + 1)) / 2;
  const col = layout === 'full'
    ? `return ${d} + i * ${d} + j;`
    : `int k = i * ${d} + j; return ${d} + (k < ${m - d} ? ${d} + k : ${2 * m - d - 1} - k);`;
  const get = packed ? `${v}_at` : `get${v}`;
  return `
    ${packed ? el2(v, true) : ''}
    int lcol${v}(int i, int j) { ${col} }
    float L${v}(int b, int base, int i, int j) {
      if (j > i) return 0.0;
      float x = ${get}(b, base + lcol${v}(i, j));
      return i == j ? guardDiag(x) : x;
    }
    float MU${v}(int b, int base, int i) { return ${get}(b, base + i); }
  `;
}

/**
 * `h(t) = (x² − 1)/2 − log x` at `x = 1 + t`, the KL's term per diagonal
 * entry (composite/gaussian_kl.ts): ≥ 0 and about t², so it is evaluated
 * without cancellation: by its series t² − t³/3 + t⁴/4 − … for |t| < 0.1
 * (truncation below 1e-8 relative), else as t + t²/2 − log1p(t) with
 * Kahan's log1p (GLSL has none, and log(1 + t) loses t's low bits).
 */
const KL_TERM = `
  float log1pKahan(float t) {
    float u = 1.0 + t;
    return u == 1.0 ? t : log(u) * t / (u - 1.0);
  }
  float klTerm(float t) {
    if (abs(t) < 0.1) {
      float p = -1.0 / 9.0;
      p = 1.0 / 8.0 + t * p;
      p = -1.0 / 7.0 + t * p;
      p = 1.0 / 6.0 + t * p;
      p = -1.0 / 5.0 + t * p;
      p = 1.0 / 4.0 + t * p;
      p = -1.0 / 3.0 + t * p;
      p = 1.0 + t * p;
      return t * t * p;
    }
    return t + 0.5 * t * t - log1pKahan(t);
  }
`;

/**
 * Element readers `V_at(...)`: the backend's getter for unpacked inputs, or
 * for packed ones (`packedInputs: true`) the texel of the 2 × 2 block
 * holding (r, c) (rank 1: the pair holding i) with `pick` taking the entry
 * out of it.
 */
const PICK = `
  float pick(vec4 t, int r, int c) {
    int k = 2 * gmod(r, 2) + gmod(c, 2);
    return k == 0 ? t.x : (k == 1 ? t.y : (k == 2 ? t.z : t.w));
  }
`;
const el1 = (v: string, packed = false) => (packed
  ? `float ${v}_at(int i) { vec4 t = get${v}(i); return gmod(i, 2) == 0 ? t.x : t.y; }`
  : `float ${v}_at(int i) { return get${v}(i); }`);
const el2 = (v: string, packed = false) => (packed
  ? `float ${v}_at(int r, int c) { return pick(get${v}(r, c), r, c); }`
  : `float ${v}_at(int r, int c) { return get${v}(r, c); }`);
const el3 = (v: string, packed = false) => (packed
  ? `float ${v}_at(int b, int r, int c) { return pick(get${v}(b, r, c), r, c); }`
  : `float ${v}_at(int b, int r, int c) { return get${v}(b, r, c); }`);

/**
 * `entryOf(e)`: the (i, j) of factor entry `e` (`e` counted after the mean;
 * j > i for the ignored upper triangle of 'full'), the inverse of lcol.
 */
function entryOf(layout: 'full' | 'packed', d: number): string {
  if (layout === 'full') return `ivec2 entryOf(int e) { return ivec2(gdiv(e, ${d}), gmod(e, ${d})); }`;
  const m = (d * (d + 1)) / 2;
  // Each packed entry has one lower position k: k = e − d (when e >= d and
  // k < m − d) or k = 2m − d − 1 − e (layout/row_layout.ts, inverted).
  return `
    bool isLower(int k) { return k >= 0 && k < ${d * d} && gmod(k, ${d}) <= gdiv(k, ${d}); }
    ivec2 entryOf(int e) {
      int k1 = e - ${d};
      int k = (e >= ${d} && k1 < ${m - d} && isLower(k1)) ? k1 : ${2 * m - d - 1} - e;
      return ivec2(gdiv(k, ${d}), gmod(k, ${d}));
    }
  `;
}

// ------------------------------------------------------------- KL (tril layouts)
//
// The three O(d³) passes (inverse, X, Y) write packed 2 × 2 blocks: four
// outputs per invocation share their reads. Their outputs are unpacked once
// (register.ts) for the passes that read them. Measured under SwiftShader
// at (64, 32), loss+gradient step: 43 ms with one output per invocation,
// 24 ms packed. Reading packed textures directly instead of unpacking them
// was slower, both everywhere (45 ms) and in every pass but the inverse
// (40 ms; 8.5 against 6.6 ms at (256, 8)): the packed getters' address
// arithmetic costs more than the unpacking passes save.

/** A program with a packed output (2 × 2 blocks of the last two dimensions), reading unpacked inputs. */
export interface PackedProgram extends Program {
  packedInputs: false;
  packedOutput?: true;
}

/**
 * `L_B⁻¹` of the rows of input B: `[batch, D, D]`, packed. The invocation
 * for the block (i, i + 1) × (j, j + 1) substitutes columns j and j + 1
 * together down to row i + 1, sharing every read of L.
 */
export function inverseProgram(batch: number, d: number, layout: 'full' | 'packed', minDiag: number): PackedProgram {
  return {
    variableNames: ['B'],
    outputShape: [batch, d, d],
    packedInputs: false,
    packedOutput: true,
    userCode: `
      ${header(d, minDiag)}
      ${rowAccess('B', layout, d)}
      void main() {
        ivec3 c = getOutputCoords();
        int b = c.x; int i0 = c.y; int j0 = c.z;
        int i1 = min(i0 + 1, D - 1);
        vec4 result = vec4(0.0);
        if (i1 >= j0) {
          // y0[t] = (L⁻¹)[j0 + t][j0], y1[t] = (L⁻¹)[j0 + t][j0 + 1] (y1[0] = 0: above the diagonal).
          float y0[D];
          float y1[D];
          for (int t = 0; t < D; t++) {
            if (t > i1 - j0) break;
            int r = j0 + t;
            float s0 = t == 0 ? 1.0 : 0.0;
            float s1 = t == 1 ? 1.0 : 0.0;
            for (int u = 0; u < D; u++) {
              if (u >= t) break;
              float l = LB(b, 0, r, j0 + u);
              s0 -= l * y0[u];
              s1 -= l * y1[u];
            }
            float diag = LB(b, 0, r, r);
            y0[t] = s0 / diag;
            y1[t] = t == 0 ? 0.0 : s1 / diag;
            if (t == i0 - j0) { result.x = y0[t]; result.y = y1[t]; }
            if (t == i1 - j0) { result.z = y0[t]; result.w = y1[t]; }
          }
        }
        setOutput(result);
      }
    `,
  };
}

/** `X = L_B⁻¹ [L_A | μ_B − μ_A]`: `[batch, D, D + 1]`, packed, from the inverse `I` and the rows A and B. */
export function klXProgram(batch: number, d: number, layout: 'full' | 'packed', minDiag: number): PackedProgram {
  return {
    variableNames: ['I', 'A', 'B'],
    outputShape: [batch, d, d + 1],
    packedInputs: false,
    packedOutput: true,
    userCode: `
      ${header(d, minDiag)}
      ${el3('I')}
      ${rowAccess('A', layout, d)}
      ${rowAccess('B', layout, d)}
      float R(int b, int k, int col) {
        if (col == D) return MUB(b, 0, k) - MUA(b, 0, k);
        return col > D ? 0.0 : LA(b, 0, k, col);
      }
      void main() {
        ivec3 c = getOutputCoords();
        int b = c.x; int i0 = c.y; int c0 = c.z;
        int i1 = min(i0 + 1, D - 1);
        // Columns c < D of L_A start at row c; the δ column (c = D) at row 0.
        int k0 = c0 + 1 < D ? c0 : 0;
        vec4 s = vec4(0.0);
        for (int k = 0; k < D; k++) {
          if (k > i1) break;
          if (k < k0) continue;
          float r0 = R(b, k, c0);
          float r1 = R(b, k, c0 + 1);
          float a0 = k <= i0 ? I_at(b, i0, k) : 0.0;
          float a1 = I_at(b, i1, k);
          s += vec4(a0 * r0, a0 * r1, a1 * r0, a1 * r1);
        }
        setOutput(s);
      }
    `,
  };
}

/** `Y = L_B⁻ᵀ X`: `[batch, D, D + 1]`, packed. */
export function klYProgram(batch: number, d: number): PackedProgram {
  return {
    variableNames: ['I', 'X'],
    outputShape: [batch, d, d + 1],
    packedInputs: false,
    packedOutput: true,
    userCode: `
      ${header(d, 0)}
      ${el3('I')}
      ${el3('X')}
      void main() {
        ivec3 c = getOutputCoords();
        int b = c.x; int i0 = c.y; int c0 = c.z;
        int i1 = min(i0 + 1, D - 1);
        int c1 = min(c0 + 1, D);
        // X is lower triangular in its first D columns (rows k >= c); the δ column is full.
        int k0 = max(i0, c0 + 1 < D ? c0 : 0);
        vec4 s = vec4(0.0);
        for (int k = 0; k < D; k++) {
          if (k < k0) continue;
          float x0 = X_at(b, k, c0);
          float x1 = X_at(b, k, c1);
          float l0 = I_at(b, k, i0);
          float l1 = k >= i1 ? I_at(b, k, i1) : 0.0;
          s += vec4(l0 * x0, l0 * x1, l1 * x0, l1 * x1);
        }
        setOutput(s);
      }
    `,
  };
}

/**
 * {@link klXProgram} and {@link klYProgram} with one output per invocation,
 * for small d (register.ts): O(d) reads per output either way, and an
 * unpacked output needs no unpacking pass, so at (256, 8) the step has two
 * dispatches fewer.
 */
export function klXUnpackedProgram(batch: number, d: number, layout: 'full' | 'packed', minDiag: number): Program {
  return {
    variableNames: ['I', 'A', 'B'],
    outputShape: [batch, d, d + 1],
    userCode: `
      ${header(d, minDiag)}
      ${rowAccess('A', layout, d)}
      ${rowAccess('B', layout, d)}
      void main() {
        ivec3 c = getOutputCoords();
        int b = c.x; int i = c.y; int col = c.z;
        int k0 = col < D ? col : 0;
        float s = 0.0;
        for (int k = 0; k < D; k++) {
          if (k > i) break;
          if (k < k0) continue;
          float r = col == D ? MUB(b, 0, k) - MUA(b, 0, k) : LA(b, 0, k, col);
          s += getI(b, i, k) * r;
        }
        setOutput(s);
      }
    `,
  };
}

/** See {@link klXUnpackedProgram}. */
export function klYUnpackedProgram(batch: number, d: number): Program {
  return {
    variableNames: ['I', 'X'],
    outputShape: [batch, d, d + 1],
    userCode: `
      const int D = ${d};
      void main() {
        ivec3 c = getOutputCoords();
        int b = c.x; int i = c.y; int col = c.z;
        int k0 = max(i, col < D ? col : 0);
        float s = 0.0;
        for (int k = 0; k < D; k++) {
          if (k < k0) continue;
          s += getI(b, k, i) * getX(b, k, col);
        }
        setOutput(s);
      }
    `,
  };
}

/**
 * `KL(A ‖ B) = ½(‖X‖² − D) + Σ log|L_B,ii| − Σ log|L_A,ii|` per row (plus
 * input ACC when `accumulate`): `[batch]`, summed as the composite path does,
 * in non-negative terms: `½Σ_{i>j} X_ij² + ½‖z‖² + Σ_i h(t_i)` with
 * `t_i = (|L_A,ii| − |L_B,ii|)/|L_B,ii|`, so a small KL is not the difference
 * of large numbers.
 */
export function klValueProgram(batch: number, d: number, layout: 'full' | 'packed', minDiag: number,
                               accumulate: boolean): PackedProgram {
  return {
    variableNames: accumulate ? ['X', 'A', 'B', 'ACC'] : ['X', 'A', 'B'],
    outputShape: [batch],
    packedInputs: false,
    userCode: `
      ${header(d, minDiag)}
      ${el3('X')}
      ${accumulate ? el1('ACC') : ''}
      ${rowAccess('A', layout, d)}
      ${rowAccess('B', layout, d)}
      void main() {
        int b = getOutputCoords();
        float sq = 0.0;
        float h = 0.0;
        for (int i = 0; i < D; i++) {
          for (int col = 0; col <= D; col++) {
            if (col >= i && col < D) continue;
            float x = X_at(b, i, col);
            sq += x * x;
          }
          float lb = abs(LB(b, 0, i, i));
          h += klTerm((abs(LA(b, 0, i, i)) - lb) / lb);
        }
        setOutput(0.5 * sq + h${accumulate ? ' + ACC_at(b)' : ''});
      }
    `,
  };
}

/**
 * Gradient of KL(A ‖ B) w.r.t. the row B: `∂/∂μ_B = Y[:, D]`,
 * `∂/∂L_B = −tril(Y Xᵀ) + diag(1/L_B,ii)`, 0 on the ignored upper triangle:
 * `[batch, W]` (plus ACC).
 */
export function klGradBProgram(batch: number, width: number, d: number, layout: 'full' | 'packed', minDiag: number,
                               accumulate: boolean): PackedProgram {
  return {
    variableNames: accumulate ? ['X', 'Y', 'B', 'ACC'] : ['X', 'Y', 'B'],
    outputShape: [batch, width],
    packedInputs: false,
    userCode: `
      ${header(d, minDiag)}
      ${el3('X')}
      ${el3('Y')}
      ${accumulate ? el2('ACC') : ''}
      ${rowAccess('B', layout, d)}
      ${entryOf(layout, d)}
      void main() {
        ivec2 c = getOutputCoords();
        int b = c.x; int col = c.y;
        float g = 0.0;
        if (col < D) {
          g = Y_at(b, col, D);
        } else {
          ivec2 ij = entryOf(col - D);
          int i = ij.x; int j = ij.y;
          if (j <= i) {
            float s = Y_at(b, i, D) * X_at(b, j, D);
            for (int k = 0; k < D; k++) {
              if (k > j) break;
              s += Y_at(b, i, k) * X_at(b, j, k);
            }
            g = -s + (i == j ? 1.0 / LB(b, 0, i, i) : 0.0);
          }
        }
        setOutput(g${accumulate ? ' + ACC_at(b, col)' : ''});
      }
    `,
  };
}

/**
 * Gradient of KL(A ‖ B) w.r.t. the row A: `∂/∂μ_A = −Y[:, D]`,
 * `∂/∂L_A = tril(Y[:, :D]) − diag(1/L_A,ii)`: `[batch, W]` (plus ACC).
 */
export function klGradAProgram(batch: number, width: number, d: number, layout: 'full' | 'packed', minDiag: number,
                               accumulate: boolean): PackedProgram {
  return {
    variableNames: accumulate ? ['Y', 'A', 'ACC'] : ['Y', 'A'],
    outputShape: [batch, width],
    packedInputs: false,
    userCode: `
      ${header(d, minDiag)}
      ${el3('Y')}
      ${accumulate ? el2('ACC') : ''}
      ${rowAccess('A', layout, d)}
      ${entryOf(layout, d)}
      void main() {
        ivec2 c = getOutputCoords();
        int b = c.x; int col = c.y;
        float g = 0.0;
        if (col < D) {
          g = -Y_at(b, col, D);
        } else {
          ivec2 ij = entryOf(col - D);
          int i = ij.x; int j = ij.y;
          if (j <= i) g = Y_at(b, i, j) - (i == j ? 1.0 / LA(b, 0, i, i) : 0.0);
        }
        setOutput(g${accumulate ? ' + ACC_at(b, col)' : ''});
      }
    `,
  };
}

// ------------------------------------------------------------- KL ('diag' layout)

const DIAG_GUARD = (minDiag: number) => header(1, minDiag).replace('const int D = 1;', '');

/** KL between 'diag' rows, direction baked in: value `[batch]`. */
export function klDiagValueProgram(batch: number, d: number, minDiag: number, dirs: Array<'AB' | 'BA'>): Program {
  return {
    variableNames: ['A', 'B'],
    outputShape: [batch],
    userCode: `
      ${DIAG_GUARD(minDiag)}
      const int D = ${d};
      // KL(p ‖ q) per entry: ½(r² − 1) − log|r| + ½z² = h(t) + ½z², with
      // t = (|s_p| − |s_q|)/|s_q| = |r| − 1 and z = (μ_q − μ_p)/s_q.
      float term(float mp, float sp, float mq, float sq) {
        float z = (mq - mp) / sq;
        return klTerm((abs(sp) - abs(sq)) / abs(sq)) + 0.5 * z * z;
      }
      void main() {
        int b = getOutputCoords();
        float v = 0.0;
        for (int i = 0; i < D; i++) {
          float ma = getA(b, i); float sa = guardDiag(getA(b, D + i));
          float mb = getB(b, i); float sb = guardDiag(getB(b, D + i));
          ${dirs.map((x) => (x === 'AB' ? 'v += term(ma, sa, mb, sb);' : 'v += term(mb, sb, ma, sa);')).join('\n')}
        }
        setOutput(v);
      }
    `,
  };
}

/**
 * Gradient of the 'diag' KL w.r.t. row `wrt` ('A' or 'B'): for KL(p ‖ q),
 * `∂/∂μ_q = δ/q² = −∂/∂μ_p`, `∂/∂p = p/q² − 1/p`, `∂/∂q = 1/q − (p² + δ²)/q³`.
 */
export function klDiagGradProgram(batch: number, d: number, minDiag: number, dirs: Array<'AB' | 'BA'>,
                                  wrt: 'A' | 'B'): Program {
  // For each direction, is `wrt` the first argument (p) of KL(p ‖ q)?
  const terms = dirs.map((x) => {
    const isP = (x === 'AB') === (wrt === 'A');
    const [mp, sp, mq, sq] = x === 'AB' ? ['ma', 'sa', 'mb', 'sb'] : ['mb', 'sb', 'ma', 'sa'];
    return `{
      float delta = ${mq} - ${mp}; float iq = 1.0 / ${sq};
      if (isMean) g += ${isP ? '-' : ''}delta * iq * iq;
      else g += ${isP ? `${sp} * iq * iq - 1.0 / ${sp}` : `iq * (1.0 - (${sp} * ${sp} + delta * delta) * iq * iq)`};
    }`;
  });
  return {
    variableNames: ['A', 'B'],
    outputShape: [batch, 2 * d],
    userCode: `
      ${DIAG_GUARD(minDiag)}
      const int D = ${d};
      void main() {
        ivec2 c = getOutputCoords();
        int b = c.x; int col = c.y;
        bool isMean = col < D;
        int i = isMean ? col : col - D;
        float ma = getA(b, i); float sa = guardDiag(getA(b, D + i));
        float mb = getB(b, i); float sb = guardDiag(getB(b, D + i));
        float g = 0.0;
        ${terms.join('\n')}
        setOutput(g);
      }
    `,
  };
}

// ------------------------------------------------------------- NLL and mixture NLL

/**
 * The shape of an NLL problem: `k` Gaussian rows per sample, the first at
 * column `off` of each row of input Y and each `cw` wide (single Gaussian:
 * k = 1, off = 0; mixture: k = K, off = K logits).
 */
export interface NllShape {batch: number; d: number; k: number; off: number; cw: number; layout: GaussianLayout}

const base = (s: NllShape) => `(${s.off} + k * ${s.cw})`;

/** `z = L⁻¹(x − μ)` per (sample, component, row i), forward substitution: `[batch, k, D]`. */
export function nllZProgram(s: NllShape, minDiag: number): Program {
  const layout = s.layout as 'full' | 'packed';
  return {
    variableNames: ['P', 'Y'],
    outputShape: [s.batch, s.k, s.d],
    userCode: `
      ${header(s.d, minDiag)}
      ${rowAccess('Y', layout, s.d)}
      void main() {
        ivec3 c = getOutputCoords();
        int b = c.x; int k = c.y; int i = c.z;
        int o = ${base(s)};
        float z[D];
        float result = 0.0;
        for (int r = 0; r < D; r++) {
          if (r > i) break;
          float v = getP(b, r) - MUY(b, o, r);
          for (int u = 0; u < D; u++) {
            if (u >= r) break;
            v -= LY(b, o, r, u) * z[u];
          }
          z[r] = v / LY(b, o, r, r);
          result = z[r];
        }
        setOutput(result);
      }
    `,
  };
}

/** `w = L⁻ᵀ z` per (sample, component, row i), back substitution: `[batch, k, D]`. */
export function nllWProgram(s: NllShape, minDiag: number): Program {
  const layout = s.layout as 'full' | 'packed';
  return {
    variableNames: ['Z', 'Y'],
    outputShape: [s.batch, s.k, s.d],
    userCode: `
      ${header(s.d, minDiag)}
      ${rowAccess('Y', layout, s.d)}
      void main() {
        ivec3 c = getOutputCoords();
        int b = c.x; int k = c.y; int i = c.z;
        int o = ${base(s)};
        // w[D − 1 − t] for t = 0 .. D − 1 − i, kept in v[t].
        float v[D];
        float result = 0.0;
        for (int t = 0; t < D; t++) {
          int r = D - 1 - t;
          if (r < i) break;
          float s = getZ(b, k, r);
          for (int u = 0; u < D; u++) {
            if (u >= t) break;
            s -= LY(b, o, D - 1 - u, r) * v[u];
          }
          v[t] = s / LY(b, o, r, r);
          result = v[t];
        }
        setOutput(result);
      }
    `,
  };
}

/**
 * Per-component NLL `½D log 2π + Σ log|L_ii| + ½‖z‖²` (from Z; 'diag'
 * layout: from the rows directly): `[batch, k]`, or `[batch]` for one
 * Gaussian without logits.
 */
export function nllValueProgram(s: NllShape, minDiag: number): Program {
  const single = s.k === 1 && s.off === 0;
  const diag = s.layout === 'diag';
  const body = diag
    ? `for (int i = 0; i < D; i++) {
         float sd = guardDiag(getY(b, o + D + i));
         float z = (getP(b, i) - getY(b, o + i)) / sd;
         v += log(abs(sd)) + 0.5 * z * z;
       }`
    : `for (int i = 0; i < D; i++) {
         float z = getZ(b, k, i);
         v += log(abs(LY(b, o, i, i))) + 0.5 * z * z;
       }`;
  return {
    variableNames: diag ? ['P', 'Y'] : ['Z', 'Y'],
    outputShape: single ? [s.batch] : [s.batch, s.k],
    userCode: `
      ${header(s.d, minDiag)}
      ${diag ? '' : rowAccess('Y', s.layout as 'full' | 'packed', s.d)}
      void main() {
        ${single ? 'int b = getOutputCoords(); int k = 0;' : 'ivec2 c = getOutputCoords(); int b = c.x; int k = c.y;'}
        int o = ${base(s)};
        float v = 0.5 * float(D) * LOG_2PI;
        ${body}
        setOutput(v);
      }
    `,
  };
}

/** Log-sum-exp helpers over the K logits (row input Y) and the component NLLs (input N). */
function mixtureHelpers(K: number): string {
  return `
    const int K = ${K};
    // log softmax(a) as (a_k − max a) − log Σ exp(a − max a): the difference
    // is exact in float32 even for logits of ±1e4, where forming
    // max a + log Σ first would round away the fraction.
    float maxLogit(int b) {
      float m = getY(b, 0);
      for (int k = 1; k < K; k++) m = max(m, getY(b, k));
      return m;
    }
    float logSumShifted(int b, float m) {
      float s = 0.0;
      for (int k = 0; k < K; k++) s += exp(getY(b, k) - m);
      return log(s);
    }
    // ℓ_k = log softmax(a)_k − nll_k and log Σ_k exp(ℓ_k), shifted by the max.
    float ell(int b, int k, float m, float ls) { return (getY(b, k) - m) - ls - getN(b, k); }
    float lseAll(int b, float m, float ls) {
      float mx = ell(b, 0, m, ls);
      for (int k = 1; k < K; k++) mx = max(mx, ell(b, k, m, ls));
      float s = 0.0;
      for (int k = 0; k < K; k++) s += exp(ell(b, k, m, ls) - mx);
      return mx + log(s);
    }
  `;
}

/** Mixture NLL `−logsumexp_k(log softmax(a)_k − nll_k)`: `[batch]`. */
export function mixtureValueProgram(batch: number, K: number): Program {
  return {
    variableNames: ['Y', 'N'],
    outputShape: [batch],
    userCode: `
      ${mixtureHelpers(K)}
      void main() {
        int b = getOutputCoords();
        float m = maxLogit(b);
        setOutput(-lseAll(b, m, logSumShifted(b, m)));
      }
    `,
  };
}

/** Responsibilities `r_k = exp(ℓ_k − logsumexp ℓ)`: `[batch, K]`. */
export function mixtureRespProgram(batch: number, K: number): Program {
  return {
    variableNames: ['Y', 'N'],
    outputShape: [batch, K],
    userCode: `
      ${mixtureHelpers(K)}
      void main() {
        ivec2 c = getOutputCoords();
        int b = c.x; int k = c.y;
        float m = maxLogit(b);
        float ls = logSumShifted(b, m);
        setOutput(exp(ell(b, k, m, ls) - lseAll(b, m, ls)));
      }
    `,
  };
}

/**
 * Gradient w.r.t. the rows Y: for each component, `r_k ·` the NLL gradient
 * (`∂/∂μ = −w`, `∂/∂L = −tril(w zᵀ) + diag(1/L_ii)`; 'diag': `∂/∂μ = −z/s`,
 * `∂/∂s = (1 − z²)/s`), and `softmax(a)_k − r_k` for the logits:
 * `[batch, W]`. With one Gaussian and no logits, r = 1.
 */
export function nllGradYProgram(s: NllShape, width: number, minDiag: number): Program {
  const mixture = s.off > 0;
  const diag = s.layout === 'diag';
  const names = [...(diag ? ['P'] : ['Z', 'W']), 'Y', ...(mixture ? ['R'] : [])];
  const entry = diag
    ? `int i = e - D;
       float sd = guardDiag(getY(b, o + D + i));
       float z = (getP(b, i) - getY(b, o + i)) / sd;
       g = (1.0 - z * z) / sd;`
    : `ivec2 ij = entryOf(e - D);
       int i = ij.x; int j = ij.y;
       if (j <= i) g = -getW(b, k, i) * getZ(b, k, j) + (i == j ? 1.0 / LY(b, o, i, i) : 0.0);`;
  const mean = diag
    ? 'g = -(getP(b, e) - getY(b, o + e)) / (sd0 * sd0);'
    : 'g = -getW(b, k, e);';
  return {
    variableNames: names,
    outputShape: [s.batch, width],
    userCode: `
      ${header(s.d, minDiag)}
      ${diag ? '' : rowAccess('Y', s.layout as 'full' | 'packed', s.d)}
      ${diag ? '' : entryOf(s.layout as 'full' | 'packed', s.d)}
      ${mixture ? `
      float softmaxAt(int b, int k) {
        float m = getY(b, 0);
        for (int u = 1; u < ${s.k}; u++) m = max(m, getY(b, u));
        float t = 0.0;
        for (int u = 0; u < ${s.k}; u++) t += exp(getY(b, u) - m);
        return exp(getY(b, k) - m) / t;
      }` : ''}
      void main() {
        ivec2 c = getOutputCoords();
        int b = c.x; int col = c.y;
        ${mixture ? `if (col < ${s.off}) { setOutput(softmaxAt(b, col) - getR(b, col)); return; }` : ''}
        int k = gdiv(col - ${s.off}, ${s.cw});
        int e = col - ${s.off} - k * ${s.cw};
        int o = ${base(s)};
        float g = 0.0;
        if (e < D) {
          ${diag ? 'float sd0 = guardDiag(getY(b, o + D + e));' : ''}
          ${mean}
        } else {
          ${entry}
        }
        setOutput(g${mixture ? ' * getR(b, k)' : ''});
      }
    `,
  };
}

// ------------------------------------------------------------- triangular solve

/**
 * `L X = R` (or `Lᵀ X = R` when `adjoint`) for `M [batch, D, D]` (lower
 * triangle read) and `R [batch, D, K]`: `[batch, D, K]`, entry (i, c) by
 * substitution down (up, for the adjoint) column c.
 */
export function solveProgram(batch: number, d: number, k: number, adjoint: boolean): Program {
  const body = adjoint
    ? `for (int t = 0; t < D; t++) {
         int r = D - 1 - t;
         if (r < i) break;
         float s = getR(b, r, col);
         for (int u = 0; u < D; u++) {
           if (u >= t) break;
           s -= getM(b, D - 1 - u, r) * x[u];
         }
         x[t] = s / getM(b, r, r);
         result = x[t];
       }`
    : `for (int r = 0; r < D; r++) {
         if (r > i) break;
         float s = getR(b, r, col);
         for (int u = 0; u < D; u++) {
           if (u >= r) break;
           s -= getM(b, r, u) * x[u];
         }
         x[r] = s / getM(b, r, r);
         result = x[r];
       }`;
  return {
    variableNames: ['M', 'R'],
    outputShape: [batch, d, k],
    userCode: `
      const int D = ${d};
      void main() {
        ivec3 c = getOutputCoords();
        int b = c.x; int i = c.y; int col = c.z;
        float x[D];
        float result = 0.0;
        ${body}
        setOutput(result);
      }
    `,
  };
}

/** `dL = −tril(dB Xᵀ)` (`adjoint`: `−tril(X dBᵀ)`) from `X` and `dB`, both `[batch, D, K]`: `[batch, D, D]`. */
export function solveGradLProgram(batch: number, d: number, k: number, adjoint: boolean): Program {
  const [p, q] = adjoint ? ['X', 'G'] : ['G', 'X'];
  return {
    variableNames: ['X', 'G'],
    outputShape: [batch, d, d],
    userCode: `
      void main() {
        ivec3 c = getOutputCoords();
        int b = c.x; int i = c.y; int j = c.z;
        float s = 0.0;
        if (j <= i) {
          for (int col = 0; col < ${k}; col++) s += get${p}(b, i, col) * get${q}(b, j, col);
        }
        setOutput(-s);
      }
    `,
  };
}

/** ScaleRows: `x [batch, W] * scale [batch]`. */
export function scaleRowsProgram(batch: number, width: number): Program {
  return {
    variableNames: ['X', 'S'],
    outputShape: [batch, width],
    userCode: `
      void main() {
        ivec2 c = getOutputCoords();
        setOutput(getX(c.x, c.y) * getS(c.x));
      }
    `,
  };
}

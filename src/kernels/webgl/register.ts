/**
 * The `webgl` backend's fused kernels: each kernel runs a few GLSL passes
 * (programs.ts) through `MathBackendWebGL.runWebGLProgram` and frees its
 * intermediate textures. Passes per kernel (shader dispatches):
 *
 * | kernel | value | value and gradients |
 * | --- | ---: | ---: |
 * | GaussianKL ('full', 'packed') | 3 | 6 (11 symmetric) |
 * | GaussianNLL ('full', 'packed') | 2 | 4 |
 * | GaussianMixtureNLL ('full', 'packed') | 3 | 6 |
 * | any of them, 'diag' | 1–2 | 2–5 |
 * | TriangularSolve | 1 | 2 (gradient) |
 *
 * Cholesky has no webgl kernel and runs the composite path: each column of
 * a Cholesky factor needs the finished columns before it, and a fragment
 * shader writes one value, so a fused factorization is either n dependent
 * passes or O(n²) repeated work per output entry (O(n⁵) per matrix).
 *
 * Registering costs nothing where webgl is absent: this file imports no
 * backend, and tfjs-core only keeps the functions under the backend name.
 */
import {KernelConfig, NamedAttrMap, TensorInfo} from '@tensorflow/tfjs-core';

import {
  GaussianKL, GaussianKLAttrs, GaussianMixtureNLL, GaussianMixtureNLLAttrs, GaussianNLL, GaussianNLLAttrs, Primitive,
  ScaleRows, TriangularSolve, TriangularSolveAttrs,
} from '../kernel_names.js';
import {DENSE_LAYOUTS, widthOf} from '../../layout/row_layout.js';
import {GpuBackend, gpuKernel, Passes as GpuPasses, GpuRun} from '../shared/gpu_passes.js';
import {declareFusedLayouts} from '../shared/fused_layouts.js';
import {registerKernelList} from '../shared/js_kernel.js';
import {
  inverseProgram, klDiagGradProgram, klDiagValueProgram, klGradAProgram, klGradBProgram, klValueProgram, klXProgram,
  klXUnpackedProgram, klYProgram, klYUnpackedProgram, mixtureRespProgram, mixtureValueProgram, nllGradYProgram, NllShape, nllValueProgram,
  nllWProgram, nllZProgram, Program, scaleRowsProgram, solveGradLProgram, solveProgram,
} from './programs.js';

interface WebGLBackendLike {
  runWebGLProgram(program: Program, inputs: TensorInfo[], outputDtype: 'float32'): TensorInfo;
  disposeIntermediateTensorInfo(t: TensorInfo): void;
  unpackTensor(t: TensorInfo): TensorInfo;
  texData: {get(dataId: object): {isPacked?: boolean} | undefined};
}

type Passes = GpuPasses<Program>;
type Run = GpuRun<Program>;

/**
 * `t` as an unpacked texture (our programs read one value per texel). The
 * backend would otherwise unpack a packed input (a matMul's or concat's
 * output) again for every program that reads it: five times per KL step.
 */
function unpacked(ps: Passes, t: TensorInfo): TensorInfo {
  const be = (ps.backend as WebGLAdapter).webgl;
  return be.texData.get(t.dataId)?.isPacked === true ? ps.later(be.unpackTensor(t)) : t;
}

interface WebGLAdapter extends GpuBackend<Program> {
  webgl: WebGLBackendLike;
}

const adapt = (backend: unknown): WebGLAdapter => {
  const webgl = backend as WebGLBackendLike;
  return {webgl, run: (p, inputs) => webgl.runWebGLProgram(p, inputs, 'float32'),
    dispose: (t) => webgl.disposeIntermediateTensorInfo(t)};
};

/** A kernel config; every input is unpacked once up front (see `unpacked`). */
const kernel = (name: string, inputNames: readonly string[], run: Run): KernelConfig =>
  gpuKernel('webgl', name, inputNames, run, adapt, unpacked);

// ------------------------------------------------------------- KL

/** [value, grad yTrue, grad yPred] (gradients only when `grad`). */
function kl(ps: Passes, [yt, yp]: TensorInfo[], attrs: NamedAttrMap, grad: boolean): TensorInfo[] {
  const {dim: d, layout, direction, minDiag} = attrs as GaussianKLAttrs;
  if (layout === 'lowrank') throw new Error(`${GaussianKL.name}: webgl has no fused 'lowrank' kernel (the dispatcher runs the composite path).`);
  const T = yt as TensorInfo;
  const P = yp as TensorInfo;
  const batch = T.shape[0] as number;
  const width = T.shape[1] as number;
  // KL(A ‖ B) for each (A, B): forward = KL(yTrue ‖ yPred).
  const dirs: Array<'AB' | 'BA'> = direction === 'forward' ? ['AB'] : direction === 'reverse' ? ['BA'] : ['AB', 'BA'];
  if (layout === 'diag') {
    const value = ps.run(klDiagValueProgram(batch, d, minDiag, dirs), [T, P]);
    if (!grad) return [value];
    return [value, ps.run(klDiagGradProgram(batch, d, minDiag, dirs, 'A'), [T, P]),
      ps.run(klDiagGradProgram(batch, d, minDiag, dirs, 'B'), [T, P])];
  }
  // Symmetric: the second direction adds its value and gradients to the
  // first's (the programs' ACC input), and the first's are freed.
  let value: TensorInfo | null = null;
  let gT: TensorInfo | null = null;
  let gP: TensorInfo | null = null;
  const withAcc = (prev: TensorInfo | null, inputs: TensorInfo[]) => (prev === null ? inputs : [...inputs, ps.later(prev)]);
  for (const dir of dirs) {
    const [A, B] = dir === 'AB' ? [T, P] : [P, T];
    // The inverse, X and Y come out packed (2 × 2 blocks) and are unpacked
    // once. (Solving for X and Y by substitution instead, without the
    // inverse, saves three passes but was slower even at (256, 8): 9.5 ms
    // against 6.6 under SwiftShader.)
    // X and Y are packed 2 × 2 blocks from d = 16 on; below, one output per
    // invocation (no unpacking pass: measured faster at d = 8).
    const small = d < 16;
    const inv = unpacked(ps, ps.temp(inverseProgram(batch, d, layout, minDiag), [B]));
    const X = small ? ps.temp(klXUnpackedProgram(batch, d, layout, minDiag), [inv, A, B])
      : unpacked(ps, ps.temp(klXProgram(batch, d, layout, minDiag), [inv, A, B]));
    value = ps.run(klValueProgram(batch, d, layout, minDiag, value !== null), withAcc(value, [X, A, B]));
    if (!grad) continue;
    const Y = small ? ps.temp(klYUnpackedProgram(batch, d), [inv, X]) : unpacked(ps, ps.temp(klYProgram(batch, d), [inv, X]));
    // Gradients of KL(A ‖ B): w.r.t. B from X and Y, w.r.t. A from Y.
    const [prevA, prevB] = dir === 'AB' ? [gT, gP] : [gP, gT];
    const gB = ps.run(klGradBProgram(batch, width, d, layout, minDiag, prevB !== null), withAcc(prevB, [X, Y, B]));
    const gA = ps.run(klGradAProgram(batch, width, d, layout, minDiag, prevA !== null), withAcc(prevA, [Y, A]));
    [gT, gP] = dir === 'AB' ? [gA, gB] : [gB, gA];
  }
  return grad ? [value as TensorInfo, gT as TensorInfo, gP as TensorInfo] : [value as TensorInfo];
}

// ------------------------------------------------------------- NLL and mixture NLL

/** [value, grad yPred]: one Gaussian per row (`K` = 0) or a mixture of `K`. */
function nll(ps: Passes, [x, yp]: TensorInfo[], attrs: NamedAttrMap, K: number, grad: boolean): TensorInfo[] {
  const {dim: d, layout, minDiag} = attrs as GaussianNLLAttrs;
  if (layout === 'lowrank') throw new Error(`${GaussianNLL.name}: webgl has no fused 'lowrank' kernel (the dispatcher runs the composite path).`);
  const X = x as TensorInfo;
  const Yr = yp as TensorInfo;
  const batch = Yr.shape[0] as number;
  const s: NllShape = {batch, d, k: Math.max(K, 1), off: K, cw: widthOf(d, layout), layout};
  const diag = layout === 'diag';
  const Z = diag ? null : ps.temp(nllZProgram(s, minDiag), [X, Yr]);
  const first = diag ? X : Z as TensorInfo;  // the value and gradient passes read z, or the points in 'diag'
  let value: TensorInfo;
  let N: TensorInfo | null = null;
  if (K === 0) {
    value = ps.run(nllValueProgram(s, minDiag), [first, Yr]);
  } else {
    N = ps.temp(nllValueProgram(s, minDiag), [first, Yr]);
    value = ps.run(mixtureValueProgram(batch, K), [Yr, N]);
  }
  if (!grad) return [value];
  const W = diag ? null : ps.temp(nllWProgram(s, minDiag), [Z as TensorInfo, Yr]);
  const R = K === 0 ? [] : [ps.temp(mixtureRespProgram(batch, K), [Yr, N as TensorInfo])];
  const yInputs = diag ? [X, Yr, ...R] : [Z as TensorInfo, W as TensorInfo, Yr, ...R];
  // The points' gradient is the op's to derive (kernel_names.ts): no pass for it.
  return [value, ps.run(nllGradYProgram(s, Yr.shape[1] as number, minDiag), yInputs)];
}

// ------------------------------------------------------------- triangular solve

function solve(ps: Passes, [m, r]: TensorInfo[], attrs: NamedAttrMap): TensorInfo[] {
  const [batch, d, k] = (r as TensorInfo).shape as [number, number, number];
  return [ps.run(solveProgram(batch, d, k, (attrs as TriangularSolveAttrs).adjoint), [m as TensorInfo, r as TensorInfo])];
}

/** `X = L⁻¹B`: `dB = L⁻ᵀ dX`, `dL = −tril(dB Xᵀ)`; adjoint: `dB = L⁻¹ dX`, `dL = −tril(X dBᵀ)`. */
function solveGrad(ps: Passes, [m, y, dy]: TensorInfo[], attrs: NamedAttrMap): TensorInfo[] {
  const [batch, d, k] = (y as TensorInfo).shape as [number, number, number];
  const adjoint = (attrs as TriangularSolveAttrs).adjoint;
  const dB = ps.run(solveProgram(batch, d, k, !adjoint), [m as TensorInfo, dy as TensorInfo]);
  return [ps.run(solveGradLProgram(batch, d, k, adjoint), [y as TensorInfo, dB]), dB];
}

function scaleRows(ps: Passes, [x, scale]: TensorInfo[]): TensorInfo[] {
  const X = x as TensorInfo;
  if (X.shape.length !== 2) throw new Error(`${ScaleRows} (webgl): x must be [batch, width], got [${X.shape}].`);
  return [ps.run(scaleRowsProgram(X.shape[0] as number, X.shape[1] as number), [X, scale as TensorInfo])];
}

const both = (p: Primitive, value: Run, withGrad: Run): KernelConfig[] =>
  [kernel(p.name, p.inputNames, value), kernel(p.gradName, p.gradInputNames, withGrad)];

export const webglKernelConfigs: readonly KernelConfig[] = [
  ...both(GaussianKL, (ps, i, a) => kl(ps, i, a, false), (ps, i, a) => kl(ps, i, a, true)),
  ...both(GaussianNLL, (ps, i, a) => nll(ps, i, a, 0, false), (ps, i, a) => nll(ps, i, a, 0, true)),
  ...both(GaussianMixtureNLL,
    (ps, i, a) => nll(ps, i, a, (a as GaussianMixtureNLLAttrs).components, false),
    (ps, i, a) => nll(ps, i, a, (a as GaussianMixtureNLLAttrs).components, true)),
  ...both(TriangularSolve, solve, solveGrad),
  kernel(ScaleRows, ['x', 'scale'], scaleRows),
];

// The composite path serves the 'lowrank' rows here.
declareFusedLayouts('webgl', DENSE_LAYOUTS);
registerKernelList(webglKernelConfigs);

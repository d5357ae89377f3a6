/**
 * The `webgpu` backend's fused kernels: each kernel runs a few WGSL compute
 * passes (programs.ts) through `WebGPUBackend.runWebGPUProgram` and frees its
 * intermediate buffers. Passes per kernel (compute dispatches):
 *
 * | kernel | value | value and gradients |
 * | --- | ---: | ---: |
 * | GaussianKL ('full', 'packed') | 2 | 5 (9 symmetric) |
 * | GaussianNLL ('full', 'packed') | 2 | 3 |
 * | GaussianMixtureNLL ('full', 'packed') | 3 | 5 |
 * | any of them, 'diag' | 1–2 | 2–5 |
 * | TriangularSolve | 1 | 2 (gradient) |
 *
 * Cholesky runs the composite path, as on webgl (webgl/register.ts says
 * why). Registering costs nothing where webgpu is absent: this file imports
 * no backend.
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
  klDiagGradProgram, klDiagValueProgram, klGradAProgram, klGradBProgram, klValueProgram, klXProgram, klYProgram,
  mixtureRespProgram, mixtureValueProgram, nllGradYProgram, NllShape, nllValueProgram, nllZWProgram,
  scaleRowsProgram, solveGradLProgram, solveProgram, WebGPUProgramLike,
} from './programs.js';

interface WebGPUBackendLike {
  runWebGPUProgram(program: WebGPUProgramLike, inputs: TensorInfo[], outputDtype: 'float32'): TensorInfo;
  disposeData(dataId: object): boolean;
}

type Passes = GpuPasses<WebGPUProgramLike>;
type Run = GpuRun<WebGPUProgramLike>;

const adapt = (backend: unknown): GpuBackend<WebGPUProgramLike> => {
  const webgpu = backend as WebGPUBackendLike;
  return {run: (p, inputs) => webgpu.runWebGPUProgram(p, inputs, 'float32'), dispose: (t) => webgpu.disposeData(t.dataId)};
};

const kernel = (name: string, inputNames: readonly string[], run: Run): KernelConfig =>
  gpuKernel('webgpu', name, inputNames, run, adapt);

/** [value, grad yTrue, grad yPred] (gradients only when `grad`); as webgl's kl(). */
function kl(ps: Passes, [yt, yp]: TensorInfo[], attrs: NamedAttrMap, grad: boolean): TensorInfo[] {
  const {dim: d, layout, direction, minDiag} = attrs as GaussianKLAttrs;
  if (layout === 'lowrank') throw new Error(`${GaussianKL.name}: webgpu has no fused 'lowrank' kernel (the dispatcher runs the composite path).`);
  const T = yt as TensorInfo;
  const P = yp as TensorInfo;
  const batch = T.shape[0] as number;
  const w = T.shape[1] as number;
  const dirs: Array<'AB' | 'BA'> = direction === 'forward' ? ['AB'] : direction === 'reverse' ? ['BA'] : ['AB', 'BA'];
  if (layout === 'diag') {
    const value = ps.run(klDiagValueProgram(batch, d, minDiag, dirs), [T, P]);
    if (!grad) return [value];
    return [value, ps.run(klDiagGradProgram(batch, d, minDiag, dirs, 'A'), [T, P]),
      ps.run(klDiagGradProgram(batch, d, minDiag, dirs, 'B'), [T, P])];
  }
  let value: TensorInfo | null = null;
  let gT: TensorInfo | null = null;
  let gP: TensorInfo | null = null;
  const withAcc = (prev: TensorInfo | null, inputs: TensorInfo[]) => (prev === null ? inputs : [...inputs, ps.later(prev)]);
  for (const dir of dirs) {
    const [A, B] = dir === 'AB' ? [T, P] : [P, T];
    const X = ps.temp(klXProgram(batch, d, w, layout, minDiag), [A, B]);
    value = ps.run(klValueProgram(batch, d, w, layout, minDiag, value !== null), withAcc(value, [X, A, B]));
    if (!grad) continue;
    const Y = ps.temp(klYProgram(batch, d, w, layout, minDiag), [X, B]);
    const [prevA, prevB] = dir === 'AB' ? [gT, gP] : [gP, gT];
    const gB = ps.run(klGradBProgram(batch, d, w, layout, minDiag, prevB !== null), withAcc(prevB, [X, Y, B]));
    const gA = ps.run(klGradAProgram(batch, d, w, layout, minDiag, prevA !== null), withAcc(prevA, [Y, A]));
    [gT, gP] = dir === 'AB' ? [gA, gB] : [gB, gA];
  }
  return grad ? [value as TensorInfo, gT as TensorInfo, gP as TensorInfo] : [value as TensorInfo];
}

/** [value, grad yPred]: one Gaussian per row (`K` = 0) or a mixture of `K`; as webgl's nll(). */
function nll(ps: Passes, [x, yp]: TensorInfo[], attrs: NamedAttrMap, K: number, grad: boolean): TensorInfo[] {
  const {dim: d, layout, minDiag} = attrs as GaussianNLLAttrs;
  if (layout === 'lowrank') throw new Error(`${GaussianNLL.name}: webgpu has no fused 'lowrank' kernel (the dispatcher runs the composite path).`);
  const X = x as TensorInfo;
  const Yr = yp as TensorInfo;
  const batch = Yr.shape[0] as number;
  const s: NllShape = {batch, d, k: Math.max(K, 1), off: K, cw: widthOf(d, layout), wy: Yr.shape[1] as number,
    wx: X.shape[1] as number, layout};
  const diag = layout === 'diag';
  const ZW = diag ? null : ps.temp(nllZWProgram(s, minDiag), [X, Yr]);
  const first = diag ? X : ZW as TensorInfo;
  let value: TensorInfo;
  let N: TensorInfo | null = null;
  if (K === 0) {
    value = ps.run(nllValueProgram(s, minDiag), [first, Yr]);
  } else {
    N = ps.temp(nllValueProgram(s, minDiag), [first, Yr]);
    value = ps.run(mixtureValueProgram(batch, K, s.wy), [Yr, N]);
  }
  if (!grad) return [value];
  const R = K === 0 ? [] : [ps.temp(mixtureRespProgram(batch, K, s.wy), [Yr, N as TensorInfo])];
  // The points' gradient is the op's to derive (kernel_names.ts): no pass for it.
  return [value, ps.run(nllGradYProgram(s, minDiag), [first, Yr, ...R])];
}

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
  const width = X.shape.slice(1).reduce((a, b) => a * b, 1);
  return [ps.run({...scaleRowsProgram(X.shape[0] as number, width), outputShape: X.shape}, [X, scale as TensorInfo])];
}

const both = (p: Primitive, value: Run, withGrad: Run): KernelConfig[] =>
  [kernel(p.name, p.inputNames, value), kernel(p.gradName, p.gradInputNames, withGrad)];

export const webgpuKernelConfigs: readonly KernelConfig[] = [
  ...both(GaussianKL, (ps, i, a) => kl(ps, i, a, false), (ps, i, a) => kl(ps, i, a, true)),
  ...both(GaussianNLL, (ps, i, a) => nll(ps, i, a, 0, false), (ps, i, a) => nll(ps, i, a, 0, true)),
  ...both(GaussianMixtureNLL,
    (ps, i, a) => nll(ps, i, a, (a as GaussianMixtureNLLAttrs).components, false),
    (ps, i, a) => nll(ps, i, a, (a as GaussianMixtureNLLAttrs).components, true)),
  ...both(TriangularSolve, solve, solveGrad),
  kernel(ScaleRows, ['x', 'scale'], scaleRows),
];

// The composite path serves the 'lowrank' rows here.
declareFusedLayouts('webgpu', DENSE_LAYOUTS);
registerKernelList(webgpuKernelConfigs);

/**
 * One contract per primitive, declared once, as tfjs-core's kernel_names.ts
 * does: the kernel name, the input names and types, and the attributes.
 * Backends implement these names (kernels/<backend>/register.ts), the
 * composite path implements them with tf ops (kernels/composite/), and the
 * dispatcher (fused_op.ts) picks between the two.
 *
 * Each primitive also names how its fused kernels differentiate:
 * - `'rows'`: the value is one number per row of the inputs (`[B]` from
 *   `[B, ...]` inputs), so its Jacobian is block diagonal. A
 *   `<name>WithGrad` kernel returns `[value, d value / d input, ...]` for
 *   the inputs in `gradInputs` in one pass (a training step needs both, and
 *   they share the solves), and the backward pass only scales those rows by
 *   `dy` (`ScaleRows`). An input outside `gradInputs` has a gradient that
 *   follows from theirs (the NLL's point gradient is minus its mean
 *   gradient): the op derives it only when a tape asks for it, which
 *   model.fit never does for its targets.
 * - `'elementwise'`: one input, and an output of its shape whose entry `i`
 *   depends on input entry `i` only. A `<name>WithGrad` kernel returns
 *   `[value, d value_i / d x_i]` in one pass (they share the expensive part,
 *   such as an exponential), and the backward pass multiplies the second by
 *   `dy` (a tfjs Mul, native on every backend).
 * - `'backward'`: a `<name>Grad` kernel takes the inputs, the output `y` and
 *   the upstream `dy`, and returns one gradient per input.
 * - `'none'`: no gradient (a metric's statistic); only the value kernel.
 */
import {NamedAttrMap, NamedTensorInfoMap} from '@tensorflow/tfjs-core';

import {GaussianLayout} from '../layout/row_layout.js';

export type GradMode = 'rows' | 'elementwise' | 'backward' | 'none';

/** A primitive's contract. `A` is its attribute type (carried by the type only). */
export interface Primitive<I extends string = string, A extends NamedAttrMap = NamedAttrMap> {
  /** Kernel name of the value kernel. */
  readonly name: string;
  /** Input names, in the order the dispatcher's op takes them. */
  readonly inputNames: readonly I[];
  readonly grad: GradMode;
  /** `<name>WithGrad` (`'rows'`, `'elementwise'`), `<name>Grad` (`'backward'`), or the name itself (`'none'`). */
  readonly gradName: string;
  /** Inputs the gradient kernel reads, of `inputNames`, `'y'` and `'dy'` (`'backward'` only). */
  readonly gradInputNames: readonly string[];
  /** `'rows'`: the inputs whose gradients the `WithGrad` kernel returns, in input order (default: all). */
  readonly gradInputs: readonly I[];
  /** Phantom field: never set; ties the attribute type to the contract. */
  readonly attrs?: A;
}

function primitive<I extends string, A extends NamedAttrMap>(
    name: string, inputNames: readonly I[], grad: GradMode, gradInputNames?: readonly string[],
    gradInputs?: readonly I[]): Primitive<I, A> {
  return {
    name, inputNames, grad,
    gradName: grad === 'rows' || grad === 'elementwise' ? `${name}WithGrad` : grad === 'backward' ? `${name}Grad` : name,
    gradInputNames: gradInputNames ?? inputNames,
    gradInputs: gradInputs ?? inputNames,
  };
}

/**
 * Which KL a KL loss computes: `KL(true ‖ pred)`, `KL(pred ‖ true)`, or their sum.
 *
 * @category kernels
 */
export type KLDirection = 'forward' | 'reverse' | 'symmetric';

/** Attributes shared by the Gaussian losses: rows of `dim`-variate Gaussians in `layout`. */
export interface GaussianRowAttrs extends NamedAttrMap {
  dim: number;
  layout: GaussianLayout;
  /** Diagonal guard (see shared/js_math.ts `guardDiag`); 0 disables it. */
  minDiag: number;
}

/**
 * Per-row KL divergence between the Gaussians in `yTrue [B, W]` and
 * `yPred [B, W]`: `KL(true ‖ pred)` (`'forward'`), `KL(pred ‖ true)`
 * (`'reverse'`) or their sum (`'symmetric'`). Output `[B]`.
 */
export interface GaussianKLAttrs extends GaussianRowAttrs {
  direction: KLDirection;
}
export type GaussianKLInputs = Pick<NamedTensorInfoMap, 'yTrue' | 'yPred'>;
export const GaussianKL = primitive<keyof GaussianKLInputs, GaussianKLAttrs>(
  'TfjsGaussianKL', ['yTrue', 'yPred'], 'rows');

/**
 * Per-row negative log-likelihood of the points in the first `dim` columns
 * of `x [B, Wx]` (`Wx = dim`, or padded to `W`) under the Gaussians in
 * `yPred [B, W]`. Output `[B]`. `WithGrad` returns `[value, d/dyPred]`:
 * the point's gradient is minus the mean's (the first `dim` columns of
 * every layout), 0 on the padding.
 */
export type GaussianNLLAttrs = GaussianRowAttrs;
export type GaussianNLLInputs = Pick<NamedTensorInfoMap, 'x' | 'yPred'>;
export const GaussianNLL = primitive<keyof GaussianNLLInputs, GaussianNLLAttrs>(
  'TfjsGaussianNLL', ['x', 'yPred'], 'rows', undefined, ['yPred']);

/**
 * `L X = rhs` (or `Lᵀ X = rhs` when `adjoint`) for `matrix [B, d, d]`, of
 * which only the lower triangle is read, and `rhs [B, d, k]`. Output `[B, d, k]`.
 * Its gradient kernel reads `matrix`, the solution `y` and `dy`.
 */
export interface TriangularSolveAttrs extends NamedAttrMap {
  adjoint: boolean;
}
export type TriangularSolveInputs = Pick<NamedTensorInfoMap, 'matrix' | 'rhs'>;
export const TriangularSolve = primitive<keyof TriangularSolveInputs, TriangularSolveAttrs>(
  'TfjsGaussianTriangularSolve', ['matrix', 'rhs'], 'backward', ['matrix', 'y', 'dy']);

/**
 * Per-row negative log-likelihood of the points in the first `dim` columns
 * of `x [B, Wx]` under Gaussian mixtures, rows `yPred [B, W]` of
 * `[logits (K) | K component rows in layout]` (layout/mixture_layout.ts):
 * `−log Σ_k softmax(logits)_k N(x | μ_k, L_k L_kᵀ)`. Output `[B]`.
 * `WithGrad` returns `[value, d/dyPred]`: the point's gradient is minus the
 * sum of the component means' gradients.
 */
export interface GaussianMixtureNLLAttrs extends GaussianRowAttrs {
  components: number;
}
export type GaussianMixtureNLLInputs = GaussianNLLInputs;
export const GaussianMixtureNLL = primitive<keyof GaussianMixtureNLLInputs, GaussianMixtureNLLAttrs>(
  'TfjsGaussianMixtureNLL', ['x', 'yPred'], 'rows', undefined, ['yPred']);

/**
 * Lower Cholesky factor `L` of `a [B, n, n]` (only its lower triangle is
 * read), `a = L Lᵀ`. A matrix that is not positive definite (a pivot that is
 * not > 0, or NaN) gives NaN for every entry of its factor. The gradient
 * kernel reads the factor `y` and `dy`, and returns the symmetric gradient
 * (as TensorFlow and PyTorch do): ½(S + Sᵀ), S = L⁻ᵀ Φ(Lᵀ dy) L⁻¹, where Φ
 * keeps the lower triangle and halves the diagonal.
 */
export type CholeskyAttrs = NamedAttrMap;
export type CholeskyInputs = Pick<NamedTensorInfoMap, 'a'>;
export const Cholesky = primitive<keyof CholeskyInputs, CholeskyAttrs>(
  'TfjsGaussianCholesky', ['a'], 'backward', ['y', 'dy']);

/** The per-row statistics of the calibration metrics (metrics/). */
export type RowStatistic = 'mahalanobisSquared' | 'coverage' | 'crps';

/**
 * One number per row of the points in the first `dim` columns of
 * `x [B, Wx]` and the Gaussians in `yPred [B, W]`, output `[B]`:
 * `'mahalanobisSquared'`, M² = ‖L⁻¹(x − μ)‖² with the diagonal guard;
 * `'coverage'`, 1 where M² ≤ `bound` else 0; `'crps'`, the CRPS of each
 * marginal N(μ_i, Σ_ii) averaged over the d dimensions (σ_i kept ≥ minDiag).
 * No gradient: metrics run off the tape.
 */
export interface GaussianRowStatisticAttrs extends GaussianRowAttrs {
  statistic: RowStatistic;
  /** The bound on M² (a χ²_d quantile) of `'coverage'`; ignored by the others (pass 0). */
  bound: number;
}
export type GaussianRowStatisticInputs = GaussianNLLInputs;
export const GaussianRowStatistic = primitive<keyof GaussianRowStatisticInputs, GaussianRowStatisticAttrs>(
  'TfjsGaussianRowStatistic', ['x', 'yPred'], 'none');

/**
 * The fair energy score of draws `samples [S, B, d]` for points `y [B, d]`,
 * output `[B]`: (1/S) Σ_s ‖X_s − y‖ − Σ_{s≠t} ‖X_s − X_t‖ / (2S(S − 1)).
 * No gradient (a metric's statistic).
 */
export type EnergyScoreInputs = Pick<NamedTensorInfoMap, 'samples' | 'y'>;
export const EnergyScore = primitive<keyof EnergyScoreInputs, NamedAttrMap>('TfjsGaussianEnergyScore', ['samples', 'y'], 'none');

/**
 * Helper kernel of the `'rows'` backward pass: `x [B, ...] * scale [B]`, row
 * by row. Optional per backend: without it the dispatcher broadcasts a tf.mul.
 */
export interface HeadTransformAttrs extends NamedAttrMap {
  dim: number;
  layout: GaussianLayout;
  /** 0 for one Gaussian per row; K for mixture rows `[K logits | K rows]`. */
  components: number;
  /** Added to the softplus of each scale entry. */
  diagShift: number;
}
export type HeadTransformInputs = Pick<NamedTensorInfoMap, 'x'>;
/**
 * The head transform of gaussianHead and gaussianMixtureHead, elementwise
 * over rows `[..., W]`: kept columns pass through, scale columns become
 * `softplus(x) + diagShift`, the rest (the 'full' layout's upper triangle)
 * 0. Its `WithGrad` kernel also returns the elementwise derivative (1,
 * `sigmoid(x)` or 0), from the same exponential as the softplus.
 */
export const HeadTransform = primitive<keyof HeadTransformInputs, HeadTransformAttrs>(
  'TfjsGaussianHead', ['x'], 'elementwise');

export const ScaleRows = 'TfjsGaussianScaleRows';
export type ScaleRowsInputs = Pick<NamedTensorInfoMap, 'x' | 'scale'>;

/**
 * The primitives every backend with fused kernels implements: the losses and
 * the solve. A backend "has fused kernels" when it registers all of them.
 */
export const CORE_PRIMITIVES: readonly Primitive[] = [GaussianKL, GaussianNLL, GaussianMixtureNLL, TriangularSolve];

/**
 * Every primitive with fused kernels somewhere. Cholesky and the metrics'
 * row statistics and energy score are fused on the backends that compute on the CPU (cpu,
 * wasm, tensorflow); on the GPU backends they run the composite path
 * (kernels/webgl/register.ts says why for Cholesky; a metric's few
 * elementwise ops gain little from a GPU program of their own).
 */
export const PRIMITIVES: readonly Primitive[] = [...CORE_PRIMITIVES, Cholesky, GaussianRowStatistic, EnergyScore, HeadTransform];

/**
 * The internal ops behind every public function: one `fusedOp` per
 * primitive of kernel_names.ts, with its composite. Importing this module
 * registers the library's flag and the fused kernels of every backend that
 * has them (the `register.ts` imports, the package's only side effects).
 */
import './register.js';
import './cpu/register.js';
import './wasm/register.js';
import './tensorflow/register.js';
import './webgl/register.js';
import './webgpu/register.js';

import {compositeCholesky} from './composite/cholesky.js';
import {compositeEnergyScore} from './composite/energy_score.js';
import {compositeGaussianHead} from './composite/gaussian_head.js';
import {compositeGaussianKL} from './composite/gaussian_kl.js';
import {compositeGaussianMixtureNLL} from './composite/gaussian_mixture_nll.js';
import {compositeGaussianNLL} from './composite/gaussian_nll.js';
import {mixturePointGrad, nllPointGrad} from './composite/point_grad.js';
import {compositeRowStatistic} from './composite/row_statistic.js';
import {compositeTriangularSolve} from './composite/triangular_solve.js';
import {fusedOp} from './fused_op.js';
import {
  Cholesky, EnergyScore, GaussianKL, GaussianMixtureNLL, GaussianNLL, GaussianRowStatistic, HeadTransform, TriangularSolve,
} from './kernel_names.js';

/** Per-row KL, `[B, W], [B, W] -> [B]`. */
export const gaussianKLOp = fusedOp(GaussianKL, compositeGaussianKL);
/** Per-row NLL, `[B, d or W], [B, W] -> [B]`. */
export const gaussianNLLOp = fusedOp(GaussianNLL, compositeGaussianNLL, {x: nllPointGrad});
/** Per-row Gaussian-mixture NLL, `[B, d or W], [B, K + K·w] -> [B]`. */
export const gaussianMixtureNLLOp = fusedOp(GaussianMixtureNLL, compositeGaussianMixtureNLL, {x: mixturePointGrad});
/** Lower-triangular solve, `[B, d, d], [B, d, k] -> [B, d, k]`. */
export const triangularSolveOp = fusedOp(TriangularSolve, compositeTriangularSolve);
/** Cholesky factor, `[B, n, n] -> [B, n, n]`, NaN for a matrix that is not positive definite. */
export const choleskyOp = fusedOp(Cholesky, compositeCholesky);
/** A calibration metric's per-row statistic, `[B, d or W], [B, W] -> [B]`, no gradient. */
export const gaussianRowStatisticOp = fusedOp(GaussianRowStatistic, compositeRowStatistic);
/** The fair energy score of draws, `[S, B, d], [B, d] -> [B]`, no gradient. */
export const energyScoreOp = fusedOp(EnergyScore, compositeEnergyScore);
/** The head transform of gaussianHead and gaussianMixtureHead, elementwise over rows `[..., W]`. */
export const gaussianHeadOp = fusedOp(HeadTransform, compositeGaussianHead);

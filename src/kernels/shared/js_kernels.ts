/**
 * Every typed-array kernel, one flat list: what a backend that can read its
 * tensors as typed arrays registers through its adapter.
 */
import {choleskyGradSpec, choleskySpec} from './cholesky_impl.js';
import {gaussianHeadSpec, gaussianHeadWithGradSpec} from './gaussian_head_impl.js';
import {gaussianKLSpec, gaussianKLWithGradSpec} from './gaussian_kl_impl.js';
import {gaussianMixtureNLLSpec, gaussianMixtureNLLWithGradSpec} from './gaussian_mixture_nll_impl.js';
import {gaussianNLLSpec, gaussianNLLWithGradSpec} from './gaussian_nll_impl.js';
import {JsKernelSpec} from './js_kernel.js';
import {energyScoreSpec} from './energy_score_impl.js';
import {gaussianRowStatisticSpec} from './row_statistic_impl.js';
import {scaleRowsSpec} from './scale_rows_impl.js';
import {triangularSolveGradSpec, triangularSolveSpec} from './triangular_solve_impl.js';

export const JS_KERNELS: readonly JsKernelSpec[] = [
  gaussianKLSpec, gaussianKLWithGradSpec,
  gaussianNLLSpec, gaussianNLLWithGradSpec,
  gaussianMixtureNLLSpec, gaussianMixtureNLLWithGradSpec,
  triangularSolveSpec, triangularSolveGradSpec,
  choleskySpec, choleskyGradSpec,
  gaussianRowStatisticSpec,
  energyScoreSpec,
  scaleRowsSpec,
  gaussianHeadSpec, gaussianHeadWithGradSpec,
];

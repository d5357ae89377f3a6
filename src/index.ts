/**
 * tfjs-gaussian: Gaussian and Gaussian-mixture outputs for TensorFlow.js. This file is the
 * whole public surface.
 *
 * Importing the package registers its fused kernels for the backends that
 * have them (`hasFusedKernels(name)` says which); every other backend uses
 * the composite path.
 */
export {fillTriangular} from './linalg/fill_triangular.js';
export {fillTriangularInverse} from './linalg/fill_triangular_inverse.js';
export {triangularSolve} from './linalg/triangular_solve.js';
export type {TriangularSolveOptions} from './linalg/triangular_solve.js';
export {buildCovarianceMatrix} from './linalg/build_covariance_matrix.js';
export {cholesky} from './linalg/cholesky.js';
export type {CholeskyOptions} from './linalg/cholesky.js';

export {klDivergence} from './distributions/kl_divergence.js';
export type {KLDivergenceOptions} from './distributions/kl_divergence.js';
export {gaussianLogProb} from './distributions/gaussian_log_prob.js';
export type {GaussianLogProbOptions} from './distributions/gaussian_log_prob.js';
export {gaussianEntropy} from './distributions/gaussian_entropy.js';
export {Distribution} from './distributions/distribution.js';
export {MultivariateNormalTriL} from './distributions/mvn_tril.js';
export type {MultivariateNormalOptions} from './distributions/mvn_tril.js';
export {MultivariateNormalDiag} from './distributions/mvn_diag.js';
export {LowRankMultivariateNormal} from './distributions/mvn_lowrank.js';
export {gaussianParamsSize} from './distributions/gaussian_params_size.js';
export {unpackGaussian} from './distributions/unpack_gaussian.js';
export type {UnpackGaussianOptions} from './distributions/unpack_gaussian.js';
export {packGaussian} from './distributions/pack_gaussian.js';
export {unpackLowRank} from './distributions/unpack_low_rank.js';
export type {UnpackLowRankOptions} from './distributions/unpack_low_rank.js';
export {packLowRank} from './distributions/pack_low_rank.js';
export {sampleGaussian} from './distributions/sample_gaussian.js';
export {gaussianMixtureParamsSize} from './distributions/gaussian_mixture_params_size.js';
export {unpackGaussianMixture} from './distributions/unpack_gaussian_mixture.js';
export type {GaussianMixtureOptions} from './distributions/unpack_gaussian_mixture.js';
export {packGaussianMixture} from './distributions/pack_gaussian_mixture.js';
export {gaussianMixtureLogProb} from './distributions/gaussian_mixture_log_prob.js';
export {sampleGaussianMixture} from './distributions/sample_gaussian_mixture.js';

export {gaussianKLLoss} from './losses/gaussian_kl_loss.js';
export type {GaussianKLLossOptions} from './losses/gaussian_kl_loss.js';
export {gaussianNLLLoss} from './losses/gaussian_nll_loss.js';
export {gaussianMixtureNLLLoss} from './losses/gaussian_mixture_nll_loss.js';
export type {GaussianMixtureLossOptions} from './losses/gaussian_mixture_nll_loss.js';
export {padTargets} from './losses/pad_targets.js';
export type {PadTargetsOptions} from './losses/pad_targets.js';
export type {GaussianLossFn, GaussianLossOptions} from './losses/loss_args.js';

export {gaussianCoverage} from './metrics/gaussian_coverage.js';
export type {GaussianCoverageOptions} from './metrics/gaussian_coverage.js';
export {gaussianMixtureCoverage} from './metrics/gaussian_mixture_coverage.js';
export type {GaussianMixtureCoverageOptions} from './metrics/gaussian_mixture_coverage.js';
export {gaussianCRPS} from './metrics/gaussian_crps.js';
export {gaussianMixtureCRPS} from './metrics/gaussian_mixture_crps.js';
export {gaussianPIT} from './metrics/gaussian_pit.js';
export {gaussianMixturePIT} from './metrics/gaussian_mixture_pit.js';
export {energyScore} from './metrics/energy_score.js';
export {gaussianEnergyScore} from './metrics/gaussian_energy_score.js';
export type {GaussianEnergyScoreOptions} from './metrics/gaussian_energy_score.js';
export {gaussianMixtureEnergyScore} from './metrics/gaussian_mixture_energy_score.js';
export {calibrationReport} from './metrics/calibration_report.js';
export type {CalibrationReport, CalibrationReportOptions} from './metrics/calibration_report.js';
export {fitCovarianceScale} from './metrics/fit_covariance_scale.js';
export {scaleCovariance} from './metrics/scale_covariance.js';
export type {CovarianceScaleOptions} from './metrics/scale_covariance.js';
export type {GaussianMetricFn, GaussianMetricOptions, GaussianMixtureMetricOptions} from './metrics/metric_args.js';

import './layers/register.js';
export {GaussianHead, gaussianHead} from './layers/gaussian_head.js';
export type {GaussianHeadArgs} from './layers/gaussian_head.js';
export {GaussianMixtureHead, gaussianMixtureHead} from './layers/gaussian_mixture_head.js';
export type {GaussianMixtureHeadArgs} from './layers/gaussian_mixture_head.js';
export {GaussianLatent, gaussianLatent} from './layers/gaussian_latent.js';
export type {GaussianLatentArgs, GaussianLatentPrior} from './layers/gaussian_latent.js';
export {evaluateObjective} from './layers/evaluate_objective.js';
export type {EvaluateObjectiveArgs, ObjectiveValue} from './layers/evaluate_objective.js';

export type {GaussianLayout} from './layout/row_layout.js';
export type {KLDirection} from './kernels/kernel_names.js';
export {FORCE_COMPOSITE_FLAG, hasFusedKernels} from './kernels/fused_op.js';

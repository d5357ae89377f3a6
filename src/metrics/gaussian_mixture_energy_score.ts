import * as tf from '@tensorflow/tfjs-core';

import {GaussianEnergyScoreOptions} from './gaussian_energy_score.js';
import {checkSamples, GaussianMetricFn, metricSpec, perSampleMetric} from './metric_args.js';
import {energyScoreRows, sampleRows} from './statistics.js';

/**
 * {@link gaussianEnergyScore} for Gaussian mixtures: the fair energy score
 * from `samples` draws of each predicted mixture. Lower is better.
 *
 * Shape contract: as {@link gaussianMixtureNLLLoss}, `-> [...]`.
 *
 * ```js
 * const es = gaussianMixtureEnergyScore({components: 2, layout: 'diag', samples: 8, seed: 1});
 * es([[0]], [[0, 0, -1, 1, 1, 1]]).shape;  // [1]
 * ```
 *
 * @param options `components` (required), `samples` (64), `seed`, and the
 *   loss options.
 *
 * @category metrics
 */
export function gaussianMixtureEnergyScore(options: GaussianEnergyScoreOptions & {components: number}):
  GaussianMetricFn {
  const fn = 'gaussianMixtureEnergyScore';
  const spec = metricSpec(fn, options, 'yes');
  const S = options.samples ?? 64;
  checkSamples(fn, S, 2);
  return perSampleMetric(fn, spec, fn, ({yTrue, yPred, dim}) =>
    energyScoreRows(sampleRows(yPred, dim, spec.layout, spec.components, S, options.seed),
      tf.slice(yTrue, [0, 0], [-1, dim])));
}

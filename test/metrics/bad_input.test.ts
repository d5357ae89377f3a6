/**
 * One test per row of the README's bad-input table for the calibration
 * metrics and functions: each message names the function, the argument and
 * what it received.
 */
import * as tf from '@tensorflow/tfjs';

import {
  calibrationReport, energyScore, fitCovarianceScale, gaussianCoverage, gaussianCRPS, gaussianEnergyScore,
  gaussianMixtureCoverage, gaussianMixtureCRPS, gaussianPIT, scaleCovariance,
} from '../../src/index';

const good = [[0, 0, 1, 0, 0.5, 1], [1, 1, 2, 0, 0.3, 1]];

const rows: Array<[string, () => unknown, RegExp]> = [
  ['a coverage level outside (0, 1)', () => gaussianCoverage({level: 1.5}),
    /^gaussianCoverage\(\): level must be in \(0, 1\), but got 1\.5\.$/],
  ['a mixture metric without components', () => gaussianMixtureCRPS({} as never),
    /^gaussianMixtureCRPS\(\): components must be a positive integer, but got undefined\.$/],
  ['components given to a one-Gaussian metric', () => gaussianCRPS({components: 2} as never),
    /^gaussianCRPS\(\): takes no components option \(got 2\); use the gaussianMixture\* form for mixtures\.$/],
  ['a yPred width that fits no dim', () => gaussianPIT()(tf.zeros([4, 2]), tf.zeros([4, 7])),
    /^gaussianPIT\(\): the width of yPred \(7, shape \[4,7\]\) fits no dim in the 'full' layout \(widths are d \+ d²: 2, 6, 12, 20, \.\.\.\)\.$/],
  ['yTrue of another batch size', () => fitCovarianceScale(tf.zeros([3, 2]), good),
    /^fitCovarianceScale\(\): yTrue and yPred must have the same batch shape, but got yTrue \[3,2\] and yPred \[2,6\]\.$/],
  ['too few draws for the fair energy score', () => gaussianEnergyScore({samples: 1}),
    /^gaussianEnergyScore\(\): samples must be an integer >= 2, but got 1\.$/],
  ['mixture draws that are not a positive integer', () => gaussianMixtureCoverage({components: 2, samples: 2.5}),
    /^gaussianMixtureCoverage\(\): samples must be an integer >= 1, but got 2\.5\.$/],
  ['energyScore draws of another shape than y', () => energyScore(tf.zeros([3, 4, 2]), tf.zeros([4, 3])),
    /^energyScore\(\): samples must have shape \[S, \.\.\.\[4,3\]\] to match y, but got samples \[3,4,2\] and y \[4,3\]\.$/],
  ['energyScore with one draw', () => energyScore(tf.zeros([1, 4, 2]), tf.zeros([4, 2])),
    /^energyScore\(\): the fair estimator needs at least 2 samples, but samples has shape \[1,4,2\]\.$/],
  ['a scale that is not finite and > 0', () => scaleCovariance(good, 0),
    /^scaleCovariance\(\): s must be a finite number > 0, but got 0\.$/],
  ['scaleCovariance rows that fit no dim', () => scaleCovariance([[0, 0, 1, 0, 1]], 2),
    /^scaleCovariance\(\): the width of yPred \(5, shape \[1,5\]\) does not fit any dim in the 'full' layout\.$/],
  ['calibrationReport with no histogram bins', () => calibrationReport([[0, 0]], [good[0]!], {bins: 0}),
    /^calibrationReport\(\): bins must be a positive integer, but got 0\.$/],
  ['calibrationReport with one energy-score draw', () => calibrationReport([[0, 0]], [good[0]!], {energyScoreSamples: 1}),
    /^calibrationReport\(\): energyScoreSamples must be an integer >= 2, but got 1\.$/],
];

describe('calibration metrics: bad input gets an error that names the function, the argument and the shapes', () => {
  it.each(rows)('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });

  it('gaussianCRPS({validateArgs}) names the sample and entry of a non-finite target', () => {
    expect(() => gaussianCRPS({validateArgs: true})([[0, 0], [NaN, 1]], good))
      .toThrow(/^gaussianCRPS\(\): yTrue has a non-finite value \(NaN\) at sample 1, entry 0 \(validateArgs\)\.$/);
  });

  it('gaussianCoverage({validateArgs}) names a zero Cholesky diagonal of yPred', () => {
    expect(() => gaussianCoverage({validateArgs: true})([[0, 0], [1, 1]], [good[0]!, [1, 1, 0, 0, 0.3, 1]]))
      .toThrow(/^gaussianCoverage\(\): yPred has a zero Cholesky diagonal L\[0\]\[0\] at sample 1, entry 2 \(validateArgs\)\.$/);
  });

  it('a failed call leaves tf.memory().numTensors unchanged', () => {
    const before = tf.memory().numTensors;
    const yt = tf.zeros([4, 2]);
    const yp = tf.zeros([4, 7]);
    expect(() => gaussianPIT()(yt, yp)).toThrow();
    expect(() => gaussianCRPS()(yt, yp)).toThrow();
    tf.dispose([yt, yp]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

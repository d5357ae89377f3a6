/**
 * calibrationReport against float64 fixtures (scipy, with
 * uncertainty-toolbox's definitions), and the statistical behaviour the
 * metrics exist for: calibrated models come out calibrated, models with the
 * covariance scaled by 0.5² or 2² do not, and fitCovarianceScale repairs an
 * overconfident one.
 */
import * as tf from '@tensorflow/tfjs';

import {rng} from '../../examples/heteroscedastic_data';
import {
  calibrationReport, CalibrationReport, fitCovarianceScale, gaussianCoverage, GaussianLayout, gaussianNLLLoss,
  gaussianMixtureNLLLoss, gaussianPIT, scaleCovariance,
} from '../../src/index';
import {areaBetween} from '../../src/metrics/calibration_report';
import {compositePath, expectClose, expectNoLeak, fixture} from '../helpers';

interface ReportCase {
  layout: GaussianLayout; d: number; yTrue: number[][]; yPred: number[][]; coverage: number[];
  miscalibrationArea: number; rmsCalibrationError: number; pitHistogram: number[]; nll: number; crps: number;
  sharpness: number;
}
const cases = fixture<{report: ReportCase[]}>('calibration.json').report;

describe('calibrationReport against the float64 fixtures', () => {
  it.each(cases.map((c) => [c.layout, c.d, c.yTrue.length, c] as const))(
    'calibrationReport (%s layout, d = %i, n = %i) gives scipy\'s coverage, PIT histogram and calibration errors', (_l, _d, _n, c) => {
      const r = calibrationReport(c.yTrue, c.yPred, {layout: c.layout, energyScoreSamples: 8});
      expect(r.n).toBe(c.yTrue.length);
      expect(r.dim).toBe(c.d);
      // Every point's level is >= 2e-5 from each level and bin edge (generator): the counts are exact.
      expect(r.coverage.map((v) => v.level)).toEqual(Array.from({length: 99}, (_, i) => (i + 1) / 100));
      expectClose(r.coverage.map((v) => v.observed), c.coverage, {rtol: 0, atol: 1e-12}, 'coverage');
      expectClose(r.pitHistogram, c.pitHistogram, {rtol: 0, atol: 1e-12}, 'PIT histogram');
      // Same counts; the area by 2e6-step quadrature in the generator (error < 1e-9).
      expectClose([r.miscalibrationArea], [c.miscalibrationArea], {rtol: 1e-8, atol: 1e-10}, 'area');
      expectClose([r.rmsCalibrationError], [c.rmsCalibrationError], {rtol: 1e-12, atol: 0}, 'rms');
      // Means of float32 per-point values (NLL via the kernel, CRPS, σ products).
      const tol = compositePath() ? {rtol: 1e-4, atol: 1e-5} : {rtol: 1e-5, atol: 1e-6};
      expectClose([r.nll, r.crps, r.sharpness], [c.nll, c.crps, c.sharpness], tol, 'nll, crps, sharpness');
    });

  it('areaBetween is the area between a piecewise-linear curve and the diagonal, crossings included', () => {
    expect(areaBetween([0, 1], [0, 1])).toBe(0);
    expect(areaBetween([0, 1], [1, 1])).toBeCloseTo(0.5, 15); // triangle above
    expect(areaBetween([0, 0.5, 1], [0.5, 0.5, 0.5])).toBeCloseTo(0.25, 15); // crosses at 0.5: two triangles
    expect(areaBetween([0, 1], [1, 0])).toBeCloseTo(0.5, 15); // crosses mid-segment
  });

  it('calibrationReport leaves tf.memory().numTensors unchanged', () => {
    const c = cases[0]!;
    const yt = tf.tensor2d(c.yTrue.slice(0, 20));
    const yp = tf.tensor2d(c.yPred.slice(0, 20));
    expectNoLeak(() => calibrationReport(yt, yp, {layout: c.layout, energyScoreSamples: 4}), 1);
    const mix = tf.concat([tf.zeros([20, 2]), yp, yp], 1);
    expectNoLeak(() => calibrationReport(yt, mix, {layout: c.layout, components: 2, samples: 4, energyScoreSamples: 4}), 1);
  });
});

// ------------------------------------------------------------ statistics
/** n points from known Gaussians (full, d = 3) or 3-component mixtures (diag, d = 2), and their true rows. */
function data(kind: 'gaussian' | 'mixture', n: number, seed: number): {y: number[][]; rows: number[][]} {
  const {uniform, normal} = rng(seed);
  const y: number[][] = [];
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (kind === 'gaussian') {
      const m = [normal(), 2 * normal(), normal()];
      const L = [[0.5 + uniform(), 0, 0], [0.4 * normal(), 0.5 + uniform(), 0], [0.4 * normal(), 0.4 * normal(), 0.5 + uniform()]];
      const e = [normal(), normal(), normal()];
      y.push(m.map((mi, r) => mi + L[r]!.reduce((s, l, k) => s + l * e[k]!, 0)));
      rows.push([...m, ...L.flat()]);
    } else {
      const logits = [normal(), normal(), normal()];
      const comps = [0, 1, 2].map(() => [3 * normal(), 3 * normal(), 0.3 + uniform(), 0.3 + uniform()]);
      const w = logits.map(Math.exp);
      let u = uniform() * w.reduce((a, b) => a + b, 0);
      let k = 0;
      while (k < 2 && u > w[k]!) u -= w[k++]!;
      const [m0, m1, s0, s1] = comps[k]!;
      y.push([m0! + s0! * normal(), m1! + s1! * normal()]);
      rows.push([...logits, ...comps.flat()]);
    }
  }
  return {y, rows};
}

const OPTS = {gaussian: {layout: 'full' as const}, mixture: {layout: 'diag' as const, components: 3}};

/**
 * The statistical tests check the algorithms, which do not depend on the
 * backend; the composite path's numerics are pinned by the fixture tests
 * above and in metrics.test.ts. On it the mixture cases (10^5 sampled
 * log-densities each, in float32 tf ops on the JS cpu backend) took 40 s of
 * this file's 47, so they run on the fused paths only.
 */
const statistical = (kind: 'gaussian' | 'mixture') => (kind === 'mixture' && compositePath() ? it.skip : it);

/** Kolmogorov–Smirnov distance of the PIT values from U(0, 1), from a report's 99 coverage levels and the ends. */
function ksFromCoverage(r: CalibrationReport): number {
  return Math.max(...r.coverage.map(({level, observed}) => Math.abs(observed - level)));
}

describe('calibrated models come out calibrated, broken ones do not', () => {
  const n = 1000;
  // 3 binomial standard errors at each level; the KS bound at 1 % is
  // 1.628/√n (asymptotic Kolmogorov quantile), on the 99-level grid
  // (a lower bound of the full sup).
  const se3 = (level: number) => 3 * Math.sqrt(level * (1 - level) / n);
  const ks1 = 1.628 / Math.sqrt(n);

  for (const kind of ['gaussian', 'mixture'] as const) {
    statistical(kind)(`true ${kind} parameters: coverage within 3 binomial standard errors at every level 0.01…0.99, PIT passes KS at 1 %`, () => {
      const {y, rows} = data(kind, n, 17);
      const r = calibrationReport(y, rows, {...OPTS[kind], samples: 50, energyScoreSamples: 8, seed: 3});
      for (const {level, observed} of r.coverage) expect(Math.abs(observed - level)).toBeLessThanOrEqual(se3(level));
      expect(ksFromCoverage(r)).toBeLessThan(ks1);
      expect(r.miscalibrationArea).toBeLessThan(0.02);
    });

    for (const s of [0.5, 2]) {
      statistical(kind)(`${kind} covariance scaled by ${s}²: coverage leaves the 3-SE band and PIT fails KS at 1 %`, () => {
        const {y, rows} = data(kind, n, 17);
        const r = calibrationReport(y, scaleCovariance(rows, s, OPTS[kind]), {...OPTS[kind], samples: 50, energyScoreSamples: 8, seed: 3});
        expect(r.coverage.some(({level, observed}) => Math.abs(observed - level) > se3(level))).toBe(true);
        expect(ksFromCoverage(r)).toBeGreaterThan(ks1);
        // Overconfident (s = 0.5): too few points inside; underconfident: too many.
        const at90 = r.coverage[89]!.observed;
        expect(s < 1 ? at90 < 0.9 - 0.1 : at90 > 0.9 + 0.05).toBe(true);
      });
    }
  }
});

describe('recalibration', () => {
  for (const kind of ['gaussian', 'mixture'] as const) {
    statistical(kind)(`fitCovarianceScale on a validation split repairs an overconfident ${kind} model: coverage at 0.9 within 0.03, lower NLL`, () => {
      // The "model" predicts the true means with the covariance shrunk by 0.4².
      const val = data(kind, 600, 21);
      const test = data(kind, 1000, 22);
      const opts = OPTS[kind];
      const over = (rows: number[][]) => scaleCovariance(rows, 0.4, opts);
      const s = fitCovarianceScale(val.y, over(val.rows), opts);
      expect(Math.abs(s - 2.5)).toBeLessThan(0.25); // the true factor, 1/0.4, up to sampling error
      const before = calibrationReport(test.y, over(test.rows), {...opts, samples: 50, energyScoreSamples: 8, seed: 1});
      const after = calibrationReport(test.y, scaleCovariance(over(test.rows), s, opts), {...opts, samples: 50, energyScoreSamples: 8, seed: 1});
      expect(Math.abs(before.coverage[89]!.observed - 0.9)).toBeGreaterThan(0.2);
      expect(Math.abs(after.coverage[89]!.observed - 0.9)).toBeLessThan(0.03);
      expect(after.nll).toBeLessThan(before.nll - 0.5);
      const nll = kind === 'gaussian' ? gaussianNLLLoss(opts) : gaussianMixtureNLLLoss(OPTS.mixture);
      expectClose([after.nll], [tf.mean(nll(test.y, scaleCovariance(over(test.rows), s, opts))).dataSync()[0]!],
        {rtol: 1e-5, atol: 0}, 'report nll = mean of the loss');
    });
  }

  it('gaussianCoverage and gaussianPIT batch means agree with calibrationReport', () => {
    const {y, rows} = data('gaussian', 500, 5);
    const r = calibrationReport(y, rows, {layout: 'full', energyScoreSamples: 8});
    const cover = tf.mean(gaussianCoverage({layout: 'full'})(y, rows)).dataSync()[0]!;
    expect(Math.abs(cover - r.coverage[89]!.observed)).toBeLessThan(1e-12 + 1 / 500);
    const pit = gaussianPIT({layout: 'full'})(y, rows);
    expect(Math.abs(tf.mean(pit).dataSync()[0]! - 0.5)).toBeLessThan(3 * Math.sqrt(1 / 12 / 500));
  });
});

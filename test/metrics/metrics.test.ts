/**
 * The calibration metrics against float64 fixtures from scipy and numpy
 * (scripts/make_fixtures.py, calibration.json): squared Mahalanobis
 * distances, PIT, coverage, CRPS (closed form, and quadrature for mixtures),
 * the energy score and the fitted covariance scale, on every backend.
 */
import * as tf from '@tensorflow/tfjs';

import {
  energyScore, fitCovarianceScale, gaussianCoverage, gaussianCRPS, gaussianEnergyScore, gaussianMixtureCoverage,
  gaussianMixtureCRPS, gaussianMixtureEnergyScore, gaussianMixturePIT, gaussianPIT, GaussianLayout, padTargets,
  scaleCovariance,
} from '../../src/index';
import {mahalanobisSquared} from '../../src/metrics/statistics';
import {compositePath, expectClose, expectExact, expectNoLeak, fixture, Tol} from '../helpers';

interface GaussianCase {
  layout: GaussianLayout; d: number; yTrue: number[][]; yPred: number[][]; mahalanobisSq: number[]; pit: number[];
  coverage50: boolean[]; coverage90: boolean[]; crps: number[]; nll: number[]; sharpness: number[]; scale: number;
}
interface MixtureCase {
  layout: GaussianLayout; components: number; d: number; yTrue: number[][]; yPred: number[][]; crps: number[];
  nll: number[]; scale: number;
}
interface EnergyCase {samples: number[][][]; y: number[][]; energyScore: number[]}
const F = fixture<{gaussian: GaussianCase[]; mixture: MixtureCase[]; energyScore: EnergyCase[]}>('calibration.json');

// M² = 2·NLL − d·log 2π − 2·Σ log|L_ii| (statistics.ts): the float32 NLL
// (|NLL| < 25 here) and log-determinant each carry ~2 roundings of their
// size, 25·1.2e-7·4 ≈ 1e-5 absolute; the composite path's NLL is float32
// throughout (its own tests allow 1e-4 relative).
const M2_TOL: Tol = compositePath() ? {rtol: 1e-4, atol: 1e-4} : {rtol: 1e-5, atol: 1e-5};
// PIT = F_χ²(M²): the χ² density (≤ 0.25 for d ≥ 2; for d = 1 the PIT is
// 2Φ(|z|) − 1, slope ≤ 0.8 in |z|) times the M² error, plus the series' 2e-6.
const PIT_TOL: Tol = compositePath() ? {rtol: 0, atol: 2e-4} : {rtol: 0, atol: 2e-5};
// CRPS: float32 marginal σ (one sqrt of a sum of squares) and tfjs erf
// (|error| ≤ 1.5e-7, A&S 7.1.26), values of order 1: a few 1e-7 relative.
const CRPS_TOL: Tol = {rtol: 1e-5, atol: 1e-6};

describe('calibration metrics, one Gaussian per row', () => {
  it.each(F.gaussian.map((c) => [c.layout, c.d, c] as const))(
    'squared Mahalanobis distance, gaussianPIT and gaussianCoverage (%s layout, d = %i) match scipy.stats.chi2', (_l, _d, c) => {
      const yt = tf.tensor2d(c.yTrue);
      const yp = tf.tensor2d(c.yPred);
      expectClose(mahalanobisSquared(yt, yp, c.d, c.layout, 1e-6), c.mahalanobisSq, M2_TOL, 'M²');
      expectClose(gaussianPIT({layout: c.layout})(yt, yp), c.pit, PIT_TOL, 'PIT');
      // Each point lies at least 1e-3 (in PIT) from the 0.5 and 0.9 bounds: exact.
      expectExact(gaussianCoverage({level: 0.5, layout: c.layout})(yt, yp), c.coverage50.map(Number));
      expectExact(gaussianCoverage({layout: c.layout})(yt, yp), c.coverage90.map(Number));
    });

  it.each(F.gaussian.map((c) => [c.layout, c.d, c] as const))(
    'gaussianCRPS (%s layout, d = %i) matches the float64 closed form (checked by quadrature in the generator)', (_l, _d, c) => {
      expectClose(gaussianCRPS({layout: c.layout})(c.yTrue, c.yPred), c.crps, CRPS_TOL, 'CRPS');
    });

  it.each(F.gaussian.map((c) => [c.layout, c.d, c] as const))(
    'fitCovarianceScale (%s layout, d = %i) matches the closed form sqrt(mean(M²)/d)', (_l, _d, c) => {
      const s = fitCovarianceScale(c.yTrue, c.yPred, {layout: c.layout});
      expect(Math.abs(s / c.scale - 1)).toBeLessThan(compositePath() ? 1e-4 : 1e-5);
    });

  it('metrics accept targets padded to the output width, and keep leading batch dimensions', () => {
    const c = F.gaussian.find((g) => g.layout === 'full' && g.d === 2)!;
    const padded = padTargets(c.yTrue, 'full');
    for (const m of [gaussianPIT(), gaussianCRPS(), gaussianCoverage()]) {
      expectClose(m(padded, c.yPred), m(c.yTrue, c.yPred), {rtol: 0, atol: 0}, m.name);
      expect(m(tf.reshape(c.yTrue, [2, 4, 2]), tf.reshape(c.yPred, [2, 4, 6])).shape).toEqual([2, 4]);
    }
  });

  it('gaussianCRPS tends to |y − μ| as σ → 0, and the minDiag guard keeps σ = 0 finite', () => {
    // z = 2e4: Φ = 1 and φ = 0 exactly, so CRPS = |y − μ| − σ/√π.
    const sharp = 2 - 1e-4 / Math.sqrt(Math.PI);
    expectClose(gaussianCRPS({layout: 'diag'})([[3]], [[1, 1e-4]]), [sharp], {rtol: 1e-7, atol: 0}, 'small σ');
    expectClose(gaussianCRPS({layout: 'diag'})([[3]], [[1, 0]]), [2], {rtol: 1e-6, atol: 0}, 'σ = 0 (guarded to 1e-6)');
  });

  it('metric names are the keys model.fit logs them under', () => {
    expect([gaussianCoverage().name, gaussianCoverage({level: 0.5}).name, gaussianCRPS().name, gaussianPIT().name,
      gaussianEnergyScore().name, gaussianMixtureCRPS({components: 2}).name])
      .toEqual(['gaussianCoverage90', 'gaussianCoverage50', 'gaussianCRPS', 'gaussianPIT', 'gaussianEnergyScore',
        'gaussianMixtureCRPS']);
  });

  it('every metric leaves tf.memory().numTensors unchanged', () => {
    const c = F.gaussian.find((g) => g.layout === 'packed' && g.d === 3)!;
    const yt = tf.tensor2d(c.yTrue);
    const yp = tf.tensor2d(c.yPred);
    for (const m of [gaussianPIT({layout: 'packed'}), gaussianCRPS({layout: 'packed'}), gaussianCoverage({layout: 'packed'}),
      gaussianEnergyScore({layout: 'packed', samples: 4, seed: 1})]) {
      expectNoLeak(() => m(yt, yp).dispose());
    }
    expectNoLeak(() => scaleCovariance(yp, 2, {layout: 'packed'}).dispose());
    expectNoLeak(() => fitCovarianceScale(yt, yp, {layout: 'packed'}));
  });
});

describe('calibration metrics, Gaussian mixtures', () => {
  it.each(F.mixture.map((c) => [c.layout, c.components, c.d, c] as const))(
    'gaussianMixtureCRPS (%s, K = %i, d = %i) matches quadrature of ∫(F(t) − 1{t ≥ y})² dt', (_l, _k, _d, c) => {
      const crps = gaussianMixtureCRPS({layout: c.layout, components: c.components})(c.yTrue, c.yPred);
      expectClose(crps, c.crps, CRPS_TOL, 'mixture CRPS');
    });

  it.each(F.mixture.map((c) => [c.layout, c.components, c.d, c] as const))(
    'fitCovarianceScale (%s, K = %i, d = %i) matches scipy.optimize on the float64 mixture NLL', (_l, _k, _d, c) => {
      // Bisection on the sign of the float32 gradient: log s to ~1e-6.
      const s = fitCovarianceScale(c.yTrue, c.yPred, {layout: c.layout, components: c.components});
      expect(Math.abs(s / c.scale - 1)).toBeLessThan(compositePath() ? 1e-4 : 2e-5);
    });

  it('gaussianMixtureCRPS of a one-component mixture equals gaussianCRPS', () => {
    const c = F.gaussian.find((g) => g.layout === 'full' && g.d === 3)!;
    const rows = c.yPred.map((r) => [0.7, ...r]);
    expectClose(gaussianMixtureCRPS({components: 1})(c.yTrue, rows), gaussianCRPS()(c.yTrue, c.yPred),
      {rtol: 1e-6, atol: 1e-7}, 'K = 1');
  });

  it('gaussianMixturePIT of a one-component mixture matches gaussianPIT within its sampling error', () => {
    // u = (count + V)/(S + 1): standard error √(u(1 − u)/S) ≤ 0.5/√4000 = 0.008; 4.5 of them.
    const c = F.gaussian.find((g) => g.layout === 'diag' && g.d === 2)!;
    const rows = c.yPred.map((r) => [0, ...r]);
    const u = gaussianMixturePIT({components: 1, layout: 'diag', samples: 4000, seed: 5})(c.yTrue, rows);
    expectClose(u, c.pit, {rtol: 0, atol: 0.036}, 'sampled PIT');
  });

  it('gaussianMixtureCoverage puts a mode inside and a far point outside, and is 0/1 valued', () => {
    const rows = [[0, 0, -2, 1, 2, 1], [0, 0, -2, 1, 2, 1]];
    expectExact(gaussianMixtureCoverage({components: 2, layout: 'diag', seed: 1})([[2], [9]], rows), [1, 0]);
  });

  it('mixture metrics leave tf.memory().numTensors unchanged', () => {
    const c = F.mixture[1]!;
    const opts = {layout: c.layout, components: c.components, samples: 8, seed: 2};
    for (const m of [gaussianMixtureCRPS(opts), gaussianMixtureCoverage(opts), gaussianMixturePIT(opts),
      gaussianMixtureEnergyScore(opts)]) {
      expectNoLeak(() => m(c.yTrue, c.yPred).dispose());
    }
    expectNoLeak(() => fitCovarianceScale(c.yTrue, c.yPred, opts));
  });
});

describe('energyScore', () => {
  // Sums of S and S² float32 norms of order 1 (the last case sits at 1e3,
  // where centring keeps the pair term exact, statistics.ts).
  it.each(F.energyScore.map((c) => [c.samples.length, c.y[0]!.length, c] as const))(
    'energyScore(S = %i, d = %i) matches the NumPy fair estimator on the same draws', (_s, _d, c) => {
      expectClose(energyScore(c.samples, c.y), c.energyScore, {rtol: 2e-5, atol: 2e-5}, 'ES');
    });

  it('energyScore with d = 1 and many draws approaches the closed-form CRPS', () => {
    // N(0, 1) at y = 0.7: CRPS = 0.4251181 (closed form); 2000 draws: ES s.e. ≈ 0.02.
    const draws = tf.randomNormal([2000, 1, 1], 0, 1, 'float32', 11);
    const crps = gaussianCRPS({layout: 'diag'})([[0.7]], [[0, 1]]);
    expectClose(energyScore(draws, [[0.7]]), crps, {rtol: 0, atol: 0.06}, 'ES vs CRPS');
  });

  it('gaussianEnergyScore prefers the true correlation to an uncorrelated model with the same marginals', () => {
    // Points from N(0, [[1, .95], [.95, 1]]); the diag model has the same
    // marginals. Expected ES (2e6 NumPy draws): 0.8145 true, 0.8591 diag, a
    // gap of 0.045; the paired gap over 2000 points has standard error
    // 0.0022 (measured), so 0.02 is over 10 of them below it.
    const n = 2000;
    const c = Math.sqrt(1 - 0.95 ** 2);
    const y = tf.matMul(tf.randomNormal([n, 2], 0, 1, 'float32', 3), tf.tensor2d([[1, 0], [0.95, c]]), false, true);
    const full = tf.tile(tf.tensor2d([[0, 0, 1, 0, 0.95, c]]), [n, 1]);
    const diag = tf.tile(tf.tensor2d([[0, 0, 1, 1]]), [n, 1]);
    const mean = (t: tf.Tensor) => tf.mean(t).dataSync()[0]!;
    const esFull = mean(gaussianEnergyScore({samples: 32, seed: 40})(y, full));
    const esDiag = mean(gaussianEnergyScore({samples: 32, seed: 40, layout: 'diag'})(y, diag));
    expect(esDiag - esFull).toBeGreaterThan(0.02);
    // The CRPS sees marginals only: the same for both models.
    expect(Math.abs(mean(gaussianCRPS()(y, full)) - mean(gaussianCRPS({layout: 'diag'})(y, diag)))).toBeLessThan(1e-5);
  });
});

describe('fused kernels read the current data (tfjs-node caches recent input copies by dataId)', () => {
  it('a metric on a variable sees its new value after assign, and an NLL step after it too', () => {
    const c = F.gaussian.find((g) => g.layout === 'full' && g.d === 2)!;
    const v = tf.variable(tf.tensor2d(c.yPred));
    const crps = gaussianCRPS();
    const first = crps(c.yTrue, v);
    expectClose(first, c.crps, CRPS_TOL, 'before assign');
    v.assign(tf.mul(v, 2));
    expectClose(crps(c.yTrue, v), gaussianCRPS()(c.yTrue, tf.mul(tf.tensor2d(c.yPred), 2)), {rtol: 0, atol: 0}, 'after assign');
    expect(Math.abs(tf.sub(crps(c.yTrue, v), first).dataSync()[0]!)).toBeGreaterThan(1e-3);
    v.dispose();
  });
});

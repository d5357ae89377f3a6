/**
 * The 'lowrank' layout, rows [mean (d) | σ (d) | W (d·r, row-major)] with
 * Σ = diag(σ²) + W Wᵀ: the NLL and KL losses against float64 torch
 * LowRankMultivariateNormal fixtures (values and gradients), W = 0 against
 * the 'diag' layout, a d = 65 536 step without any d × d allocation, the
 * options and their errors.
 */
import * as fs from 'fs';

import * as tf from '@tensorflow/tfjs';

import {
  gaussianHead, gaussianKLLoss, gaussianMixtureHead, gaussianMixtureNLLLoss, gaussianMixtureParamsSize, gaussianNLLLoss,
  gaussianParamsSize, packGaussian, packLowRank, padTargets, unpackGaussian, unpackLowRank,
} from '../../src/index';
import {compositePath, expectClose, expectExact, expectNoLeak, fixture, Tol} from '../helpers';

interface NLLCase {
  name: string; d: number; r: number; composite: boolean;
  x: number[][]; yPred: number[][]; nll: number[]; gradX: number[][]; gradPred: number[][];
}
interface KLCase {
  name: string; d: number; rTrue: number; rPred: number; direction: 'forward' | 'reverse' | 'symmetric'; composite: boolean;
  yTrue: number[][]; yPred: number[][]; kl: number[]; gradTrue: number[][]; gradPred: number[][];
}
interface MixtureCase { K: number; d: number; r: number; x: number[][]; yPred: number[][]; nll: number[]; gradX: number[][]; gradPred: number[][] }
const {nll: nllCases, kl: klCases, mixture: mixtureCases} =
  fixture<{nll: NLLCase[]; kl: KLCase[]; mixture: MixtureCase[]}>('lowrank.json');
const composite = compositePath();

// Tolerances. The fixtures are float64 torch values of the float32 inputs.
// Fused kernels (cpu, wasm, tensorflow) compute in float64 and round once.
// Measured worst (relative to |ref| + 1e-3): values 5.5e-8 (KL values reach
// 1.5e9 where σ spans 1e-3..1e3), gradients 3.7e-6 (small entries of the
// d = 32 symmetric KL, 1e-6 absolute). rtol 2e-5 with atol 1e-5: ≥ 5×.
// The composite path (float32 tf ops: a float32 Cholesky of the capacitance
// and a product-form solve) holds the well-conditioned cases (cond(C) ≲ 30;
// `composite: false` marks the others: σ over 1e-3..1e3, W 1000× σ, where
// float32 Woodbury loses up to ~1 relative in gradients, and the nearby
// pair's 3e-4). Measured there: values 2.5e-7 relative, gradients 1.2e-5
// absolute. Values rtol 1e-5 with atol 1e-5; gradients rtol 1e-4 with atol 5e-5.
const TOL: Tol = composite ? {rtol: 1e-5, atol: 1e-5} : {rtol: 2e-5, atol: 1e-5};
const GRAD_TOL: Tol = composite ? {rtol: 1e-4, atol: 5e-5} : {rtol: 2e-5, atol: 1e-5};
const held = <T extends {composite: boolean}>(c: T) => !composite || c.composite;

type Nested = number[] | number[][];

/** `loss(a, b)` per sample, and the gradients of its sum for both inputs, against the fixture's. */
function expectLossAndGrads(loss: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, a: number[][], b: number[][],
                            value: number[], gradA: Nested, gradB: Nested): void {
  const [ta, tb] = [tf.tensor2d(a), tf.tensor2d(b)];
  expectClose(loss(ta, tb), value, TOL, 'value');
  const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(loss(x, y)))([ta, tb]);
  expectClose(ga!, gradA, GRAD_TOL, 'gradient for the first input');
  expectClose(gb!, gradB, GRAD_TOL, 'gradient for the second input');
  tf.dispose([ta, tb, ga!, gb!]);
}

describe("the 'lowrank' layout: gaussianNLLLoss against torch LowRankMultivariateNormal", () => {
  it.each(nllCases.filter(held).map((c) => [c.name, c] as const))(
    '%s: per-sample values and the gradients for the point and the row', (_n, c) => {
      expectLossAndGrads(gaussianNLLLoss({layout: 'lowrank', rank: c.r}), c.x, c.yPred, c.nll, c.gradX, c.gradPred);
    });
});

describe("the 'lowrank' layout: gaussianKLLoss against torch kl_divergence(LowRank, LowRank)", () => {
  it.each(klCases.filter(held).map((c) => [c.name, c.direction, c] as const))(
    '%s (%s): per-sample values and the gradients for both rows', (_n, _dir, c) => {
      // Values near 0 (the nearby pair) are held to atol; their cancellation is float64.
      expectLossAndGrads(gaussianKLLoss({layout: 'lowrank', rank: c.rPred, rankTrue: c.rTrue, direction: c.direction}),
        c.yTrue, c.yPred, c.kl, c.gradTrue, c.gradPred);
    });
});

describe("the 'lowrank' layout: gaussianMixtureNLLLoss against torch MixtureSameFamily(LowRankMultivariateNormal)", () => {
  it.each(mixtureCases.map((c) => [c.K, c.d, c.r, c] as const))(
    'K = %i, d = %i, r = %i: per-sample values and the gradients for the point and the row', (_k, _d, _r, c) => {
      expectLossAndGrads(gaussianMixtureNLLLoss({components: c.K, layout: 'lowrank', rank: c.r}), c.x, c.yPred, c.nll,
        c.gradX, c.gradPred);
    });
});

describe("the 'lowrank' layout", () => {
  it("gaussianHead and gaussianMixtureHead map σ to softplus(x) + diagShift and pass the mean and W through", () => {
    const y = gaussianHead({dim: 2, layout: 'lowrank', rank: 1}).apply(tf.tensor2d([[1, -2, -1000, 0, -3, 4]])) as tf.Tensor;
    expectClose(y, [[1, -2, 1e-5, Math.log(2) + 1e-5, -3, 4]], {rtol: 1e-6, atol: 1e-7});
    const m = gaussianMixtureHead({components: 2, dim: 1, layout: 'lowrank', rank: 1})
      .apply(tf.tensor2d([[5, -5, 1, 0, -2, 3, -1000, 7]])) as tf.Tensor;
    expectClose(m, [[5, -5, 1, Math.log(2) + 1e-5, -2, 3, 1e-5, 7]], {rtol: 1e-6, atol: 1e-7});
    expect(() => gaussianHead({dim: 2, layout: 'lowrank'})).toThrow(/^gaussianHead\(\): the 'lowrank' layout needs rank/);
    expect(gaussianHead({dim: 2, layout: 'lowrank', rank: 3}).getConfig()['rank']).toBe(3);
  });

  it('padTargets pads to d(2 + r), and gaussianMixtureParamsSize counts low-rank components', () => {
    expectExact(padTargets([[1, 2]], {layout: 'lowrank', rank: 1}), [[1, 2, 0, 0, 0, 0]]);
    expect(padTargets([[1, 2]], {layout: 'lowrank', rank: 2, components: 3}).shape).toEqual([1, 3 + 3 * 8]);
    expect(gaussianMixtureParamsSize(3, 4, 'lowrank', 2)).toBe(51);
    expect(() => padTargets([[1, 2]], 'lowrank')).toThrow(/^padTargets\(\): the 'lowrank' layout needs rank/);
  });

  it('unpackLowRank and packLowRank give and take {mean, scaleDiag, covFactor}; unpackGaussian and packGaussian point to them', () => {
    const rows = [[1, 2, 0.5, 0.25, 3, -1, 4, 5]];
    const {mean, scaleDiag, covFactor} = unpackLowRank(rows, {rank: 2});
    expectExact(mean, [[1, 2]]);
    expectExact(scaleDiag, [[0.5, 0.25]]);
    expectExact(covFactor, [[[3, -1], [4, 5]]]);
    expectExact(packLowRank(mean, scaleDiag, covFactor), rows);
    expect(() => unpackLowRank([[1, 2, 3, 4, 5]], {rank: 1})).toThrow(
      /^unpackLowRank\(\): the width of y \(5, shape \[1,5\]\) must be d \(2 \+ 1\) in the 'lowrank' layout of rank 1\.$/);
    expect(() => packLowRank([1, 2], [1, 1], [[1], [1], [1]])).toThrow(
      /^packLowRank\(\): covFactor must have shape \[\.\.\., 2, r\] to match mean \[2\], but got shape \[3,1\]\.$/);
    expect(() => unpackGaussian(rows, {layout: 'lowrank'})).toThrow(/^unpackGaussian\(\): the 'lowrank' layout has no d × d factor; use unpackLowRank/);
    expect(() => packGaussian([1], [[1]], 'lowrank')).toThrow(/^packGaussian\(\): the 'lowrank' layout has no d × d factor; use packLowRank/);
  });

  it("with W = 0 it is the 'diag' layout: the same values and σ gradients, to float rounding", () => {
    const c = nllCases.find((k) => k.name === 'W = 0')!;
    const {d, r} = c;
    const rows = tf.tensor2d(c.yPred);
    const diagRows = tf.slice(rows, [0, 0], [-1, 2 * d]);
    const x = tf.tensor2d(c.x);
    const low = gaussianNLLLoss({layout: 'lowrank', rank: r});
    const diag = gaussianNLLLoss({layout: 'diag'});
    // One float32 rounding of values ~10 each side: 2e-6 absolute.
    expectClose(low(x, rows), diag(x, diagRows), {rtol: 2e-7, atol: 2e-6}, 'nll');
    const gLow = tf.grad((b: tf.Tensor) => tf.sum(low(x, b)))(rows);
    const gDiag = tf.grad((b: tf.Tensor) => tf.sum(diag(x, b)))(diagRows);
    expectClose(tf.slice(gLow, [0, 0], [-1, 2 * d]), gDiag, {rtol: 2e-6, atol: 2e-6}, 'gradients');
    const kLow = gaussianKLLoss({layout: 'lowrank', rank: r});
    const kDiag = gaussianKLLoss({layout: 'diag'});
    const other = tf.tensor2d(c.yPred.map((row) => row.map((v, i) => (i < 2 * d ? v * 1.1 + 0.1 : 0))));
    expectClose(kLow(rows, other), kDiag(diagRows, tf.slice(other, [0, 0], [-1, 2 * d])), {rtol: 2e-6, atol: 2e-6}, 'kl');
  });

  it("gaussianParamsSize(d, 'lowrank', r) = d(2 + r), and the losses infer d from the width for a given rank", () => {
    expect(gaussianParamsSize(4, 'lowrank', 2)).toBe(16);
    expect(gaussianParamsSize(1024, 'lowrank', 8)).toBe(10240);
    // d = 2, r = 1: N(0, diag(1) + w wᵀ) with w = 0 at the mean: log 2π.
    expectClose(gaussianNLLLoss({layout: 'lowrank', rank: 1})([[0, 0]], [[0, 0, 1, 1, 0, 0]]), [Math.log(2 * Math.PI)],
      {rtol: 1e-6, atol: 0});
  });

  it('the options are checked: rank is required by, and only by, the lowrank layout; widths must fit the rank', () => {
    expect(() => gaussianNLLLoss({layout: 'lowrank'})).toThrow(
      /^gaussianNLLLoss\(\): the 'lowrank' layout needs rank \(the number of columns of W\), but rank is missing\.$/);
    expect(() => gaussianKLLoss({layout: 'diag', rank: 2})).toThrow(
      /^gaussianKLLoss\(\): rank applies to the 'lowrank' layout only, but layout is 'diag' and rank is 2\.$/);
    expect(() => gaussianNLLLoss({layout: 'lowrank', rank: 1.5})).toThrow(/^gaussianNLLLoss\(\): rank must be a positive integer/);
    expect(() => gaussianParamsSize(3, 'lowrank')).toThrow(/^gaussianParamsSize\(\): the 'lowrank' layout needs rank/);
    expect(() => gaussianNLLLoss({layout: 'lowrank', rank: 2})(tf.zeros([4, 3]), tf.zeros([4, 13]))).toThrow(
      /^gaussianNLLLoss\(\): the width of yPred \(13, shape \[4,13\]\) fits no dim in the 'lowrank' layout of rank 2 \(widths are d\(2 \+ 2\): 4, 8, 12, 16, \.\.\.\)\.$/);
    expect(() => gaussianKLLoss({layout: 'lowrank', rank: 2, rankTrue: 1})(tf.zeros([4, 16]), tf.zeros([4, 16]))).toThrow(
      /^gaussianKLLoss\(\): yTrue must have width 12 to match yPred \(dim 4\)/);
  });

  it("validateArgs rejects a zero or negative σ in the 'lowrank' layout, naming the sample and entry", () => {
    expect(() => gaussianNLLLoss({layout: 'lowrank', rank: 1, validateArgs: true})([[0, 0]], [[0, 0, 1, -2, 0.5, 0.5]])).toThrow(
      /^gaussianNLLLoss\(\): yPred has a negative scale σ\[1\] = -2 at sample 0, entry 3: the 'lowrank' layout needs σ > 0 \(validateArgs\)\.$/);
  });

  it('σ = 0 gets the diagonal guard: a finite loss and finite gradients', () => {
    const y = tf.tensor2d([[0, 0, 0, 1, 0.5, 0.5]]);
    const g = tf.grad((b: tf.Tensor) => tf.sum(gaussianNLLLoss({layout: 'lowrank', rank: 1})([[0.5, 0]], b)))(y);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
  });

  it('the losses and their gradients leak no tensors', () => {
    const c = klCases[0]!;
    const kl = gaussianKLLoss({layout: 'lowrank', rank: c.rPred, rankTrue: c.rTrue});
    const n = nllCases[0]!;
    const nll = gaussianNLLLoss({layout: 'lowrank', rank: n.r});
    const t = tf.tensor2d(c.yTrue);
    const p = tf.tensor2d(c.yPred);
    const x = tf.tensor2d(n.x);
    const y = tf.tensor2d(n.yPred);
    expectNoLeak(() => {
      tf.dispose([kl(t, p), nll(x, y), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(kl(a, b)))([t, p]),
        ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(nll(a, b)))([x, y])]);
    });
    tf.dispose([t, p, x, y]);
  });
});

// The process's peak RSS since `resetPeakRss`. getrusage's maxRSS is the
// peak since the process began, which under `jest -w 1` includes every test
// run before this one in the same process; on Linux the peak (VmHWM) can be
// reset through /proc/self/clear_refs, elsewhere maxRSS serves.
function resetPeakRss(): void {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not Linux: peakRss falls back to getrusage
  }
}

function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m !== null) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

describe("the 'lowrank' layout at scale", () => {
  // A d × d float32 matrix at d = 65 536 is 16 GiB; the step's own tensors
  // are 4 rows of 6·65 536 floats (6 MiB with gradients).
  it('an NLL + gradient step at d = 65 536, r = 4, batch 4 runs, and the peak RSS grows by less than 1 GiB', () => {
    const d = 65536;
    const r = 4;
    const before = process.memoryUsage().rss;
    resetPeakRss();
    const x = tf.randomNormal([4, d], 0, 1, 'float32', 1);
    const y = tf.concat([tf.randomNormal([4, d], 0, 1, 'float32', 2), tf.randomUniform([4, d], 0.5, 1.5, 'float32', 3),
      tf.randomNormal([4, d * r], 0, 0.1, 'float32', 4)], 1);
    const loss = gaussianNLLLoss({layout: 'lowrank', rank: r});
    const {value, grad: g} = tf.valueAndGrad((b: tf.Tensor) => tf.sum(loss(x, b)))(y);
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    expect(g.shape).toEqual([4, d * (2 + r)]);
    expect(Array.from(g.dataSync().subarray(0, 1000)).every(Number.isFinite)).toBe(true);
    const peak = peakRss();
    expect(peak - before).toBeLessThan(2 ** 30);
    tf.dispose([x, y, value, g]);
  }, 120000);
});

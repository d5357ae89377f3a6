/**
 * In-page checks (bundled by test/browser/run.ts): on each browser backend
 * that starts, fillTriangular, triangularSolve, klDivergence, gaussianKLLoss,
 * gaussianNLLLoss (the 'full', 'packed', 'diag' and 'lowrank' layouts) and
 * gaussianMixtureNLLLoss (dense and low-rank components) give the values and gradients of the committed float64
 * fixtures, and the calibration metrics (gaussianPIT, gaussianCoverage,
 * gaussianCRPS, gaussianMixtureCRPS, energyScore) their scipy/numpy values,
 * and gaussianLatent's KL term and gradients their torch values,
 * within a tolerance stated per backend. Results go to
 * window.__checks for the runner.
 */
import * as tf from '@tensorflow/tfjs';
import {setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';

import {
  energyScore, FORCE_COMPOSITE_FLAG, fillTriangular, gaussianCoverage, gaussianLatent, MultivariateNormalDiag,
  MultivariateNormalTriL, gaussianCRPS, gaussianKLLoss, gaussianMixtureCRPS,
  gaussianMixtureNLLLoss, gaussianNLLLoss, gaussianPIT, hasFusedKernels, klDivergence, triangularSolve,
} from 'tfjs-gaussian';
import {lossStep} from '../../bench/browser/step';
import accuracyFixture from '../fixtures/accuracy.json';
import calibrationFixture from '../fixtures/calibration.json';
import diagFixture from '../fixtures/diag_losses.json';
import solveFixture from '../fixtures/triangular_solve.json';
import fillFixture from '../fixtures/fill_triangular.json';
import klFixture from '../fixtures/kl_divergence.json';
import lossFixture from '../fixtures/losses.json';
import mixtureFixture from '../fixtures/mixture_losses.json';
import latentFixture from '../fixtures/latent.json';
import lowRankFixture from '../fixtures/lowrank.json';

interface Tol { rtol: number; atol: number }
interface Failure { check: string; entry: number; actual: number; expected: number }
interface BackendResult {
  backend: string; ran: boolean; reason?: string; path?: string; tol?: Tol;
  passed: number; failed: number; worst: number; worstCheck?: string; failures: Failure[];
  /** Per loss+gradient step (bench/browser/step.ts), for KL and NLL at several d. */
  steps?: Array<{kind: string; d: number; kernels: number; programs: number}>;
  /** Wall time of this backend's checks, seconds (CI's time budget is watched per phase). */
  seconds?: number;
}

// cpu and wasm run the fast kernels (float64 inside): the Node suite's
// tolerances (rtol 1e-5, atol 2e-5). webgl runs the composite path in float32
// shaders: the Node composite tolerances (rtol 1e-4, atol 2e-4). Under
// SwiftShader (the software GPU used headless here) shaders compute in IEEE
// float32 and the measured worst error is ~1% of that tolerance; a real GPU
// may round differently, and this page (npm run demo, then /checks.html)
// reports the worst error on it.
const TOLS: Record<string, Tol> = {
  // (The composite path forced on webgl uses webgl's tolerance.)
  cpu: {rtol: 1e-5, atol: 2e-5},
  wasm: {rtol: 1e-5, atol: 2e-5},
  webgl: {rtol: 1e-4, atol: 2e-4},
  // WebGPU runs the composite path too (WGSL compute shaders, float32).
  webgpu: {rtol: 1e-4, atol: 2e-4},
};

type Nested = number | Nested[];
const flat = (x: Nested): number[] => (typeof x === 'number' ? [x] : x.flatMap(flat));

interface Pending { check: string; tol: Tol; actual: tf.Tensor; expected: Nested }

/**
 * Queues a comparison; `settle` reads the values later with the async
 * `data()`, which every backend supports (webgpu's synchronous read goes
 * through a canvas and returns zeros under headless SwiftShader).
 */
function compare(pending: Pending[], tol: Tol, check: string, actual: tf.Tensor, expected: Nested): void {
  pending.push({check, tol, actual: tf.keep(actual), expected});
}

async function settle(res: BackendResult, pending: Pending[]): Promise<void> {
  for (const {check, tol, actual, expected} of pending) {
    const a = await actual.data();
    actual.dispose();
    const e = flat(expected);
    let ok = a.length === e.length;
    for (let i = 0; i < Math.min(a.length, e.length); i++) {
      const err = Math.abs(a[i]! - e[i]!);
      const ratio = err === 0 ? 0 : err / (tol.atol + tol.rtol * Math.abs(e[i]!));
      if (!(ratio <= 1)) {
        ok = false;
        if (res.failures.length < 20) res.failures.push({check, entry: i, actual: a[i]!, expected: e[i]!});
      }
      const r = Number.isNaN(ratio) ? Infinity : ratio;
      if (r > res.worst) {
        res.worst = r;
        res.worstCheck = `${check}, entry ${i}`;
      }
    }
    if (ok) res.passed++; else res.failed++;
  }
}

async function checkBackend(name: string, composite = false): Promise<BackendResult> {
  const res: BackendResult = {backend: composite ? `${name} (composite forced)` : name, ran: false, passed: 0, failed: 0,
    worst: 0, failures: []};
  tf.env().set(FORCE_COMPOSITE_FLAG, composite);
  const t0 = performance.now();
  try {
    return await runChecks(name, composite, res);
  } finally {
    res.seconds = (performance.now() - t0) / 1000;
    tf.env().set(FORCE_COMPOSITE_FLAG, false);
  }
}

async function runChecks(name: string, composite: boolean, res: BackendResult): Promise<BackendResult> {
  try {
    if (!(await tf.setBackend(name))) throw new Error('setBackend returned false');
    await tf.ready();
    if (tf.getBackend() !== name) throw new Error(`active backend is ${tf.getBackend()}`);
  } catch (e) {
    res.reason = (e as Error).message;
    return res;
  }
  res.ran = true;
  res.path = hasFusedKernels(name) && !composite ? 'fast kernels' : 'composite path';
  const tol = TOLS[name]!;
  res.tol = tol;
  const pending: Pending[] = [];
  for (const c of fillFixture.cases) {
    compare(pending, {rtol: 0, atol: 0}, `fillTriangular n=${c.n} upper=${c.upper}`, fillTriangular(c.x, c.upper), c.y);
  }
  for (const c of klFixture.cases) {
    tf.tidy(() => {
      const t = (v: unknown) => tf.tensor(v as number[]);
      const args = [t(c.mean1), t(c.scaleTril1), t(c.mean2), t(c.scaleTril2)];
      const label = `klDivergence d=${c.d} batch=${JSON.stringify(c.batch)}`;
      compare(pending, tol, label, klDivergence(args[0]!, args[1]!, args[2]!, args[3]!), c.kl as Nested);
      const w = t(c.weights);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, m: tf.Tensor, l: tf.Tensor) => tf.sum(tf.mul(klDivergence(a, b, m, l), w)))(args);
      compare(pending, tol, `${label} grad mean1`, g[0]!, c.gradMean1 as Nested);
      compare(pending, tol, `${label} grad scaleTril1`, g[1]!, c.gradScaleTril1 as Nested);
      compare(pending, tol, `${label} grad mean2`, g[2]!, c.gradMean2 as Nested);
      compare(pending, tol, `${label} grad scaleTril2`, g[3]!, c.gradScaleTril2 as Nested);
    });
  }
  for (const c of lossFixture.cases) {
    tf.tidy(() => {
      const loss = c.kind === 'kl'
        ? gaussianKLLoss({layout: c.layout as 'full', direction: c.direction as 'forward'})
        : gaussianNLLLoss({layout: c.layout as 'full'});
      const label = `${c.kind} ${c.layout} d=${c.d} ${c.direction ?? c.target}`;
      const yt = tf.tensor2d(c.yTrue);
      const yp = tf.tensor2d(c.yPred);
      compare(pending, tol, label, loss(yt, yp), c.loss);
      const w = tf.tensor1d(c.weights);
      const [gt, gp] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(loss(a, b), w)))([yt, yp]);
      compare(pending, tol, `${label} grad yTrue`, gt!, c.gradYTrue);
      compare(pending, tol, `${label} grad yPred`, gp!, c.gradYPred);
    });
  }
  // Ill-conditioned and nearby pairs (npm run accuracy's cases, condition up
  // to 1e6): the README's accuracy bound for float32 paths, 2e-4 relative
  // (value) and 2e-4 of the largest gradient entry (gradients, normwise).
  for (const c of accuracyFixture.cases) {
    tf.tidy(() => {
      const {d, batch} = c;
      const args = [tf.tensor2d(c.mean1, [batch, d]), tf.tensor3d(c.scaleTril1, [batch, d, d]),
        tf.tensor2d(c.mean2, [batch, d]), tf.tensor3d(c.scaleTril2, [batch, d, d])];
      const label = `accuracy ${c.pair} d=${d} cond=${c.cond}`;
      const acc = (ref: number[]) => ({rtol: 2e-4, atol: 2e-4 * Math.max(...ref.map(Math.abs))});
      compare(pending, {rtol: 2e-4, atol: 0}, label, klDivergence(args[0]!, args[1]!, args[2]!, args[3]!), c.kl);
      const w = tf.tensor1d(c.weights);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, m: tf.Tensor, l: tf.Tensor) => tf.sum(tf.mul(klDivergence(a, b, m, l), w)))(args);
      const refs = [c.gradMean1, c.gradScaleTril1, c.gradMean2, c.gradScaleTril2];
      const all = refs.flat();
      refs.forEach((r, k) => compare(pending, acc(all), `${label} grad ${k}`, g[k]!, r));
    });
  }
  for (const c of solveFixture.cases) {
    tf.tidy(() => {
      const t = (v: unknown) => tf.tensor(v as number[]);
      const label = `triangularSolve d=${c.d} k=${c.k} adjoint=${c.adjoint}`;
      const [L, B, W] = [t(c.matrix), t(c.rhs), t(c.weights)];
      compare(pending, tol, label, triangularSolve(L, B, {adjoint: c.adjoint}), c.x as Nested);
      const [gL, gB] = tf.grads((l: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(triangularSolve(l, b, {adjoint: c.adjoint}), W)))([L, B]);
      compare(pending, tol, `${label} grad matrix`, gL!, c.gradMatrix as Nested);
      compare(pending, tol, `${label} grad rhs`, gB!, c.gradRhs as Nested);
    });
  }
  for (const c of diagFixture.cases) {
    tf.tidy(() => {
      const loss = c.kind === 'kl'
        ? gaussianKLLoss({layout: 'diag', direction: c.direction as 'forward'})
        : gaussianNLLLoss({layout: 'diag'});
      const label = `${c.kind} diag d=${c.d} ${c.direction ?? c.target}`;
      const yt = tf.tensor2d(c.yTrue);
      const yp = tf.tensor2d(c.yPred);
      compare(pending, tol, label, loss(yt, yp), c.loss);
      const w = tf.tensor1d(c.weights);
      const [gt, gp] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(loss(a, b), w)))([yt, yp]);
      compare(pending, tol, `${label} grad yTrue`, gt!, c.gradYTrue);
      compare(pending, tol, `${label} grad yPred`, gp!, c.gradYPred);
    });
  }
  // The 'lowrank' layout (test/losses/lowrank_layout.test.ts): the torch
  // LowRankMultivariateNormal fixtures that the composite path holds (the
  // well-conditioned ones), d <= 128; webgl and webgpu run it composite.
  const lrTol = {rtol: Math.max(2e-5, tol.rtol), atol: Math.max(1e-5, tol.atol)};
  for (const c of lowRankFixture.nll.filter((k) => k.composite && k.d <= 128)) {
    tf.tidy(() => {
      const loss = gaussianNLLLoss({layout: 'lowrank', rank: c.r});
      const [x, y] = [tf.tensor2d(c.x), tf.tensor2d(c.yPred)];
      const label = `lowrank nll ${c.name}`;
      compare(pending, lrTol, label, loss(x, y), c.nll);
      const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(loss(a, b)))([x, y]);
      compare(pending, lrTol, `${label} grad x`, gx!, c.gradX);
      compare(pending, lrTol, `${label} grad yPred`, gy!, c.gradPred);
    });
  }
  for (const c of lowRankFixture.kl.filter((k) => k.composite && k.d <= 128)) {
    tf.tidy(() => {
      const loss = gaussianKLLoss({layout: 'lowrank', rank: c.rPred, rankTrue: c.rTrue, direction: c.direction as 'forward'});
      const [t, p] = [tf.tensor2d(c.yTrue), tf.tensor2d(c.yPred)];
      const label = `lowrank kl ${c.name} ${c.direction}`;
      compare(pending, lrTol, label, loss(t, p), c.kl);
      const [gt, gp] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(loss(a, b)))([t, p]);
      compare(pending, lrTol, `${label} grad yTrue`, gt!, c.gradTrue);
      compare(pending, lrTol, `${label} grad yPred`, gp!, c.gradPred);
    });
  }
  for (const c of lowRankFixture.mixture) {
    tf.tidy(() => {
      const loss = gaussianMixtureNLLLoss({components: c.K, layout: 'lowrank', rank: c.r});
      const [x, y] = [tf.tensor2d(c.x), tf.tensor2d(c.yPred)];
      const label = `lowrank mixture K=${c.K} d=${c.d}`;
      compare(pending, lrTol, label, loss(x, y), c.nll);
      const [gx, gy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(loss(a, b)))([x, y]);
      compare(pending, lrTol, `${label} grad x`, gx!, c.gradX);
      compare(pending, lrTol, `${label} grad yPred`, gy!, c.gradPred);
    });
  }
  for (const c of mixtureFixture.cases) {
    tf.tidy(() => {
      const loss = gaussianMixtureNLLLoss({components: c.components, layout: c.layout as 'full'});
      const label = `mixture ${c.layout} ${c.name} ${c.target}`;
      const yt = tf.tensor2d(c.yTrue);
      const yp = tf.tensor2d(c.yPred);
      compare(pending, tol, label, loss(yt, yp), c.loss);
      const w = tf.tensor1d(c.weights);
      const [gt, gp] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(loss(a, b), w)))([yt, yp]);
      compare(pending, tol, `${label} grad yTrue`, gt!, c.gradYTrue);
      compare(pending, tol, `${label} grad yPred`, gp!, c.gradYPred);
    });
  }
  // Calibration metrics (test/metrics/metrics.test.ts states the same
  // tolerances): coverage exactly (every point is >= 1e-3 in PIT from the
  // bounds), PIT within 2e-4 absolute on float32 paths, CRPS and the energy
  // score at the backend's tolerance.
  const pitTol = {rtol: 0, atol: Math.max(2e-5, tol.atol)};
  for (const c of calibrationFixture.gaussian) {
    tf.tidy(() => {
      const opts = {layout: c.layout as 'full'};
      const label = `calibration ${c.layout} d=${c.d}`;
      const [yt, yp] = [tf.tensor2d(c.yTrue), tf.tensor2d(c.yPred)];
      compare(pending, pitTol, `${label} PIT`, gaussianPIT(opts)(yt, yp), c.pit);
      compare(pending, {rtol: 0, atol: 0}, `${label} coverage 0.5`, gaussianCoverage({...opts, level: 0.5})(yt, yp),
        c.coverage50.map(Number));
      compare(pending, {rtol: 0, atol: 0}, `${label} coverage 0.9`, gaussianCoverage(opts)(yt, yp), c.coverage90.map(Number));
      compare(pending, tol, `${label} CRPS`, gaussianCRPS(opts)(yt, yp), c.crps);
    });
  }
  for (const c of calibrationFixture.mixture) {
    tf.tidy(() => {
      const crps = gaussianMixtureCRPS({components: c.components, layout: c.layout as 'full'});
      compare(pending, tol, `calibration mixture ${c.layout} K=${c.components} d=${c.d} CRPS`,
        crps(tf.tensor2d(c.yTrue), tf.tensor2d(c.yPred)), c.crps);
    });
  }
  for (const c of calibrationFixture.energyScore) {
    compare(pending, {rtol: Math.max(2e-5, tol.rtol), atol: Math.max(2e-5, tol.atol)},
      `energyScore S=${c.samples.length} d=${c.y[0]!.length}`, tf.tidy(() => energyScore(c.samples, c.y)), c.energyScore);
  }
  // gaussianLatent's KL term and its gradients (test/layers/gaussian_latent.test.ts
  // states the same tolerances: value rtol 2e-5, gradients rtol 1e-4, atol 5e-5).
  for (const c of latentFixture.cases) {
    const spec = c.priorSpec as {loc?: number[]; scaleDiag?: number[]; scaleTril?: number[][]};
    const prior = c.prior === 'diag' ? new MultivariateNormalDiag(spec.loc!, spec.scaleDiag!)
      : c.prior === 'tril' ? new MultivariateNormalTriL(spec.loc!, spec.scaleTril!) : c.prior as 'standardNormal' | 'learnable';
    const layer = gaussianLatent({dim: c.d, layout: c.layout as 'diag', prior});
    if (typeof prior !== 'string') prior.dispose();
    layer.build([null, c.x[0]!.length]);
    if (c.prior === 'learnable') layer.setWeights(c.priorWeights.map((w) => tf.tensor1d(w)));
    const x = tf.variable(tf.tensor2d(c.x));
    const {value, grads} = tf.variableGrads(() => {
      layer.apply(x, {training: true});
      return layer.calculateLosses()[0] as tf.Scalar;
    });
    const label = `latent ${c.layout} d=${c.d} ${c.prior} prior`;
    const gradTol = {rtol: Math.max(1e-4, tol.rtol), atol: Math.max(5e-5, tol.atol)};
    compare(pending, {rtol: Math.max(2e-5, tol.rtol), atol: Math.max(2e-5, tol.atol)}, `${label} KL`, value, c.value);
    compare(pending, gradTol, `${label} grad x`, grads[x.name]!, c.gradX);
    layer.trainableWeights.forEach((w, i) =>
      compare(pending, gradTol, `${label} grad ${w.name}`, grads[(w.read() as tf.Variable).name]!, c.gradPrior[i]!));
    x.dispose(); // value and grads are freed by settle
  }
  await settle(res, pending);
  if (name === 'webgl' || name === 'webgpu') {
    res.steps = [];
    for (const kind of ['kl', 'nll'] as const) {
      for (const d of [2, 8, 32, 64]) {
        const step = lossStep(kind, 4, d);
        res.steps.push({kind, d, ...await step.counts()});
        step.dispose();
      }
    }
  }
  return res;
}

async function main(): Promise<void> {
  setWasmPaths(new URL('./wasm/', location.href).href);
  const results: BackendResult[] = [];
  for (const name of ['cpu', 'wasm', 'webgl', 'webgpu']) results.push(await checkBackend(name));
  // The composite path that backends without fused kernels run, forced on webgl.
  results.push(await checkBackend('webgl', true));
  (window as unknown as {__checks: BackendResult[]}).__checks = results;
  document.getElementById('out')!.textContent = JSON.stringify(results, null, 2);
}

main().catch((e: Error) => {
  (window as unknown as {__checks: unknown}).__checks = {error: e.message};
  console.error(e);
});

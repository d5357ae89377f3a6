import * as tf from '@tensorflow/tfjs';

import {
  Distribution, evaluateObjective, fillTriangular, GaussianLatent, gaussianLatent, GaussianLatentPrior, gaussianParamsSize,
  MultivariateNormalDiag, MultivariateNormalTriL,
} from '../../src/index';
import {expectClose, expectExact, expectNoLeak, fixture} from '../helpers';

/** One case of test/fixtures/latent.json (scripts/make_fixtures.py, latent_cases). */
interface LatentCase {
  layout: 'diag' | 'full' | 'packed'; d: number; prior: 'standardNormal' | 'diag' | 'tril' | 'learnable';
  x: number[][]; priorSpec: {loc?: number[]; scaleDiag?: number[]; scaleTril?: number[][]};
  priorWeights: number[][]; kl: number[]; value: number; gradX: number[][]; gradPrior: number[][];
}

const cases = fixture<{cases: LatentCase[]}>('latent.json').cases;
const name = (c: LatentCase) => `${c.layout}, d = ${c.d}, ${c.prior} prior`;

function priorOf(c: LatentCase): GaussianLatentPrior {
  if (c.prior === 'standardNormal' || c.prior === 'learnable') return c.prior;
  return c.prior === 'diag'
    ? new MultivariateNormalDiag(c.priorSpec.loc!, c.priorSpec.scaleDiag!)
    : new MultivariateNormalTriL(c.priorSpec.loc!, c.priorSpec.scaleTril!);
}

function latentOf(c: LatentCase, extra: {klWeight?: number; seed?: number} = {}): GaussianLatent {
  const prior = priorOf(c);
  const layer = gaussianLatent({dim: c.d, layout: c.layout, prior, ...extra});
  if (prior instanceof Distribution) prior.dispose();
  layer.build([null, c.x[0]!.length]);
  if (c.prior === 'learnable') layer.setWeights(c.priorWeights.map((w) => tf.tensor1d(w)));
  return layer;
}

/** A model `x -> Dense (identity) -> gaussianLatent`, so the latent's raw input is `x`. */
function identityModel(c: LatentCase, extra: {klWeight?: number} = {}): tf.LayersModel {
  const w = c.x[0]!.length;
  const input = tf.input({shape: [w]});
  const dense = tf.layers.dense({units: w, kernelInitializer: 'identity', useBias: false});
  const latent = latentOf(c, extra);
  const model = tf.model({inputs: input, outputs: latent.apply(dense.apply(input)) as tf.SymbolicTensor});
  if (c.prior === 'learnable') latent.setWeights(c.priorWeights.map((v) => tf.tensor1d(v)));
  // A data loss that is identically 0: the objective is the KL term alone.
  model.compile({optimizer: tf.train.sgd(0), loss: (_t: tf.Tensor, p: tf.Tensor) => tf.mul(tf.sum(p, -1), 0)});
  return model;
}

// Tolerances. The fixture is the float64 KL of the float32 inputs. The head
// (softplus, shift) rounds each scale entry once (relative 6e-8); the
// standard-normal closed form and the fused kernels then sum O(d²) terms of
// size <= ~20 in float32 or float64, and the composite path also solves in
// float32 (relative ~1e-6 for these well-conditioned factors, d <= 4). The
// batch mean of 6 values adds a few roundings. rtol 2e-5 with atol 2e-5
// (values 0.7 to 12.5) is ~10x the worst error seen on any backend.
const VALUE_TOL = {rtol: 2e-5, atol: 2e-5};
// Gradients: entries up to ~3, same rounding chain, one level deeper.
const GRAD_TOL = {rtol: 1e-4, atol: 5e-5};

describe('gaussianLatent: the objective', () => {
  it.each(cases.map((c) => [name(c), c] as const))('with a zero data loss, trainOnBatch reports the batch mean of KL(q ‖ prior) (%s)', async (_n, c) => {
    const model = identityModel(c);
    const loss = await model.trainOnBatch(tf.tensor2d(c.x), tf.zeros([c.x.length, c.d])) as number;
    expectClose([loss], [c.value], VALUE_TOL, name(c));
    model.dispose();
  });

  it.each(cases.filter((c) => c.d > 1).map((c) => [name(c), c] as const))('klWeight 0.5 halves the reported objective (%s)', async (_n, c) => {
    const model = identityModel(c, {klWeight: 0.5});
    const loss = await model.trainOnBatch(tf.tensor2d(c.x), tf.zeros([c.x.length, c.d])) as number;
    expectClose([loss], [c.value / 2], VALUE_TOL, name(c));
    model.dispose();
  });

  it.each(cases.map((c) => [name(c), c] as const))('the gradient of the KL term matches float64 autograd, for the input and a learnable prior (%s)', (_n, c) => {
    const layer = latentOf(c);
    const x = tf.variable(tf.tensor2d(c.x));
    const {value, grads} = tf.variableGrads(() => {
      layer.apply(x, {training: true});
      return layer.calculateLosses()[0] as tf.Scalar;
    });
    expectClose(value, [c.value], VALUE_TOL, name(c));
    expectClose(grads[x.name]!, c.gradX, GRAD_TOL, `${name(c)}: d/dx`);
    const weights = layer.trainableWeights;
    expect(weights.length).toBe(c.gradPrior.length);
    weights.forEach((w, i) => expectClose(grads[(w.read() as tf.Variable).name]!, c.gradPrior[i]!, GRAD_TOL, `${name(c)}: d/d${w.name}`));
    tf.dispose([value, ...Object.values(grads)]);
    x.dispose();
  });

  it('with diagShift 0, a σ that underflows in softplus has log σ clamped at minDiag (1e-6), so the KL stays finite (diag, standard normal)', () => {
    // Raw scales of -200 underflow softplus to 0 in float32; -3 and 2 do not.
    const x = [[0.5, -1, -200, -3], [2, 0.25, 2, -200]];
    const layer = gaussianLatent({dim: 2, diagShift: 0});
    const xv = tf.variable(tf.tensor2d(x));
    const {value, grads} = tf.variableGrads(() => {
      layer.apply(xv, {training: true});
      return layer.calculateLosses()[0] as tf.Scalar;
    });
    // Float64: KL = ½(Σμ² + Σσ² − d) − Σ log max(σ, 1e-6), σ = log1p(exp(raw)).
    const softplus = (r: number) => Math.log1p(Math.exp(r));
    const sigmoid = (r: number) => 1 / (1 + Math.exp(-r));
    const kls = x.map((row) => {
      const s = row.slice(2).map(softplus);
      return 0.5 * (row[0]! ** 2 + row[1]! ** 2 + s[0]! ** 2 + s[1]! ** 2 - 2) - s.reduce((a, v) => a + Math.log(Math.max(v, 1e-6)), 0);
    });
    expectClose(value, [(kls[0]! + kls[1]!) / 2], VALUE_TOL, 'KL');
    // ∂/∂μ = μ/n; ∂/∂raw = (σ − 1/σ)·sigmoid(raw)/n where σ > 1e-6, and σ·sigmoid(raw)/n (≈ 0) where clamped.
    const g = x.map((row) => [row[0]! / 2, row[1]! / 2, ...row.slice(2).map((r) => {
      const s = softplus(r);
      return (s > 1e-6 ? s - 1 / s : s) * sigmoid(r) / 2;
    })]);
    expectClose(grads[xv.name]!, g, GRAD_TOL, 'd/dx');
    tf.dispose([value, ...Object.values(grads)]);
    xv.dispose();
    layer.dispose();
  });

  it('training on the KL alone drives the posterior to the prior (KL < 1e-3), for a fixed full prior and a diagonal posterior', async () => {
    const prior = new MultivariateNormalTriL([1, -2], [[0.5, 0], [0.3, 2]]);
    const layer = gaussianLatent({dim: 2, layout: 'full', prior, seed: 3});
    prior.dispose();
    const model = tf.sequential({layers: [tf.layers.dense({units: gaussianParamsSize(2), inputShape: [3]}), layer]});
    model.compile({optimizer: tf.train.adam(0.05), loss: (_t: tf.Tensor, p: tf.Tensor) => tf.mul(tf.sum(p, -1), 0)});
    const x = tf.randomNormal([16, 3], 0, 1, 'float32', 5);
    const y = tf.zeros([16, 2]);
    let loss = Infinity;
    for (let i = 0; i < 600 && loss >= 1e-4; i++) loss = await model.trainOnBatch(x, y) as number;
    const {layerLoss} = await evaluateObjective(model, x, y);
    expect(layerLoss).toBeLessThan(1e-3);
    expect(layerLoss).toBeGreaterThanOrEqual(-1e-6);
    model.dispose();
  });
});

describe('gaussianLatent: the draw', () => {
  // ε is tf.randomNormal(seed + n) for the layer's n-th draw; tfjs draws seeded
  // normals on the CPU, so the test reproduces it on every backend.
  it.each(['diag', 'full', 'packed'] as const)('in training it outputs μ + L·ε, and its gradient is ∂(μ + L·ε)/∂x in float64 (%s)', (layout) => {
    const d = 3;
    const w = gaussianParamsSize(d, layout);
    const x0 = tf.randomNormal([4, w], 0, 1, 'float32', 11);
    const layer = gaussianLatent({dim: d, layout, seed: 40});
    const eps = tf.randomNormal([4, d], 0, 1, 'float32', 40);
    const weights = tf.randomUniform([4, d], 0.5, 1.5, 'float32', 12);
    const x = tf.variable(x0);
    const {value, grads} = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, {training: true}) as tf.Tensor, weights)));
    // Float64 reference: the head transform and μ + L·ε, and the gradient of Σ wᵢ zᵢ:
    // ∂/∂μᵢ = wᵢ, ∂/∂L_ij = wᵢ εⱼ (j < i), ∂/∂raw_ii = wᵢ εᵢ sigmoid(raw_ii).
    const X = x0.arraySync() as number[][];
    const E = eps.arraySync() as number[][];
    const Wt = weights.arraySync() as number[][];
    const col = (i: number, j: number): number => layout === 'diag' ? d + i
      : layout === 'full' ? d + i * d + j : d + packedIndex(d, i, j);
    let total = 0;
    const grad = X.map((r) => r.map(() => 0)).map((g, b) => {
      const row = X[b]!;
      for (let i = 0; i < d; i++) {
        let z = row[i]!;
        g[i] = Wt[b]![i]!;
        for (let j = 0; j <= i; j++) {
          if (layout === 'diag' && j < i) continue;
          const c = col(i, j);
          const raw = row[c]!;
          const l = i === j ? Math.log1p(Math.exp(raw)) + 1e-5 : raw;
          z += l * E[b]![j]!;
          g[c] = Wt[b]![i]! * E[b]![j]! * (i === j ? 1 / (1 + Math.exp(-raw)) : 1);
        }
        total += Wt[b]![i]! * z;
      }
      return g;
    });
    // Sum of 12 products of float32 values <= ~10: relative 1e-6.
    expectClose(value, [total], {rtol: 1e-5, atol: 1e-5}, layout);
    expectClose(grads[x.name]!, grad, {rtol: 1e-5, atol: 1e-6}, layout);
    tf.dispose([value, ...Object.values(grads), x, x0, eps, weights]);
  });

  it('outside training it outputs the posterior mean, or a draw with inference: \'sample\'', () => {
    const x = tf.tensor2d([[1, -2, 0.3, 0.1]]);
    expectExact(gaussianLatent({dim: 2}).apply(x) as tf.Tensor, [[1, -2]]);
    const drawn = gaussianLatent({dim: 2, inference: 'sample', seed: 7}).apply(x) as tf.Tensor;
    const eps = tf.randomNormal([1, 2], 0, 1, 'float32', 7).arraySync() as number[][];
    const sp = (v: number) => Math.log1p(Math.exp(v)) + 1e-5;
    expectClose(drawn, [[1 + sp(0.3) * eps[0]![0]!, -2 + sp(0.1) * eps[0]![1]!]], {rtol: 1e-6, atol: 1e-6});
  });

  it('with a seed, the n-th draw uses seed + n: reproducible, and fresh at every step', () => {
    const x = tf.zeros([2, 4]);
    const a = gaussianLatent({dim: 2, seed: 5});
    const b = gaussianLatent({dim: 2, seed: 5});
    const a1 = a.apply(x, {training: true}) as tf.Tensor;
    const a2 = a.apply(x, {training: true}) as tf.Tensor;
    expectExact(b.apply(x, {training: true}) as tf.Tensor, a1);
    expect(Array.from(a2.dataSync())).not.toEqual(Array.from(a1.dataSync()));
  });
});

/**
 * Position of L[i][j] among the packed entries, from fillTriangular on
 * 0, 1, 2, ... (fillTriangular is pinned to TFP's NumPy reference in
 * test/linalg).
 */
function packedIndex(d: number, i: number, j: number): number {
  const L = tf.tidy(() => fillTriangular(tf.range(0, (d * (d + 1)) / 2)).arraySync() as number[][]);
  return L[i]![j]!;
}

/** A small VAE as users build it: an encoder model ending in the latent, a decoder model, and the two composed. */
function tinyVAE(latent: GaussianLatent, seed = 1): tf.LayersModel {
  const d = latent.dim;
  const encoder = tf.sequential({layers: [
    tf.layers.dense({units: 8, inputShape: [6], activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({seed})}),
    tf.layers.dense({units: gaussianParamsSize(d, latent.layout), kernelInitializer: tf.initializers.glorotNormal({seed: seed + 1})}),
    latent,
  ]});
  const decoder = tf.sequential({layers: [
    tf.layers.dense({units: 6, inputShape: [d], kernelInitializer: tf.initializers.glorotNormal({seed: seed + 2})}),
  ]});
  const x = tf.input({shape: [6]});
  const vae = tf.model({inputs: x, outputs: decoder.apply(encoder.apply(x)) as tf.SymbolicTensor});
  vae.compile({optimizer: tf.train.adam(0.01), loss: 'meanSquaredError'});
  return vae;
}

describe('gaussianLatent in model.fit and evaluateObjective', () => {
  // Made in beforeAll, once the project's backend is active (not at collection time).
  let x: tf.Tensor;
  beforeAll(() => {
    x = tf.randomNormal([20, 6], 0, 1, 'float32', 21);
  });

  it('inside a nested encoder model, fit\'s loss is the data loss plus the KL, and evaluateObjective reports the same number', async () => {
    // Two identical VAEs with the same seed draw the same ε. One takes a step
    // with learning rate 0 (trainOnBatch reports the loss before the update);
    // the other is evaluated. Same inputs, same draws, same ops.
    const a = tinyVAE(gaussianLatent({dim: 2, seed: 9}));
    const b = tinyVAE(gaussianLatent({dim: 2, seed: 9}));
    a.compile({optimizer: tf.train.sgd(0), loss: 'meanSquaredError'});
    const trained = await a.trainOnBatch(x, x) as number;
    const evaluated = await evaluateObjective(b, x, x, {batchSize: 20});
    expect(evaluated.layerLoss).toBeGreaterThan(0.01);
    // The same float32 computation; the evaluation path adds one sum and one division.
    expectClose([evaluated.loss], [trained], {rtol: 1e-6, atol: 1e-7});
    expect(evaluated.loss).toBeCloseTo(evaluated.dataLoss + evaluated.layerLoss, 12);
    // model.evaluate leaves the KL out; evaluateObjective's data loss differs from
    // it only by the draw (a draw of z instead of the posterior mean).
    a.dispose();
    b.dispose();
  });

  it('evaluateObjective weights batches by their size, as model.evaluate does, and leaves no tensors behind', async () => {
    // Without a latent layer the objective is deterministic and equals model.evaluate's loss.
    const plain = tf.sequential({layers: [tf.layers.dense({units: 6, inputShape: [6], kernelInitializer: tf.initializers.glorotNormal({seed: 3})})]});
    plain.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
    const reference = (plain.evaluate(x, x, {batchSize: 7}) as tf.Scalar).dataSync()[0]!;
    const value = await evaluateObjective(plain, x, x, {batchSize: 7});
    // Batches of 7, 7 and 6 rows; both weight each batch mean by its size (float32 sums).
    expectClose([value.loss], [reference], {rtol: 1e-6, atol: 0});
    expect(value.layerLoss).toBe(0);
    const model = tinyVAE(gaussianLatent({dim: 2, layout: 'full', seed: 2}));
    const before = tf.memory().numTensors;
    await evaluateObjective(model, x, x, {batchSize: 7});
    await evaluateObjective(model, x, x, {batchSize: 7});
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(1); // the layer's one kept KL scalar
    const after = tf.memory().numTensors;
    await evaluateObjective(model, x, x, {batchSize: 7});
    expect(tf.memory().numTensors).toBe(after);
    model.dispose();
    plain.dispose();
  });

  it('500 fit steps leave tf.memory().numTensors unchanged', async () => {
    const model = tinyVAE(gaussianLatent({dim: 3, layout: 'packed', prior: 'learnable', seed: 4}));
    await model.fit(x, x, {epochs: 1, batchSize: 10, verbose: 0}); // creates the optimizer's slots
    const before = tf.memory().numTensors;
    const history = await model.fit(x, x, {epochs: 250, batchSize: 10, verbose: 0}); // 2 steps per epoch
    expect(tf.memory().numTensors).toBe(before);
    const losses = history.history['loss'] as number[];
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    model.dispose();
  });

  it('predict and the layer outside training leave no tensors behind', () => {
    const model = tinyVAE(gaussianLatent({dim: 2, prior: new MultivariateNormalDiag([0, 1], [1, 2]), seed: 4}));
    expectNoLeak(() => (model.predict(x) as tf.Tensor).dispose());
    model.dispose();
  });
});

describe('gaussianLatent serialization', () => {
  const priors: [string, () => GaussianLatentPrior][] = [
    ['standardNormal', () => 'standardNormal'],
    ['diag', () => new MultivariateNormalDiag([0.5, -1], [2, 0.5])],
    ['tril', () => new MultivariateNormalTriL([0.5, -1], [[2, 0], [0.4, 0.5]])],
    ['learnable', () => 'learnable'],
  ];

  it.each(priors)('a model with a %s prior survives model.save -> tf.loadLayersModel, with the same predictions and KL', async (_n, make) => {
    const prior = make();
    const model = tf.sequential({layers: [
      tf.layers.dense({units: gaussianParamsSize(2, 'full'), inputShape: [3]}),
      gaussianLatent({dim: 2, layout: 'full', prior, klWeight: 0.7, diagShift: 1e-4, seed: 12}),
    ]});
    if (prior instanceof Distribution) prior.dispose();
    const latent = model.layers[1] as GaussianLatent;
    if (_n === 'learnable') latent.setWeights([tf.tensor1d([0.3, -0.2]), tf.tensor1d([0.1, 0.5, -0.3, 0.2])]);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.randomNormal([5, 3], 0, 1, 'float32', 8);
    expectExact(loaded.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor);
    const back = loaded.layers[1] as GaussianLatent;
    expect(back).toBeInstanceOf(GaussianLatent);
    expect(back.getConfig()).toEqual(latent.getConfig());
    const klOf = (m: tf.LayersModel, l: GaussianLatent) => tf.tidy(() => {
      m.layers[1]!.apply(m.layers[0]!.apply(x) as tf.Tensor, {training: true});
      return l.calculateLosses()[0]!.dataSync()[0]!;
    });
    expect(klOf(loaded, back)).toBe(klOf(model, latent));
  });
});

describe('gaussianLatent bad input', () => {
  it('throws the project\'s errors for a bad dim, layout, width, klWeight, prior or inference', () => {
    expect(() => gaussianLatent({dim: 0})).toThrow(/gaussianLatent\(\): dim must be a positive integer, but got 0/);
    expect(() => gaussianLatent({dim: 2, layout: 'x' as 'diag'})).toThrow(/gaussianLatent\(\): layout must be one of/);
    expect(() => gaussianLatent({dim: 2, klWeight: -1})).toThrow(/gaussianLatent\(\): klWeight must be a finite number >= 0, but got -1/);
    expect(() => gaussianLatent({dim: 2, klWeight: NaN})).toThrow(/gaussianLatent\(\): klWeight must be a finite number >= 0, but got NaN/);
    const layer = gaussianLatent({dim: 2});
    expect(() => { layer.klWeight = -0.5; }).toThrow(/gaussianLatent\(\): klWeight must be a finite number >= 0, but got -0.5/);
    expect(() => gaussianLatent({dim: 2, inference: 'mode' as 'mean'})).toThrow(/gaussianLatent\(\): inference must be one of/);
    expect(() => tf.sequential({layers: [tf.layers.dense({units: 5, inputShape: [3]}), gaussianLatent({dim: 2})]}))
      .toThrow(/gaussianLatent\(\): input must have shape \[batch, 4\] for dim 2 in the 'diag' layout, but got input shape \[-1,5\]/);
    expect(() => gaussianLatent({dim: 2}).apply(tf.zeros([3, 6]))).toThrow(/gaussianLatent\(\): input must have shape \[batch, 4\]/);
    const p3 = new MultivariateNormalDiag([0, 0, 0], [1, 1, 1]);
    expect(() => gaussianLatent({dim: 2, prior: p3})).toThrow(/gaussianLatent\(\): prior must have dimension 2 \(dim\), but got loc of shape \[3\]/);
    p3.dispose();
    const batched = new MultivariateNormalDiag([[0, 0], [1, 1]], [1, 1]);
    expect(() => gaussianLatent({dim: 2, prior: batched})).toThrow(/gaussianLatent\(\): prior must be a single Gaussian \(batch size 1\)/);
    batched.dispose();
    expect(() => gaussianLatent({dim: 2, prior: 'normal' as 'learnable'})).toThrow(/gaussianLatent\(\): prior must be 'standardNormal', 'learnable'/);
    expect(() => gaussianLatent({dim: 2, prior: {loc: [0, 0], scaleDiag: [1, 0]}})).toThrow(/gaussianLatent\(\): prior must have finite parameters and a nonzero scale diagonal/);
    const gone = new MultivariateNormalDiag([0, 0], [1, 1]);
    gone.dispose();
    expect(() => gaussianLatent({dim: 2, prior: gone})).toThrow(/gaussianLatent\(\): prior has been disposed/);
  });

  it('evaluateObjective throws for an uncompiled model, a bad batchSize or mismatched rows', async () => {
    const model = tf.sequential({layers: [tf.layers.dense({units: 4, inputShape: [3]}), gaussianLatent({dim: 2})]});
    await expect(evaluateObjective(model, tf.ones([4, 3]), tf.ones([4, 2]))).rejects.toThrow(/evaluateObjective\(\): model must be compiled with a loss/);
    model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
    await expect(evaluateObjective(model, tf.ones([4, 3]), tf.ones([4, 2]), {batchSize: 0})).rejects.toThrow(/evaluateObjective\(\): batchSize must be a positive integer, but got 0/);
    await expect(evaluateObjective(model, tf.ones([4, 3]), tf.ones([5, 2]))).rejects.toThrow(/evaluateObjective\(\): every x and y must have the same number of rows, but got x \[4,3\] and y \[5,2\]/);
    await expect(evaluateObjective(model, [tf.ones([4, 3]), tf.ones([4, 3])], tf.ones([4, 2]))).rejects.toThrow(/evaluateObjective\(\): x must hold 1 tensor\(s\), one per model input, but got 2/);
  });
});

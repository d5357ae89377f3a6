/**
 * The 'diag' layout, rows [mean (d) | σ (d)] with Σ = diag(σ²), through
 * every function that takes a layout: the losses against float64 torch
 * Independent(Normal) fixtures, the head, pack/unpack, padTargets,
 * gaussianParamsSize, validateArgs, and its kernel count.
 */
import * as tf from '@tensorflow/tfjs';

import {
  gaussianHead, gaussianKLLoss, gaussianNLLLoss, gaussianParamsSize, packGaussian, padTargets, unpackGaussian,
} from '../../src/index';
import {compositePath, expectClose, expectExact, expectNoLeak, fixture, Tol} from '../helpers';

interface DiagLossCase {
  kind: 'kl' | 'nll'; d: number; direction?: 'forward' | 'reverse' | 'symmetric'; target?: 'points' | 'padded';
  yTrue: number[][]; yPred: number[][]; loss: number[]; weights: number[]; gradYTrue: number[][]; gradYPred: number[][];
}
const {cases} = fixture<{cases: DiagLossCase[]}>('diag_losses.json');

// Fixtures: torch float64 Independent(Normal(μ, |σ|)) on the same float32
// rows, d up to 64, negative σ entries included (only σ² matters). Fused
// kernels: float64 per entry and one rounding; composite: float32
// elementwise terms and one sum over d. Values reach ~400 at d = 64 and
// gradient entries ~60. rtol 1e-5 with atol 2e-5 (fused), rtol 1e-5 with
// atol 1e-4 (composite: a float32 sum of 64 terms of size ~10 carries ~4e-5).
const TOL: Tol = compositePath() ? {rtol: 1e-5, atol: 1e-4} : {rtol: 1e-5, atol: 2e-5};

describe("the 'diag' layout", () => {
  it.each(cases.map((c) => [c.kind, c.d, c.direction ?? c.target, c] as const))(
    "%s loss, d = %i, %s: matches float64 torch Independent(Normal), per-sample values and gradients", (_k, _d, _v, c) => {
      const loss = c.kind === 'kl' ? gaussianKLLoss({layout: 'diag', direction: c.direction}) : gaussianNLLLoss({layout: 'diag'});
      const yt = tf.tensor2d(c.yTrue);
      const yp = tf.tensor2d(c.yPred);
      expectClose(loss(yt, yp), c.loss, TOL, 'loss');
      const w = tf.tensor1d(c.weights);
      const [gt, gp] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(loss(a, b), w)))([yt, yp]);
      expectClose(gt!, c.gradYTrue, TOL, 'gradYTrue');
      expectClose(gp!, c.gradYPred, TOL, 'gradYPred');
    });

  it("gaussianParamsSize(d, 'diag') = 2d, and the losses infer d from the width", () => {
    expect([1, 2, 5].map((d) => gaussianParamsSize(d, 'diag'))).toEqual([2, 4, 10]);
    expectClose(gaussianKLLoss({layout: 'diag'})([[0, 0, 1, 1]], [[0, 0, 1, 1]]), [0], {rtol: 0, atol: 0});
    expectClose(gaussianNLLLoss({layout: 'diag'})([[0, 0]], [[0, 0, 1, 1]]), [Math.log(2 * Math.PI)], {rtol: 1e-6, atol: 0});
  });

  it("a width that is not 2d is rejected, naming the widths the 'diag' layout takes", () => {
    expect(() => gaussianKLLoss({layout: 'diag'})(tf.zeros([4, 7]), tf.zeros([4, 7]))).toThrow(
      /^gaussianKLLoss\(\): the width of yPred \(7, shape \[4,7\]\) fits no dim in the 'diag' layout \(widths are d \+ d: 2, 4, 6, 8, \.\.\.\)\.$/);
  });

  it("validateArgs rejects a negative or zero σ in the 'diag' layout, naming the sample and entry", () => {
    expect(() => gaussianNLLLoss({layout: 'diag', validateArgs: true})([[0, 0]], [[0, 0, 1, -0.5]])).toThrow(
      /^gaussianNLLLoss\(\): yPred has a negative scale σ\[1\] = -0\.5 at sample 0, entry 3: the 'diag' layout needs σ > 0 \(validateArgs\)\.$/);
    expect(() => gaussianKLLoss({layout: 'diag', validateArgs: true})([[0, 0, 0, 1]], [[0, 0, 1, 1]])).toThrow(
      /^gaussianKLLoss\(\): yTrue has a zero scale σ\[0\] = 0 at sample 0, entry 2/);
  });

  it("the diagonal guard applies to σ: σ = 0 gives a finite loss and finite gradients", () => {
    const yp = tf.tensor2d([[0, 0, 0, 1]]);
    const g = tf.grad((b: tf.Tensor) => tf.sum(gaussianNLLLoss({layout: 'diag'})([[0.5, 0]], b)))(yp);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(gaussianKLLoss({layout: 'diag'})([[0, 0, 1, 1]], yp).dataSync()[0])).toBe(true);
  });

  it("unpackGaussian gives diag(σ), packGaussian reads the diagonal, padTargets pads to 2d", () => {
    const {mean, scaleTril} = unpackGaussian([[1, 2, 3, -4]], {layout: 'diag'});
    expectExact(mean, [[1, 2]]);
    expectExact(scaleTril, [[[3, 0], [0, -4]]]);
    expectExact(packGaussian([1, 2], [[3, 0], [9, -4]], 'diag'), [1, 2, 3, -4]);
    expectExact(padTargets([[1, 2]], 'diag'), [[1, 2, 0, 0]]);
  });

  it("gaussianHead({layout: 'diag'}) passes the mean through and maps σ to softplus(x) + 1e-5", () => {
    const y = gaussianHead({dim: 2, layout: 'diag'}).apply(tf.tensor2d([[1, -2, -1000, 0]])) as tf.Tensor;
    expectClose(y, [[1, -2, 1e-5, Math.log(2) + 1e-5]], {rtol: 1e-6, atol: 1e-7});
  });

  it("the 'diag' losses and their gradients leak no tensors", () => {
    const c = cases[0]!;
    const yt = tf.tensor2d(c.yTrue);
    const yp = tf.tensor2d(c.yPred);
    expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(gaussianKLLoss({layout: 'diag'})(a, b)))([yt, yp])
      .forEach((g) => g.dispose()));
  });

  if (!compositePath()) {
    it("a 'diag' KL or NLL step launches at most 12 kernels (13 on tensorflow) at (256, 8) and (4096, 32)", async () => {
      // 12 on cpu and wasm; tensorflow's Mean adds a Cast (kernel_counts.test.ts).
      const limit = tf.getBackend() === 'tensorflow' ? 13 : 12;
      for (const [batch, d] of [[256, 8], [4096, 32]] as const) {
        const yp = tf.concat([tf.zeros([batch, d]), tf.ones([batch, d])], 1);
        for (const [loss, yt] of [[gaussianKLLoss({layout: 'diag'}), yp.clone()], [gaussianNLLLoss({layout: 'diag'}), tf.zeros([batch, d])]] as const) {
          const step = tf.valueAndGrad((p: tf.Tensor) => tf.mean(loss(yt, p)));
          tf.dispose(Object.values(step(yp)));
          const info = await tf.profile(() => {
            const {value, grad} = step(yp);
            return [value, grad];
          });
          expect(info.kernels.length).toBeLessThanOrEqual(limit);
        }
      }
    });
  }
});

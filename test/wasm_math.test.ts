/**
 * The WebAssembly build of the typed-array maths (assembly/gaussian_math.ts)
 * against the JS maths (src/kernels/shared/js_math.ts): the same float64
 * algorithm in the same operation order, so the losses and gradients must be
 * identical to the bit, on every size and KL direction, for both layouts and
 * padded NLL targets. Each is checked against float64 fixtures elsewhere;
 * this pins that the kernels users get (wasm where it compiles, JS where it
 * does not) are one function.
 */
import {execFileSync} from 'child_process';
import * as path from 'path';

import * as tf from '@tensorflow/tfjs';

import {cholesky, gaussianKLLoss, gaussianMixtureNLLLoss, gaussianNLLLoss, hasFusedKernels, packGaussian} from '../src/index';
import {ScaleRows} from '../src/kernels/kernel_names';
import {gaussianHeadSpec, gaussianHeadWithGradSpec} from '../src/kernels/shared/gaussian_head_impl';
import {setWasmMath} from '../src/kernels/shared/wasm_math';
import {compositePath, expectExact} from './helpers';
import {testBackend} from './setup/use_backend';

function randomRows(batch: number, d: number, layout: 'full' | 'packed', seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const lower = tf.tensor2d(Array.from({length: d * d}, (_, k) => (Math.floor(k / d) > k % d ? 1 : 0)), [d, d]);
    const L = tf.add(tf.mul(tf.randomNormal([batch, d, d], 0, 0.5, 'float32', seed), lower),
      tf.mul(tf.eye(d), tf.randomUniform([batch, d, 1], -1.5, 1.5, 'float32', seed + 1)));
    return packGaussian(tf.randomNormal([batch, d], 0, 2, 'float32', seed + 2), L, layout) as tf.Tensor2D;
  });
}

function valuesAndGrads(loss: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, a: tf.Tensor, b: tf.Tensor, wasm: boolean): tf.Tensor[] {
  setWasmMath(wasm);
  try {
    const {value, grads} = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) => tf.sum(loss(x, y)))([a, b]);
    return [loss(a, b), value, ...grads];
  } finally {
    setWasmMath(true);
  }
}

type LossCase = [(a: tf.Tensor, b: tf.Tensor) => tf.Tensor, tf.Tensor];

/** Each case's losses, value and gradients with the WebAssembly maths equal those with the JS maths, to the bit. */
function expectSameBits(cases: LossCase[], yp: tf.Tensor, label: string): void {
  cases.forEach(([loss, target], c) => {
    const viaWasm = valuesAndGrads(loss, target, yp, true);
    const viaJs = valuesAndGrads(loss, target, yp, false);
    viaWasm.forEach((t, i) => {
      try {
        expectExact(t, viaJs[i]!);
      } catch (e) {
        throw new Error(`${label} case ${c} output ${i}: ${(e as Error).message}`);
      }
    });
  });
}

/**
 * Checks that `a` and `b` are within one float32 ulp entry by entry (NaN in
 * the same places) and returns how many entries differ at all.
 */
function ulpDiffers(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const bits = (v: number) => new Int32Array(new Float32Array([v]).buffer)[0] as number;
  expect(a.length).toBe(b.length);
  let differ = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i] as number;
    const q = b[i] as number;
    expect(Number.isNaN(p)).toBe(Number.isNaN(q));
    if (Number.isNaN(p) || p === q) continue;
    differ++;
    expect(Math.abs(bits(p) - bits(q))).toBeLessThanOrEqual(1);
  }
  return differ;
}

const run = compositePath() ? describe.skip : describe;

run('WebAssembly maths equals the JS maths', () => {
  it.each([1, 2, 3, 4, 5, 7, 8, 13, 16, 33])('KL (3 directions) and NLL, values and gradients, identical to the bit at d = %i', (d) => {
    for (const layout of ['full', 'packed'] as const) {
      const yt = randomRows(7, d, layout, d);
      const yp = randomRows(7, d, layout, 100 + d);
      const points = tf.randomNormal([7, d], 0, 2, 'float32', 7 * d);
      const padded = tf.concat([points, tf.randomNormal([7, yp.shape[1] - d])], 1);
      const cases: LossCase[] = [
        [gaussianKLLoss({layout}), yt], [gaussianKLLoss({layout, direction: 'reverse'}), yt],
        [gaussianKLLoss({layout, direction: 'symmetric'}), yt],
        [gaussianNLLLoss({layout}), points], [gaussianNLLLoss({layout}), padded],
        [gaussianKLLoss({layout, minDiag: 0}), yt],
      ];
      expectSameBits(cases, yp, layout);
    }
  });

  it.each([1, 2, 3, 4, 5, 7, 8, 13, 16, 33])('\'diag\' KL (3 directions) and NLL, values and gradients, identical to the bit at d = %i (odd tails, clamps, flushed products)', (d) => {
    // σ of either sign, and a −0 (which the guard makes +minDiag). Row 0 is
    // far out (σ 1e-30 against 1e30): a lane's running product of r = a/b or
    // of σ leaves [1e-100, 1e100], and the WebAssembly build recomputes the
    // row entry by entry with the JS flushes. Without them the product
    // underflows float64 from d = 13 (minDiag 0), which this test catches.
    const rows = (seed: number, extreme: number) => tf.tidy(() => {
      const sign = tf.sign(tf.randomUniform([7, d], -1, 1, 'float32', seed));
      const sigma = tf.mul(sign, tf.randomUniform([7, d], 0.3, 2, 'float32', seed + 1)).dataSync().slice();
      sigma.fill(extreme, 0, d);
      sigma[d] = -0;
      return tf.concat([tf.randomNormal([7, d], 0, 2, 'float32', seed + 2), tf.tensor2d(sigma, [7, d])], 1);
    });
    const yt = rows(d, 1e-30);
    const yp = rows(100 + d, 1e30);
    const points = tf.randomNormal([7, d], 0, 2, 'float32', 7 * d);
    const padded = tf.concat([points, tf.randomNormal([7, d])], 1);
    const layout = 'diag';
    const cases: LossCase[] = [
      [gaussianKLLoss({layout}), yt], [gaussianKLLoss({layout, direction: 'reverse'}), yt],
      [gaussianKLLoss({layout, direction: 'symmetric'}), yt],
      [gaussianKLLoss({layout, minDiag: 0}), yt], [gaussianKLLoss({layout, minDiag: 0, direction: 'symmetric'}), yt],
      [gaussianNLLLoss({layout}), points], [gaussianNLLLoss({layout}), padded], [gaussianNLLLoss({layout, minDiag: 0}), padded],
    ];
    expectSameBits(cases, yp, layout);
  });

  it.each([[1, 1, 1], [2, 1, 3], [3, 2, 2], [7, 3, 5], [16, 4, 1], [33, 5, 5], [64, 8, 3]])(
    "'lowrank' KL (3 directions) and NLL, values and gradients, identical to the bit at d = %i, ranks %i (true) and %i (pred)",
    (d, rT, rP) => {
      // σ of either sign, a clamped σ (1e-9 < minDiag) and a W of zeros in row 0.
      const rows = (r: number, seed: number) => tf.tidy(() => {
        const sigma = tf.mul(tf.sign(tf.randomUniform([5, d], -1, 1, 'float32', seed)),
          tf.randomUniform([5, d], 0.3, 2, 'float32', seed + 1)).dataSync().slice();
        sigma[0] = 1e-9;
        const W = tf.randomNormal([5, d * r], 0, 0.7, 'float32', seed + 2).dataSync().slice();
        W.fill(0, 0, d * r);
        return tf.concat([tf.randomNormal([5, d], 0, 2, 'float32', seed + 3), tf.tensor2d(sigma, [5, d]), tf.tensor2d(W, [5, d * r])], 1);
      });
      const yt = rows(rT, d);
      const yp = rows(rP, 100 + d);
      const points = tf.randomNormal([5, d], 0, 2, 'float32', 7 * d);
      const padded = tf.concat([points, tf.randomNormal([5, d * (1 + rP)])], 1);
      const layout = 'lowrank';
      const kl = (direction: 'forward' | 'reverse' | 'symmetric', minDiag?: number) =>
        gaussianKLLoss({layout, rank: rP, rankTrue: rT, direction, minDiag});
      const cases: LossCase[] = [
        [kl('forward'), yt], [kl('reverse'), yt], [kl('symmetric'), yt], [kl('symmetric', 0), yt],
        [gaussianNLLLoss({layout, rank: rP}), points], [gaussianNLLLoss({layout, rank: rP}), padded],
      ];
      expectSameBits(cases, yp, layout);
    });

  it.each([1, 2, 3, 5, 8, 16, 33])('cholesky and its gradient, identical to the bit at n = %i (with a matrix that is not positive definite)', (n) => {
    const a = tf.tidy(() => {
      const m = tf.randomNormal([4, n, n], 0, 1, 'float32', n);
      const spd = tf.add(tf.matMul(m, m, false, true), tf.mul(tf.eye(n), 0.1));
      // The last matrix is not positive definite: its factor is NaN on both.
      return tf.concat([spd.slice([0], [3]), tf.neg(spd.slice([3], [1]))]);
    });
    const w = tf.randomUniform([4, n, n], -1, 1, 'float32', 2 * n);
    const run = (wasm: boolean) => {
      setWasmMath(wasm);
      try {
        const {value, grad} = tf.valueAndGrad((x: tf.Tensor) => tf.sum(tf.mul(cholesky(x).slice([0], [3]), w.slice([0], [3]))))(a);
        return [cholesky(a), value, grad];
      } finally {
        setWasmMath(true);
      }
    };
    const viaWasm = run(true);
    const viaJs = run(false);
    viaWasm.forEach((x, i) => expectExact(x, viaJs[i]!));
    expect(Array.from(viaWasm[0]!.slice([3], [1]).dataSync()).every(Number.isNaN)).toBe(true);
  });

  it.each([[5, [1]], [4, [7]], [3, [8]], [6, [2, 5]], [2, [3, 3, 3]]])('ScaleRows (the rows\' backward pass), identical to the bit with %i rows of shape %j', (batch, inner) => {
    const x = tf.randomNormal([batch, ...inner], 0, 3, 'float32', batch);
    const scale = tf.randomNormal([batch], 0, 2, 'float32', batch + 1);
    const run = (wasm: boolean) => {
      setWasmMath(wasm);
      try {
        return tf.engine().runKernel(ScaleRows, {x, scale}) as tf.Tensor;
      } finally {
        setWasmMath(true);
      }
    };
    const viaWasm = run(true);
    expectExact(viaWasm, run(false));
    // And it is the row-wise product (float32 products of float32 factors are exact in float64, then rounded once).
    expectExact(viaWasm, tf.mul(x, tf.reshape(scale, [batch, ...inner.map(() => 1)])));
  });

  // The head's softplus and sigmoid: the module evaluates exp and log1p
  // itself (fdlibm's algorithms, two entries per f64x2), the JS calls
  // Math.exp and Math.log1p. Both are within one float64 ulp, and each
  // result is rounded once to float32, so they can differ only where the
  // float64 value lies within ~1e-16 of a float32 rounding boundary: one
  // float32 ulp, on a vanishing fraction of entries (0 of 10^5 seen in Node
  // 20; the bound below allows 10).
  it('the head (softplus + shift and sigmoid slope) is within one float32 ulp of the JS maths, and equal on all but a few of 10^5 entries', () => {
    const n = 100000;
    const x = new Float32Array(n);
    let seed = 7;
    const u = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < n; i++) {
      const scale = [1e-3, 0.3, 3, 40, 1000][i % 5] as number;
      x[i] = scale * (2 * u() - 1);
    }
    x.set([0, -0, 1e-40, -1e-40, 69.1, -69.1, -103.5, -200.5, 1e30, -1e30, NaN, Infinity, -Infinity, 0.34657359, -0.34657359]);
    for (const diagShift of [0, 1e-5, 0.25]) {
      const attrs = {dim: 1, layout: 'diag', diagShift, components: 0};
      const run = (wasm: boolean) => {
        setWasmMath(wasm);
        try {
          const [v, m, f] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
          gaussianHeadWithGradSpec.compute([x], [[n / 2, 2]], attrs, [v, m]);
          gaussianHeadSpec.compute([x], [[n / 2, 2]], attrs, [f]);
          return [v, m, f];
        } finally {
          setWasmMath(true);
        }
      };
      const viaWasm = run(true);
      const viaJs = run(false);
      viaWasm.forEach((a, o) => expect(ulpDiffers(a, viaJs[o]!)).toBeLessThanOrEqual(10));
      // The odd columns are the 'diag' scales: softplus(x) + shift > 0, slope in [0, 1].
      expect(viaWasm[0]![1]).toBeCloseTo(Math.log(2) + diagShift, 6);
    }
  });

  // The mixture kernel for tril components runs wholly in the module: the
  // components' rows are nllGradRows' bits, and the combination uses the
  // module's fdlibm exp and log where the JS uses Math.exp and Math.log, so
  // values and gradients may differ by one float32 ulp where a float64
  // result lies next to a float32 rounding boundary (none seen here in
  // Node 20, whose Math.exp and Math.log are fdlibm's).
  it.each([[1, 1, 'packed'], [3, 2, 'full'], [5, 8, 'packed'], [4, 3, 'full'], [2, 16, 'packed']] as const)(
    'mixture NLL with K = %i, d = %i (%s): values and gradients within one float32 ulp of the JS maths, with far components and extreme logits', (K, d, layout) => {
      const batch = 12;
      const yp = tf.tidy(() => {
        const comps = randomRows(batch * K, d, layout, 10 * K + d);
        // Sample 0: one component 1e3 σ away; sample 1: logits ±1e4 (π underflows).
        const logits = tf.concat([tf.tensor2d([[1e4, ...Array(K - 1).fill(-1e4)]]),
          tf.randomNormal([batch - 1, K], 0, 2, 'float32', d)]);
        return tf.concat([logits, tf.reshape(comps, [batch, -1])], 1);
      });
      const points = tf.tidy(() => tf.concat([tf.fill([1, d], 1e3), tf.randomNormal([batch - 1, d], 0, 2, 'float32', K)]));
      const loss = gaussianMixtureNLLLoss({components: K, layout});
      const viaWasm = valuesAndGrads(loss, points, yp, true);
      const viaJs = valuesAndGrads(loss, points, yp, false);
      let differ = 0;
      let total = 0;
      viaWasm.forEach((t, i) => {
        differ += ulpDiffers(t.dataSync(), viaJs[i]!.dataSync());
        total += t.size;
      });
      expect(differ).toBeLessThanOrEqual(Math.ceil(total / 100));
      expect(Array.from(viaWasm[0]!.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([yp, points, ...viaWasm, ...viaJs]);
    });

  it('the fused path is what runs here', () => {
    expect(hasFusedKernels(tf.getBackend())).toBe(true);
  });
});

// Backend-independent: one project only.
(testBackend() === 'cpu' ? describe : describe.skip)('WebAssembly build', () => {
  it('src/kernels/shared/wasm_math_bytes.ts is the compiled assembly/gaussian_math.ts (npm run build:wasm)', () => {
    const out = execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build_wasm.mjs'), '--check'],
      {encoding: 'utf8'});
    expect(out).toContain('up to date');
  }, 60000);
});

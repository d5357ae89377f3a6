/**
 * GaussianMixtureNLL and GaussianMixtureNLLWithGrad (kernel_names.ts) on
 * typed arrays. A mixture row is `[logits (K) | K component rows]`; the
 * kernel lays the B·K components out as ordinary Gaussian rows, runs the
 * single-Gaussian NLL rows on them (gaussian_nll_impl.ts, with the
 * WebAssembly maths where it is ready), and combines each sample's K values
 * in float64:
 *
 *   ℓ_k = log softmax(a)_k − nll_k,   NLL = −logsumexp_k ℓ_k,
 *
 * both log-sum-exps shifted by their maximum, so logits of ±1e4 and
 * components 1e3 σ away (nll_k ≈ 5e5) stay finite and exact to float64.
 * The gradients, with π = softmax(a) and the responsibilities
 * r_k = exp(ℓ_k + NLL) (the posterior weight of component k given x):
 *
 *   ∂NLL/∂a_k = π_k − r_k,   ∂NLL/∂θ_k = r_k ∂nll_k/∂θ_k
 *
 * (and ∂NLL/∂x = −Σ_k ∂NLL/∂μ_k, which the op derives: kernels/composite/point_grad.ts).
 *
 * One pass over B·K rows, whatever K: the launch count does not grow with K.
 *
 * For components in a tril layout ('full', 'packed') the whole kernel runs in
 * the WebAssembly module where it is ready (wasm_math.ts wasmMixtureRows):
 * the same rows and combination, without this file's copies in and out of
 * JS arrays, which cost 0.2 of 0.47 ms at (256, 8), K = 5. The code below
 * serves the other layouts and the fallback, and is the reference the module
 * is tested against (test/wasm_math.test.ts).
 */
import {GaussianMixtureNLL, GaussianMixtureNLLAttrs} from '../kernel_names.js';
import {nllGradRows, nllRows} from './gaussian_nll_impl.js';
import {JsKernelSpec, rowsOf} from './js_kernel.js';
import {scratch32, scratch64} from './scratch.js';
import {wasmMixtureRows} from './wasm_math.js';
import {rowLayout} from '../../layout/row_layout.js';

/**
 * Gradient entries below 2^-100 (7.9e-31) are written as 0. A component far
 * from a point has a responsibility that underflows float32 into its
 * subnormal range (1e-40 and below), and subnormals make the next matmul of
 * the backward pass 50-100x slower where nothing flushes them (wasm: the
 * Dense layer's gradient at (256, 8), K = 5 took 4 ms longer than on MSE for
 * 242 subnormal entries of 57 600). 2^-100 leaves room for the upstream
 * scaling (1/B for B up to 2^26) to stay normal; such entries carry nothing
 * an optimizer can use (Adam's update is g / (√v + 1e-7)).
 */
const TINY = 2 ** -100;
const flushTiny = (v: number): number => (Math.abs(v) < TINY ? 0 : v);

/** Components in a tril layout run wholly in WebAssembly where it is ready (wasm_math.ts wasmMixtureRows). */
const tril = (layout: string): boolean => layout === 'full' || layout === 'packed';

/** The B·K points (each sample's point repeated K times) and component rows, contiguous. */
function componentRows(x: Float32Array, wx: number, y: Float32Array, wy: number, batch: number, K: number,
                       d: number, cw: number): {X: Float32Array; C: Float32Array} {
  const X = scratch32('mixture.X', batch * K * d);
  const C = scratch32('mixture.C', batch * K * cw);
  for (let b = 0; b < batch; b++) {
    const point = x.subarray(b * wx, b * wx + d);
    for (let k = 0; k < K; k++) X.set(point, (b * K + k) * d);
    C.set(y.subarray(b * wy + K, b * wy + K + K * cw), b * K * cw);
  }
  return {X, C};
}

/**
 * `−logsumexp_k(log softmax(a)_k − nll_k)` for the logits at `y[o..o+K)` and
 * the component NLLs at `nll[no..no+K)`. Writes `π_k` to `w[k]` and `r_k` to
 * `w[K + k]`. Each exponential is taken once: the shifted terms of a sum are
 * kept, and π_k = e^(a_k − max a) / Σ, r_k = e^(ℓ_k − max ℓ) / Σ' (2K exp and
 * 2 log per sample; recomputing π and r as exp(a_k − lse(a)) and
 * exp(ℓ_k − lse(ℓ)) cost 4K exp, a quarter of the kernel in WebAssembly).
 */
function combine(y: Float32Array, o: number, K: number, nll: Float64Array, no: number, w: Float64Array): number {
  let ma = -Infinity;
  for (let k = 0; k < K; k++) ma = Math.max(ma, y[o + k] as number);
  let sa = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp((y[o + k] as number) - ma);
    w[k] = e;
    sa += e;
  }
  const lseA = ma + Math.log(sa);
  let ml = -Infinity;
  for (let k = 0; k < K; k++) {
    const l = (y[o + k] as number) - lseA - (nll[no + k] as number);
    w[K + k] = l;
    ml = Math.max(ml, l);
  }
  let sl = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp((w[K + k] as number) - ml);
    w[K + k] = e;
    sl += e;
  }
  for (let k = 0; k < K; k++) {
    w[k] = (w[k] as number) / sa;
    w[K + k] = (w[K + k] as number) / sl;
  }
  return -(ml + Math.log(sl));
}

export const gaussianMixtureNLLSpec: JsKernelSpec = {
  name: GaussianMixtureNLL.name,
  inputNames: GaussianMixtureNLL.inputNames,
  outputShapes: (shapes) => [[rowsOf(shapes).batch]],
  compute([x, yp], shapes, attrs, [out]) {
    const {components: K, dim: d, layout, minDiag} = attrs as GaussianMixtureNLLAttrs;
    const {batch, w0, w1} = rowsOf(shapes);
    const y = yp as Float32Array;
    if (tril(layout) && wasmMixtureRows(x as Float32Array, w0, y, w1, batch, K, rowLayout(d, layout), minDiag, out as Float32Array, null)) return;
    const cw = (w1 - K) / K;  // the component width (its rank, in 'lowrank', follows from it)
    const {X, C} = componentRows(x as Float32Array, w0, y, w1, batch, K, d, cw);
    const nll = scratch64('mixture.nll', batch * K);
    nllRows(X, d, C, cw, batch * K, d, layout, minDiag, nll);
    const w = new Float64Array(2 * K);
    const res = out as Float32Array;
    for (let b = 0; b < batch; b++) res[b] = combine(y, b * w1, K, nll, b * K, w);
  },
};

/**
 * The per-sample mixture NLL and its gradient with respect to `yPred`, in
 * one pass: outputs `[nll [B], dNLL/dyPred [B, W]]` (the point's gradient
 * is the op's to derive, kernel_names.ts).
 */
export const gaussianMixtureNLLWithGradSpec: JsKernelSpec = {
  name: GaussianMixtureNLL.gradName,
  inputNames: GaussianMixtureNLL.inputNames,
  outputShapes: (shapes) => [[rowsOf(shapes).batch], shapes[1] as number[]],
  compute([x, yp], shapes, attrs, [out, gp]) {
    const {components: K, dim: d, layout, minDiag} = attrs as GaussianMixtureNLLAttrs;
    const {batch, w0, w1} = rowsOf(shapes);
    const y = yp as Float32Array;
    if (tril(layout) && wasmMixtureRows(x as Float32Array, w0, y, w1, batch, K, rowLayout(d, layout), minDiag,
      out as Float32Array, gp as Float32Array)) return;
    const cw = (w1 - K) / K;  // the component width (its rank, in 'lowrank', follows from it)
    const n = batch * K;
    const {X, C} = componentRows(x as Float32Array, w0, y, w1, batch, K, d, cw);
    const nll = scratch64('mixture.nll', n);
    const gC = scratch32('mixture.gC', n * cw);
    nllGradRows(X, d, C, cw, n, d, layout, minDiag, nll, scratch32('mixture.gX', n * d), gC);
    const w = new Float64Array(2 * K);
    const res = out as Float32Array;
    const GY = gp as Float32Array;
    for (let b = 0; b < batch; b++) {
      const o = b * w1;
      res[b] = combine(y, o, K, nll, b * K, w);
      for (let k = 0; k < K; k++) {
        const r = w[K + k] as number;
        GY[o + k] = flushTiny((w[k] as number) - r);
        const c = (b * K + k) * cw;
        const oc = o + K + k * cw;
        if (r < TINY) {
          GY.fill(0, oc, oc + cw);
        } else {
          for (let j = 0; j < cw; j++) GY[oc + j] = flushTiny(r * (gC[c + j] as number));
        }
      }
    }
  },
};

/**
 * The head transform (gaussianHead, gaussianMixtureHead) against float64
 * torch (test/fixtures/head.json: torch.logaddexp(x, 0) + shift on the scale
 * columns, autograd for the gradient of sum(head(x) · w)), in every layout,
 * for mixtures, at x = ±1e3, ±40, ±15, 0 and N(0, 3) draws, and diagShift
 * 1e-5, 0 and 0.25.
 */
import * as tf from '@tensorflow/tfjs';

import {GaussianLayout, gaussianHead, gaussianMixtureHead} from '../../src/index';
import {setWasmMath} from '../../src/kernels/shared/wasm_math';
import {compositePath, expectClose, expectNoLeak, fixture} from '../helpers';

interface HeadCase {
  layout: GaussianLayout; dim: number; rank: number; components: number; diagShift: number;
  x: number[][]; weights: number[][]; y: number[][]; grad: number[][];
}

const cases = fixture<{cases: HeadCase[]}>('head.json').cases;

function layerOf(c: HeadCase): tf.layers.Layer {
  const rank = c.layout === 'lowrank' ? {rank: c.rank} : {};
  return c.components === 0 ? gaussianHead({dim: c.dim, layout: c.layout, diagShift: c.diagShift, ...rank})
    : gaussianMixtureHead({components: c.components, dim: c.dim, layout: c.layout, diagShift: c.diagShift, ...rank});
}

// Fused kernels evaluate softplus and sigmoid in float64 (within an ulp of
// float64 on either maths) and round once, so
// values are within half a float32 ulp (2^-24 = 6e-8 relative) of the
// float64 reference, held at one ulp (1.2e-7). A gradient entry is dy times
// the slope sigmoid(x) rounded to float32, a float32 product: two roundings,
// 1.2e-7, held at 2.4e-7. The composite path's float32 tf.softplus and
// sigmoid round several times: worst seen 1.5e-7 relative (x = -15,
// softplus 3.1e-7), held at 1e-6.
// atol 1e-30 only lets an exact 0 (softplus(-1e3) + 0) match the float64 0.
const tol = () => (compositePath() ? {rtol: 1e-6, atol: 1e-30} : {rtol: 1.2e-7, atol: 1e-30});
const gradTol = () => (compositePath() ? {rtol: 1e-6, atol: 1e-30} : {rtol: 2.4e-7, atol: 1e-30});

// Both typed-array maths: the WebAssembly head (fdlibm's exp and log1p, two
// entries per f64x2) and the JS one (Math.exp, Math.log1p), which serves
// where WebAssembly is unavailable or still compiling.
const labels = cases.map((c, i) => [`${c.layout} d=${c.dim}${c.rank ? ` r=${c.rank}` : ''}${c.components ? ` K=${c.components}` : ''} shift=${c.diagShift}`, i]);
describe.each([['WebAssembly', true], ['JS', false]])('head transform against float64 torch (head.json), %s maths', (_maths, wasm) => {
  beforeAll(() => setWasmMath(wasm as boolean));
  afterAll(() => setWasmMath(true));
  it.each(labels)(
    '%s: values and gradient', (_label, i) => {
      const c = cases[i as number]!;
      const layer = layerOf(c);
      const x = tf.tensor2d(c.x);
      const w = tf.tensor2d(c.weights);
      expectClose(layer.apply(x) as tf.Tensor, c.y, tol(), 'values');
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v) as tf.Tensor, w)))(x);
      expectClose(g, c.grad, gradTol(), 'gradient');
      expectNoLeak(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v) as tf.Tensor, w)))(x).dispose());
      tf.dispose([x, w, g]);
    });
});

describe('head transform kernels', () => {
  it('the head runs as one kernel where the backend fuses it (its backward pass is one Mul)', async () => {
    const layer = gaussianHead({dim: 4, layout: 'packed'});
    const x = tf.randomNormal([8, 14], 0, 1, 'float32', 3);
    const {kernels} = await tf.profile(() => tf.grad((v: tf.Tensor) => tf.sum(layer.apply(v) as tf.Tensor))(x));
    const ours = kernels.filter((k) => k.name.startsWith('TfjsGaussianHead')).map((k) => k.name);
    expect(ours).toEqual(compositePath() ? [] : ['TfjsGaussianHeadWithGrad']);
    x.dispose();
  });
});

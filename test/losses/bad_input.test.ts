/**
 * One test per row of the README's "Bad input and the errors it gets" table:
 * each message names the function, the argument and the sizes received.
 */
import * as tf from '@tensorflow/tfjs';

import {
  cholesky, gaussianEntropy, gaussianKLLoss, gaussianLogProb, gaussianMixtureNLLLoss, gaussianNLLLoss, klDivergence,
} from '../../src/index';

const kl = gaussianKLLoss();
const nll = gaussianNLLLoss();

// Input tensors are made once and reused, so that the leak test below counts
// only what the library itself creates.
const made = new Map<string, tf.Tensor>();
const t = (key: string, make: () => tf.Tensor): tf.Tensor => {
  let x = made.get(key);
  if (x === undefined) {
    x = tf.keep(make());
    made.set(key, x);
  }
  return x;
};
const zeros = (shape: number[], dtype: 'float32' | 'int32' = 'float32') => t(`z${shape}${dtype}`, () => tf.zeros(shape, dtype));
const eye = (n: number) => t(`eye${n}`, () => tf.eye(n));
const scalar = () => t('scalar', () => tf.scalar(1));

const rows: Array<[string, () => unknown, RegExp]> = [
  ['wrong rank: a scalar yPred',
    () => kl(scalar(), scalar()),
    /^gaussianKLLoss\(\): yPred must have shape \[batch, width\] \(rank >= 1\), but got shape \[\]\.$/],
  ['wrong rank: a vector scaleTril',
    () => klDivergence([0, 0], [1, 1], [0, 0], eye(2)),
    /^klDivergence\(\): scaleTril1 must have shape \[\.\.\., d, d\] \(rank >= 2\), but got shape \[2\]\.$/],
  ['yTrue and yPred of different widths',
    () => kl(zeros([4, 6]), zeros([4, 12])),
    /^gaussianKLLoss\(\): yTrue must have width 12 to match yPred \(dim 3\), but got yTrue \[4,6\] and yPred \[4,12\]\.$/],
  ['yTrue and yPred of different batch sizes',
    () => kl(zeros([3, 6]), zeros([4, 6])),
    /^gaussianKLLoss\(\): yTrue and yPred must have the same batch shape, but got yTrue \[3,6\] and yPred \[4,6\]\.$/],
  ['a width that fits no dim',
    () => kl(zeros([4, 7]), zeros([4, 7])),
    /^gaussianKLLoss\(\): the width of yPred \(7, shape \[4,7\]\) fits no dim in the 'full' layout \(widths are d \+ d²: 2, 6, 12, 20, \.\.\.\)\.$/],
  ['an explicit dim that disagrees with the width',
    () => gaussianKLLoss({dim: 3})(zeros([4, 6]), zeros([4, 6])),
    /^gaussianKLLoss\(\): dim \(3\) needs width 12 in the 'full' layout, but yPred has width 6 \(shape \[4,6\]\)\.$/],
  ['NLL targets of a width that is neither d nor the output width',
    () => nll(zeros([4, 3]), zeros([4, 6])),
    /^gaussianNLLLoss\(\): yTrue must have width 2 or 6 to match yPred \(dim 2\), but got yTrue \[4,3\] and yPred \[4,6\]\.$/],
  ['mismatched mean and factor dims',
    () => klDivergence([0, 0], eye(3), [0, 0], eye(2)),
    /^klDivergence\(\): scaleTril1 must have shape \[\.\.\., 2, 2\] to match mean1 \[2\], but got shape \[3,3\]\.$/],
  ['non-float dtype',
    () => kl(zeros([4, 6], 'int32'), zeros([4, 6])),
    /^gaussianKLLoss\(\): yTrue must be a float32 tensor, but got dtype int32 with shape \[4,6\]\.$/],
  ['a TensorLike of the wrong nesting',
    () => kl([[0, 0, 1, 0, 0, 1], [0, 0, 1]], zeros([2, 6])),
    /^gaussianKLLoss\(\): yTrue is a ragged nested array: yTrue\[1\] has 3 entries, but yTrue\[0\] has 6\.$/],
  ['dim <= 0',
    () => gaussianKLLoss({dim: 0}),
    /^gaussianKLLoss\(\): dim must be a positive integer, but got 0\.$/],
  ['non-integer dim',
    () => gaussianNLLLoss({dim: 2.5}),
    /^gaussianNLLLoss\(\): dim must be a positive integer, but got 2\.5\.$/],
  ['an unknown layout',
    () => gaussianKLLoss({layout: 'band' as 'full'}),
    /^gaussianKLLoss\(\): layout must be one of 'full', 'packed', 'diag', 'lowrank', but got 'band'\.$/],
  ['an unknown direction',
    () => gaussianKLLoss({direction: 'both' as 'forward'}),
    /^gaussianKLLoss\(\): direction must be one of 'forward', 'reverse', 'symmetric', but got 'both'\.$/],
  ['minDiag out of range',
    () => gaussianKLLoss({minDiag: -1}),
    /^gaussianKLLoss\(\): minDiag must be in \[0, 1\), but got -1\.$/],
  ['points of the wrong dimension for gaussianLogProb',
    () => gaussianLogProb(zeros([4, 3]), zeros([2]), eye(2)),
    /^gaussianLogProb\(\): x must have shape \[\.\.\., 2\] to match mean \[2\], but got shape \[4,3\]\.$/],
  ['batch shapes that do not broadcast in gaussianLogProb',
    () => gaussianLogProb(zeros([3, 2]), zeros([4, 2]), eye(2)),
    /^gaussianLogProb\(\): batch dimensions of x \[3,2\] and mean \[4,2\] do not broadcast\.$/],
  ["a width that is not 2d in the 'diag' layout",
    () => gaussianKLLoss({layout: 'diag'})(zeros([4, 7]), zeros([4, 7])),
    /^gaussianKLLoss\(\): the width of yPred \(7, shape \[4,7\]\) fits no dim in the 'diag' layout \(widths are d \+ d: 2, 4, 6, 8, \.\.\.\)\.$/],
  ["a negative σ in the 'diag' layout (validateArgs)",
    () => gaussianNLLLoss({layout: 'diag', validateArgs: true})([[0, 0]], [[0, 0, 1, -0.5]]),
    /^gaussianNLLLoss\(\): yPred has a negative scale σ\[1\] = -0\.5 at sample 0, entry 3: the 'diag' layout needs σ > 0 \(validateArgs\)\.$/],
  ['a non-square matrix for cholesky',
    () => cholesky(zeros([3, 2, 3])),
    /^cholesky\(\): a must be square \[\.\.\., n, n\], but got shape \[3,2,3\]\.$/],
  ['a matrix that is not positive definite for cholesky (validateArgs)',
    () => cholesky(t('npd', () => tf.tensor4d([[[[4, 2], [2, 3]], [[4, 2], [2, 3]]], [[[4, 2], [2, 3]], [[1, 2], [2, 1]]]])),
      {validateArgs: true}),
    /^cholesky\(\): a is not positive definite: the matrix at batch index \[1,1\] fails at pivot 1 \(a\[1\]\[1\] - ‖L\[1\]\[:1\]‖² = -3\.000, must be > 0\) \(validateArgs\)\.$/],
  ['a non-square factor for gaussianEntropy',
    () => gaussianEntropy(zeros([2, 3])),
    /^gaussianEntropy\(\): scaleTril must be square \[\.\.\., d, d\], but got shape \[2,3\]\.$/],
  ['K <= 0 mixture components',
    () => gaussianMixtureNLLLoss({components: 0}),
    /^gaussianMixtureNLLLoss\(\): components must be a positive integer, but got 0\.$/],
  ['a mixture width that fits no (K, d)',
    () => gaussianMixtureNLLLoss({components: 3})(zeros([4, 2]), zeros([4, 20])),
    /^gaussianMixtureNLLLoss\(\): the width of yPred \(20, shape \[4,20\]\) fits no dim for 3 components in the 'full' layout \(widths are K \+ K\(d \+ d²\): 9, 21, 39, 63, \.\.\.\)\.$/],
  ['mixture targets of the wrong width',
    () => gaussianMixtureNLLLoss({components: 3})(zeros([4, 3]), zeros([4, 21])),
    /^gaussianMixtureNLLLoss\(\): yTrue must have width 2 or 21 to match yPred \(dim 2\), but got yTrue \[4,3\] and yPred \[4,21\]\.$/],
  ['NaN mixture logits (validateArgs)',
    () => gaussianMixtureNLLLoss({components: 2, layout: 'diag', validateArgs: true})(
      t('mixX', () => tf.zeros([2, 1])), t('mixNaN', () => tf.tensor2d([[0, 0, 0, 1, 1, 2], [0, NaN, 0, 1, 1, 2]]))),
    /^gaussianMixtureNLLLoss\(\): yPred has a non-finite logit \(NaN\) at sample 1, component 1, entry 1 \(validateArgs\)\.$/],
];

describe('bad input', () => {
  it.each(rows)('%s throws an error naming the function, argument and sizes', (_name, call, message) => {
    expect(call).toThrow(message);
  });

  it('bad input leaves no tensors behind', () => {
    const all = () => rows.forEach(([, call]) => {
      try { call(); } catch { /* expected */ }
    });
    all(); // makes the shared inputs
    const before = tf.memory().numTensors;
    all();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('validateArgs: true', () => {
  const good = [[0, 0, 1, 0, 0.5, 1], [1, 1, 2, 0, 0.3, 1], [0, 1, 1, 0, 0, 1]];

  it('gaussianKLLoss({validateArgs}) names the sample and entry of a non-finite value in yTrue', () => {
    const yt = good.map((r) => r.slice());
    yt[2]![3] = NaN;
    expect(() => gaussianKLLoss({validateArgs: true})(yt, good)).toThrow(/^gaussianKLLoss\(\): yTrue has a non-finite value \(NaN\) at sample 2, entry 3 \(validateArgs\)\.$/);
  });

  it('gaussianKLLoss({validateArgs}) names the sample and entry of a zero diagonal in yTrue', () => {
    const yt = good.map((r) => r.slice());
    yt[1]![5] = 0;
    expect(() => gaussianKLLoss({validateArgs: true})(yt, good)).toThrow(/^gaussianKLLoss\(\): yTrue has a zero Cholesky diagonal L\[1\]\[1\] at sample 1, entry 5 \(validateArgs\)\.$/);
  });

  it('gaussianKLLoss({validateArgs}) names a non-finite prediction, and accepts valid data', () => {
    const yp = good.map((r) => r.slice());
    yp[0]![0] = Infinity;
    expect(() => gaussianKLLoss({validateArgs: true})(good, yp)).toThrow(/yPred has a non-finite value \(Infinity\) at sample 0, entry 0/);
    expect(gaussianKLLoss({validateArgs: true})(good, good).shape).toEqual([3]);
  });

  it('gaussianKLLoss without validateArgs does not check data (a zero yTrue diagonal is guarded, not an error)', () => {
    const yt = good.map((r) => r.slice());
    yt[1]![5] = 0;
    expect(() => gaussianKLLoss()(yt, good)).not.toThrow();
  });

  it('gaussianNLLLoss({validateArgs}) names a non-finite target', () => {
    expect(() => gaussianNLLLoss({validateArgs: true})([[0, 0], [NaN, 1]], good.slice(0, 2))).toThrow(/^gaussianNLLLoss\(\): yTrue has a non-finite value \(NaN\) at sample 1, entry 0 \(validateArgs\)\.$/);
  });

  it('klDivergence({validateArgs}) names the sample and entry of a zero diagonal', () => {
    const L = tf.tensor3d([[[1, 0], [0, 1]], [[1, 0], [0.5, 0]]]);
    expect(() => klDivergence([0, 0], L, [0, 0], eye(2), {validateArgs: true})).toThrow(/^klDivergence\(\): mean1\/scaleTril1 has a zero Cholesky diagonal L\[1\]\[1\] at sample 1, entry 5 \(validateArgs\)\.$/);
  });
});

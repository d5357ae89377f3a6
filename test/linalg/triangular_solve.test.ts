import * as tf from '@tensorflow/tfjs';

import {triangularSolve} from '../../src/index';
import {compositePath, expectClose, expectNoLeak, fixture, Tol} from '../helpers';

interface SolveCase {
  d: number; k: number; adjoint: boolean;
  matrix: number[]; rhs: number[]; x: number[]; weights: number[];
  gradMatrix: number[]; gradRhs: number[];
}
const {cases} = fixture<{cases: SolveCase[]}>('triangular_solve.json');

// The fixtures are exact (float64) answers for the same float32 inputs, with
// |diag| in [0.5, 1.5] and off-diagonals of size 0.3, so cond(L) < 30 for d <= 8.
// Fast path: substitution in float64, rounded once to float32 (u = 6e-8); the
// gradient reuses the float32-rounded X, which adds an error of about
// cond(L) * u relative to the largest entry: rtol 1e-5, atol 1e-6.
// Composite path: every product in float32, d <= 8 terms per sum over log2(d)
// stages, errors about d * cond(L) * u: rtol 1e-4, atol 1e-5.
const TOL: Tol = compositePath() ? {rtol: 1e-4, atol: 1e-5} : {rtol: 1e-5, atol: 1e-6};

const tensor = (v: number[] | number[][]) => tf.tensor(v as number[]);

describe('triangularSolve', () => {
  it('triangularSolve solves the documented 2x2 example, plain and adjoint', () => {
    // Exact small answers: at most a few float32 roundings of numbers <= 3, so atol 1e-6.
    expectClose(triangularSolve([[2, 0], [1, 1]], [[2], [3]]), [[1], [2]], {rtol: 0, atol: 1e-6});
    expectClose(triangularSolve([[2, 0], [1, 1]], [[2], [3]], {adjoint: true}), [[-0.5], [3]], {rtol: 0, atol: 1e-6});
  });

  it.each(cases.map((c) => [c.d, c.k, c.adjoint, c] as const))(
    'triangularSolve(d = %i, k = %i, adjoint = %s) matches torch.linalg.solve_triangular, values and gradients',
    (_d, _k, _a, c) => {
      const L = tensor(c.matrix as unknown as number[]);
      const B = tensor(c.rhs as unknown as number[]);
      const W = tensor(c.weights as unknown as number[]);
      const X = triangularSolve(L, B, {adjoint: c.adjoint});
      expectClose(X, c.x as unknown as number[], TOL, 'x');
      const [gL, gB] = tf.grads((l: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(triangularSolve(l, b, {adjoint: c.adjoint}), W)))([L, B]);
      expectClose(gL as tf.Tensor, c.gradMatrix as unknown as number[], TOL, 'gradMatrix');
      expectClose(gB as tf.Tensor, c.gradRhs as unknown as number[], TOL, 'gradRhs');
    });

  it('triangularSolve with lower = false reads only the upper triangle', () => {
    const U = tf.tensor2d([[2, 1, -1], [99, 1, 0.5], [99, 99, 4]]);
    const U0 = tf.tensor2d([[2, 1, -1], [0, 1, 0.5], [0, 0, 4]]);
    const B = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    // U0 X = B checked by multiplying back.
    // Multiplying back in float32: three products of entries <= 6 per sum, about 1e-6.
    expectClose(tf.matMul(U0, triangularSolve(U, B, {lower: false})), B, {rtol: 1e-6, atol: 1e-6});
    expectClose(tf.matMul(U0, triangularSolve(U, B, {lower: false, adjoint: true}), true), B, {rtol: 1e-6, atol: 1e-6});
  });

  it('triangularSolve broadcasts batch dimensions of matrix [2,1,3,3] and rhs [4,3,1]', () => {
    const L = tf.add(tf.mul(tf.randomUniform([2, 1, 3, 3], 0, 1, 'float32', 1), tf.tensor2d([[0, 0, 0], [1, 0, 0], [1, 1, 0]])), tf.eye(3));
    const B = tf.randomNormal([4, 3, 1], 0, 1, 'float32', 2);
    const X = triangularSolve(L, B);
    expect(X.shape).toEqual([2, 4, 3, 1]);
    // Unit-diagonal 3x3 factors with entries in [0, 1): the product back rounds to ~1e-6; 1e-5 leaves margin.
    expectClose(tf.matMul(tf.broadcastTo(L, [2, 4, 3, 3]), X), tf.broadcastTo(B, [2, 4, 3, 1]), {rtol: 1e-5, atol: 1e-5});
  });

  it('triangularSolve has gradients for a single matrix (a batch of one)', () => {
    const [gL, gB] = tf.grads((l: tf.Tensor, b: tf.Tensor) => tf.sum(triangularSolve(l, b)))([tf.tensor2d([[2, 0], [1, 1]]), tf.tensor2d([[2], [3]])]);
    // X = [1, 2]; dB = L^{-T} 1 = [0, 1]; dL = -tril(dB X^T) = [[0, 0], [-1, -2]].
    expectClose(gB as tf.Tensor, [[0], [1]], {rtol: 0, atol: 1e-6});
    expectClose(gL as tf.Tensor, [[0, 0], [-1, -2]], {rtol: 0, atol: 1e-6});
  });

  it('triangularSolve throws for non-square matrix, mismatched rhs and unbroadcastable batches, naming the shapes', () => {
    expect(() => triangularSolve(tf.zeros([2, 3]), tf.zeros([2, 1]))).toThrow(/triangularSolve\(\): matrix must be square.*\[2,3\]/);
    expect(() => triangularSolve(tf.eye(3), tf.zeros([2, 1]))).toThrow(/triangularSolve\(\): rhs must have shape \[\.\.\., 3, k\].*\[3,3\].*\[2,1\]/);
    expect(() => triangularSolve(tf.zeros([2, 3, 3]), tf.zeros([4, 3, 1]))).toThrow(/triangularSolve\(\): batch dimensions of matrix \[2,3,3\] and rhs \[4,3,1\]/);
    expect(() => triangularSolve(tf.zeros([3]), tf.zeros([3, 1]))).toThrow(/triangularSolve\(\): matrix must have shape \[\.\.\., d, d\].*\[3\]/);
  });

  it('triangularSolve and its gradients leave no tensors behind', () => {
    const L = tf.tensor3d([[[2, 0], [1, 1]]]);
    const B = tf.tensor3d([[[2], [3]]]);
    expectNoLeak(() => tf.grads((l: tf.Tensor, b: tf.Tensor) => tf.sum(triangularSolve(l, b)))([L, B]).forEach((t) => t.dispose()));
  });
});

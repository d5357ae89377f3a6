/**
 * Synthetic 2-D data whose true mean and Cholesky factor are known smooth
 * functions of a 1-D input x in [-1, 1]: the mean traces an arc, and the
 * noise grows (0.06 -> 0.45 along its main axis) and rotates (by 150 degrees)
 * as x increases.
 */
import * as tf from '@tensorflow/tfjs';

export interface TrueGaussian {
  mean: [number, number];
  /** Lower Cholesky factor [[a, 0], [b, c]]. */
  L: [[number, number], [number, number]];
}

export function truth(x: number): TrueGaussian {
  const mean: [number, number] = [Math.sin(1.5 * x), 0.6 * x * x - 0.3];
  const t = (x + 1) / 2; // 0 .. 1
  const major = 0.06 + 0.39 * t;
  const minor = 0.04 + 0.08 * t;
  const angle = (-Math.PI / 6) + (5 * Math.PI / 6) * t;
  // Sigma = R diag(major^2, minor^2) R^T, then its 2x2 Cholesky factor.
  const [co, si] = [Math.cos(angle), Math.sin(angle)];
  const s11 = co * co * major ** 2 + si * si * minor ** 2;
  const s12 = co * si * (major ** 2 - minor ** 2);
  const s22 = si * si * major ** 2 + co * co * minor ** 2;
  const a = Math.sqrt(s11);
  const b = s12 / a;
  const c = Math.sqrt(s22 - b * b);
  return {mean, L: [[a, 0], [b, c]]};
}

/** A seeded uniform generator (mulberry32) and standard normals (Box-Muller). */
export function rng(seed: number): {uniform: () => number; normal: () => number} {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let r = Math.imul(s ^ (s >>> 15), 1 | s);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return {uniform, normal};
}

/** Draws one point from the true Gaussian at x. */
export function drawAt(x: number, normal: () => number): [number, number] {
  const {mean, L} = truth(x);
  const e1 = normal();
  const e2 = normal();
  return [mean[0] + L[0][0] * e1, mean[1] + L[1][0] * e1 + L[1][1] * e2];
}

/** n inputs uniform on [-1, 1] with one observed point each: x [n, 1], y [n, 2]. */
export function makeData(n: number, seed: number): {x: tf.Tensor2D; y: tf.Tensor2D; xs: number[]; ys: number[][]} {
  const {uniform, normal} = rng(seed);
  const xs: number[] = [];
  const ys: number[][] = [];
  for (let i = 0; i < n; i++) {
    const x = 2 * uniform() - 1;
    xs.push(x);
    ys.push(drawAt(x, normal));
  }
  return {x: tf.tensor2d(xs, [n, 1]), y: tf.tensor2d(ys), xs, ys};
}

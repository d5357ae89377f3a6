/**
 * Probabilistic PCA (Tipping & Bishop, 1999) by its closed form: the
 * baseline that examples/vae.ts must beat. With the sample covariance's
 * eigenpairs (λ₁ ≥ … ≥ λ_D, U), latent dimension q:
 *   σ² = mean of the D − q smallest eigenvalues,
 *   W = U_q (Λ_q − σ² I)^½,   C = W Wᵀ + σ² I,
 * the maximum-likelihood fit. Its log-density is computed with the library's
 * cholesky and gaussianLogProb.
 */
import * as tf from '@tensorflow/tfjs';

import {cholesky, gaussianLogProb} from '../src/index';

/** Eigenpairs of a symmetric matrix by cyclic Jacobi rotations (float64), sorted by decreasing eigenvalue. */
export function symmetricEigen(a: number[][]): {values: number[]; vectors: number[][]} {
  const n = a.length;
  const A = a.map((r) => r.slice());
  const V: number[][] = A.map((_, i) => A.map((__, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p]![q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q]![q]! - A[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k]![p]!;
          const akq = A[k]![q]!;
          A[k]![p] = c * akp - s * akq;
          A[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p]![k]!;
          const aqk = A[q]![k]!;
          A[p]![k] = c * apk - s * aqk;
          A[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k]![p]!;
          const vkq = V[k]![q]!;
          V[k]![p] = c * vkp - s * vkq;
          V[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = A.map((r, i) => [r[i]!, i] as const).sort((x, y) => y[0] - x[0]);
  return {values: order.map(([v]) => v), vectors: order.map(([, i]) => V.map((r) => r[i]!))};
}

/** The PPCA fit of rows `x [n, D]` with latent dimension `q`: mean and covariance (float64). */
export function fitPPCA(x: number[][], q: number): {mean: number[]; cov: number[][]; sigma2: number} {
  const n = x.length;
  const D = x[0]!.length;
  const mean = Array.from({length: D}, (_, j) => x.reduce((a, r) => a + r[j]!, 0) / n);
  const S = Array.from({length: D}, () => new Array<number>(D).fill(0));
  for (const r of x) {
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) S[i]![j]! += (r[i]! - mean[i]!) * (r[j]! - mean[j]!) / n;
  }
  const {values, vectors} = symmetricEigen(S);
  const sigma2 = values.slice(q).reduce((a, b) => a + b, 0) / (D - q);
  const cov = Array.from({length: D}, (_, i) => Array.from({length: D}, (__, j) => (i === j ? sigma2 : 0)));
  for (let k = 0; k < q; k++) {
    const w = values[k]! - sigma2;
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) cov[i]![j]! += w * vectors[k]![i]! * vectors[k]![j]!;
  }
  return {mean, cov, sigma2};
}

/** Mean log-density of rows `x` under the PPCA fit, in nats per row. */
export function ppcaLogLikelihood(x: tf.Tensor2D, fit: {mean: number[]; cov: number[][]}): number {
  return tf.tidy(() => {
    const L = cholesky(tf.tensor2d(fit.cov));
    return tf.mean(gaussianLogProb(x, tf.tensor1d(fit.mean), L)).dataSync()[0]!;
  });
}

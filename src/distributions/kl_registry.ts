/**
 * KL divergence between distribution objects, resolved by their classes, as
 * PyTorch's `register_kl` and TFP's `RegisterKL` do. One entry per pair of
 * families; the multivariate-normal family has one rule with a structural
 * branch (TFP's `mvn_linear_operator` KL): two diagonal scales use the O(d)
 * closed form, anything else the triangular one, `klDivergence`, with a
 * diagonal scale given as a diagonal matrix. A low-rank-plus-diagonal
 * covariance against a low-rank or diagonal one uses the 'lowrank' KL kernel
 * (a diagonal is the same row with rank 0), O(d·r²); against a triangular
 * scale, the dense covariance's Cholesky factor, O(d³).
 */
import * as tf from '@tensorflow/tfjs-core';

import {gaussianKLOp} from '../kernels/ops.js';
import {cholesky} from '../linalg/cholesky.js';
import {broadcastBatch, fail} from '../util/checks.js';
import type {Distribution} from './distribution.js';
import {klDivergence} from './kl_divergence.js';

interface Mvn {
  readonly loc: tf.Tensor;
  readonly batchShape: number[];
  readonly eventShape: number[];
}
interface DiagLike extends Mvn { readonly scaleDiag: tf.Tensor }
interface TrilLike extends Mvn { readonly scaleTril: tf.Tensor | (() => tf.Tensor) }

interface LowRankLike extends Mvn {
  readonly covFactor: tf.Tensor;
  lowRankRows(): tf.Tensor;
  covariance(): tf.Tensor;
}

const isDiag = (p: unknown): p is DiagLike => (p as {scaleDiag?: unknown}).scaleDiag instanceof tf.Tensor;
const isLowRank = (p: unknown): p is LowRankLike => (p as {covFactor?: unknown}).covFactor instanceof tf.Tensor;
const isMvn = (p: unknown): p is Mvn => (p as {loc?: unknown}).loc instanceof tf.Tensor &&
  (isDiag(p) || isLowRank(p) || (p as {scaleTril?: unknown}).scaleTril instanceof tf.Tensor);

/**
 * KL(diag ‖ diag) = Σ [ log|σ_q/σ_p| + (σ_p² + (μ_p − μ_q)²) / (2σ_q²) − ½ ],
 * written with r = σ_p/σ_q as Σ [ ½(r² − 1) − log|r| + ½((μ_p − μ_q)/σ_q)² ],
 * each term ≥ 0, so p ≈ q does not cancel.
 */
function klDiagDiag(p: DiagLike, q: DiagLike): tf.Tensor {
  const r = tf.abs(tf.div(p.scaleDiag, q.scaleDiag));
  const z = tf.div(tf.sub(p.loc, q.loc), q.scaleDiag);
  const t = tf.sub(r, 1);
  // ½(r² − 1) − log r = t + t²/2 − log1p(t): no cancellation near r = 1.
  const h = tf.sub(tf.add(t, tf.mul(0.5, tf.square(t))), tf.log1p(t));
  return tf.sum(tf.add(h, tf.mul(0.5, tf.square(z))), -1);
}

/** Rows in the 'lowrank' layout, `[...batch, d (2 + r)]`; a diagonal scale is rank 0, `[loc | σ]`. */
function lowRankRowsOf(p: DiagLike | LowRankLike): tf.Tensor {
  if (isLowRank(p)) return p.lowRankRows();
  const shape = [...p.batchShape, p.eventShape[0] as number];
  return tf.concat([tf.broadcastTo(p.loc, shape), tf.broadcastTo(p.scaleDiag, shape)], -1);
}

/** KL(p ‖ q) by the 'lowrank' kernel, rows broadcast to a common batch. */
function klLowRank(p: DiagLike | LowRankLike, q: DiagLike | LowRankLike): tf.Tensor {
  const d = p.eventShape[0] as number;
  const rp = lowRankRowsOf(p);
  const rq = lowRankRowsOf(q);
  const batch = broadcastBatch(rp.shape.slice(0, -1), rq.shape.slice(0, -1), 'p', 'q', rp.shape, rq.shape, 'klDivergence');
  const n = batch.reduce((x, y) => x * y, 1);
  const flat = (r: tf.Tensor) => tf.reshape(tf.broadcastTo(r, [...batch, r.shape[r.rank - 1] as number]), [n, -1]);
  const kl = gaussianKLOp([flat(rp), flat(rq)], {dim: d, layout: 'lowrank', direction: 'forward', minDiag: 0});
  return tf.reshape(kl, batch);
}

function trilOf(p: Mvn): tf.Tensor {
  if (isLowRank(p)) return cholesky(p.covariance());
  if (isDiag(p)) {
    const d = p.eventShape[0] as number;
    return tf.mul(tf.expandDims(p.scaleDiag, -1), tf.eye(d));
  }
  return (p as TrilLike).scaleTril as tf.Tensor;
}

/** `KL(p ‖ q)` for two distribution objects, with their broadcast batch shape. */
export function klBetween(p: Distribution, q: Distribution): tf.Tensor {
  if (!isMvn(p) || !isMvn(q)) {
    fail('klDivergence', `no KL divergence is registered between ${p.constructor.name} and ${q.constructor.name}.`);
  }
  if (q.isDisposed) fail('klDivergence', 'the other distribution has been disposed.');
  return tf.tidy(() => {
    if (p.eventShape[0] !== q.eventShape[0]) {
      fail('klDivergence', `the distributions have different event sizes (${p.eventShape[0]} and ${q.eventShape[0]}).`);
    }
    if (isDiag(p) && isDiag(q)) return klDiagDiag(p, q);
    if ((isLowRank(p) || isLowRank(q)) && (isDiag(p) || isLowRank(p)) && (isDiag(q) || isLowRank(q))) return klLowRank(p, q);
    return klDivergence(p.loc, trilOf(p), q.loc, trilOf(q));
  });
}

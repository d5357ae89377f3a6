import * as tf from '@tensorflow/tfjs-core';

import {gaussianNLLOp} from '../kernels/ops.js';
import {asCaller, assertMinRank, assertPositiveInt, broadcastBatch, fail, fmt, toFloatTensor} from '../util/checks.js';
import {Distribution} from './distribution.js';
import {klBetween} from './kl_registry.js';
import {unpackLowRank} from './unpack_low_rank.js';
import type {MultivariateNormalOptions} from './mvn_tril.js';

/**
 * A batch of multivariate normals with a low-rank-plus-diagonal covariance,
 * `N(loc, covFactor · covFactorᵀ + diag(covDiag))`, with PyTorch's
 * `torch.distributions.LowRankMultivariateNormal` semantics: `covDiag` is the
 * diagonal *variance* (not a standard deviation), and `covFactor` is
 * `[..., d, r]`. Every method but `covariance()` costs O(d·r² + r³) per
 * Gaussian (the Woodbury identity and the matrix determinant lemma through
 * the `r × r` capacitance `I + Wᵀ D⁻¹ W`); no `d × d` matrix is formed.
 * `covariance()` returns the dense `[..., d, d]` matrix: for small d only.
 *
 * Its rows in the `'lowrank'` layout are `[loc | sqrt(covDiag) | covFactor
 * row-major]`, as the losses and `gaussianHead` use (`fromParams`).
 *
 * ```js
 * const p = new LowRankMultivariateNormal([0, 0], [[1], [1]], [1, 1]);
 * p.variance().print();          // [2, 2]
 * p.logProb([0, 0]).print();     // -2.387183  (= −log 2π − ½ log 3)
 * p.dispose();
 * ```
 *
 * @category distributions
 */
export class LowRankMultivariateNormal extends Distribution {
  /** Means, `[...batch, d]`. */
  readonly loc: tf.Tensor;
  /** Low-rank factors `W`, `[...batch, d, r]`. */
  readonly covFactor: tf.Tensor;
  /** Diagonal variances, `[...batch, d]`. */
  readonly covDiag: tf.Tensor;
  readonly batchShape: number[];
  readonly eventShape: number[];
  /** The rank `r` of `covFactor`. */
  readonly rank: number;

  /**
   * @param loc Means, `[..., d]`.
   * @param covFactor Factors `W`, `[..., d, r]`.
   * @param covDiag Diagonal variances (> 0), `[..., d]`.
   */
  constructor(loc: tf.Tensor | tf.TensorLike, covFactor: tf.Tensor | tf.TensorLike, covDiag: tf.Tensor | tf.TensorLike,
              {validateArgs = false}: MultivariateNormalOptions = {}) {
    super('LowRankMultivariateNormal');
    const fn = this.name;
    const g = tf.tidy(() => {
      const $m = toFloatTensor(loc, 'loc', fn);
      const $w = toFloatTensor(covFactor, 'covFactor', fn);
      const $v = toFloatTensor(covDiag, 'covDiag', fn);
      assertMinRank($m, 1, 'loc', fn, '[..., d]');
      assertMinRank($w, 2, 'covFactor', fn, '[..., d, r]');
      assertMinRank($v, 1, 'covDiag', fn, '[..., d]');
      const d = $m.shape[$m.rank - 1] as number;
      if ($w.shape[$w.rank - 2] !== d) {
        fail(fn, `covFactor must have shape [..., ${d}, r] to match loc ${fmt($m.shape)}, but got shape ${fmt($w.shape)}.`);
      }
      if ($v.shape[$v.rank - 1] !== d) {
        fail(fn, `covDiag must have shape [..., ${d}] to match loc ${fmt($m.shape)}, but got shape ${fmt($v.shape)}.`);
      }
      const r = $w.shape[$w.rank - 1] as number;
      assertPositiveInt(r, 'the rank of covFactor (its last dimension)', fn);
      let batch = broadcastBatch($m.shape.slice(0, -1), $w.shape.slice(0, -2), 'loc', 'covFactor', $m.shape, $w.shape, fn);
      batch = broadcastBatch(batch, $v.shape.slice(0, -1), 'loc/covFactor', 'covDiag', [...batch, d], $v.shape, fn);
      if (validateArgs) {
        for (const [t, arg] of [[$m, 'loc'], [$w, 'covFactor']] as const) {
          const v = t.dataSync();
          const bad = v.findIndex((x) => !Number.isFinite(x));
          if (bad >= 0) fail(fn, `${arg} has a non-finite value (${v[bad]}) at entry ${bad} (validateArgs).`);
        }
        const v = $v.dataSync();
        const bad = v.findIndex((x) => !(x > 0) || !Number.isFinite(x));
        if (bad >= 0) fail(fn, `covDiag must be finite and > 0, but has ${v[bad]} at entry ${bad} (validateArgs).`);
      }
      return {loc: this.own($m), covFactor: this.own($w), covDiag: this.own($v), dim: d, rank: r, batch};
    });
    this.loc = g.loc;
    this.covFactor = g.covFactor;
    this.covDiag = g.covDiag;
    this.batchShape = g.batch;
    this.eventShape = [g.dim];
    this.rank = g.rank;
  }

  /**
   * From rows `y [..., d (2 + rank)]` in the `'lowrank'` layout,
   * `[mean (d) | σ (d) | W (d·rank, row-major)]`: `covDiag = σ²`.
   */
  static fromParams(y: tf.Tensor | tf.TensorLike, {rank, dim}: {rank: number; dim?: number}): LowRankMultivariateNormal {
    const {mean, scaleDiag, covFactor} = asCaller('LowRankMultivariateNormal.fromParams', () => unpackLowRank(y, {rank, dim}));
    const covDiag = tf.square(scaleDiag);
    try {
      return new LowRankMultivariateNormal(mean, covFactor, covDiag);
    } finally {
      tf.dispose([mean, scaleDiag, covFactor, covDiag]);
    }
  }

  /**
   * `KL(this ‖ other)`, `[...batch]`: in O(d·r²) against a
   * `LowRankMultivariateNormal` (of any rank) or a `MultivariateNormalDiag`;
   * against a `MultivariateNormalTriL` through the dense covariance's
   * Cholesky factor, O(d³): for small d only.
   */
  klDivergence(other: Distribution): tf.Tensor {
    this.assertLive('klDivergence');
    return klBetween(this, other);
  }

  /**
   * Rows `[...batch, d (2 + r)]` in the `'lowrank'` layout:
   * `[loc | sqrt(covDiag) | covFactor row-major]`, broadcast to the batch.
   * @hidden
   */
  lowRankRows(): tf.Tensor {
    this.assertLive('lowRankRows');
    return tf.tidy(() => {
      const d = this.eventShape[0] as number;
      const r = this.rank;
      const b = this.batchShape;
      return tf.concat([tf.broadcastTo(this.loc, [...b, d]), tf.broadcastTo(tf.sqrt(this.covDiag), [...b, d]),
        tf.reshape(tf.broadcastTo(this.covFactor, [...b, d, r]), [...b, d * r])], -1);
    });
  }

  protected params(): tf.Tensor[] {
    return [this.loc, this.covFactor, this.covDiag];
  }

  protected _logProb(x: tf.Tensor): tf.Tensor {
    // The 'lowrank' NLL kernel on rows broadcast against the points' batch.
    const d = this.eventShape[0] as number;
    const outBatch = broadcastBatch(x.shape.slice(0, -1), this.batchShape, 'x', 'the batch', x.shape, this.batchShape,
      `${this.name}.logProb`);
    const n = outBatch.reduce((a, b) => a * b, 1);
    const rows = tf.reshape(tf.broadcastTo(this.lowRankRows(), [...outBatch, d * (2 + this.rank)]), [n, d * (2 + this.rank)]);
    const points = tf.reshape(tf.broadcastTo(x, [...outBatch, d]), [n, d]);
    const nll = gaussianNLLOp([points, rows], {dim: d, layout: 'lowrank', minDiag: 0});
    return tf.reshape(tf.neg(nll), outBatch);
  }

  protected _sampleN(n: number, seed?: number): tf.Tensor {
    // μ + W ε_r + sqrt(covDiag) ⊙ ε_d, reparameterized.
    const d = this.eventShape[0] as number;
    const b = this.batchShape;
    const epsR = tf.randomNormal([n, ...b, this.rank, 1], 0, 1, 'float32', seed);
    const epsD = tf.randomNormal([n, ...b, d], 0, 1, 'float32', seed === undefined ? undefined : seed + 1);
    const W = tf.broadcastTo(this.covFactor, [n, ...b, d, this.rank]);
    const low = tf.reshape(tf.matMul(W, epsR), [n, ...b, d]);
    return tf.add(tf.add(this.loc, low), tf.mul(tf.sqrt(this.covDiag), epsD));
  }

  protected _entropy(): tf.Tensor {
    // H = ½ d (1 + log 2π) + ½ log|Σ| = NLL(μ) + d/2.
    const d = this.eventShape[0] as number;
    return tf.add(tf.neg(this._logProb(tf.broadcastTo(this.loc, [...this.batchShape, d]))), d / 2);
  }

  protected _mean(): tf.Tensor {
    return tf.broadcastTo(this.loc, [...this.batchShape, ...this.eventShape]);
  }

  protected _covariance(): tf.Tensor {
    const d = this.eventShape[0] as number;
    const low = tf.matMul(this.covFactor, this.covFactor, false, true);
    return tf.broadcastTo(tf.add(low, tf.mul(tf.expandDims(this.covDiag, -1), tf.eye(d))), [...this.batchShape, d, d]);
  }

  protected _variance(): tf.Tensor {
    return tf.broadcastTo(tf.add(this.covDiag, tf.sum(tf.square(this.covFactor), -1)), [...this.batchShape, ...this.eventShape]);
  }
}

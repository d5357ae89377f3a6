import * as tf from '@tensorflow/tfjs-core';

import {assertMinRank, broadcastBatch, fail, fmt, toFloatTensor} from '../util/checks.js';
import {Distribution} from './distribution.js';
import {klBetween} from './kl_registry.js';
import type {MultivariateNormalOptions} from './mvn_tril.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * A batch of multivariate normals with diagonal covariance,
 * `N(loc, diag(scaleDiag²))`, TFP's `tfd.MultivariateNormalDiag`. Every
 * method costs O(d) per Gaussian: no matrix is formed (except by
 * `covariance()`, which returns one). A negative `scaleDiag` entry is a valid
 * scale (only its square matters).
 *
 * ```js
 * const q = new MultivariateNormalDiag([0, 0], [1, 2]);
 * q.logProb([1, 1]).print();   // -3.156024
 * q.stddev().print();          // [1, 2]
 * q.dispose();
 * ```
 *
 * @category distributions
 */
export class MultivariateNormalDiag extends Distribution {
  /** Means, `[...batch, d]`. */
  readonly loc: tf.Tensor;
  /** Standard deviations, `[...batch, d]`. */
  readonly scaleDiag: tf.Tensor;
  readonly batchShape: number[];
  readonly eventShape: number[];

  /**
   * @param loc Means, `[..., d]`.
   * @param scaleDiag Standard deviations (the diagonal of the scale), `[..., d]`.
   */
  constructor(loc: tf.Tensor | tf.TensorLike, scaleDiag: tf.Tensor | tf.TensorLike,
              {validateArgs = false}: MultivariateNormalOptions = {}) {
    super('MultivariateNormalDiag');
    const fn = this.name;
    const g = tf.tidy(() => {
      const $m = toFloatTensor(loc, 'loc', fn);
      const $s = toFloatTensor(scaleDiag, 'scaleDiag', fn);
      assertMinRank($m, 1, 'loc', fn, '[..., d]');
      assertMinRank($s, 1, 'scaleDiag', fn, '[..., d]');
      const d = $m.shape[$m.rank - 1] as number;
      if ($s.shape[$s.rank - 1] !== d) {
        fail(fn, `scaleDiag must have shape [..., ${d}] to match loc ${fmt($m.shape)}, but got shape ${fmt($s.shape)}.`);
      }
      const batch = broadcastBatch($m.shape.slice(0, -1), $s.shape.slice(0, -1), 'loc', 'scaleDiag', $m.shape, $s.shape, fn);
      if (validateArgs) {
        const m = $m.dataSync();
        const s = $s.dataSync();
        const bad = m.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) fail(fn, `loc has a non-finite value (${m[bad]}) at entry ${bad} (validateArgs).`);
        const badS = s.findIndex((v) => !Number.isFinite(v) || v === 0);
        if (badS >= 0) fail(fn, `scaleDiag has ${s[badS] === 0 ? 'a zero' : `a non-finite value (${s[badS]})`} at entry ${badS} (validateArgs).`);
      }
      return {loc: this.own($m), scaleDiag: this.own($s), dim: d, batch};
    });
    this.loc = g.loc;
    this.scaleDiag = g.scaleDiag;
    this.batchShape = g.batch;
    this.eventShape = [g.dim];
  }

  /** From rows `y [..., 2d]` in the `'diag'` layout, `[mean (d) | σ (d)]`. */
  static fromParams(y: tf.Tensor | tf.TensorLike, {dim}: {dim?: number; layout?: 'diag'} = {}): MultivariateNormalDiag {
    const fn = 'MultivariateNormalDiag.fromParams';
    const parts = tf.tidy(() => {
      const $y = toFloatTensor(y, 'y', fn);
      assertMinRank($y, 1, 'y', fn, '[..., 2 * d]');
      const w = $y.shape[$y.rank - 1] as number;
      const d = dim ?? w / 2;
      if (!Number.isInteger(d) || d < 1 || 2 * d !== w) {
        fail(fn, `the width of y (${w}, shape ${fmt($y.shape)}) must be 2 * d in the 'diag' layout` +
          `${dim === undefined ? '' : ` with dim ${dim}`}.`);
      }
      return tf.split($y, [d, d], -1);
    });
    try {
      return new MultivariateNormalDiag(parts[0] as tf.Tensor, parts[1] as tf.Tensor);
    } finally {
      tf.dispose(parts);
    }
  }

  /** `KL(this ‖ other)`, `[...batch]`, for a `MultivariateNormalDiag` or `MultivariateNormalTriL`. */
  klDivergence(other: Distribution): tf.Tensor {
    this.assertLive('klDivergence');
    return klBetween(this, other);
  }

  /** The scale as a lower triangular (diagonal) matrix, `[..., d, d]`. */
  scaleTril(): tf.Tensor {
    this.assertLive('scaleTril');
    return tf.tidy(() => {
      const d = this.eventShape[0] as number;
      return tf.mul(tf.expandDims(this.scaleDiag, -1), tf.eye(d));
    });
  }

  protected params(): tf.Tensor[] {
    return [this.loc, this.scaleDiag];
  }

  protected _logProb(x: tf.Tensor): tf.Tensor {
    // −½ Σ ((x − μ)/σ)² − Σ log|σ| − ½ d log 2π, per batch member.
    const d = this.eventShape[0] as number;
    const z = tf.div(tf.sub(x, this.loc), this.scaleDiag);
    const logDet = tf.sum(tf.log(tf.abs(this.scaleDiag)), -1);
    return tf.sub(tf.sub(tf.mul(-0.5, tf.sum(tf.square(z), -1)), logDet), 0.5 * d * LOG_2PI);
  }

  protected _sampleN(n: number, seed?: number): tf.Tensor {
    const shape = [n, ...this.batchShape, ...this.eventShape];
    return tf.add(this.loc, tf.mul(this.scaleDiag, tf.randomNormal(shape, 0, 1, 'float32', seed)));
  }

  protected _entropy(): tf.Tensor {
    const d = this.eventShape[0] as number;
    const h = tf.add(tf.sum(tf.log(tf.abs(this.scaleDiag)), -1), 0.5 * d * (1 + LOG_2PI));
    return tf.broadcastTo(h, this.batchShape);
  }

  protected _mean(): tf.Tensor {
    return tf.broadcastTo(this.loc, [...this.batchShape, ...this.eventShape]);
  }

  protected _covariance(): tf.Tensor {
    const d = this.eventShape[0] as number;
    return tf.mul(tf.expandDims(this._variance(), -1), tf.eye(d));
  }

  protected _variance(): tf.Tensor {
    return tf.broadcastTo(tf.square(this.scaleDiag), [...this.batchShape, ...this.eventShape]);
  }
}

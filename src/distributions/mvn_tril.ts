import * as tf from '@tensorflow/tfjs-core';

import {cholesky} from '../linalg/cholesky.js';
import {maskValues} from '../layout/masks.js';
import {GaussianLayout} from '../layout/row_layout.js';
import {asCaller} from '../util/checks.js';
import {Distribution} from './distribution.js';
import {gaussianArgs, packFullRows} from './gaussian_args.js';
import {gaussianEntropy} from './gaussian_entropy.js';
import {gaussianLogProb} from './gaussian_log_prob.js';
import {klBetween} from './kl_registry.js';
import {sampleGaussian} from './sample_gaussian.js';
import {unpackGaussian} from './unpack_gaussian.js';
import {validateGaussianValues} from './validate.js';

/**
 * Options of the distribution constructors.
 *
 * @category distributions
 */
export interface MultivariateNormalOptions {
  /** Check the parameters' data on construction (finite, nonzero scale diagonal). @default false */
  validateArgs?: boolean;
}

/**
 * A batch of multivariate normals `N(loc, scaleTril · scaleTrilᵀ)`, TFP's
 * `tfd.MultivariateNormalTriL`. Only the lower triangle of `scaleTril` is
 * read. Parameters are kept unbroadcast; methods broadcast them.
 *
 * ```js
 * const p = new MultivariateNormalTriL([0, 0], [[1, 0], [0.5, 1]]);
 * p.logProb([1, 1]).print();   // -2.462877
 * p.entropy().print();         // 2.837877
 * p.sample(3, 42).shape;       // [3, 2]
 * p.dispose();
 * ```
 *
 * @category distributions
 */
export class MultivariateNormalTriL extends Distribution {
  /** Means, `[...batch, d]`. */
  readonly loc: tf.Tensor;
  /** Lower Cholesky factors, `[...batch, d, d]`. */
  readonly scaleTril: tf.Tensor;
  readonly batchShape: number[];
  readonly eventShape: number[];

  /**
   * @param loc Means, `[..., d]`.
   * @param scaleTril Lower Cholesky factors of the covariances, `[..., d, d]`.
   */
  constructor(loc: tf.Tensor | tf.TensorLike, scaleTril: tf.Tensor | tf.TensorLike,
              {validateArgs = false}: MultivariateNormalOptions = {}) {
    super('MultivariateNormalTriL');
    const g = tf.tidy(() => {
      const a = gaussianArgs(this.name, loc, scaleTril, 'loc', 'scaleTril');
      if (validateArgs) {
        validateGaussianValues(packFullRows(a.mean, a.scaleTril, a.batch, a.dim), a.dim, 'full', this.name, 'loc/scaleTril');
      }
      return {loc: this.own(a.mean), scaleTril: this.own(a.scaleTril), dim: a.dim, batch: a.batch};
    });
    this.loc = g.loc;
    this.scaleTril = g.scaleTril;
    this.batchShape = g.batch;
    this.eventShape = [g.dim];
  }

  /**
   * From packed rows `y [..., W]` in the `'full'` or `'packed'` layout
   * (`[mean | factor]`, as the losses and `gaussianHead` use).
   */
  static fromParams(y: tf.Tensor | tf.TensorLike, {dim, layout = 'full'}: {dim?: number; layout?: GaussianLayout} = {}):
    MultivariateNormalTriL {
    const {mean, scaleTril} = asCaller('MultivariateNormalTriL.fromParams', () => unpackGaussian(y, {dim, layout}));
    try {
      return new MultivariateNormalTriL(mean, scaleTril);
    } finally {
      tf.dispose([mean, scaleTril]);
    }
  }

  /** From a mean and a covariance matrix (factored with {@link cholesky}). */
  static fromCovariance(loc: tf.Tensor | tf.TensorLike, covariance: tf.Tensor | tf.TensorLike,
                        {validateArgs = false}: MultivariateNormalOptions = {}): MultivariateNormalTriL {
    const L = cholesky(covariance, {validateArgs});
    try {
      return new MultivariateNormalTriL(loc, L, {validateArgs});
    } finally {
      L.dispose();
    }
  }

  /** `KL(this ‖ other)`, `[...batch]`, for a `MultivariateNormalTriL` or `MultivariateNormalDiag`. */
  klDivergence(other: Distribution): tf.Tensor {
    this.assertLive('klDivergence');
    return klBetween(this, other);
  }

  protected params(): tf.Tensor[] {
    return [this.loc, this.scaleTril];
  }

  protected _logProb(x: tf.Tensor): tf.Tensor {
    return gaussianLogProb(x, this.loc, this.scaleTril);
  }

  protected _sampleN(n: number, seed?: number): tf.Tensor {
    return sampleGaussian(this.loc, this.scaleTril, n, seed);
  }

  protected _entropy(): tf.Tensor {
    return tf.broadcastTo(gaussianEntropy(this.scaleTril), this.batchShape);
  }

  protected _mean(): tf.Tensor {
    return tf.broadcastTo(this.loc, [...this.batchShape, ...this.eventShape]);
  }

  private lower(): tf.Tensor {
    const d = this.eventShape[0] as number;
    return tf.mul(this.scaleTril, tf.tensor2d(maskValues(d, 'lower'), [d, d]));
  }

  protected _covariance(): tf.Tensor {
    const d = this.eventShape[0] as number;
    const L = this.lower();
    return tf.broadcastTo(tf.matMul(L, L, false, true), [...this.batchShape, d, d]);
  }

  protected _variance(): tf.Tensor {
    // diag(L Lᵀ)_i = Σ_j L_ij²: the row sums of the squared factor.
    return tf.broadcastTo(tf.sum(tf.square(this.lower()), -1), [...this.batchShape, ...this.eventShape]);
  }
}

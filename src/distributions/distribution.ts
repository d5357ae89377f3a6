/**
 * The base of the distribution objects, after TFP's `Distribution`: public
 * methods convert and check their arguments, run inside `tf.tidy`, and call
 * the subclass's protected `_method`, which holds only the maths. A
 * distribution owns its parameter tensors (kept copies of what it was given,
 * sharing their data), and `dispose()` releases them.
 */
import * as tf from '@tensorflow/tfjs-core';

import {assertMinRank, assertPositiveInt, fail, fmt, toFloatTensor} from '../util/checks.js';

/**
 * The base class of {@link MultivariateNormalTriL} and
 * {@link MultivariateNormalDiag}, after TFP's `Distribution`: `logProb`,
 * `prob`, `sample`, `entropy`, `mean`, `covariance`, `variance`, `stddev` and
 * `dispose`, with TFP's batch and event shapes.
 *
 * @category distributions
 */
export abstract class Distribution {
  /** `[...batch]`: the shape of one `logProb` or `entropy` result. */
  abstract readonly batchShape: number[];
  /** `[d]`: the shape of one draw. */
  abstract readonly eventShape: number[];
  private disposed = false;

  protected constructor(protected readonly name: string) {}

  /** Keeps a copy of `t` that this distribution owns (the data is shared, not copied). */
  protected own<T extends tf.Tensor>(t: T): T {
    return tf.keep(tf.clone(t));
  }

  protected abstract params(): tf.Tensor[];
  protected abstract _logProb(x: tf.Tensor): tf.Tensor;
  protected abstract _sampleN(n: number, seed?: number): tf.Tensor;
  protected abstract _entropy(): tf.Tensor;
  protected abstract _mean(): tf.Tensor;
  protected abstract _covariance(): tf.Tensor;
  protected abstract _variance(): tf.Tensor;

  /** True once `dispose()` has run. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Throws if this distribution has been disposed (every method calls it first). */
  protected assertLive(method: string): void {
    if (this.disposed) fail(`${this.name}.${method}`, 'this distribution has been disposed.');
  }

  /** Log-density at `x [..., d]` (broadcast against the batch shape), `[...]`. */
  logProb(x: tf.Tensor | tf.TensorLike): tf.Tensor {
    this.assertLive('logProb');
    return tf.tidy(() => {
      const fn = `${this.name}.logProb`;
      const $x = toFloatTensor(x, 'x', fn);
      assertMinRank($x, 1, 'x', fn, '[..., d]');
      const d = this.eventShape[0] as number;
      if ($x.shape[$x.rank - 1] !== d) fail(fn, `x must have shape [..., ${d}], but got shape ${fmt($x.shape)}.`);
      return this._logProb($x);
    });
  }

  /** Density at `x`: `exp(logProb(x))`. */
  prob(x: tf.Tensor | tf.TensorLike): tf.Tensor {
    return tf.tidy(() => tf.exp(this.logProb(x)));
  }

  /**
   * `n` reparameterized draws, `[n, ...batch, d]`: `loc + scale · ε` with
   * `ε ~ N(0, I)`, so gradients flow to the parameters. Seeded draws repeat.
   */
  sample(n: number, seed?: number): tf.Tensor {
    this.assertLive('sample');
    assertPositiveInt(n, 'n', `${this.name}.sample`);
    return tf.tidy(() => this._sampleN(n, seed));
  }

  /** Differential entropy in nats, `[...batch]`. */
  entropy(): tf.Tensor {
    this.assertLive('entropy');
    return tf.tidy(() => this._entropy());
  }

  /** `[...batch, d]`. */
  mean(): tf.Tensor {
    this.assertLive('mean');
    return tf.tidy(() => this._mean());
  }

  /** `[...batch, d, d]`. */
  covariance(): tf.Tensor {
    this.assertLive('covariance');
    return tf.tidy(() => this._covariance());
  }

  /** The diagonal of the covariance, `[...batch, d]`. */
  variance(): tf.Tensor {
    this.assertLive('variance');
    return tf.tidy(() => this._variance());
  }

  /** `sqrt(variance())`, `[...batch, d]`. */
  stddev(): tf.Tensor {
    this.assertLive('stddev');
    return tf.tidy(() => tf.sqrt(this._variance()));
  }

  /** Frees the parameter tensors this distribution owns; later calls throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.params());
  }
}

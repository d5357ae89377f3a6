/**
 * Argument checks shared by every public op. Each error names the function,
 * the argument, what was expected and what was received, in the style of
 * tfjs-core (`bandPart(): numLower (5) must not be greater than ...`).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Formats a shape as JSON, e.g. `[32,6]`. */
export function fmt(shape: readonly number[]): string {
  return JSON.stringify(shape);
}

/** Throws `fn(): message` as an Error. */
export function fail(fn: string, message: string): never {
  throw new Error(`${fn}(): ${message}`);
}

/**
 * Runs `f`, and rethrows an argument error of a function it calls
 * (`inner(): message`) as `fn(): message`, so that the error names the
 * function the user called, not the helper that found the problem.
 */
export function asCaller<T>(fn: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    const m = e instanceof Error ? /^[\w.]+\(\): /.exec(e.message) : null;
    if (m === null) throw e;
    throw new Error(`${fn}(): ${(e as Error).message.slice(m[0].length)}`);
  }
}

/**
 * Converts `x` to a float32 tensor once, as tfjs ops do with `$x`. Rejects
 * non-float dtypes and ragged nested arrays with a message naming `arg`.
 */
export function toFloatTensor(x: tf.Tensor | tf.TensorLike, arg: string, fn: string): tf.Tensor {
  if (x instanceof tf.Tensor) {
    if (x.dtype !== 'float32') {
      fail(fn, `${arg} must be a float32 tensor, but got dtype ${x.dtype} with shape ${fmt(x.shape)}.`);
    }
    return x;
  }
  if (Array.isArray(x)) assertRectangular(x, arg, fn);
  try {
    return tf.tensor(x as tf.TensorLike, undefined, 'float32');
  } catch (e) {
    fail(fn, `could not convert ${arg} to a float32 tensor: ${(e as Error).message}`);
  }
}

/**
 * Throws for a ragged nested array (tfjs would silently build a tensor of
 * the wrong size from it unless TENSORLIKE_CHECK_SHAPE_CONSISTENCY is set).
 */
function assertRectangular(x: unknown[], arg: string, fn: string, path = arg): void {
  const first = x[0];
  const sub = Array.isArray(first) || ArrayBuffer.isView(first);
  for (let i = 0; i < x.length; i++) {
    const e = x[i];
    const isSub = Array.isArray(e) || ArrayBuffer.isView(e);
    if (isSub !== sub) {
      fail(fn, `${arg} is a ragged nested array: ${path}[${i}] is ${isSub ? 'an array' : 'a number'}, but ${path}[0] is not.`);
    }
    if (sub) {
      const len = (e as ArrayLike<unknown>).length;
      const len0 = (first as ArrayLike<unknown>).length;
      if (len !== len0) {
        fail(fn, `${arg} is a ragged nested array: ${path}[${i}] has ${len} entries, but ${path}[0] has ${len0}.`);
      }
      if (Array.isArray(e)) assertRectangular(e, arg, fn, `${path}[${i}]`);
    }
  }
}

/** Checks that `x` has at least `minRank` dimensions. */
export function assertMinRank(x: tf.Tensor, minRank: number, arg: string, fn: string, what: string): void {
  if (x.rank < minRank) {
    fail(fn, `${arg} must have shape ${what} (rank >= ${minRank}), but got shape ${fmt(x.shape)}.`);
  }
}

/** Checks that `value` is a positive integer. */
export function assertPositiveInt(value: number, arg: string, fn: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    fail(fn, `${arg} must be a positive integer, but got ${value}.`);
  }
}

/** Checks that `value` is one of `allowed`. */
export function assertOneOf<T extends string>(value: T, allowed: readonly T[], arg: string, fn: string): void {
  if (!allowed.includes(value)) {
    fail(fn, `${arg} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, but got '${String(value)}'.`);
  }
}

/**
 * The broadcast of two batch shapes (numpy rules), or an error naming both
 * arguments and their full shapes.
 */
export function broadcastBatch(
  a: readonly number[], b: readonly number[], argA: string, argB: string,
  shapeA: readonly number[], shapeB: readonly number[], fn: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      fail(fn, `batch dimensions of ${argA} ${fmt(shapeA)} and ${argB} ${fmt(shapeB)} do not broadcast.`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

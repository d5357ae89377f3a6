/**
 * Test helpers: closeness with explicit tolerances, fixtures, leak checks,
 * finite differences.
 *
 * Tolerances. Every comparison is |actual - expected| <= atol + rtol * |expected|,
 * elementwise, with the reason for its numbers written beside it. The base
 * facts: inputs are float32 (relative rounding u = 6e-8), fixtures are exact
 * float64 answers for those same float32 inputs, the fast kernels accumulate
 * in float64 and round once on output, and the composite path does every
 * step in float32.
 */
import * as fs from 'fs';
import * as path from 'path';

import * as tf from '@tensorflow/tfjs';

import {hasFusedKernels} from '../src/index';

export interface Tol {
  rtol: number;
  atol: number;
}

type Nested = number | Nested[];

function flat(x: tf.Tensor | Nested | Float32Array): number[] {
  if (x instanceof tf.Tensor) return Array.from(x.dataSync());
  if (x instanceof Float32Array) return Array.from(x);
  if (typeof x === 'number') return [x];
  return (x as Nested[]).flatMap((v) => flat(v));
}

/** Expects `actual` within `tol` of `expected`, naming the worst entry on failure. */
export function expectClose(actual: tf.Tensor | Nested, expected: tf.Tensor | Nested, tol: Tol, label = ''): void {
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length).toBe(e.length);
  let worst = -1;
  let worstRatioSeen = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs((a[i] as number) - (e[i] as number));
    const r = err === 0 ? 0 : err / (tol.atol + tol.rtol * Math.abs(e[i] as number));
    if (!(r <= worstRatioSeen)) {
      worstRatioSeen = Number.isNaN(r) ? Infinity : r;
      worst = i;
    }
  }
  if (worstRatioSeen > 1) {
    throw new Error(`${label}: entry ${worst} is ${a[worst]}, expected ${e[worst]} ` +
      `(error ${Math.abs((a[worst] as number) - (e[worst] as number)).toExponential(3)}, ` +
      `allowed ${(tol.atol + tol.rtol * Math.abs(e[worst] as number)).toExponential(3)})`);
  }
}

/** One case of test/fixtures/losses.json (scripts/make_fixtures.py, loss_cases). */
export interface LossCase {
  kind: 'kl' | 'nll'; layout: 'full' | 'packed'; d: number;
  direction?: 'forward' | 'reverse' | 'symmetric'; target?: 'points' | 'padded';
  yTrue: number[][]; yPred: number[][]; loss: number[]; weights: number[];
  gradYTrue: number[][]; gradYPred: number[][];
}

export function fixture<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as T;
}

/** Runs `f` `times` times and expects the tensor count to be unchanged afterwards. */
export function expectNoLeak(f: () => void, times = 3): void {
  f(); // warm-up: first calls may register kernels or compile programs
  const before = tf.memory().numTensors;
  for (let i = 0; i < times; i++) f();
  expect(tf.memory().numTensors).toBe(before);
}

/** All entries finite. */
export function allFinite(x: tf.Tensor): boolean {
  return Array.from(x.dataSync()).every((v) => Number.isFinite(v));
}

/**
 * Central finite differences of a scalar function of one float64 array,
 * in plain JS (no tfjs), step h.
 */
export function finiteDiff(f: (x: Float64Array) => number, x: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i] as number;
    x[i] = xi + h;
    const fp = f(x);
    x[i] = xi - h;
    const fm = f(x);
    x[i] = xi;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** Expects equal values entry by entry with `===` (so -0 equals 0; NaN equals NaN), and equal shapes. */
export function expectExact(actual: tf.Tensor, expected: tf.Tensor | Nested): void {
  if (expected instanceof tf.Tensor) expect(actual.shape).toEqual(expected.shape);
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length).toBe(e.length);
  const bad = a.findIndex((v, i) => v !== e[i] && !(Number.isNaN(v) && Number.isNaN(e[i] as number)));
  if (bad >= 0) throw new Error(`entry ${bad} is ${a[bad]}, expected exactly ${e[bad]}`);
}

/**
 * True when the ops run the composite path (float32 throughout, O(log d)
 * matMuls): forced on cpu, or on a backend for which the library registers
 * no fused kernels (asked of the library, not a list kept here).
 */
export function compositePath(): boolean {
  const b = (globalThis as {__TEST_BACKEND__?: string}).__TEST_BACKEND__;
  if (b === undefined) throw new Error('no test backend set up');
  return b === 'cpu-composite' || !hasFusedKernels(b);
}

/** The shape of a nested array (of fixtures), without making a tensor. */
export function shapeOf(x: unknown): number[] {
  return Array.isArray(x) ? [x.length, ...shapeOf(x[0])] : [];
}

/**
 * Accuracy of klDivergence and its gradients against float64 references
 * (test/fixtures/accuracy.json, from scripts/make_fixtures.py), for covariance
 * condition numbers 1e1..1e6 and d in {2, 8, 32}, per backend and path; and
 * of cholesky and its gradient (test/fixtures/cholesky_accuracy.json), for
 * the same conditions and n in {2, 8, 32}; and of the 'lowrank' NLL and its
 * gradient (test/fixtures/lowrank.json, torch LowRankMultivariateNormal), for
 * conditions of Σ 1e1..1e6 and d in {16, 128}, r = 4.
 *
 * Errors are relative: |kl - ref| / |ref| for the value (worst sample), and
 * max|g - ref| / max|ref| over all four gradients (normwise, worst sample);
 * for cholesky, max|L - ref| / max|ref| and the same for the gradient.
 *
 *   npm run accuracy
 */
import * as fs from 'fs';
import * as path from 'path';

import * as tf from '@tensorflow/tfjs';

import {cholesky, FORCE_COMPOSITE_FLAG, gaussianNLLLoss, klDivergence} from '../src/index';
import {tryBackend} from '../examples/backend';

export interface AccuracyCase {
  pair: 'independent' | 'nearby';
  d: number; cond: number; batch: number;
  mean1: number[]; scaleTril1: number[]; mean2: number[]; scaleTril2: number[];
  weights: number[]; kl: number[];
  gradMean1: number[]; gradScaleTril1: number[]; gradMean2: number[]; gradScaleTril2: number[];
  /** The references for the float64 parameters before rounding to float32. */
  klExact: number[]; gradExact: number[][];
}

export function loadAccuracyCases(): AccuracyCase[] {
  const file = path.join(__dirname, '..', 'test', 'fixtures', 'accuracy.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as {cases: AccuracyCase[]}).cases;
}

/**
 * Relative errors of the value and of the gradients for one case on the
 * active backend, against the references for the float32 inputs (`exact =
 * false`: the error of the computation) or for the float64 parameters before
 * rounding (`exact = true`: adds what float32 storage of the inputs costs).
 */
export function accuracyOf(c: AccuracyCase, exact = false): {value: number; grad: number} {
  return tf.tidy(() => {
    const {d, batch} = c;
    const m1 = tf.tensor2d(c.mean1, [batch, d]);
    const l1 = tf.tensor3d(c.scaleTril1, [batch, d, d]);
    const m2 = tf.tensor2d(c.mean2, [batch, d]);
    const l2 = tf.tensor3d(c.scaleTril2, [batch, d, d]);
    const w = tf.tensor1d(c.weights);
    const kl = klDivergence(m1, l1, m2, l2).dataSync();
    let value = 0;
    const klRef = exact ? c.klExact : c.kl;
    kl.forEach((v, i) => { value = Math.max(value, Math.abs(v - klRef[i]!) / Math.abs(klRef[i]!)); });
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, e: tf.Tensor, f: tf.Tensor) =>
      tf.sum(tf.mul(klDivergence(a, b, e, f), w)))([m1, l1, m2, l2]);
    const refs = exact ? c.gradExact : [c.gradMean1, c.gradScaleTril1, c.gradMean2, c.gradScaleTril2];
    let err = 0;
    let scale = 0;
    grads.forEach((g, k) => {
      const v = g.dataSync();
      const ref = refs[k]!;
      v.forEach((x, i) => {
        err = Math.max(err, Math.abs(x - ref[i]!));
        scale = Math.max(scale, Math.abs(ref[i]!));
      });
    });
    return {value, grad: err / scale};
  });
}

export interface CholeskyAccuracyCase {
  n: number; cond: number; a: number[][]; l: number[][]; weights: number[][]; gradA: number[][];
}

export function loadCholeskyAccuracyCases(): CholeskyAccuracyCase[] {
  const file = path.join(__dirname, '..', 'test', 'fixtures', 'cholesky_accuracy.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as {cases: CholeskyAccuracyCase[]}).cases;
}

/** Normwise relative errors of cholesky(A) and of the gradient of sum(W * L) on the active backend. */
export function choleskyAccuracyOf(c: CholeskyAccuracyCase): {value: number; grad: number} {
  return tf.tidy(() => {
    const a = tf.tensor2d(c.a);
    const w = tf.tensor2d(c.weights);
    const rel = (x: tf.Tensor, ref: number[][]) => {
      const r = ref.flat();
      const v = x.dataSync();
      let err = 0;
      v.forEach((y, i) => { err = Math.max(err, Math.abs(y - r[i]!)); });
      return err / Math.max(...r.map(Math.abs));
    };
    const value = rel(cholesky(a), c.l);
    const grad = rel(tf.grad((m: tf.Tensor) => tf.sum(tf.mul(cholesky(m), w)))(a), c.gradA);
    return {value, grad};
  });
}

export interface LowRankAccuracyCase { d: number; r: number; cond: number; x: number[][]; yPred: number[][]; nll: number[]; gradPred: number[][] }

export function loadLowRankAccuracyCases(): LowRankAccuracyCase[] {
  const file = path.join(__dirname, '..', 'test', 'fixtures', 'lowrank.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as {accuracy: LowRankAccuracyCase[]}).accuracy;
}

/** Max relative error of the 'lowrank' NLL (worst sample) and normwise of its gradient for the row, active backend. */
export function lowRankAccuracyOf(c: LowRankAccuracyCase): {value: number; grad: number} {
  return tf.tidy(() => {
    const loss = gaussianNLLLoss({layout: 'lowrank', rank: c.r});
    const x = tf.tensor2d(c.x);
    const y = tf.tensor2d(c.yPred);
    let value = 0;
    loss(x, y).dataSync().forEach((v, i) => { value = Math.max(value, Math.abs(v - c.nll[i]!) / Math.abs(c.nll[i]!)); });
    const g = tf.grad((b: tf.Tensor) => tf.sum(loss(x, b)))(y).dataSync();
    const ref = c.gradPred.flat();
    let err = 0;
    g.forEach((v, i) => { err = Math.max(err, Math.abs(v - ref[i]!)); });
    return {value, grad: err / Math.max(...ref.map(Math.abs))};
  });
}

async function main(): Promise<void> {
  const cases = loadAccuracyCases();
  const conds = [...new Set(cases.map((c) => c.cond))];
  const dims = [...new Set(cases.map((c) => c.d))];
  const paths: Array<{label: string; backend: 'wasm' | 'cpu' | 'tensorflow'; composite: boolean}> = [
    {label: 'fast kernels (cpu)', backend: 'cpu', composite: false},
    {label: 'fast kernels (wasm)', backend: 'wasm', composite: false},
    {label: 'composite path (cpu)', backend: 'cpu', composite: true},
    {label: 'fast kernels (tensorflow)', backend: 'tensorflow', composite: false},
  ];
  const out: string[] = [];
  const table = (title: string, exact: boolean) => {
    for (const pair of ['independent', 'nearby'] as const) table1(`${title} — ${pair} pairs`, exact, pair);
  };
  const table1 = (title: string, exact: boolean, pair: 'independent' | 'nearby') => {
    out.push(title);
    out.push('');
    out.push(`| condition of Σ | ${dims.map((d) => `d = ${d}`).join(' | ')} |`);
    out.push(`| ---: | ${dims.map(() => ':---:').join(' | ')} |`);
    for (const cond of conds) {
      const cells = dims.map((d) => {
        const e = accuracyOf(cases.find((x) => x.pair === pair && x.d === d && x.cond === cond)!, exact);
        return `${e.value.toExponential(1)} / ${e.grad.toExponential(1)}`;
      });
      out.push(`| ${cond.toExponential(0)} | ${cells.join(' | ')} |`);
    }
    out.push('');
  };
  for (const p of paths) {
    if (!(await tryBackend(p.backend))) continue;
    tf.env().set(FORCE_COMPOSITE_FLAG, p.composite);
    table(`**${p.label}**, given float32 inputs: max relative error of KL / of its gradients`, false);
  }
  const chol = loadCholeskyAccuracyCases();
  const ns = [...new Set(chol.map((c) => c.n))];
  for (const p of paths) {
    if (!(await tryBackend(p.backend))) continue;
    tf.env().set(FORCE_COMPOSITE_FLAG, p.composite);
    out.push(`**cholesky, ${p.label}**, given float32 inputs: max relative error of L / of the gradient (normwise)`);
    out.push('');
    out.push(`| condition of A | ${ns.map((n) => `n = ${n}`).join(' | ')} |`);
    out.push(`| ---: | ${ns.map(() => ':---:').join(' | ')} |`);
    for (const cond of conds) {
      const cells = ns.map((n) => {
        const e = choleskyAccuracyOf(chol.find((x) => x.n === n && x.cond === cond)!);
        return `${e.value.toExponential(1)} / ${e.grad.toExponential(1)}`;
      });
      out.push(`| ${cond.toExponential(0)} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  const low = loadLowRankAccuracyCases();
  const lowDims = [...new Set(low.map((c) => c.d))];
  for (const p of paths) {
    if (!(await tryBackend(p.backend))) continue;
    tf.env().set(FORCE_COMPOSITE_FLAG, p.composite);
    out.push(`**'lowrank' NLL (r = 4), ${p.label}**, given float32 inputs: max relative error of the NLL / of its gradient (normwise)`);
    out.push('');
    out.push(`| condition of Σ | ${lowDims.map((d) => `d = ${d}`).join(' | ')} |`);
    out.push(`| ---: | ${lowDims.map(() => ':---:').join(' | ')} |`);
    for (const cond of conds) {
      const cells = lowDims.map((d) => {
        const e = lowRankAccuracyOf(low.find((x) => x.d === d && x.cond === cond)!);
        return `${e.value.toExponential(1)} / ${e.grad.toExponential(1)}`;
      });
      out.push(`| ${cond.toExponential(0)} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  await tryBackend('cpu');
  tf.env().set(FORCE_COMPOSITE_FLAG, false);
  table('**float32 storage of the parameters** (fast kernels on cpu, against float64 results for the unrounded ' +
    'parameters): what any float32 implementation loses by rounding its inputs', true);
  tf.env().set(FORCE_COMPOSITE_FLAG, false);
  console.log(out.join('\n'));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

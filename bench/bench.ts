/**
 * One training step's loss work, per backend: valueAndGrad of
 * mean(loss(yTrue, yPred)) with respect to yPred, for the KL (forward) and
 * NLL losses at (batch, d) = (32, 2), (256, 8), (1024, 16), (64, 32).
 *
 * Prints the median ms per step, the kernels launched per step (tf.profile)
 * and, where Debian's python3-torch imports, the ratio to PyTorch doing the
 * same work in the same run (bench/torch_bench.py). Writes bench/RESULTS.md.
 *
 *   npm run bench            (BENCH_QUICK=1 for a short run)
 */
import {ChildProcessWithoutNullStreams, execFileSync, spawn} from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import * as tf from '@tensorflow/tfjs';

import {FORCE_COMPOSITE_FLAG, gaussianKLLoss, gaussianNLLLoss} from '../src/index';
import {tryBackend} from '../examples/backend';

const SIZES: Array<[number, number]> = [[32, 2], [256, 8], [1024, 16], [64, 32]];
const QUICK = process.env['BENCH_QUICK'] === '1';
const MIN_TIME_MS = QUICK ? 150 : 500;
const MIN_REPS = QUICK ? 5 : 15;

type LossName = 'kl' | 'nll';

interface Row {
  backend: string;
  loss: LossName;
  batch: number;
  d: number;
  ms: number;
  kernels: number;
  torchMs?: number;
}

/** Rows [mean | L row-major] with a well-conditioned lower factor (|diag| in [0.5, 1.5]). */
function rows(batch: number, d: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const mean = tf.randomNormal([batch, d], 0, 1, 'float32', seed);
    const lower = tf.tensor2d(Array.from({length: d * d}, (_, k) => (Math.floor(k / d) > k % d ? 1 : 0)), [d, d]);
    const off = tf.mul(tf.randomNormal([batch, d, d], 0, 0.3, 'float32', seed + 1), lower);
    const diag = tf.mul(tf.eye(d), tf.randomUniform([batch, d, 1], 0.5, 1.5, 'float32', seed + 2));
    return tf.concat([mean, tf.reshape(tf.add(off, diag), [batch, d * d])], 1) as tf.Tensor2D;
  });
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function measure(backend: string, loss: LossName, batch: number, d: number): Promise<Row> {
  const yPred = rows(batch, d, 1);
  const yTrue = loss === 'kl' ? rows(batch, d, 7) : tf.randomNormal([batch, d], 0, 1, 'float32', 9);
  const fn = loss === 'kl' ? gaussianKLLoss() : gaussianNLLLoss();
  const step = tf.valueAndGrad((yp: tf.Tensor) => tf.mean(fn(yTrue, yp)));
  const run = () => {
    const {value, grad} = step(yPred);
    value.dataSync();
    grad.dataSync();
    value.dispose();
    grad.dispose();
  };
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < MIN_REPS || performance.now() - start < MIN_TIME_MS) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  const info = await tf.profile(() => {
    const {value, grad} = step(yPred);
    return [value, grad];
  });
  yPred.dispose();
  yTrue.dispose();
  return {backend, loss, batch, d, ms: median(times), kernels: info.kernels.length};
}

/** A persistent PyTorch process (bench/torch_bench.py), or null without python3-torch. */
class TorchBench {
  private proc: ChildProcessWithoutNullStreams;
  private lines: string[] = [];
  private waiting: Array<(line: string) => void> = [];
  readonly version: Promise<string>;

  private constructor() {
    this.proc = spawn('/usr/bin/python3', [path.join(__dirname, 'torch_bench.py')]);
    let buf = '';
    this.proc.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const w = this.waiting.shift();
        if (w) w(line); else this.lines.push(line);
      }
    });
    this.version = this.next().then((l) => l.replace('ready torch ', ''));
  }

  static start(): TorchBench | null {
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import torch'], {stdio: 'ignore'});
    } catch {
      return null;
    }
    return new TorchBench();
  }

  private next(): Promise<string> {
    const l = this.lines.shift();
    return l !== undefined ? Promise.resolve(l) : new Promise((res) => this.waiting.push(res));
  }

  async time(loss: LossName, batch: number, d: number): Promise<number> {
    this.proc.stdin.write(`${loss} ${batch} ${d} ${MIN_TIME_MS / 1000} ${MIN_REPS}\n`);
    return Number(await this.next());
  }

  stop(): void {
    this.proc.stdin.end();
  }
}

async function main(): Promise<void> {
  const backends: Array<{label: string; name: 'tensorflow' | 'wasm' | 'cpu'; composite: boolean}> = [
    {label: 'tensorflow', name: 'tensorflow', composite: false},
    {label: 'wasm', name: 'wasm', composite: false},
    {label: 'cpu', name: 'cpu', composite: false},
    {label: 'wasm (composite path)', name: 'wasm', composite: true},
    {label: 'cpu (composite path)', name: 'cpu', composite: true},
  ];
  const torch = TorchBench.start();
  const torchVersion = torch !== null ? await torch.version : null;
  const results: Row[] = [];
  for (const b of backends) {
    if (!(await tryBackend(b.name))) {
      console.log(`${b.label}: not available here, skipped`);
      continue;
    }
    tf.env().set(FORCE_COMPOSITE_FLAG, b.composite);
    for (const loss of ['kl', 'nll'] as const) {
      for (const [batch, d] of SIZES) {
        const r = await measure(b.label, loss, batch, d);
        // PyTorch right after, on the same cell: the ratio compares adjacent runs.
        if (torch !== null) r.torchMs = await torch.time(loss, batch, d);
        results.push(r);
        console.log(`${b.label.padEnd(22)} ${loss.padEnd(4)} (${batch}, ${d})`.padEnd(42) +
          `${r.ms.toFixed(3).padStart(9)} ms  ${String(r.kernels).padStart(4)} kernels` +
          (r.torchMs !== undefined ? `  PyTorch ${r.torchMs.toFixed(3).padStart(8)} ms  ratio ${(r.ms / r.torchMs).toFixed(2)}x` : ''));
      }
    }
  }
  tf.env().set(FORCE_COMPOSITE_FLAG, false);
  torch?.stop();

  const lines: string[] = [];
  lines.push('# Benchmark: one loss + gradient step');
  lines.push('');
  lines.push(`valueAndGrad of mean(loss(yTrue, yPred)) w.r.t. yPred, 'full' layout. Median of >= ${MIN_REPS} steps ` +
    `and >= ${MIN_TIME_MS} ms per cell, after 3 warm-up steps. Kernels: tf.profile of one step.`);
  lines.push('');
  lines.push(`Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, tfjs ${tf.version.tfjs}` +
    (torchVersion !== null ? `, PyTorch ${torchVersion} (1 thread, torch.distributions, validate_args=False, ` +
      'timed right after each cell)' : ', PyTorch not available') + '.');
  lines.push(`Date: ${new Date().toISOString()}.`);
  lines.push('');
  lines.push('| backend | loss | (batch, d) | median ms | kernels | PyTorch ms | ratio to PyTorch |');
  lines.push('| --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const ratio = r.torchMs !== undefined ? `${(r.ms / r.torchMs).toFixed(2)}x` : '-';
    const tms = r.torchMs !== undefined ? r.torchMs.toFixed(3) : '-';
    lines.push(`| ${r.backend} | ${r.loss} | (${r.batch}, ${r.d}) | ${r.ms.toFixed(3)} | ${r.kernels} | ${tms} | ${ratio} |`);
  }
  const table = lines.join('\n') + '\n';
  console.log('');
  console.log(table);
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), table);
  console.log(`written to ${path.join('bench', 'RESULTS.md')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * One training step's loss work, per backend: valueAndGrad of
 * mean(loss(yTrue, yPred)) with respect to yPred, for the KL (forward) and
 * NLL losses at (batch, d) = (32, 2), (256, 8), (1024, 16), (64, 32).
 *
 * Prints the median ms per step and the kernels launched per step
 * (tf.profile) for every backend that loads here, and times the peers that
 * the bench's Python has (bench/peers.py: PyTorch 2.13 in two forms, JAX jit,
 * TensorFlow 2.21 tf.function with and without XLA) on the same cell right
 * after ours, each in its own process with one thread. Ratios are to the
 * fastest peer and to the faster PyTorch form of the same cell. Writes
 * bench/RESULTS.md.
 *
 *   npm run bench            (BENCH_QUICK=1 for a short run, BENCH_ONLY=chol for some cells, BENCH_ONLY=fit for whole steps,
 *                             BENCH_ONLY=lowrank for the 'lowrank' cells)
 *   PEERS_PYTHON=/path/python npm run bench   (default: .peers/bin/python,
 *                            made by scripts/setup_peers.sh, else python3)
 */
import {ChildProcessWithoutNullStreams, spawn} from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import * as tf from '@tensorflow/tfjs';

import {cholesky, FORCE_COMPOSITE_FLAG, gaussianKLLoss, gaussianMixtureNLLLoss, gaussianNLLLoss} from '../src/index';
import {tryBackend} from '../examples/backend';
import {fitMetricsTable, FitMetricsRow, timeFitMetrics} from './fit_metrics';
import {fitStepsTable, StepPairRow, timeMlpStep, timeVaeStep} from './fit_steps';

const LOWRANK_BEGIN = '<!-- lowrank cells: begin -->';
const LOWRANK_END = '<!-- lowrank cells: end -->';
const BROWSER_BEGIN = '<!-- browser bench: begin';
const BROWSER_END = '<!-- browser bench: end -->';
const METRICS_BEGIN = '<!-- fit metrics: begin -->';
const METRICS_END = '<!-- fit metrics: end -->';
const STEPS_BEGIN = '<!-- fit steps: begin -->';
const STEPS_END = '<!-- fit steps: end -->';

/** The text of `old` between `begin` and `end` (markers included), or ''. */
/**
 * Warms a step up until its time is stable: at least 50 steps (V8 tiers the
 * kernels up over about the first 50; at (256, 8) on tensorflow a step took
 * 2.1 ms after 5 warm-up steps and 0.5 ms after 50), then blocks of 10 until
 * a block's median is within 5 % of the previous one's, at most 300 steps.
 * bench/peers.py and the browser bench follow the same rule.
 */
function warmUp(run: () => void): number {
  const block = (): number => {
    const t: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      run();
      t.push(performance.now() - t0);
    }
    return t.sort((a, b) => a - b)[5]!;
  };
  let steps = 0;
  let prev = Infinity;
  for (; steps < 300; steps += 10) {
    const m = block();
    if (steps + 10 >= 50 && Math.abs(m - prev) <= 0.05 * prev) return steps + 10;
    prev = m;
  }
  return steps;
}

function section(old: string, begin: string, end: string): string {
  const i = old.indexOf(begin);
  const j = old.indexOf(end);
  return i >= 0 && j > i ? old.slice(i, j + end.length) : '';
}

const SIZES: Array<[number, number]> = [[32, 2], [256, 8], [1024, 16], [64, 32]];
const QUICK = process.env['BENCH_QUICK'] === '1';
const MIN_TIME_MS = QUICK ? 150 : 500;
const MIN_REPS = QUICK ? 5 : 15;
/** Composite rows are slow on cpu (seconds per step at (1024, 16)); BENCH_COMPOSITE=0 skips them. */
const COMPOSITE = process.env['BENCH_COMPOSITE'] !== '0';

type LossName = 'kl' | 'nll' | 'chol' | 'dkl' | 'dnll' | `mix${number}` | `lrnll${number}` | `lrkl${number}`;
/** The 'lowrank' cells, (r, batch, d): 'lrnllR', 'lrklR' in the tables. */
const LOWRANK_SIZES: Array<[number, number, number]> = [[4, 256, 64], [8, 64, 1024], [16, 16, 4096]];
/** The 'diag' layout cells (dkl, dnll): rows [mean | σ]. */
const DIAG_SIZES: Array<[number, number]> = [[256, 8], [4096, 32]];
/** The mixture NLL cells, (K, batch, d): 'mixK' in the tables. */
const MIX_SIZES: Array<[number, number, number]> = [[5, 256, 2], [8, 1024, 4], [3, 64, 16]];
/** The cholesky cells: forward and backward of sum(cholesky(A) * W). */
const CHOL_SIZES: Array<[number, number]> = [[1024, 16], [64, 32]];
const PEERS = ['torch', 'torch-solve', 'jax', 'tf', 'tf-xla'] as const;
type PeerName = typeof PEERS[number];
const PEER_LABEL: Record<PeerName, string> = {
  'torch': 'PyTorch torch.distributions', 'torch-solve': 'PyTorch solve_triangular',
  'jax': 'JAX jit', 'tf': 'TF tf.function', 'tf-xla': 'TF tf.function XLA',
};

interface Row {backend: string; loss: LossName; batch: number; d: number; ms: number; kernels: number}
interface Cell {loss: LossName; batch: number; d: number; rows: Row[]; peers: Partial<Record<PeerName, number>>}

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

/** Symmetric positive definite `[batch, d, d]` (M Mᵀ / d + I) and lower-triangular weights. */
function spd(batch: number, d: number): {a: tf.Tensor3D; w: tf.Tensor3D} {
  return tf.tidy(() => {
    const m = tf.randomNormal([batch, d, d], 0, 1 / Math.sqrt(d), 'float32', 11);
    const lower = tf.tensor2d(Array.from({length: d * d}, (_, k) => (Math.floor(k / d) >= k % d ? 1 : 0)), [d, d]);
    return {a: tf.add(tf.matMul(m, m, false, true), tf.eye(d)) as tf.Tensor3D,
      w: tf.mul(tf.randomUniform([batch, d, d], -1, 1, 'float32', 12), lower) as tf.Tensor3D};
  });
}

async function measure(backend: string, loss: LossName, batch: number, d: number): Promise<Row> {
  let yPred: tf.Tensor;
  let yTrue: tf.Tensor;
  let step: (x: tf.Tensor) => {value: tf.Scalar; grad: tf.Tensor};
  if (loss === 'dkl' || loss === 'dnll') {
    const diagRows = (seed: number) => tf.tidy(() => tf.concat([tf.randomNormal([batch, d], 0, 1, 'float32', seed),
      tf.randomUniform([batch, d], 0.5, 1.5, 'float32', seed + 1)], 1));
    yPred = diagRows(1);
    yTrue = loss === 'dkl' ? diagRows(7) : tf.randomNormal([batch, d], 0, 1, 'float32', 9);
    const fn = loss === 'dkl' ? gaussianKLLoss({layout: 'diag'}) : gaussianNLLLoss({layout: 'diag'});
    step = tf.valueAndGrad((yp: tf.Tensor) => tf.mean(fn(yTrue, yp)));
  } else if (loss.startsWith('mix')) {
    const K = Number(loss.slice(3));
    yPred = tf.tidy(() => tf.concat([tf.randomNormal([batch, K], 0, 1, 'float32', 3),
      ...Array.from({length: K}, (_, k) => rows(batch, d, 20 + 3 * k))], 1));
    yTrue = tf.randomNormal([batch, d], 0, 1, 'float32', 9);
    const fn = gaussianMixtureNLLLoss({components: K});
    step = tf.valueAndGrad((yp: tf.Tensor) => tf.mean(fn(yTrue, yp)));
  } else if (loss.startsWith('lr')) {
    const kl = loss.startsWith('lrkl');
    const r = Number(loss.slice(kl ? 4 : 5));
    // Rows [mean | σ | W]: σ in [0.5, 1.5], W ~ N(0, 0.3²), as bench/peers.py.
    const lowRankRows = (seed: number) => tf.tidy(() => tf.concat([tf.randomNormal([batch, d], 0, 1, 'float32', seed),
      tf.randomUniform([batch, d], 0.5, 1.5, 'float32', seed + 1), tf.randomNormal([batch, d * r], 0, 0.3, 'float32', seed + 2)], 1));
    yPred = lowRankRows(1);
    yTrue = kl ? lowRankRows(7) : tf.randomNormal([batch, d], 0, 1, 'float32', 9);
    const fn = kl ? gaussianKLLoss({layout: 'lowrank', rank: r}) : gaussianNLLLoss({layout: 'lowrank', rank: r});
    step = tf.valueAndGrad((yp: tf.Tensor) => tf.mean(fn(yTrue, yp)));
  } else if (loss === 'chol') {
    const {a, w} = spd(batch, d);
    yPred = a;
    yTrue = w;
    step = tf.valueAndGrad((x: tf.Tensor) => tf.sum(tf.mul(cholesky(x), w)));
  } else {
    yPred = rows(batch, d, 1);
    yTrue = loss === 'kl' ? rows(batch, d, 7) : tf.randomNormal([batch, d], 0, 1, 'float32', 9);
    const fn = loss === 'kl' ? gaussianKLLoss() : gaussianNLLLoss();
    step = tf.valueAndGrad((yp: tf.Tensor) => tf.mean(fn(yTrue, yp)));
  }
  // A step ends with the loss read back (the peers' loss.item()). The
  // gradient stays on the backend, where an optimizer consumes it: cpu, wasm
  // and tensorflow run kernels synchronously, so it is computed by the time
  // valueAndGrad returns. The peers' gradient read (.numpy(), np.asarray)
  // is a view on CPU, not a copy; grad.dataSync() copies into a fresh JS
  // buffer, and at (4096, 32) in the 'diag' layout (1 MB) that copy cost
  // 0.1-2.9 ms a step depending on the process's allocator and GC state.
  const run = () => {
    const {value, grad} = step(yPred);
    value.dataSync();
    value.dispose();
    grad.dispose();
  };
  warmUp(run);
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

/** A persistent peer process (bench/peers.py), or null when its library is missing. */
class Peer {
  private lines: string[] = [];
  private waiting: Array<(line: string) => void> = [];

  private constructor(private proc: ChildProcessWithoutNullStreams, readonly name: PeerName) {
    let buf = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const w = this.waiting.shift();
        if (w) w(line); else this.lines.push(line);
      }
    });
    proc.on('exit', () => this.waiting.splice(0).forEach((w) => w('exit')));
  }

  static async start(python: string, name: PeerName): Promise<{peer: Peer; version: string} | null> {
    let proc: ChildProcessWithoutNullStreams;
    try {
      proc = spawn(python, [path.join(__dirname, 'peers.py'), name], {env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '2'}});
    } catch {
      return null;
    }
    proc.stderr.resume();
    proc.on('error', () => undefined);
    const peer = new Peer(proc, name);
    const first = await peer.next();
    if (!first.startsWith('ready ')) {
      console.log(`${PEER_LABEL[name]}: not available (${first})`);
      proc.kill();
      return null;
    }
    return {peer, version: first.split(' ').slice(2).join(' ')};
  }

  private next(): Promise<string> {
    const l = this.lines.shift();
    return l !== undefined ? Promise.resolve(l) : new Promise((res) => this.waiting.push(res));
  }

  async time(loss: LossName, batch: number, d: number): Promise<number> {
    this.proc.stdin.write(`${loss} ${batch} ${d} ${MIN_TIME_MS / 1000} ${MIN_REPS}\n`);
    return Number(await this.next());
  }

  /** A whole training step of the fit-steps MLP (bench/peers.py 'mlp'); null where this peer has none. */
  async timeMlpStep(batch: number, d: number, inputs: number, hidden: number): Promise<number | null> {
    this.proc.stdin.write(`mlp ${batch} ${d} ${MIN_TIME_MS / 1000} ${Math.max(MIN_REPS, 40)} ${inputs} ${hidden}\n`);
    const v = JSON.parse(await this.next()) as number | null;
    return typeof v === 'number' ? v : null;
  }

  stop(): void {
    this.proc.stdin.end();
  }
}

function peersPython(): string {
  if (process.env['PEERS_PYTHON']) return process.env['PEERS_PYTHON'];
  const local = path.join(__dirname, '..', '.peers', 'bin', 'python');
  return fs.existsSync(local) ? local : 'python3';
}

const fastest = (c: Cell, names: readonly PeerName[]): [PeerName, number] | null => {
  const have = names.filter((n) => c.peers[n] !== undefined).map((n) => [n, c.peers[n]!] as [PeerName, number]);
  return have.length === 0 ? null : have.reduce((a, b) => (b[1] < a[1] ? b : a));
};

async function main(): Promise<void> {
  const candidates: Array<{label: string; name: 'tensorflow' | 'wasm' | 'cpu'; composite: boolean}> = [
    {label: 'tensorflow', name: 'tensorflow', composite: false},
    {label: 'wasm', name: 'wasm', composite: false},
    {label: 'cpu', name: 'cpu', composite: false},
    ...(COMPOSITE ? [
      {label: 'tensorflow (composite path)', name: 'tensorflow' as const, composite: true},
      {label: 'wasm (composite path)', name: 'wasm' as const, composite: true},
      {label: 'cpu (composite path)', name: 'cpu' as const, composite: true},
    ] : []),
  ];
  const backends = [];
  for (const b of candidates) {
    if (await tryBackend(b.name)) backends.push(b); else console.log(`${b.label}: not available here, skipped`);
  }
  const python = peersPython();
  const peers: Peer[] = [];
  const versions: string[] = [];
  for (const name of PEERS) {
    const p = await Peer.start(python, name);
    if (p !== null) {
      peers.push(p.peer);
      versions.push(`${PEER_LABEL[name]} (${p.version})`);
    }
  }

  const cells: Cell[] = [];
  const cellList: Array<[LossName, number, number]> = [
    ...(['kl', 'nll'] as const).flatMap((l) => SIZES.map(([b, d]) => [l, b, d] as [LossName, number, number])),
    ...(['dkl', 'dnll'] as const).flatMap((l) => DIAG_SIZES.map(([b, d]) => [l, b, d] as [LossName, number, number])),
    ...CHOL_SIZES.map(([b, d]) => ['chol', b, d] as [LossName, number, number]),
    ...MIX_SIZES.map(([k, b, d]) => [`mix${k}`, b, d] as [LossName, number, number]),
    ...(['lrnll', 'lrkl'] as const).flatMap((l) => LOWRANK_SIZES.map(([r, b, d]) => [`${l}${r}`, b, d] as [LossName, number, number])),
  ];
  // BENCH_ONLY=chol (or kl,nll; mix for every mixture cell) times only those kinds of cell.
  const only = process.env['BENCH_ONLY']?.split(',');
  const wanted = (l: LossName) => only === undefined ||
    only.some((o) => o === l || (o === 'mix' && l.startsWith('mix')) || (o === 'lowrank' && l.startsWith('lr')));
  {
    for (const [loss, batch, d] of cellList.filter(([l]) => wanted(l))) {
      // Ours on every backend, then every peer right after: one cell's
      // numbers are adjacent in time, so their ratios are fair.
      const cell: Cell = {loss, batch, d, rows: [], peers: {}};
      for (const b of backends) {
        await tf.setBackend(b.name);
        tf.env().set(FORCE_COMPOSITE_FLAG, b.composite);
        cell.rows.push(await measure(b.label, loss, batch, d));
      }
      tf.env().set(FORCE_COMPOSITE_FLAG, false);
      for (const p of peers) {
        // A peer without this kind of cell answers null (NaN here): left out, shown as '-'.
        const ms = await p.time(loss, batch, d);
        if (Number.isFinite(ms)) cell.peers[p.name] = ms;
      }
      cells.push(cell);
      const best = fastest(cell, PEERS);
      console.log(`${loss} (${batch}, ${d}): ` + cell.rows.map((r) => `${r.backend} ${r.ms.toFixed(3)} ms ${r.kernels}k` +
        (best ? ` (${(r.ms / best[1]).toFixed(2)}x)` : '')).join(' | ') +
        ` || ` + PEERS.filter((n) => cell.peers[n] !== undefined).map((n) => `${n} ${cell.peers[n]!.toFixed(3)}`).join(' '));
    }
  }

  // The calibration metrics' share of a model.fit step (BENCH_ONLY=metrics for this part alone).
  const fitRows: FitMetricsRow[] = [];
  if (only === undefined || only.includes('metrics')) {
    for (const b of backends.filter((c) => !c.composite)) {
      await tf.setBackend(b.name);
      const r = await timeFitMetrics(b.label);
      fitRows.push(r);
      console.log(`metrics in fit (${r.batch}, ${r.d}), ${b.label}: ` + fitMetricsTable([r]).trim().split('\n').pop());
    }
  }

  // Whole trainOnBatch steps: the MLP on NLL against MSE, and the VAE against
  // the hand-written form (BENCH_ONLY=fit for this part alone).
  const stepRows: StepPairRow[] = [];
  if (only === undefined || only.includes('fit')) {
    // Each MLP size on every backend, then PyTorch's and Keras' step right after.
    for (const [batch, d, inputs, hidden] of [[32, 2, 4, 32], [256, 8, 16, 128], [1024, 16, 32, 256]] as const) {
      const sizeRows: StepPairRow[] = [];
      // At the smallest size also what one more built-in Keras layer costs: the floor under any head (no peers).
      const floorRows = new Set<StepPairRow>();
      for (const b of backends.filter((c) => !c.composite)) {
        await tf.setBackend(b.name);
        sizeRows.push(await timeMlpStep(b.label, batch, d, inputs, hidden));
        if (batch === 32) {
          for (const floor of ['linear', 'softplus'] as const) {
            const r = await timeMlpStep(b.label, batch, d, inputs, hidden, floor);
            floorRows.add(r);
            sizeRows.push(r);
          }
        }
      }
      const peerSteps: StepPairRow['peers'] = {};
      for (const p of peers) {
        const ms = await p.timeMlpStep(batch, d, inputs, hidden);
        if (ms !== null && (p.name === 'torch' || p.name === 'tf')) peerSteps[p.name] = ms;
      }
      for (const r of sizeRows) {
        if (!floorRows.has(r)) r.peers = peerSteps;
        stepRows.push(r);
        console.log(fitStepsTable([r]).trim().split('\n').pop());
      }
    }
    // The other losses at (256, 8, 16, 128): the KL, the 'diag' NLL and the mixture NLL (K = 5).
    for (const loss of ['kl', 'dnll', 'mix5'] as const) {
      for (const b of backends.filter((c) => !c.composite)) {
        await tf.setBackend(b.name);
        stepRows.push(await timeMlpStep(b.label, 256, 8, 16, 128, loss));
        console.log(fitStepsTable([stepRows[stepRows.length - 1]!]).trim().split('\n').pop());
      }
    }
    for (const b of backends.filter((c) => !c.composite)) {
      await tf.setBackend(b.name);
      stepRows.push(await timeVaeStep(b.label));
      console.log(fitStepsTable([stepRows[stepRows.length - 1]!]).trim().split('\n').pop());
    }
  }

  peers.forEach((p) => p.stop());

  // The 'lowrank' NLL's cost growth in d (r = 8, batch 16), fused backends: it should be linear.
  const growth: string[] = [];
  if (only === undefined || only.includes('lowrank')) {
    growth.push('', '\'lowrank\' NLL step, r = 8, batch 16: cost growth in d (fused kernels; µs per row per 1000 dimensions):', '');
    const ds = [512, 2048, 8192, 32768];
    growth.push(`| backend | ${ds.map((d) => `d = ${d}`).join(' | ')} |`, `| --- | ${ds.map(() => '---:').join(' | ')} |`);
    for (const b of backends.filter((c) => !c.composite)) {
      await tf.setBackend(b.name);
      const ms: number[] = [];
      for (const d of ds) ms.push((await measure(b.label, 'lrnll8', 16, d)).ms);
      growth.push(`| ${b.label} | ${ms.map((m, i) => `${m.toFixed(2)} ms (${(m * 1e3 / 16 / (ds[i]! / 1000)).toFixed(1)})`).join(' | ')} |`);
      console.log(growth[growth.length - 1]);
    }
  }

  const lines: string[] = [];
  lines.push('# Benchmark: one loss + gradient step');
  lines.push('');
  lines.push(`kl, nll: valueAndGrad of mean(loss(yTrue, yPred)) w.r.t. yPred, 'full' layout. ` +
    'dkl, dnll: the same in the \'diag\' layout, rows [mean | σ]. ' +
    'chol: valueAndGrad of sum(cholesky(A) * W) w.r.t. A, A [batch, d, d] positive definite. ' +
    'mixK: gaussianMixtureNLLLoss with K components, rows [logits | K \'full\' rows]; its PyTorch form is ' +
    'MixtureSameFamily(Categorical(logits), MultivariateNormal(loc, scale_tril)). ' +
    'lrnllR, lrklR: the NLL and KL in the \'lowrank\' layout of rank R, rows [mean | σ | W], Σ = diag(σ²) + W Wᵀ, (batch, d); ' +
    'their peers are PyTorch\'s LowRankMultivariateNormal and a JAX jit of the same Woodbury and determinant-lemma identities.');
  lines.push('');
  lines.push(`Each cell: median of >= ${MIN_REPS} steps ` +
    `and >= ${MIN_TIME_MS} ms per cell, after warming up until the step time is stable (>= 50 steps, then until two blocks of 10 agree within 5 %, bench.ts warmUp; the peers alike). A step ends with the loss read back; the gradient ` +
    'stays on the backend, computed (these backends run kernels synchronously), as an optimizer uses it: the peers\' ' +
    'gradient reads are CPU views, not copies. Kernels: tf.profile of one step. ' +
    'Each cell times every backend, then every peer, back to back; ratios compare numbers from the same cell.');
  lines.push('');
  lines.push(`Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, tfjs ${tf.version.tfjs}.`);
  lines.push(`Peers (bench/peers.py, one thread each, float32; JAX pinned to one CPU): ${versions.length ? versions.join(', ') : 'none available'}.`);
  lines.push(`Date: ${new Date().toISOString()}.`);
  lines.push('');
  // The cells and their peers, as two tables (the 'lowrank' cells get their own section).
  const cellTables = (cs: Cell[]): string[] => {
    const out = ['| loss | (batch, d) | backend | median ms | kernels | × fastest peer | × faster PyTorch |',
      '| --- | --- | --- | ---: | ---: | ---: | ---: |'];
    for (const c of cs) {
      const best = fastest(c, PEERS);
      const torch = fastest(c, ['torch', 'torch-solve']);
      for (const r of c.rows) {
        out.push(`| ${c.loss} | (${c.batch}, ${c.d}) | ${r.backend} | ${r.ms.toFixed(3)} | ${r.kernels} | ` +
          `${best ? `${(r.ms / best[1]).toFixed(2)}x (${best[0]})` : '-'} | ${torch ? `${(r.ms / torch[1]).toFixed(2)}x` : '-'} |`);
      }
    }
    out.push('', 'Peers, median ms per step (same cells):', '');
    out.push(`| loss | (batch, d) | ${PEERS.map((n) => PEER_LABEL[n]).join(' | ')} |`);
    out.push(`| --- | --- | ${PEERS.map(() => '---:').join(' | ')} |`);
    for (const c of cs) {
      out.push(`| ${c.loss} | (${c.batch}, ${c.d}) | ${PEERS.map((n) => (c.peers[n] !== undefined ? c.peers[n]!.toFixed(3) : '-')).join(' | ')} |`);
    }
    return out;
  };
  const denseCells = cells.filter((c) => !c.loss.startsWith('lr'));
  const lowCells = cells.filter((c) => c.loss.startsWith('lr'));
  lines.push(...cellTables(denseCells));
  const table = lines.join('\n') + '\n';
  const lowTable = ['## The \'lowrank\' layout', '',
    'lrnllR, lrklR as above (same run, same rules); then the NLL\'s cost growth in d.', '',
    ...cellTables(lowCells), ...growth].join('\n') + '\n';
  console.log('');
  console.log(table);
  if (lowCells.length) console.log(lowTable);
  // Each part rewrites only its own section: the loss cells (the text before
  // the first marker), the 'lowrank' cells, the fit-metrics section, the whole steps, and the browser section
  // (npm run bench:browser), which is kept as it is.
  const file = path.join(__dirname, 'RESULTS.md');
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const firstMarker = [LOWRANK_BEGIN, METRICS_BEGIN, STEPS_BEGIN, BROWSER_BEGIN].map((m) => old.indexOf(m)).filter((i) => i >= 0);
  const oldLosses = firstMarker.length ? old.slice(0, Math.min(...firstMarker)).trimEnd() + '\n' : old;
  const metrics = fitRows.length ? `${METRICS_BEGIN}\n${fitMetricsTable(fitRows)}${METRICS_END}`
    : section(old, METRICS_BEGIN, METRICS_END);
  const steps = stepRows.length ? `${STEPS_BEGIN}\n${fitStepsTable(stepRows)}${STEPS_END}`
    : section(old, STEPS_BEGIN, STEPS_END);
  const browser = section(old, BROWSER_BEGIN, BROWSER_END);
  const lowrank = lowCells.length ? `${LOWRANK_BEGIN}\n${lowTable}${LOWRANK_END}` : section(old, LOWRANK_BEGIN, LOWRANK_END);
  fs.writeFileSync(file, [denseCells.length ? table : oldLosses, lowrank, metrics, steps, browser].filter(Boolean).join('\n') + '\n');
  console.log(`written to ${path.join('bench', 'RESULTS.md')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

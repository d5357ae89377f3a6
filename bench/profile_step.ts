/**
 * Where a training step's time goes, per op: tf.profile of
 * `model.trainOnBatch` for the fit-steps MLP (bench/fit_steps.ts) with a
 * Gaussian loss and the same MLP on MSE, on one backend, after warm-up
 * steps, the two models' profiled steps alternating. Prints, per kernel name, the launches and the summed kernel time
 * per step (the mean over the profiled steps). tf.profile waits for each
 * kernel, so its totals run above an unprofiled step's time; compare rows.
 *
 *   npx tsx bench/profile_step.ts [backend] [loss] [B,d,in,H]
 *   (defaults: tensorflow nll 1024,16,32,256; loss: nll, kl, dnll or mix5)
 */
import * as tf from '@tensorflow/tfjs';

import {BackendName, tryBackend} from '../examples/backend';
import {MlpLoss, mlpPair} from './fit_steps';

const WARMUP = 80;
const PROFILED = 40;

type PerOp = Map<string, [number, number]>;

async function profileInto(per: PerOp, model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<void> {
  const info = await tf.profile(async () => {
    await model.trainOnBatch(x, y);
  });
  for (const kernel of info.kernels) {
    const e = per.get(kernel.name) ?? [0, 0];
    e[0] += 1 / PROFILED;
    e[1] += (kernel.kernelTimeMs as number) / PROFILED;
    per.set(kernel.name, e);
  }
}

/** Both models' steps, warmed up, then profiled alternately (this machine drifts): per kernel name, launches and ms per step. */
async function profileSteps(ours: tf.LayersModel, base: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<[PerOp, PerOp]> {
  for (let i = 0; i < WARMUP; i++) {
    await ours.trainOnBatch(x, y);
    await base.trainOnBatch(x, y);
  }
  const a: PerOp = new Map();
  const b: PerOp = new Map();
  for (let k = 0; k < PROFILED; k++) {
    for (const [m, per] of (k % 2 ? [[base, b], [ours, a]] : [[ours, a], [base, b]]) as Array<[tf.LayersModel, PerOp]>) {
      await profileInto(per, m, x, y);
    }
  }
  return [a, b];
}

async function main(): Promise<void> {
  const [backend = 'tensorflow', loss = 'nll', size = '1024,16,32,256'] = process.argv.slice(2);
  if (!(await tryBackend(backend as BackendName))) throw new Error(`backend ${backend} is not available here`);
  const [batch, d, inputs, hidden] = size.split(',').map(Number) as [number, number, number, number];
  const {ours, mse, x, y} = mlpPair(loss as MlpLoss, batch, d, inputs, hidden);
  const [a, b] = await profileSteps(ours, mse, x, y);
  const names = [...new Set([...a.keys(), ...b.keys()])]
    .sort((p, q) => ((a.get(q)?.[1] ?? 0) - (b.get(q)?.[1] ?? 0)) - ((a.get(p)?.[1] ?? 0) - (b.get(p)?.[1] ?? 0)));
  const total = (m: PerOp, i: 0 | 1) => [...m.values()].reduce((s, e) => s + e[i], 0);
  const f = (v: number | undefined, digits: number) => (v === undefined ? '-' : v.toFixed(digits));
  console.log(`trainOnBatch, ${backend}, (${size}), ${loss} model against the MSE model; tf.profile, mean of ${PROFILED} steps each (alternating) after ${WARMUP}:`);
  console.log('');
  console.log(`| kernel | ${loss}: launches | ${loss}: ms | MSE: launches | MSE: ms | difference ms |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const n of names) {
    const p = a.get(n);
    const q = b.get(n);
    console.log(`| ${n} | ${f(p?.[0], 1)} | ${f(p?.[1], 3)} | ${f(q?.[0], 1)} | ${f(q?.[1], 3)} | ${((p?.[1] ?? 0) - (q?.[1] ?? 0)).toFixed(3)} |`);
  }
  console.log(`| total | ${total(a, 0).toFixed(1)} | ${total(a, 1).toFixed(2)} | ${total(b, 0).toFixed(1)} | ${total(b, 1).toFixed(2)} | ${(total(a, 1) - total(b, 1)).toFixed(2)} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

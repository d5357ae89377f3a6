/**
 * What the calibration metrics add to a training step as users run it:
 * `model.trainOnBatch` of an MLP `in → H relu → H relu → params` with
 * `gaussianHead` and `gaussianNLLLoss`, compiled twice, without metrics and
 * with `metrics: [gaussianCoverage(), gaussianCRPS()]`, at (B, d, in, H) =
 * (256, 8, 16, 128). The two models' steps alternate in one process (this
 * machine drifts), after 60 warm-up steps each (V8 tiers kernels up over
 * the first ~50); medians with p10 and p90 of 150 timed steps each.
 */
import * as tf from '@tensorflow/tfjs';

import {gaussianCoverage, gaussianCRPS, gaussianHead, gaussianNLLLoss, gaussianParamsSize, padTargets} from '../src/index';
import {quantile} from './fit_steps';

const QUICK = process.env['BENCH_QUICK'] === '1';
const WARMUP = 60;
const REPS = QUICK ? 40 : 150;

function mlp(d: number, inputs: number, hidden: number, metrics: boolean): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({seed});
  const model = tf.sequential({layers: [
    tf.layers.dense({units: hidden, inputShape: [inputs], activation: 'relu', kernelInitializer: init(1)}),
    tf.layers.dense({units: hidden, activation: 'relu', kernelInitializer: init(2)}),
    tf.layers.dense({units: gaussianParamsSize(d), kernelInitializer: init(3)}),
    gaussianHead({dim: d}),
  ]});
  model.compile({optimizer: tf.train.adam(1e-3), loss: gaussianNLLLoss(),
    metrics: metrics ? [gaussianCoverage(), gaussianCRPS()] : []});
  return model;
}

export interface FitMetricsRow {
  backend: string; batch: number; d: number; plainMs: number[]; metricsMs: number[]; metricKernels: number;
}

/** Times the two models on the current backend, interleaved. */
export async function timeFitMetrics(backend: string, batch = 256, d = 8, inputs = 16, hidden = 128):
  Promise<FitMetricsRow> {
  const x = tf.randomNormal([batch, inputs], 0, 1, 'float32', 1);
  const y = padTargets(tf.randomNormal([batch, d], 0, 1, 'float32', 2));
  const plain = mlp(d, inputs, hidden, false);
  const withMetrics = mlp(d, inputs, hidden, true);
  const p: number[] = [];
  const m: number[] = [];
  for (let i = 0; i < WARMUP + REPS; i++) {
    // Alternate which model goes first, so neither always follows the other.
    for (const [model, out] of (i % 2 ? [[plain, p], [withMetrics, m]] : [[withMetrics, m], [plain, p]]) as
      Array<[tf.LayersModel, number[]]>) {
      const t0 = performance.now();
      await model.trainOnBatch(x, y);
      if (i >= WARMUP) out.push(performance.now() - t0);
    }
  }
  const pred = withMetrics.predict(x) as tf.Tensor;
  const info = await tf.profile(() => [gaussianCoverage()(y, pred), gaussianCRPS()(y, pred)]);
  tf.dispose([x, y, pred]);
  plain.dispose();
  withMetrics.dispose();
  return {backend, batch, d, plainMs: p, metricsMs: m, metricKernels: info.kernels.length};
}

/** The RESULTS.md section for rows from {@link timeFitMetrics}. */
export function fitMetricsTable(rows: FitMetricsRow[]): string {
  const f = (v: number) => v.toFixed(2);
  const lines = [
    '## Calibration metrics in model.fit',
    '',
    'model.trainOnBatch of an MLP in → 128 relu → 128 relu → gaussianHead (\'full\', d = 8), loss gaussianNLLLoss, ' +
    'batch 256, in = 16, Adam; compiled without metrics and with metrics: [gaussianCoverage(), gaussianCRPS()]. ' +
    `The two models' steps alternate in one process; ${WARMUP} warm-up steps each, then ${REPS} timed each. ` +
    'Kernels: both metrics on one batch (tf.profile). Target: with metrics ≤ 1.10× without.',
    '',
    '| backend | without metrics ms (p10–p90) | with metrics ms (p10–p90) | ratio of medians | metric kernels |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const a = quantile(r.plainMs, 0.5);
    const b = quantile(r.metricsMs, 0.5);
    lines.push(`| ${r.backend} | ${f(a)} (${f(quantile(r.plainMs, 0.1))}–${f(quantile(r.plainMs, 0.9))}) | ` +
      `${f(b)} (${f(quantile(r.metricsMs, 0.1))}–${f(quantile(r.metricsMs, 0.9))}) | ${(b / a).toFixed(3)} | ${r.metricKernels} |`);
  }
  return lines.join('\n') + '\n';
}

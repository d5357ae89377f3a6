/**
 * How a small step's ratio to MSE moves with warm-up: at (32, 2, 4, 32) a
 * `trainOnBatch` step is under 1 ms, and for the first few hundred steps V8
 * runs our kernels' per-step JavaScript unoptimised. Times, interleaved in
 * one process, the MSE model (the floor of a step), the same model with one
 * more built-in layer (`Activation('linear')`, `Activation('softplus')`),
 * with `gaussianHead` on MSE, and with `gaussianHead` and `gaussianNLLLoss`;
 * prints each median and its ratio to MSE.
 *
 *   npx tsx bench/warm_steps.ts [backend] [B,d,in,H] [warm-up steps] [timed steps]
 *   (defaults: wasm 32,2,4,32 4000 1500)
 */
import * as tf from '@tensorflow/tfjs';

import {BackendName, tryBackend} from '../examples/backend';
import {gaussianHead, gaussianNLLLoss, gaussianParamsSize, padTargets} from '../src/index';
import {interleave, mlp, quantile} from './fit_steps';

async function main(): Promise<void> {
  const [backend = 'wasm', size = '32,2,4,32', warm = '4000', timed = '1500'] = process.argv.slice(2);
  if (!(await tryBackend(backend as BackendName))) throw new Error(`backend ${backend} is not available here`);
  const [batch, d, inputs, hidden] = size.split(',').map(Number) as [number, number, number, number];
  const width = gaussianParamsSize(d, 'packed');
  const model = (extra: tf.layers.Layer | null, loss: string | ((a: tf.Tensor, b: tf.Tensor) => tf.Tensor)) => {
    const m = mlp(inputs, hidden, width);
    if (extra !== null) m.add(extra);
    m.compile({optimizer: tf.train.adam(1e-3), loss});
    return m;
  };
  const models: Array<[string, tf.LayersModel]> = [
    ['MSE', model(null, 'meanSquaredError')],
    ["MSE + Activation('linear')", model(tf.layers.activation({activation: 'linear'}), 'meanSquaredError')],
    ["MSE + Activation('softplus')", model(tf.layers.activation({activation: 'softplus'}), 'meanSquaredError')],
    ['MSE + gaussianHead', model(gaussianHead({dim: d, layout: 'packed'}), 'meanSquaredError')],
    ['gaussianNLLLoss + gaussianHead', model(gaussianHead({dim: d, layout: 'packed'}), gaussianNLLLoss({layout: 'packed'}))],
  ];
  const x = tf.randomNormal([batch, inputs], 0, 1, 'float32', 1);
  const y = padTargets(tf.randomNormal([batch, d], 0, 1, 'float32', 2), 'packed');
  const times = await interleave(models.map(([, m]) => () => m.trainOnBatch(x, y)), Number(warm), Number(timed));
  const base = quantile(times[0]!, 0.5);
  console.log(`trainOnBatch on ${backend}, (${size}), ${warm} warm-up and ${timed} timed steps each, interleaved:`);
  console.log('| model | median ms | ÷ MSE |\n| --- | ---: | ---: |');
  models.forEach(([name], k) => {
    const m = quantile(times[k]!, 0.5);
    console.log(`| ${name} | ${m.toFixed(3)} | ${(m / base).toFixed(3)} |`);
  });
  tf.dispose([x, y]);
  models.forEach(([, m]) => m.dispose());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

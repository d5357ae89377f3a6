/**
 * The browser demo (npm run demo): trains a Gaussian-output model on
 * synthetic 2-D data whose spread grows and rotates with the input, and draws
 * the true and predicted 1σ/2σ ellipses and the loss curve as it trains.
 *
 * URL parameters: ?backend=webgl|webgpu|wasm|cpu&epochs=N.
 * window.__demo exposes progress for the headless test (test/browser/run.ts).
 */
import * as tf from '@tensorflow/tfjs';
import {setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';

import {gaussianHead, gaussianNLLLoss, gaussianParamsSize, padTargets, unpackGaussian} from 'tfjs-gaussian';
import {makeData, truth, TrueGaussian} from '../heteroscedastic_data';

interface DemoState { backend: string; epoch: number; epochs: number; losses: number[]; done: boolean; error?: string }
const state: DemoState = {backend: '', epoch: 0, epochs: 0, losses: [], done: false};
(window as unknown as {__demo: DemoState}).__demo = state;

setWasmPaths(new URL('./wasm/', location.href).href);

const params = new URLSearchParams(location.search);
const select = document.getElementById('backend') as HTMLSelectElement;
const status = document.getElementById('status') as HTMLSpanElement;
const canvas = document.getElementById('plot') as HTMLCanvasElement;
const ctx = canvas.getContext('2d')!;
const SHOWN = [-0.9, -0.45, 0, 0.45, 0.9];
let run = 0;

function xColor(x: number, alpha = 1): string {
  const t = (x + 1) / 2;
  const c = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgba(${c(49, 214)},${c(104, 39)},${c(189, 40)},${alpha})`;
}

function ellipse(g: TrueGaussian, k: number, map: (a: number, b: number) => [number, number], color: string, dashed: boolean): void {
  ctx.beginPath();
  for (let i = 0; i <= 96; i++) {
    const t = (2 * Math.PI * i) / 96;
    const [u, v] = [Math.cos(t), Math.sin(t)];
    const [px, py] = map(g.mean[0] + k * g.L[0][0] * u, g.mean[1] + k * (g.L[1][0] * u + g.L[1][1] * v));
    if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
  }
  ctx.strokeStyle = color;
  ctx.lineWidth = k === 1 ? 2.2 : 1.3;
  ctx.setLineDash(dashed ? [6, 4] : []);
  ctx.stroke();
  ctx.setLineDash([]);
}

function draw(data: {xs: number[]; ys: number[][]}, preds: TrueGaussian[]): void {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  // Left: the data plane with true and predicted ellipses at five inputs.
  const [W, H] = [700, 420];
  const map = (a: number, b: number): [number, number] => [10 + ((a + 2) / 4) * W, 5 + ((1.3 - b) / 2.6) * H];
  for (let i = 0; i < data.xs.length; i += 2) {
    const [px, py] = map(data.ys[i]![0]!, data.ys[i]![1]!);
    ctx.fillStyle = xColor(data.xs[i]!, 0.35);
    ctx.fillRect(px - 1, py - 1, 2.2, 2.2);
  }
  SHOWN.forEach((x, i) => {
    for (const k of [1, 2]) {
      ellipse(truth(x), k, map, '#1f5fbf', false);
      if (preds[i]) ellipse(preds[i]!, k, map, '#e8590c', true);
    }
    const [tx, ty] = map(truth(x).mean[0], truth(x).mean[1]);
    ctx.fillStyle = xColor(x);
    ctx.font = 'bold 12px sans-serif';
    ctx.fillText(`x=${x}`, tx + 6, ty - 6);
  });
  // Right: the loss curve.
  const [lx, ly, lw, lh] = [740, 20, 340, 380];
  ctx.strokeStyle = '#bbb';
  ctx.strokeRect(lx, ly, lw, lh);
  ctx.fillStyle = '#333';
  ctx.font = '12px sans-serif';
  ctx.fillText('mean NLL per point, by epoch', lx + 6, ly + 16);
  const L = state.losses;
  if (L.length > 1) {
    const lo = Math.min(...L);
    const hi = Math.max(...L);
    ctx.beginPath();
    L.forEach((v, i) => {
      const px = lx + 10 + (i / Math.max(1, state.epochs - 1)) * (lw - 20);
      const py = ly + 30 + ((hi - v) / (hi - lo || 1)) * (lh - 50);
      if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    });
    ctx.strokeStyle = '#e8590c';
    ctx.lineWidth = 2;
    ctx.stroke();
    ctx.fillStyle = '#666';
    ctx.fillText(hi.toFixed(2), lx + 4, ly + 40);
    ctx.fillText(lo.toFixed(2), lx + 4, ly + lh - 8);
  }
}

async function train(backend: string, epochs: number): Promise<void> {
  const myRun = ++run;
  Object.assign(state, {backend: '', epoch: 0, epochs, losses: [], done: false, error: undefined});
  status.textContent = `starting ${backend}…`;
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to start`);
  await tf.ready();
  state.backend = tf.getBackend();
  select.value = state.backend;
  const data = makeData(2048, 1);
  const model = tf.sequential({layers: [
    tf.layers.dense({units: 48, activation: 'tanh', inputShape: [1], kernelInitializer: tf.initializers.glorotUniform({seed: 1})}),
    tf.layers.dense({units: 48, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({seed: 2})}),
    tf.layers.dense({units: gaussianParamsSize(2), kernelInitializer: tf.initializers.glorotUniform({seed: 3})}),
    gaussianHead({dim: 2}),
  ]});
  model.compile({optimizer: tf.train.adam(1e-2), loss: gaussianNLLLoss()});
  const targets = padTargets(data.y);
  const xShown = tf.tensor2d(SHOWN, [SHOWN.length, 1]);
  const predict = (): TrueGaussian[] => tf.tidy(() => {
    const {mean, scaleTril} = unpackGaussian(model.predict(xShown) as tf.Tensor);
    const m = mean.arraySync() as number[][];
    const l = scaleTril.arraySync() as number[][][];
    return m.map((mi, i) => ({mean: [mi[0]!, mi[1]!], L: [[l[i]![0]![0]!, 0], [l[i]![1]![0]!, l[i]![1]![1]!]]}));
  });
  draw(data, predict());
  for (let e = 0; e < epochs && myRun === run; e++) {
    const h = await model.fit(data.x, targets, {batchSize: 128, epochs: 1, shuffle: true, verbose: 0});
    state.losses.push(h.history['loss']![0] as number);
    state.epoch = e + 1;
    status.textContent = `running on ${state.backend}: epoch ${e + 1}/${epochs}, NLL ${state.losses[e]!.toFixed(3)}`;
    draw(data, predict());
    await tf.nextFrame();
  }
  model.dispose();
  tf.dispose([targets, xShown, data.x, data.y]);
  if (myRun === run) {
    state.done = true;
    status.textContent = `done on ${state.backend}: NLL ${state.losses[0]!.toFixed(3)} → ${state.losses[state.losses.length - 1]!.toFixed(3)}`;
  }
}

function start(): void {
  const epochs = Number(params.get('epochs') ?? 60);
  train(select.value, epochs).catch((e: Error) => {
    state.error = e.message;
    status.textContent = `error: ${e.message}`;
    console.error(e);
  });
}

select.value = params.get('backend') ?? 'webgl';
select.addEventListener('change', start);
document.getElementById('restart')!.addEventListener('click', start);
start();

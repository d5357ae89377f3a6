/**
 * The browser bench page (bench.html): for each backend that starts here
 * (cpu, wasm, webgl, webgpu), the median ms per loss+gradient step and the
 * kernels and GPU programs per step, on the fused path where the backend has
 * one and on the composite path, for the KL and NLL losses. Steps are timed
 * in windows of 4 with one read-back at the end of each window, as a
 * training loop runs them; each window's time over 4 is one sample. The table is
 * shown on the page and left in window.__bench for `npm run bench:browser`.
 * Open it in any browser (npm run demo, then /bench.html) to measure a real
 * GPU.
 */
import * as tf from '@tensorflow/tfjs';
import {setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';

import {FORCE_COMPOSITE_FLAG, hasFusedKernels} from 'tfjs-gaussian';
import {BenchRow} from './bench_row';
import {lossStep, StepKind} from './step';


const params = new URLSearchParams(location.search);
const SIZES: Array<[number, number]> = (params.get('sizes') ?? '32x2,256x8,1024x16,64x32')
  .split(',').map((s) => s.split('x').map(Number) as [number, number]);
const MIN_MS = Number(params.get('minMs') ?? 400);
const MIN_REPS = Number(params.get('minReps') ?? 5);
const BACKENDS = (params.get('backends') ?? 'cpu,wasm,webgl,webgpu').split(',');
const WINDOW = Number(params.get('window') ?? 4);

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function measure(backend: string, path: 'fused' | 'composite', kind: StepKind, batch: number, d: number): Promise<BenchRow> {
  tf.env().set(FORCE_COMPOSITE_FLAG, path === 'composite');
  const step = lossStep(kind, batch, d);
  try {
    // Windows of WINDOW steps, read back once per window: ms per step is the
    // window's time over WINDOW (see Step.run); the median of the windows.
    // Warm up until stable, as bench.ts warmUp: >= 50 steps, then windows
    // until two agree within 5 % (at most 300 steps).
    let prev = Infinity;
    for (let steps = 0; steps < 300; steps += 10) {
      const t0 = performance.now();
      await step.run(10);
      const m = (performance.now() - t0) / 10;
      if (steps + 10 >= 50 && Math.abs(m - prev) <= 0.05 * prev) break;
      prev = m;
    }
    const times: number[] = [];
    const start = performance.now();
    while (times.length < MIN_REPS || performance.now() - start < MIN_MS) {
      const t0 = performance.now();
      await step.run(WINDOW);
      times.push((performance.now() - t0) / WINDOW);
    }
    const {kernels, programs} = await step.counts();
    return {backend, path, kind, batch, d, ms: median(times), kernels, programs};
  } finally {
    step.dispose();
    tf.env().set(FORCE_COMPOSITE_FLAG, false);
  }
}

function table(rows: BenchRow[]): string {
  const lines = ['| loss | (batch, d) | backend | path | median ms | kernels | GPU programs | composite ÷ fused |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: |'];
  for (const r of rows) {
    const other = rows.find((o) => o.backend === r.backend && o.kind === r.kind && o.batch === r.batch && o.d === r.d &&
      o.path !== r.path);
    const ratio = r.path === 'fused' && other ? `${(other.ms / r.ms).toFixed(1)}x` : '';
    lines.push(`| ${r.kind} | (${r.batch}, ${r.d}) | ${r.backend} | ${r.path} | ${r.ms.toFixed(2)} | ${r.kernels} | ` +
      `${r.backend === 'webgl' || r.backend === 'webgpu' ? r.programs : '-'} | ${ratio} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  setWasmPaths(new URL('./wasm/', location.href).href);
  const out = document.getElementById('out')!;
  const rows: BenchRow[] = [];
  const skipped: string[] = [];
  let gpu = '';
  for (const backend of BACKENDS) {
    try {
      if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error('did not start');
      await tf.ready();
    } catch (e) {
      skipped.push(`${backend} (${(e as Error).message})`);
      continue;
    }
    if (backend === 'webgl') {
      const gl = (tf.backend() as unknown as {gpgpu: {gl: WebGLRenderingContext}}).gpgpu.gl;
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      gpu = ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : String(gl.getParameter(gl.RENDERER));
    }
    for (const kind of ['kl', 'nll'] as const) {
      for (const [batch, d] of SIZES) {
        for (const path of hasFusedKernels(backend) ? ['fused', 'composite'] as const : ['composite'] as const) {
          rows.push(await measure(backend, path, kind, batch, d));
          out.textContent = table(rows);
        }
      }
    }
  }
  const result = {userAgent: navigator.userAgent, gpu, skipped, rows, table: table(rows)};
  out.textContent = `${result.table}\n\nGPU: ${gpu}\nskipped: ${skipped.join(', ') || 'none'}`;
  (window as unknown as {__bench: unknown}).__bench = result;
}

main().catch((e: Error) => {
  (window as unknown as {__bench: unknown}).__bench = {error: e.message};
  console.error(e);
});

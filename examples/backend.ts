/**
 * Picks the backend that runs a given training step fastest, by measuring it
 * on every backend that loads here (tensorflow when tfjs-node is installed,
 * wasm, cpu), rather than assuming the native one wins: for this library's
 * small Gaussian heads it often does not (bench/RESULTS.md: tfjs-node pays
 * ~20-40 µs per native op, so a (32, 2) KL step costs 0.2 ms there against
 * 0.05 ms on cpu, while at (1024, 16) the three are within 20%).
 */
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export async function tryBackend(name: BackendName): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
      await import('@tensorflow/tfjs-node' as string);
    }
    if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    const ok = await tf.setBackend(name);
    // The cpu backend's banner advises tfjs-node on first use; here we chose.
    const cpu = tf.findBackend('cpu') as unknown as {firstUse?: boolean} | null;
    if (cpu !== null) cpu.firstUse = false;
    return ok;
  } catch {
    return false;
  }
}

/** A workload to time: `step` is one training step; `dispose` frees what `setup` made. */
export interface Probe {
  step(): unknown;
  dispose(): void;
}

/**
 * Times `setup()`'s step (median of 7, after 3 warm-up steps) on each backend
 * that loads, prints the timings, and leaves the fastest one active.
 */
export async function pickBackend(setup: () => Probe): Promise<string> {
  const timings: Array<[BackendName, number]> = [];
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    if (!(await tryBackend(name))) continue;
    const probe = setup();
    try {
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        await probe.step();
        if (i >= 3) times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      timings.push([name, times[times.length >> 1]!]);
    } finally {
      probe.dispose();
    }
  }
  const best = timings.reduce((a, b) => (b[1] < a[1] ? b : a));
  await tf.setBackend(best[0]);
  await tf.ready();
  console.log(`backend: ${best[0]} (one training step, median ms: ` +
    `${timings.map(([n, t]) => `${n} ${t.toFixed(2)}`).join(', ')})`);
  return best[0];
}

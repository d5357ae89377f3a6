/**
 * Activates one backend for a whole test file. Each Jest project (one per
 * backend, see jest.config.js) names its backend in test/setup/<name>.ts.
 */
import * as tf from '@tensorflow/tfjs';

import {FORCE_COMPOSITE_FLAG} from '../../src/index';

export type TestBackend = 'cpu' | 'wasm' | 'cpu-composite' | 'tensorflow';

export function useBackend(name: TestBackend): void {
  (globalThis as {__TEST_BACKEND__?: TestBackend}).__TEST_BACKEND__ = name;
  beforeAll(async () => {
    if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    if (name === 'tensorflow') {
      process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2'; // libtensorflow's load-time log lines
      await import('@tensorflow/tfjs-node' as string);
    }
    const tfName = name === 'cpu-composite' ? 'cpu' : name;
    if (!(await tf.setBackend(tfName))) throw new Error(`backend ${tfName} failed to initialise`);
    await tf.ready();
    if (tf.getBackend() !== tfName) throw new Error(`expected backend ${tfName}, got ${tf.getBackend()}`);
    tf.env().set(FORCE_COMPOSITE_FLAG, name === 'cpu-composite');
    // The cpu backend prints a banner advising tfjs-node on its first write;
    // in tests it is noise (the tensorflow project covers tfjs-node).
    const cpu = tf.findBackend('cpu') as unknown as {firstUse?: boolean} | null;
    if (cpu !== null) cpu.firstUse = false;
  });
}

/** The backend the current Jest project runs on. */
export function testBackend(): TestBackend {
  const b = (globalThis as {__TEST_BACKEND__?: TestBackend}).__TEST_BACKEND__;
  if (b === undefined) throw new Error('no test backend set up');
  return b;
}

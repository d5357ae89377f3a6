/**
 * Picks the fastest backend that loads here: tfjs-node ('tensorflow') when
 * the optional dependency is installed, else wasm, else cpu.
 */
import * as tf from '@tensorflow/tfjs';

export async function tryBackend(name: 'tensorflow' | 'wasm' | 'cpu'): Promise<boolean> {
  try {
    if (name === 'tensorflow') await import('@tensorflow/tfjs-node' as string);
    if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

export async function pickBackend(): Promise<string> {
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    if (await tryBackend(name)) break;
  }
  await tf.ready();
  return tf.getBackend();
}

/**
 * Runs `f` with gradient recording paused, so that the tensors it creates
 * are not kept for a backward pass.
 *
 * tfjs-layers computes `model.compile({metrics})` inside the closure it
 * hands to `optimizer.minimize`, so every op of a metric is recorded on the
 * gradient tape and its saved inputs live until the step's backward pass
 * ends, although no gradient ever flows through a metric. The engine
 * records an op only while `state.gradientDepth > 0` (tfjs-core engine.ts,
 * `isTapeOn`), so setting it to 0 for the duration of `f` keeps the
 * metric's ops off the tape; it is restored even when `f` throws.
 * tfjs has no public `stopGradient`; this is the narrowest equivalent.
 */
import * as tf from '@tensorflow/tfjs-core';

interface EngineState {
  gradientDepth: number;
}

export function offTape<T>(f: () => T): T {
  const state = (tf.engine() as unknown as {state: EngineState}).state;
  const depth = state.gradientDepth;
  state.gradientDepth = 0;
  try {
    return f();
  } finally {
    state.gradientDepth = depth;
  }
}

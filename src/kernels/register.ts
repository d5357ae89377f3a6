/**
 * Registers the library's environment flag, so that
 * `tf.env().set('TFJS_GAUSSIAN_FORCE_COMPOSITE', true)` works as soon as the
 * package is imported. Like the backends' register.ts files, a side effect
 * named in package.json's "sideEffects".
 */
import {env} from '@tensorflow/tfjs-core';

import {FORCE_COMPOSITE_FLAG} from './fused_op.js';

const registry = (env() as unknown as {flagRegistry: Record<string, unknown>}).flagRegistry;
if (registry[FORCE_COMPOSITE_FLAG] === undefined) env().registerFlag(FORCE_COMPOSITE_FLAG, () => false);

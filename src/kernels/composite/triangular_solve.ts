/** The TriangularSolve contract (kernel_names.ts) in composite ops. */
import * as tf from '@tensorflow/tfjs-core';

import {TriangularSolveAttrs} from '../kernel_names.js';
import {maskValues} from '../../layout/masks.js';
import {solveLowerZeroed} from './linalg.js';

export function compositeTriangularSolve([matrix, rhs]: tf.Tensor[], {adjoint}: TriangularSolveAttrs): tf.Tensor {
  const L = matrix as tf.Tensor3D;
  const d = L.shape[1];
  return solveLowerZeroed(tf.mul(L, tf.tensor2d(maskValues(d, 'lower'), [d, d])), rhs as tf.Tensor3D, adjoint);
}

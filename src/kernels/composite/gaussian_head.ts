/** The HeadTransform contract (kernel_names.ts) in composite ops: `x·keep + (softplus(x) + diagShift)·diag`. */
import * as tf from '@tensorflow/tfjs-core';

import {HeadTransformAttrs} from '../kernel_names.js';
import {headRowMasks} from '../../layout/head_masks.js';

export function compositeGaussianHead([x]: tf.Tensor[], {dim, layout, components, diagShift}: HeadTransformAttrs): tf.Tensor {
  return tf.tidy(() => {
    const t = x as tf.Tensor;
    const {keep, diag} = headRowMasks(t.shape[t.rank - 1] as number, dim, layout, components);
    return tf.add(tf.mul(t, tf.tensor1d(keep)), tf.mul(tf.add(tf.softplus(t), diagShift), tf.tensor1d(diag)));
  });
}

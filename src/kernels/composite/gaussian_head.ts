/** The HeadTransform contract (kernel_names.ts) in composite ops: `x·keep + (softplus(x) + diagShift)·diag`. */
import * as tf from '@tensorflow/tfjs-core';

import {HeadTransformAttrs} from '../kernel_names.js';
import {mixtureHeadMasks} from '../../layout/head_masks.js';

export function compositeGaussianHead([x]: tf.Tensor[], {dim, layout, components, diagShift}: HeadTransformAttrs): tf.Tensor {
  return tf.tidy(() => {
    const t = x as tf.Tensor;
    const width = t.shape[t.rank - 1] as number;
    const one = components === 0 ? width : (width - components) / components;
    const rank = layout === 'lowrank' ? one / dim - 2 : 0;
    const {keep, diag} = mixtureHeadMasks(components, dim, layout, rank);
    return tf.add(tf.mul(t, tf.tensor1d(keep)), tf.mul(tf.add(tf.softplus(t), diagShift), tf.tensor1d(diag)));
  });
}

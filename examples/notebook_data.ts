/**
 * The seed notebook's random targets, made reproducible: a batch of 32 rows
 * `y_true = [means (2), Cholesky factor 2 x 2 flattened row-major (4)]`, both
 * uniform on [0, 1) as `np.random.rand` gave. The factors are full random
 * matrices; the loss reads only their lower triangle. Inputs `x` are
 * standard normal features, so that a model has something to map from.
 */
import * as tf from '@tensorflow/tfjs';

export interface NotebookData {
  x: tf.Tensor2D;
  yTrue: tf.Tensor2D;
}

export function notebookData(seed = 42, batchSize = 32, meanDim = 2, features = 4): NotebookData {
  return tf.tidy(() => {
    const trueMean = tf.randomUniform([batchSize, meanDim], 0, 1, 'float32', seed);
    const trueCholesky = tf.randomUniform([batchSize, meanDim, meanDim], 0, 1, 'float32', seed + 1);
    const yTrue = tf.concat([trueMean, tf.reshape(trueCholesky, [batchSize, meanDim * meanDim])], -1) as tf.Tensor2D;
    const x = tf.randomNormal([batchSize, features], 0, 1, 'float32', seed + 2) as tf.Tensor2D;
    return {x, yTrue};
  });
}

/** A small MLP whose output is a plain Dense layer of `outputs` units. */
export function smallModel(inputs: number, outputs: number, seed = 0): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({units: 32, activation: 'tanh', inputShape: [inputs], kernelInitializer: tf.initializers.glorotUniform({seed})}),
      tf.layers.dense({units: outputs, kernelInitializer: tf.initializers.glorotUniform({seed: seed + 1})}),
    ],
  });
}

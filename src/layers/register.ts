/**
 * Registers the library's layers with tfjs-layers' serialization, so that
 * `tf.loadLayersModel` can rebuild a saved model that contains them. A side
 * effect named in package.json's "sideEffects"; the package root imports it.
 */
import * as tf from '@tensorflow/tfjs-core';

import {GaussianHead} from './gaussian_head.js';
import {GaussianLatent} from './gaussian_latent.js';
import {GaussianMixtureHead} from './gaussian_mixture_head.js';

tf.serialization.registerClass(GaussianHead);
tf.serialization.registerClass(GaussianMixtureHead);
tf.serialization.registerClass(GaussianLatent);

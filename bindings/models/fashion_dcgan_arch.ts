/** The architecture of upconv's Fashion-MNIST generator (untrained: Keras's initializers). */
import { BatchNormalization } from '../layers/batch_normalization.js';
import { Conv2D } from '../layers/conv2d.js';
import { Conv2DTranspose } from '../layers/conv2d_transpose.js';
import { Dense } from '../layers/dense.js';
import { LeakyReLU } from '../layers/leaky_relu.js';
import { Reshape } from '../layers/reshape.js';
import { Sequential } from '../model/sequential.js';

/** The latent size of the Fashion-MNIST generator. */
export const LATENT_DIM = 100;

/**
 * The generator's architecture with fresh weights, for training your own (what
 * `examples/train-fashion-dcgan.mjs` trains): Dense(7·7·128, no bias) → BatchNormalization →
 * LeakyReLU(0.2) → Reshape(7, 7, 128) → two Conv2DTranspose(4, strides 2, 'same', no bias) of 64
 * and 32 filters, each with BatchNormalization and LeakyReLU(0.2) → Conv2D(1, 5, 'same', tanh).
 * BatchNormalization momentum is 0.8.
 */
export function fashionGenerator(options: { name?: string } = {}): Sequential {
  const bn = () => new BatchNormalization({ momentum: 0.8 });
  return new Sequential([
    new Dense(7 * 7 * 128, { inputShape: [LATENT_DIM], useBias: false }), bn(), new LeakyReLU(0.2),
    new Reshape([7, 7, 128]),
    new Conv2DTranspose(64, 4, { strides: 2, padding: 'same', useBias: false }), bn(), new LeakyReLU(0.2),
    new Conv2DTranspose(32, 4, { strides: 2, padding: 'same', useBias: false }), bn(), new LeakyReLU(0.2),
    new Conv2D(1, 5, { padding: 'same', activation: 'tanh' }),
  ], { name: options.name ?? 'fashion_generator' });
}

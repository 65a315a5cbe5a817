// The Fashion-MNIST DCGAN: the architecture of upconv's default model. A generator with
// BatchNormalization (without it, this loop collapses to blank images within an epoch) and a
// keras-io style discriminator; Adam(2e-4, β1 = 0.5) for both.
import { Adam, BatchNormalization, Conv2D, Conv2DTranspose, Dense, Dropout, Flatten, LeakyReLU, Reshape, Sequential } from 'upconv';

export const LATENT = 100;

export function generator() {
  return new Sequential([
    new Dense(7 * 7 * 128, { inputShape: [LATENT], useBias: false }), new BatchNormalization(), new LeakyReLU(0.2),
    new Reshape([7, 7, 128]),
    new Conv2DTranspose(64, 4, { strides: 2, padding: 'same', useBias: false }), new BatchNormalization(), new LeakyReLU(0.2),
    new Conv2DTranspose(32, 4, { strides: 2, padding: 'same', useBias: false }), new BatchNormalization(), new LeakyReLU(0.2),
    new Conv2D(1, 5, { padding: 'same', activation: 'tanh' }),
  ], { name: 'fashion_generator' });
}

export function discriminator() {
  return new Sequential([
    new Conv2D(64, 4, { strides: 2, padding: 'same', inputShape: [28, 28, 1] }), new LeakyReLU(0.2), new Dropout(0.3),
    new Conv2D(128, 4, { strides: 2, padding: 'same' }), new LeakyReLU(0.2), new Dropout(0.3),
    new Flatten(), new Dense(1, { activation: 'sigmoid' }),
  ], { name: 'fashion_discriminator' });
}

/** The classic Keras GAN pattern: d compiled, then frozen inside the combined model. */
export function gan(g, d, { learningRate = 2e-4, beta1 = 0.5 } = {}) {
  d.compile({ optimizer: new Adam({ learningRate, beta1 }), loss: 'binary_crossentropy' });
  d.trainable = false;
  const combined = new Sequential([g, d], { name: 'fashion_gan' });
  combined.compile({ optimizer: new Adam({ learningRate, beta1 }), loss: 'binary_crossentropy' });
  return combined;
}

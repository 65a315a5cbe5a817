// The Fashion-MNIST DCGAN: the generator is the architecture of upconv's default model
// (upconv/models/fashion-dcgan: Dense → BN → LeakyReLU → two strided Conv2DTranspose with BN →
// Conv2D tanh; without BatchNormalization this loop collapses to blank images within an epoch),
// the discriminator keras-io style; Adam(2e-4, β1 = 0.5) for both. BN momentum is 0.8 (as
// Keras-GAN's DCGAN): the discriminator's fakes come from g.predict, i.e. the moving statistics,
// which with Keras's default 0.99 lag so far behind the batch statistics of the generator's own
// step that d learns to reject images g never makes (measured: g loss 0.04 while d_fake 0.05 in
// epoch 1).
import { Adam, Conv2D, Dense, Dropout, Flatten, LeakyReLU, Sequential } from 'upconv';
import { fashionGenerator, LATENT_DIM } from 'upconv/models/fashion-dcgan';

export const LATENT = LATENT_DIM;

export function generator() {
  return fashionGenerator();
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

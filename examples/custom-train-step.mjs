// The keras-io example "DCGAN overriding Model.train_step" (dcgan_overriding_train_step.py) in
// upconv, shrunk to 8×8 grey images so that it runs in seconds: the same train_step, with
// `model.computeGradients(x, y, { loss, wrt })` where Keras uses tf.GradientTape and
// `optimizer.applyGradients([[gradient, variable], ...])` for `optimizer.apply_gradients(zip(...))`.
//
//   node examples/custom-train-step.mjs
//
// Differences from the Keras original: the data are synthetic blobs instead of CelebA, the models
// are tiny, and the discriminator has no Dropout (in the keras-io train_step the discriminator is
// called without training=True, so its Dropout is inactive; computeGradients runs layers in
// training mode, so leaving Dropout out keeps the two equivalent).
import {
  Adam, BinaryCrossentropy, Conv2D, Conv2DTranspose, Dense, Flatten, init, LeakyReLU, Reshape, Sequential, setSeed, tensor,
} from 'upconv';

await init();
setSeed(1337);

// ---- a seeded generator for latents, label noise and the "dataset" ----
let state = 1337;
const uniform = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
const randomNormal = (shape) => tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, normal), shape);

/** Real images: one soft blob at a random place per 8×8 image, values in [0, 1]. */
function realBatch(n) {
  const data = new Float32Array(n * 64);
  for (let i = 0; i < n; i++) {
    const cy = 1.5 + 5 * uniform();
    const cx = 1.5 + 5 * uniform();
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) data[i * 64 + y * 8 + x] = Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / 3);
  }
  return tensor(data, [n, 8, 8, 1]);
}

const concat = (a, b) => {
  const out = new Float32Array(a.size + b.size);
  out.set(a.data);
  out.set(b.data, a.size);
  return tensor(out, [a.shape[0] + b.shape[0], ...a.shape.slice(1)]);
};

// ---- the discriminator and the generator (keras-io's, scaled down) ----
const discriminator = new Sequential([
  new Conv2D(16, 4, { strides: 2, padding: 'same', inputShape: [8, 8, 1] }),
  new LeakyReLU({ negativeSlope: 0.2 }),
  new Conv2D(32, 4, { strides: 2, padding: 'same' }),
  new LeakyReLU({ negativeSlope: 0.2 }),
  new Flatten(),
  new Dense(1, { activation: 'sigmoid' }),
], { name: 'discriminator' });

const latentDim = 16;
const generator = new Sequential([
  new Dense(2 * 2 * 32, { inputShape: [latentDim] }),
  new Reshape([2, 2, 32]),
  new Conv2DTranspose(32, 4, { strides: 2, padding: 'same' }),
  new LeakyReLU({ negativeSlope: 0.2 }),
  new Conv2DTranspose(16, 4, { strides: 2, padding: 'same' }),
  new LeakyReLU({ negativeSlope: 0.2 }),
  new Conv2D(1, 5, { padding: 'same', activation: 'sigmoid' }),
], { name: 'generator' });

// ---- the GAN with its own train_step ----
class GAN {
  constructor(discriminator, generator, latentDim) {
    this.discriminator = discriminator;
    this.generator = generator;
    this.latentDim = latentDim;
    // d(g(z)) in one model, so that gradients flow from d's output into g's weights
    this.combined = new Sequential([generator, discriminator]);
  }

  compile({ dOptimizer, gOptimizer, lossFn }) {
    this.dOptimizer = dOptimizer;
    this.gOptimizer = gOptimizer;
    this.lossFn = lossFn;
  }

  trainStep(realImages) {
    // Sample random points in the latent space
    const batchSize = realImages.shape[0];
    let randomLatentVectors = randomNormal([batchSize, this.latentDim]);

    // Decode them to fake images
    const generatedImages = this.generator.predict(randomLatentVectors);

    // Combine them with real images
    const combinedImages = concat(generatedImages, realImages);

    // Assemble labels discriminating real from fake images, with random noise (important trick!)
    const labels = tensor(Float32Array.from({ length: 2 * batchSize }, (_, i) => (i < batchSize ? 1 : 0) + 0.05 * uniform()), [2 * batchSize, 1]);

    // Train the discriminator
    const dWeights = this.discriminator.trainableWeights;
    const d = this.discriminator.computeGradients(combinedImages, labels, { loss: this.lossFn, wrt: dWeights });
    this.dOptimizer.applyGradients(d.gradients.map((grad, i) => [grad, dWeights[i]]));

    // Sample random points in the latent space
    randomLatentVectors = randomNormal([batchSize, this.latentDim]);

    // Assemble labels that say "all real images"
    const misleadingLabels = tensor(new Float32Array(batchSize), [batchSize, 1]);

    // Train the generator (note that we should *not* update the weights of the discriminator)!
    const gWeights = this.generator.trainableWeights;
    const g = this.combined.computeGradients(randomLatentVectors, misleadingLabels, { loss: this.lossFn, wrt: gWeights });
    this.gOptimizer.applyGradients(g.gradients.map((grad, i) => [grad, gWeights[i]]));

    return { d_loss: d.loss, g_loss: g.loss };
  }
}

const gan = new GAN(discriminator, generator, latentDim);
gan.compile({
  dOptimizer: new Adam({ learningRate: 0.0002, beta1: 0.5 }),
  gOptimizer: new Adam({ learningRate: 0.0002, beta1: 0.5 }),
  lossFn: new BinaryCrossentropy(),
});

// ---- "fit": a few steps, with the mean losses every 20 steps ----
const steps = 100;
let dSum = 0;
let gSum = 0;
for (let step = 1; step <= steps; step++) {
  const { d_loss, g_loss } = gan.trainStep(realBatch(32));
  dSum += d_loss;
  gSum += g_loss;
  if (step % 20 === 0) {
    console.log(`step ${step}/${steps}  d_loss ${(dSum / 20).toFixed(4)}  g_loss ${(gSum / 20).toFixed(4)}`);
    dSum = 0;
    gSum = 0;
  }
}

// One process of the training bench for upconv: builds the DCGAN, times W + S steps, prints JSON.
// Usage: node [--experimental-wasm-relaxed-simd] bench/train/upconv_step.mjs --flavour relaxed-simd|simd|scalar|js [--warmup 2] [--steps 5] [--profile]
// the built package (dist/index.js, what `import 'upconv'` gives in Node): bench/ has its own package.json
import * as U from '../../dist/index.js';
import { LATENT } from './dcgan.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const flavour = arg('flavour', 'simd');
const warmup = Number(arg('warmup', 2));
const steps = Number(arg('steps', 5));
if (flavour === 'js') U.setBackend('js');
else await U.init(undefined, { flavour });
U.setSeed(1);

const g = new U.Sequential([
  new U.Dense(7 * 7 * 128, { inputDim: LATENT }), new U.LeakyReLU(0.2), new U.Reshape([7, 7, 128]),
  new U.Conv2DTranspose(128, 4, { strides: 2, padding: 'same' }), new U.LeakyReLU(0.2),
  new U.Conv2DTranspose(128, 4, { strides: 2, padding: 'same' }), new U.LeakyReLU(0.2),
  new U.Conv2D(1, 7, { padding: 'same', activation: 'tanh' }),
]);
const d = new U.Sequential([
  new U.Conv2D(64, 3, { strides: 2, padding: 'same', inputShape: [28, 28, 1] }), new U.LeakyReLU(0.2), new U.Dropout(0.4),
  new U.Conv2D(64, 3, { strides: 2, padding: 'same' }), new U.LeakyReLU(0.2), new U.Dropout(0.4),
  new U.Flatten(), new U.Dense(1, { activation: 'sigmoid' }),
]);
d.compile({ optimizer: new U.Adam({ learningRate: 2e-4, beta1: 0.5 }), loss: 'binary_crossentropy' });
d.trainable = false;
const gan = new U.Sequential([g, d]);
gan.compile({ optimizer: new U.Adam({ learningRate: 2e-4, beta1: 0.5 }), loss: 'binary_crossentropy' });

const latents = (n) => U.sampleLatents ? U.sampleLatents(n, LATENT, { seed: Math.floor(Math.random() * 1e9) }) : U.tensor(Float32Array.from({ length: n * LATENT }, () => Math.random() * 2 - 1), [n, LATENT]);
const real = U.tensor(Float32Array.from({ length: 64 * 784 }, () => Math.random() * 2 - 1), [64, 28, 28, 1]);
const labelsD = U.tensor(Float32Array.from({ length: 128 }, (_, i) => (i < 64 ? 1 : 0)), [128, 1]);
const ones = U.tensor(new Float32Array(128).fill(1), [128, 1]);
const batch = new Float32Array(128 * 784);
batch.set(real.data);

function step() {
  const t0 = performance.now();
  const fake = g.predict(latents(64));
  const t1 = performance.now();
  batch.set(fake.data, 64 * 784);
  d.trainOnBatch(U.tensor(batch, [128, 28, 28, 1]), labelsD);
  const t2 = performance.now();
  gan.trainOnBatch(latents(128), ones);
  const t3 = performance.now();
  return [t1 - t0, t2 - t1, t3 - t2, t3 - t0];
}

for (let i = 0; i < warmup; i++) step();
const rows = [];
for (let i = 0; i < steps; i++) rows.push(step());
console.log(JSON.stringify({ impl: `upconv-${flavour}`, backend: U.getBackend(), parts: ['g.predict(64)', 'd.train(128)', 'gan.train(128)', 'step'], ms: rows }));

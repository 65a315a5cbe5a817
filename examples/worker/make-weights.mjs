// Writes the example's generator: generator.json (the Keras model config, model.toJSON()) and
// generator.weights.bin (its weights in Keras get_weights() order, float32 little-endian, back to
// back) from a seeded, untrained model. Replace both with your own trained generator's.
// Usage: npm run build && node examples/worker/make-weights.mjs
import { writeFileSync } from 'node:fs';
import {
  Conv2D, Conv2DTranspose, Dense, LeakyReLU, Reshape, Sequential, UpSampling2D, resetNames, setSeed,
} from 'upconv';

export const LATENT = 16;

setSeed(2024);
resetNames();
const model = new Sequential([], { name: 'generator' });
model.add(new Dense(7 * 7 * 16, { inputDim: LATENT }));
model.add(new LeakyReLU(0.2));
model.add(new Reshape([7, 7, 16]));
model.add(new UpSampling2D()); //                                   7×7 → 14×14
model.add(new Conv2D(16, [3, 3], { padding: 'same' }));
model.add(new LeakyReLU(0.2));
model.add(new Conv2DTranspose(8, [4, 4], { strides: [2, 2], padding: 'same' })); // 14×14 → 28×28
model.add(new LeakyReLU(0.2));
model.add(new Conv2D(1, [7, 7], { padding: 'same', activation: 'tanh' }));
model.summary();

const weights = model.getWeights();
const total = weights.reduce((n, w) => n + w.data.length, 0);
const flat = new Float32Array(total);
let off = 0;
for (const w of weights) {
  flat.set(w.data, off);
  off += w.data.length;
}
const here = new URL('.', import.meta.url);
writeFileSync(new URL('generator.json', here), JSON.stringify(model.toJSON(), null, 1) + '\n');
writeFileSync(new URL('generator.weights.bin', here), new Uint8Array(flat.buffer));
console.log(`generator.json, generator.weights.bin (${flat.byteLength} bytes, ${total} weights)`);

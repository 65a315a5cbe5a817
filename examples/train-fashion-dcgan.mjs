// Trains the Fashion-MNIST DCGAN with the classic Keras GAN loop (d on real and fake halves, then
// the combined model with d frozen), printing a progress bar with the losses and writing, every
// --every steps, a sample grid PNG and a loss plot SVG to --out. Seeded: the same seed and data
// give the same run on one build. Saves the generator as .keras and tf.js files at the end.
//
//   node examples/train-fashion-dcgan.mjs [--data /usr/share/datasets/fashion-mnist] [--out runs/fashion]
//        [--epochs 20] [--batch 128] [--seed 1] [--every 200] [--steps N (stop early)] [--smooth 0.9]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as U from 'upconv';
import { discriminator, gan, generator, LATENT } from './fashion/dcgan.mjs';
import { DEFAULT_DIR, loadFashion } from './fashion/idx.mjs';
import { lossPlotSVG } from './fashion/plot.mjs';

const { values: a } = parseArgs({
  options: {
    data: { type: 'string', default: DEFAULT_DIR }, out: { type: 'string', default: 'runs/fashion' },
    epochs: { type: 'string', default: '20' }, batch: { type: 'string', default: '128' }, seed: { type: 'string', default: '1' },
    every: { type: 'string', default: '200' }, steps: { type: 'string' }, smooth: { type: 'string', default: '0.9' },
  },
});
const epochs = Number(a.epochs);
const batch = Number(a.batch);
const half = batch / 2;
const every = Number(a.every);
const maxSteps = a.steps ? Number(a.steps) : Infinity;
const realLabel = Number(a.smooth); // one-sided label smoothing: real = 0.9
const seed = Number(a.seed);
mkdirSync(a.out, { recursive: true });

await U.init();
U.setSeed(seed);
const data = loadFashion(a.data, 'train');
const g = generator();
const d = discriminator();
const combined = gan(g, d);
const fixed = U.sampleLatents(64, LATENT, { seed: seed + 1 }); // the same 64 latents for every grid
const per = 28 * 28;
const realBatch = new Float32Array(half * per);
const realY = U.tensor(new Float32Array(half).fill(realLabel), [half, 1]);
const fakeY = U.tensor(new Float32Array(half).fill(0), [half, 1]);
const ganY = U.tensor(new Float32Array(batch).fill(1), [batch, 1]);
const losses = { 'd loss on real': [], 'd loss on fake': [], 'g loss': [] };
const stepsPerEpoch = Math.floor(data.n / batch);
let step = 0;
let latentSeed = seed * 1_000_003;
const epochMs = [];

function snapshot(tag) {
  const images = g.predict(fixed);
  writeFileSync(join(a.out, `samples-${tag}.png`), U.toPNG(images, { range: 'tanh', columns: 8 }));
  writeFileSync(join(a.out, 'losses.svg'), lossPlotSVG(losses, { title: 'Fashion-MNIST DCGAN losses' }));
}

const order = Int32Array.from({ length: data.n }, (_, i) => i);
outer: for (let epoch = 0; epoch < epochs; epoch++) {
  // a seeded shuffle per epoch
  const r = U.mulberry32(seed * 7919 + epoch);
  for (let i = data.n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const started = performance.now();
  for (let b = 0; b < stepsPerEpoch; b++) {
    for (let i = 0; i < half; i++) realBatch.set(data.x.subarray(order[b * batch + i] * per, (order[b * batch + i] + 1) * per), i * per);
    const lr = d.trainOnBatch(U.tensor(realBatch, [half, 28, 28, 1]), realY);
    const fake = g.predict(U.sampleLatents(half, LATENT, { seed: latentSeed++ }));
    const lf = d.trainOnBatch(fake, fakeY);
    const lg = combined.trainOnBatch(U.sampleLatents(batch, LATENT, { seed: latentSeed++ }), ganY);
    losses['d loss on real'].push(lr);
    losses['d loss on fake'].push(lf);
    losses['g loss'].push(lg);
    step++;
    const done = b + 1;
    const bar = '='.repeat(Math.floor((30 * done) / stepsPerEpoch)).padEnd(30, '.');
    const eta = ((performance.now() - started) / done) * (stepsPerEpoch - done) / 1000;
    process.stdout.write(`\repoch ${epoch + 1}/${epochs} ${String(done).padStart(4)}/${stepsPerEpoch} [${bar}] ETA ${eta.toFixed(0)}s  d_real ${lr.toFixed(3)}  d_fake ${lf.toFixed(3)}  g ${lg.toFixed(3)}   `);
    if (step % every === 0) snapshot(`step${step}`);
    if (step >= maxSteps) break outer;
  }
  epochMs.push(performance.now() - started);
  process.stdout.write(`\n  epoch ${epoch + 1} took ${(epochMs.at(-1) / 1000).toFixed(1)} s\n`);
  snapshot(`epoch${epoch + 1}`);
}
process.stdout.write('\n');
snapshot('final');
const io = await import('upconv/io');
const { modelJSON, weightData } = io.saveModel(g);
writeFileSync(join(a.out, 'generator.json'), JSON.stringify(modelJSON));
writeFileSync(join(a.out, 'group1-shard1of1.bin'), new Uint8Array(weightData));
writeFileSync(join(a.out, 'run.json'), JSON.stringify({ seed, epochs, batch, steps: step, epochMs, backend: U.getBackend() }, null, 2));
console.log(`wrote ${a.out}: samples-*.png, losses.svg, generator.json + weights; ${step} steps`);

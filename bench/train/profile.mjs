// Where a GAN step's time goes: runs the DCGAN step from the TypeScript sources (bundled here by
// esbuild, so the internal step profile is reachable) and prints ms and GFLOP/s per layer for the
// forward and backward passes of gan.train(128). Usage: node --experimental-wasm-relaxed-simd bench/train/profile.mjs [--flavour relaxed-simd]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = await mkdtemp(join(os.tmpdir(), 'upconv-profile-'));
try {
  const entry = join(dir, 'entry.ts');
  await writeFile(entry, `export * from ${JSON.stringify(join(root, 'bindings/index.ts'))};\nexport { stepProfile } from ${JSON.stringify(join(root, 'bindings/train/step.ts'))};\n`);
  const out = join(dir, 'upconv.mjs');
  await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error' });
  const U = await import(pathToFileURL(out).href);
  const i = process.argv.indexOf('--flavour');
  await U.init(undefined, { flavour: i > 0 ? process.argv[i + 1] : 'simd' });
  U.setSeed(1);
  const g = new U.Sequential([
    new U.Dense(7 * 7 * 128, { inputDim: 100, name: 'g_dense' }), new U.LeakyReLU(0.2), new U.Reshape([7, 7, 128]),
    new U.Conv2DTranspose(128, 4, { strides: 2, padding: 'same', name: 'g_convT1' }), new U.LeakyReLU(0.2),
    new U.Conv2DTranspose(128, 4, { strides: 2, padding: 'same', name: 'g_convT2' }), new U.LeakyReLU(0.2),
    new U.Conv2D(1, 7, { padding: 'same', activation: 'tanh', name: 'g_conv' }),
  ]);
  const d = new U.Sequential([
    new U.Conv2D(64, 3, { strides: 2, padding: 'same', inputShape: [28, 28, 1], name: 'd_conv1' }), new U.LeakyReLU(0.2), new U.Dropout(0.4),
    new U.Conv2D(64, 3, { strides: 2, padding: 'same', name: 'd_conv2' }), new U.LeakyReLU(0.2), new U.Dropout(0.4),
    new U.Flatten(), new U.Dense(1, { activation: 'sigmoid', name: 'd_dense' }),
  ]);
  d.trainable = false;
  const gan = new U.Sequential([g, d]);
  gan.compile({ optimizer: new U.Adam({ learningRate: 2e-4, beta1: 0.5 }), loss: 'binary_crossentropy' });
  const z = U.tensor(Float32Array.from({ length: 128 * 100 }, () => Math.random() * 2 - 1), [128, 100]);
  const ones = U.tensor(new Float32Array(128).fill(1), [128, 1]);
  for (let k = 0; k < 2; k++) gan.trainOnBatch(z, ones);
  U.stepProfile.on = true;
  const runs = 3;
  for (let k = 0; k < runs; k++) gan.trainOnBatch(z, ones);
  // multiply-adds per sample of each layer's forward (its backward: dX and dW, each about the same)
  const macs = { g_dense: 100 * 6272, g_convT1: 7 * 7 * 16 * 128 * 128, g_convT2: 14 * 14 * 16 * 128 * 128, g_conv: 28 * 28 * 49 * 128, d_conv1: 14 * 14 * 9 * 64, d_conv2: 7 * 7 * 9 * 64 * 64, d_dense: 3136 };
  const backwardParts = { g_dense: 1, g_convT1: 2, g_convT2: 2, g_conv: 2, d_conv1: 1, d_conv2: 1, d_dense: 1 }; // dW only for g_dense; d frozen: dX only
  console.log(`${U.getBackend()}, gan.train(128), median of ${runs} steps; GFLOP/s count 2 FLOPs per multiply-add`);
  console.log('| layer | pass | ms | GFLOP/s |');
  console.log('| --- | --- | ---: | ---: |');
  for (const [label, ms] of U.stepProfile.ms) {
    const [name, pass] = label.split(' ');
    const m = macs[name];
    const flops = m ? 2 * 128 * m * (pass === 'bwd' ? backwardParts[name] : 1) : 0;
    const per = ms / runs;
    console.log(`| ${name} | ${pass} | ${per.toFixed(1)} | ${m ? (flops / per / 1e6).toFixed(1) : ''} |`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

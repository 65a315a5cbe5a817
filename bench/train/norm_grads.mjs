// Backward passes of the depthwise / separable convolutions and the normalisation layers on
// generator-sized tensors (Fast-SRGAN, pix2pix, StyleGAN-ish): each op behind a trainable 1×1
// Conv2D (so its input gradient is needed as well as its weight gradients), one computeGradients step at
// a time with the step profile on; prints the op's forward and backward ms (medians) per build,
// and for the convolutions GFLOP/s (2 FLOPs per multiply-add; the backward counts dX and dW).
// Every build runs in a fresh process (this file re-runs itself with --child), one thread.
// Runs the TypeScript sources bundled by esbuild (the profile is internal).
//   node --experimental-wasm-relaxed-simd bench/train/norm_grads.mjs [--flavours relaxed-simd,simd,scalar,js] [--runs 7] [--batch 1] [--only regex]
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { cpuModel, median } from '../util.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const FLAVOURS = opt('--flavours', 'simd,scalar,js').split(',');
const RUNS = Number(opt('--runs', '7'));
const BATCH = Number(opt('--batch', '1'));
const ONLY = new RegExp(opt('--only', ''), 'i');
const prod = (s) => s.reduce((a, b) => a * b, 1);

/** [name, sample shape, layer factory (given the module), multiply-adds per sample of the forward (convolutions) or 0] */
const CASES = ([
  ['DepthwiseConv2D 3x3 same, 96x96x192', [96, 96, 192], (U) => new U.DepthwiseConv2D(3, { padding: 'same' }), 96 * 96 * 9 * 192],
  ['DepthwiseConv2D 3x3 s2 same, 96x96x96', [96, 96, 96], (U) => new U.DepthwiseConv2D(3, { strides: 2, padding: 'same' }), 48 * 48 * 9 * 96],
  ['DepthwiseConv2D 3x3 mult 2, 64x64x32', [64, 64, 32], (U) => new U.DepthwiseConv2D(3, { padding: 'same', depthMultiplier: 2 }), 64 * 64 * 9 * 64],
  ['SeparableConv2D 64 3x3 same, 64x64x64', [64, 64, 64], (U) => new U.SeparableConv2D(64, 3, { padding: 'same' }), 64 * 64 * (9 * 64 + 64 * 64)],
  ['BatchNormalization (training), 128x128x64', [128, 128, 64], (U) => new U.BatchNormalization(), 0],
  ['LayerNormalization (channels), 128x128x64', [128, 128, 64], (U) => new U.LayerNormalization(), 0],
  ['GroupNormalization 16 groups, 128x128x64', [128, 128, 64], (U) => new U.GroupNormalization({ groups: 16 }), 0],
  ['InstanceNormalization (tfa), 128x128x64', [128, 128, 64], (U) => new U.InstanceNormalization(), 0],
  ['PixelNormalization, 128x128x64', [128, 128, 64], (U) => new U.PixelNormalization(), 0],
]).filter(([name]) => ONLY.test(name));

async function child(flavour) {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const dir = await mkdtemp(join(os.tmpdir(), 'upconv-norm-grads-'));
  try {
    const entry = join(dir, 'entry.ts');
    await writeFile(entry, `export * from ${JSON.stringify(join(root, 'bindings/index.ts'))};\nexport { stepProfile } from ${JSON.stringify(join(root, 'bindings/train/step.ts'))};\n`);
    const out = join(dir, 'upconv.mjs');
    await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error' });
    const U = await import(pathToFileURL(out).href);
    if (flavour === 'js') U.setBackend('js');
    else {
      await U.init(undefined, { flavour });
      U.setBackend('wasm');
    }
    const rows = [];
    for (const [, shape, make] of CASES) {
      U.setSeed(1);
      const input = U.Input({ shape });
      const layer = make(U);
      const y = layer.apply(new U.Conv2D(shape[2], 1).apply(input));
      const model = new U.Model({ inputs: input, outputs: y });
      const x = U.tensor(Float32Array.from({ length: BATCH * prod(shape) }, () => Math.random() * 2 - 1), [BATCH, ...shape]);
      const outShape = model.outputs[0].shape.slice(1);
      const target = U.tensor(new Float32Array(BATCH * prod(outShape)), [BATCH, ...outShape]);
      for (let k = 0; k < 2; k++) model.computeGradients(x, target, { loss: 'mse' });
      const fwd = [], bwd = [];
      U.stepProfile.on = true;
      for (let k = 0; k < RUNS; k++) {
        U.stepProfile.ms.clear();
        model.computeGradients(x, target, { loss: 'mse' });
        fwd.push(U.stepProfile.ms.get(`${layer.name} fwd`) ?? NaN);
        bwd.push(U.stepProfile.ms.get(`${layer.name} bwd`) ?? NaN);
      }
      U.stepProfile.on = false;
      rows.push([median(fwd), median(bwd)]);
    }
    process.stdout.write(JSON.stringify({ backend: U.getBackend(), rows }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (args[0] === '--child') await child(args[1]);
else {
  const results = FLAVOURS.map((f) => {
    const flags = f === 'relaxed-simd' ? ['--experimental-wasm-relaxed-simd'] : [];
    const stdout = execFileSync(process.execPath, [...flags, fileURLToPath(import.meta.url), '--child', f, '--runs', String(RUNS), '--batch', String(BATCH), '--only', ONLY.source], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(stdout);
  });
  const gflops = (macs, passes, ms) => (macs ? ` (${((2 * BATCH * macs * passes) / (ms * 1e6)).toFixed(1)})` : '');
  console.log(`batch ${BATCH}; the op's own steps; medians of ${RUNS} computeGradients calls; one fresh process per build; ${cpuModel()}`);
  console.log(`| op | ${results.map((r) => `${r.backend} fwd ms | ${r.backend} bwd ms`).join(' | ')} |`);
  console.log(`|---|${results.map(() => '---:|---:').join('|')}|`);
  CASES.forEach(([name, , , macs], i) => {
    const cells = results.map((r) => {
      const [f, b] = r.rows[i];
      return `${f.toFixed(2)}${gflops(macs, 1, f)} | ${b.toFixed(2)}${gflops(macs, 2, b)}`;
    });
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  });
  console.log('GFLOP/s in brackets for the convolutions (the backward: dX and dW, 2x the forward\'s multiply-adds)');
}

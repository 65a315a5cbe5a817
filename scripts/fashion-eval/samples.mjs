// Draws N samples from a Fashion-MNIST generator and writes them as raw little-endian float32
// [n, 28, 28] in [0, 1] (the generator's tanh output mapped by (x + 1) / 2, clipped), for score.py.
// With --untrained-out, also N samples (the same latents) from an untrained generator of the same
// architecture: modelFromJSON(model.toJSON()), whose layers get Keras's initializers on first use
// (setSeed(--seed) first, so the untrained weights are reproducible).
//
//   node --experimental-wasm-relaxed-simd scripts/fashion-eval/samples.mjs
//        (MODEL_FILE | --package) --out samples.f32 [--untrained-out untrained.f32]
//        [--n 1000] [--seed 1] [--batch 100]
//
// MODEL_FILE: anything upconv/io's loadModel reads (.keras, .h5, a tf.js model.json with its shards).
// --package: the shipped model, fashionDCGAN() from 'upconv/models/fashion-dcgan' (this checkout's dist/).
// Latents: sampleLatents(n, latentDim, { seed }) from 'upconv', N(0, 1); latentDim is the model's input size.
// --meta-out: a JSON note of what was sampled (label, latentDim, backend, the entry's modelCard or null).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as U from 'upconv';

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    package: { type: 'boolean', default: false }, out: { type: 'string' }, 'untrained-out': { type: 'string' }, 'meta-out': { type: 'string' },
    n: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' }, batch: { type: 'string', default: '100' },
  },
});
const usage = 'usage: samples.mjs (MODEL_FILE | --package) --out FILE [--untrained-out FILE] [--meta-out FILE.json] [--n 1000] [--seed 1] [--batch 100]';
if (positionals.length + Number(a.package) !== 1 || !a.out) {
  console.error(usage);
  process.exit(2);
}
const n = Number(a.n);
const seed = Number(a.seed);
const batch = Number(a.batch);
if (!Number.isInteger(n) || n < 1 || !Number.isInteger(seed) || !Number.isInteger(batch) || batch < 1) {
  console.error(`--n, --seed and --batch must be integers (n, batch ≥ 1)\n${usage}`);
  process.exit(2);
}

/** A problem of the checkout, not a bug: reported without a stack. */
class SetupError extends Error {}

async function trainedModel() {
  if (positionals.length) {
    const io = await import('upconv/io');
    return { model: await io.loadModel(positionals[0]), label: positionals[0] };
  }
  let entry;
  try {
    entry = await import('upconv/models/fashion-dcgan');
  } catch (e) {
    if (e?.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    throw new SetupError(`'upconv/models/fashion-dcgan' is not available in this checkout (${e.code}): merge the branch that has it and npm run build`);
  }
  const card = entry.modelCard ?? null;
  if (card?.command === 'untrained') console.error('samples.mjs: warning: this build of upconv/models/fashion-dcgan ships untrained stub weights');
  return { model: await entry.fashionDCGAN(), label: `upconv/models/fashion-dcgan fashionDCGAN()${card ? ` (epoch ${card.epoch}, seed ${card.seed})` : ''}`, card };
}

/** Samples of `model` for the latents `z` [n, dim], as float32 [n·28·28] in [0, 1]. */
function draw(model, z, dim, label) {
  const per = 28 * 28;
  const out = new Float32Array(n * per);
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const y = model.predict(U.tensor(z.data.subarray(i * dim, (i + m) * dim), [m, dim]));
    if (Array.isArray(y) || y.size !== m * per) {
      throw new Error(`${label}: expected ${m}×28×28×1 outputs, got shape [${Array.isArray(y) ? y.map((t) => t.shape).join('; ') : y.shape}]`);
    }
    const src = y.data;
    for (let j = 0; j < m * per; j++) out[i * per + j] = Math.min(1, Math.max(0, (src[j] + 1) / 2));
  }
  return out;
}

function write(path, data) {
  writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

async function main() {
  await U.init();
  const { model, label, card = null } = await trainedModel();
  const shape = model.inputShape;
  if (!shape || shape.length !== 2 || !Number.isInteger(shape[1])) throw new Error(`${label}: expected one [batch, latentDim] input, got ${JSON.stringify(shape)}`);
  const dim = shape[1];
  const z = U.sampleLatents(n, dim, { seed });
  write(a.out, draw(model, z, dim, label));
  console.error(`samples.mjs: ${n} samples of ${label} (latent seed ${seed}, backend ${U.getBackend()}) → ${a.out}`);
  if (a['untrained-out']) {
    U.setSeed(seed);
    const fresh = U.modelFromJSON(model.toJSON());
    write(a['untrained-out'], draw(fresh, z, dim, `${label} (untrained copy)`));
    console.error(`samples.mjs: ${n} samples of an untrained copy (initializer seed ${seed}) → ${a['untrained-out']}`);
  }
  if (a['meta-out']) writeFileSync(a['meta-out'], JSON.stringify({ label, latentDim: dim, backend: U.getBackend(), modelCard: card }));
}

try {
  await main();
} catch (e) {
  // upconv's errors (a missing or unreadable model file) and SetupError say what is wrong: no stack.
  console.error(`samples.mjs: ${e?.name ?? 'Error'}: ${e?.message ?? e}`);
  if (!(e instanceof U.UpconvError) && !(e instanceof SetupError) && e?.stack) console.error(e.stack);
  process.exitCode = 1;
}

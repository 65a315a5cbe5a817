import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Dense, getBackend, Input, LeakyReLU, Model, setSeed, tensor } from '../../bindings/index.js';
import { type BackendName, use } from '../util/backends.js';
import { Rng } from '../util/rng.js';
import { buildChain, type LayerSpec, specOutput } from './chain.js';
import { gradMismatch } from './check.js';
import { sgdGradients } from './graphs.js';
import { maxAbs, size } from './oracle/values.js';

/**
 * fast-check properties: the backends' gradients agree on random small graphs — chains of
 * Dense / Conv2D / Conv2DTranspose / UpSampling2D / BatchNormalization (training mode) /
 * activations / Reshape, and a skip connection (a hidden value read by the next layer and by a
 * second head). wasm-simd vs js, wasm-relaxed-simd vs wasm-simd, wasm-scalar vs js, within 1e-3
 * of each tensor's largest gradient plus 5e-5 of the model's (a bias right before a training BN
 * has an exactly zero gradient, float32 rounding noise on each backend). Fixed seed: every run is the same run; each property
 * counts what its runs contained and asserts the name holds (UPCONV_FC_SCALE scales the runs).
 */
const SEED = Number(process.env.UPCONV_FC_SEED ?? 42);
const SCALE = Number(process.env.UPCONV_FC_SCALE ?? 1);
const runs = (n: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * SCALE)) });
const CHANNELS = [1, 3, 4, 5, 8, 13, 17];
const RTOL = 1e-3;
const FLOOR = 0.05;

type Pair = [number, number];
const channels = fc.constantFrom(...CHANNELS);
const pairOf = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })) as fc.Arbitrary<Pair>;
const padding = fc.constantFrom('same' as const, 'valid' as const);
/** Built-in activations upconv trains, and the layer-only ones for Activation layers. */
const builtIn = fc.constantFrom('linear', 'relu', 'sigmoid', 'tanh', 'leaky_relu', 'elu', 'softplus', 'selu');
const anyAct = fc.constantFrom('relu', 'sigmoid', 'tanh', 'leaky_relu', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'gelu', 'hard_sigmoid', 'relu6', 'softmax');

const convArb = fc.record({ filters: channels, kernel: pairOf(1, 5), strides: pairOf(1, 3), dilation: pairOf(1, 2), padding, useBias: fc.boolean(), activation: builtIn })
  .map((r): LayerSpec => ({ kind: 'conv2d', ...r, dilation: r.strides[0] > 1 || r.strides[1] > 1 ? [1, 1] : r.dilation }));
const deconvArb = fc.record({ filters: channels, kernel: pairOf(1, 5), strides: pairOf(1, 3), dilation: pairOf(1, 2), padding, op: fc.option(pairOf(0, 2), { nil: null }), useBias: fc.boolean(), activation: builtIn })
  .map((r): LayerSpec => {
    const strided = r.strides[0] > 1 || r.strides[1] > 1;
    return { kind: 'conv2dTranspose', filters: r.filters, kernel: r.kernel, strides: r.strides, padding: r.padding, useBias: r.useBias, activation: r.activation,
      dilation: strided ? [1, 1] : r.dilation, outputPadding: r.op ? [r.op[0] % r.strides[0], r.op[1] % r.strides[1]] : null };
  });
const denseArb = fc.record({ units: channels, useBias: fc.boolean(), activation: builtIn }).map((r): LayerSpec => ({ kind: 'dense', ...r }));
const upArb = fc.record({ size: pairOf(1, 3), interpolation: fc.constantFrom('nearest' as const, 'bilinear' as const) }).map((r): LayerSpec => ({ kind: 'upSampling', ...r }));
const bnArb = fc.record({ center: fc.boolean(), scale: fc.boolean() }).map((r): LayerSpec => ({ kind: 'batchNorm', ...r }));
const actArb = anyAct.map((name): LayerSpec => ({ kind: 'activation', name }));
const leakyArb = fc.constantFrom(0.3, 0.1).map((alpha): LayerSpec => ({ kind: 'leakyRelu', alpha }));
const layerArb = fc.oneof(
  { arbitrary: convArb, weight: 3 }, { arbitrary: deconvArb, weight: 3 }, { arbitrary: denseArb, weight: 2 }, { arbitrary: upArb, weight: 2 },
  { arbitrary: bnArb, weight: 1 }, { arbitrary: actArb, weight: 2 }, { arbitrary: leakyArb, weight: 1 },
);

const chainArb = fc.record({
  h: fc.integer({ min: 1, max: 5 }), w: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 4 }), batch: fc.integer({ min: 1, max: 3 }),
  layers: fc.array(layerArb, { minLength: 1, maxLength: 4 }), seed: fc.integer({ min: 1, max: 2 ** 30 }),
});

/** A trainable Dense first (every chain has a weight to differentiate), then the layers valid on the running shape. */
function resolve(input: number[], specs: LayerSpec[]): LayerSpec[] {
  const kept: LayerSpec[] = [{ kind: 'dense', units: 3 }];
  let shape = specOutput(kept[0], input);
  for (const s of specs) {
    const out = specOutput(s, shape);
    if (out.some((d) => !(d >= 1)) || size(out) > 1500) continue;
    kept.push(s);
    shape = out;
  }
  return kept;
}

interface Coverage { runs: number; [what: string]: number }
function note(cov: Coverage, layers: LayerSpec[]): void {
  cov.runs++;
  const count = (k: string, on: boolean) => { if (on) cov[k] = (cov[k] ?? 0) + 1; };
  count('Conv2D', layers.some((l) => l.kind === 'conv2d'));
  count('Conv2DTranspose', layers.some((l) => l.kind === 'conv2dTranspose'));
  count('strides > 1', layers.some((l) => (l.kind === 'conv2d' || l.kind === 'conv2dTranspose') && (l.strides![0] > 1 || l.strides![1] > 1)));
  count('outputPadding', layers.some((l) => l.kind === 'conv2dTranspose' && l.outputPadding));
  count('dilation > 1', layers.some((l) => (l.kind === 'conv2d' || l.kind === 'conv2dTranspose') && (l.dilation![0] > 1 || l.dilation![1] > 1)));
  count('bilinear', layers.some((l) => l.kind === 'upSampling' && l.interpolation === 'bilinear'));
  count('BatchNormalization', layers.some((l) => l.kind === 'batchNorm'));
  count('an activation layer', layers.some((l) => l.kind === 'activation' || l.kind === 'leakyRelu'));
  count('3 or more layers', layers.length >= 3);
}

/** Gradients of every variable on one backend, by variable name. */
async function gradientsOn(backend: BackendName, built: ReturnType<typeof buildChain>, x: ReturnType<typeof tensor>, y: ReturnType<typeof tensor>) {
  await use(backend);
  expect(getBackend()).toBe(backend); // the comparison is between two different builds
  const r = built.model.computeGradients(x, y, { loss: 'mse' });
  return { loss: r.loss, grads: new Map(r.variables.map((v, k) => [v.name, r.gradients[k].data])) };
}

function agree(a: Map<string, Float32Array>, b: Map<string, Float32Array>): string[] {
  const scale = Math.max(1e-30, ...[...b.values()].map(maxAbs));
  const out: string[] = [];
  if ([...a.keys()].join() !== [...b.keys()].join()) out.push(`variables ${[...a.keys()]} vs ${[...b.keys()]}`);
  for (const [name, g] of b) {
    const p = gradMismatch(a.get(name) ?? new Float32Array(0), g, RTOL, scale, FLOOR);
    if (p) out.push(`${name}: ${p}`);
  }
  return out;
}

const PAIRS: [BackendName, BackendName, number][] = [['wasm-simd', 'js', 40], ['wasm-relaxed-simd', 'wasm-simd', 30], ['wasm-scalar', 'js', 30]];

describe('backends agree on the gradients of random chains', () => {
  for (const [a, b, n] of PAIRS) {
    const cov: Coverage = { runs: 0 };
    afterAll(() => console.log(`${a} vs ${b}: ${cov.runs} random chains; ${Object.entries(cov).filter(([k]) => k !== 'runs').map(([k, v]) => `${v} with ${k}`).join(', ')}`));
    it(`${a} and ${b} give the same loss and gradients on ${runs(n).numRuns} random chains (Dense, convolutions, resizes, BN, activations)`, async () => {
      await fc.assert(fc.asyncProperty(chainArb, async (c) => {
        const input = [c.h, c.w, c.c];
        const layers = resolve(input, c.layers);
        note(cov, layers);
        const built = buildChain({ input, layers, seed: c.seed, training: true });
        const r = new Rng(c.seed);
        const x = tensor(r.uniformF32(c.batch * size(input), -1, 1), [c.batch, ...input]);
        const y = tensor(r.uniformF32(c.batch * size(built.outputShape), -1, 1), [c.batch, ...built.outputShape]);
        const ga = await gradientsOn(a, built, x, y);
        const gb = await gradientsOn(b, built, x, y);
        expect(Math.abs(ga.loss - gb.loss)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(gb.loss)));
        expect(agree(ga.grads, gb.grads)).toEqual([]);
      }), runs(n));
      // the name holds: the runs contained what it says
      for (const k of ['Conv2D', 'Conv2DTranspose', 'strides > 1', 'outputPadding', 'dilation > 1', 'bilinear', 'BatchNormalization', 'an activation layer', '3 or more layers']) {
        expect(cov[k] ?? 0, `runs with ${k}`).toBeGreaterThan(0);
      }
    });
  }
});

/** x → trunk (Dense, leaky relu) → h; h → a → b → out1, and h → skip head → out2. */
const skipArb = fc.record({
  features: fc.integer({ min: 1, max: 6 }), hidden: channels, mid: channels, out1: fc.integer({ min: 1, max: 4 }), out2: fc.integer({ min: 1, max: 4 }),
  rank3: fc.boolean(), batch: fc.integer({ min: 1, max: 3 }), seed: fc.integer({ min: 1, max: 2 ** 30 }),
});

describe('backends agree on a skip connection', () => {
  let count = 0;
  let rank3 = 0;
  afterAll(() => console.log(`skip connection: ${count} random graphs (${rank3} on rank-3 values)`));
  it(`wasm-simd and js give the same trainOnBatch loss and SGD(1) step (= −gradient) on ${runs(25).numRuns} random graphs whose hidden value is read by two layers`, async () => {
    await fc.assert(fc.asyncProperty(skipArb, async (c) => {
      count++;
      if (c.rank3) rank3++;
      setSeed(c.seed);
      const sample = c.rank3 ? [2, c.features] : [c.features];
      const x = Input({ shape: sample });
      const trunk = new Dense(c.hidden);
      const act = new LeakyReLU({ alpha: 0.2 });
      const a = new Dense(c.mid, { activation: 'tanh' });
      const b = new Dense(c.out1);
      const skip = new Dense(c.out2, { activation: 'sigmoid' });
      const h = act.apply(trunk.apply(x));
      const model = new Model({ inputs: x, outputs: [b.apply(a.apply(h)), skip.apply(h)] });
      const r = new Rng(c.seed);
      const xs = tensor(r.uniformF32(c.batch * size(sample)), [c.batch, ...sample]);
      const y1 = tensor(r.uniformF32(c.batch * size(sample.slice(0, -1)) * c.out1), [c.batch, ...sample.slice(0, -1), c.out1]);
      const y2 = tensor(Float32Array.from({ length: c.batch * size(sample.slice(0, -1)) * c.out2 }, () => (r.bool() ? 1 : 0)), [c.batch, ...sample.slice(0, -1), c.out2]);
      const layers = [trunk, a, b, skip];
      const on = async (backend: BackendName) => {
        await use(backend);
        expect(getBackend()).toBe(backend);
        return sgdGradients(model, layers, xs, [y1, y2], ['mse', 'binary_crossentropy']);
      };
      const ga = await on('wasm-simd');
      const gb = await on('js');
      expect(Math.abs(ga.loss - gb.loss)).toBeLessThanOrEqual(1e-4 * Math.max(1, gb.loss));
      const scale = Math.max(1e-30, ...gb.grads.flat().map(maxAbs));
      const problems: string[] = [];
      gb.grads.forEach((ws, i) => ws.forEach((w, j) => {
        const p = gradMismatch(ga.grads[i][j], w, RTOL, scale, FLOOR);
        if (p) problems.push(`layer ${i} weight ${j}: ${p}`);
      }));
      expect(problems).toEqual([]);
    }), runs(25));
    expect(rank3).toBeGreaterThan(0);
  });
});

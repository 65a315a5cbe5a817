import { describe, expect, it } from 'vitest';
import {
  Adam, Add, Concatenate, Conv2D, Conv2DTranspose, Cropping2D, Dense, Embedding, Flatten, GaussianNoise, Input, LeakyReLU, Maximum, Model,
  Multiply, PReLU, ReflectionPadding2D, setSeed, SpatialDropout2D, SymmetricPadding2D, type Tensor, tensor, ZeroPadding2D,
} from '../bindings/index.js';
import { BACKEND_KINDS, BACKENDS, use } from './util/backends.js';
import { Rng } from './util/rng.js';

/**
 * Training smoke tests of models built on the merge and padding layers' backward passes: a
 * conditional GAN in the shape of ../shared/models/wcgan-gp-tabular (label → Embedding →
 * Flatten → Multiply with the noise → Dense stack; the critic joins its input and the label's
 * embedding with Concatenate), trained with the classic Keras pattern (d compiled, frozen, the
 * gan compiled), and a small U-Net (Concatenate skip, ZeroPadding2D / Cropping2D around the
 * strided path, a reflection-padded valid convolution, an Add residual). A few steps each; the
 * loss of the model being trained goes down and every trainable weight moves. And a model with
 * every new backward (merges, PReLU, paddings, Embedding, the noise layers) keeps its memory and
 * plan over many steps.
 */
const LABELS = 5;
const FEATURES = 8;
const LATENT = 12;

function generator(): Model {
  const noise = Input({ shape: [LATENT], name: 'noise' });
  const label = Input({ shape: [1], name: 'label' });
  const emb = new Flatten().apply(new Embedding(LABELS, LATENT).apply(label));
  let h = new Multiply().apply([noise, emb]);
  h = new LeakyReLU({ alpha: 0.2 }).apply(new Dense(32).apply(h));
  const out = new Dense(FEATURES, { activation: 'tanh' }).apply(h);
  return new Model({ inputs: [noise, label], outputs: out, name: 'generator' });
}

function critic(): Model {
  const x = Input({ shape: [FEATURES], name: 'features' });
  const label = Input({ shape: [1], name: 'critic_label' });
  const emb = new Flatten().apply(new Embedding(LABELS, 4).apply(label));
  let h = new Concatenate().apply([x, emb]);
  h = new LeakyReLU({ alpha: 0.2 }).apply(new Dense(24).apply(h));
  const out = new Dense(1, { activation: 'sigmoid' }).apply(h);
  return new Model({ inputs: [x, label], outputs: out, name: 'critic' });
}

/** Real rows: a label-dependent pattern plus a little noise. */
function realBatch(n: number, r: Rng): { x: Tensor; labels: Tensor } {
  const labels = Float32Array.from({ length: n }, () => Math.floor(r.next() * LABELS));
  const x = new Float32Array(n * FEATURES);
  for (let i = 0; i < n; i++) for (let f = 0; f < FEATURES; f++) x[i * FEATURES + f] = 0.8 * Math.sin(labels[i] + f) + 0.05 * r.normal();
  return { x: tensor(x, [n, FEATURES]), labels: tensor(labels, [n, 1]) };
}

function weightsOf(m: Model): Float32Array[] {
  return m.getWeights().map((w: Tensor) => w.data.slice());
}

function allMoved(before: Float32Array[], after: Float32Array[]): boolean {
  return before.every((w, i) => w.some((v, k) => v !== after[i][k]));
}

describe('a conditional GAN (Embedding, Multiply, Concatenate) trains', () => {
  it.each(BACKENDS)('d learns real from fake, then gan (d frozen) moves g toward what d calls real on %s', async (backend) => {
    await use(backend);
    setSeed(11);
    const g = generator();
    const d = critic();
    d.compile({ optimizer: new Adam({ learningRate: 0.01, beta1: 0.5 }), loss: 'binary_crossentropy' });
    d.trainable = false;
    const z = Input({ shape: [LATENT] });
    const c = Input({ shape: [1] });
    const gan = new Model({ inputs: [z, c], outputs: d.apply([g.apply([z, c]), c]) });
    gan.compile({ optimizer: new Adam({ learningRate: 0.01, beta1: 0.5 }), loss: 'binary_crossentropy' });

    const r = new Rng(12);
    const n = 32;
    const real = realBatch(n, r);
    const noise = tensor(r.normalF32(n * LATENT), [n, LATENT]);
    const fake = g.predict([noise, real.labels]) as Tensor;
    const x = tensor(Float32Array.from([...real.x.data, ...fake.data]), [2 * n, FEATURES]);
    const labels = tensor(Float32Array.from([...real.labels.data, ...real.labels.data]), [2 * n, 1]);
    const y = tensor(Float32Array.from({ length: 2 * n }, (_, i) => (i < n ? 1 : 0)), [2 * n, 1]);
    const dBefore = weightsOf(d);
    const dLoss: number[] = [];
    for (let s = 0; s < 15; s++) dLoss.push(d.trainOnBatch([x, labels], y) as number);
    expect(dLoss[dLoss.length - 1]).toBeLessThan(0.7 * dLoss[0]);
    expect(allMoved(dBefore, weightsOf(d))).toBe(true); // both embeddings' rows used, Concatenate's gradient reached the Dense

    const gBefore = weightsOf(g);
    const dFrozen = weightsOf(d);
    const ones = tensor(new Float32Array(n).fill(1), [n, 1]);
    const ganLoss: number[] = [];
    for (let s = 0; s < 15; s++) ganLoss.push(gan.trainOnBatch([noise, real.labels], ones) as number);
    expect(ganLoss[ganLoss.length - 1]).toBeLessThan(0.8 * ganLoss[0]);
    expect(allMoved(gBefore, weightsOf(g))).toBe(true); // the embedding got its gradient through Multiply
    expect(weightsOf(d)).toEqual(dFrozen);
    for (const l of [...dLoss, ...ganLoss]) expect(Number.isFinite(l)).toBe(true);
  });
});

/** 7×7 → pad to 8×8 → conv, strided conv, transposed conv back, Concatenate skip → conv → crop to 7×7 → reflect-pad + valid conv → Add the input. */
function unet(): Model {
  const x = Input({ shape: [7, 7, 2] });
  const p = new ZeroPadding2D([[0, 1], [0, 1]]).apply(x);
  const c1 = new Conv2D(6, 3, { padding: 'same', activation: 'relu' }).apply(p);
  const c2 = new Conv2D(8, 3, { strides: 2, padding: 'same', activation: 'relu' }).apply(c1);
  const u = new Conv2DTranspose(6, 3, { strides: 2, padding: 'same', activation: 'relu' }).apply(c2);
  const skip = new Concatenate().apply([u, c1]);
  const c3 = new Conv2D(4, 3, { padding: 'same', activation: 'relu' }).apply(skip);
  const crop = new Cropping2D([[0, 1], [0, 1]]).apply(c3);
  const mirror = new ReflectionPadding2D(1).apply(crop);
  const c4 = new Conv2D(2, 3, { padding: 'valid' }).apply(mirror);
  return new Model({ inputs: x, outputs: new Add().apply([c4, x]) });
}

describe('a small U-Net (Concatenate skip, ZeroPadding2D, Cropping2D, ReflectionPadding2D, Add) trains', () => {
  it.each(BACKENDS)('its loss on a smoothing task goes down over a few Adam steps on %s', async (backend) => {
    await use(backend);
    setSeed(21);
    const m = unet();
    m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
    const r = new Rng(22);
    const n = 6;
    const x = r.uniformF32(n * 7 * 7 * 2);
    // target: a 3×3 box blur of the input (edges clamped)
    const y = new Float32Array(x.length);
    for (let b = 0; b < n; b++) for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let di = -1; di <= 1; di++) for (let dj = -1; dj <= 1; dj++) {
        const ii = Math.min(6, Math.max(0, i + di)), jj = Math.min(6, Math.max(0, j + dj));
        s += x[((b * 7 + ii) * 7 + jj) * 2 + c];
      }
      y[((b * 7 + i) * 7 + j) * 2 + c] = s / 9;
    }
    const xt = tensor(x, [n, 7, 7, 2]);
    const yt = tensor(y, [n, 7, 7, 2]);
    const before = weightsOf(m);
    const losses: number[] = [];
    for (let s = 0; s < 20; s++) losses.push(m.trainOnBatch(xt, yt) as number);
    expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);
    expect(allMoved(before, weightsOf(m))).toBe(true);
    for (const l of losses) expect(Number.isFinite(l)).toBe(true);
  });
});

/** Embedding, Multiply, Maximum, Concatenate, PReLU, SymmetricPadding2D, GaussianNoise, SpatialDropout2D in one model. */
function everything(): Model {
  const img = Input({ shape: [5, 5, 2] });
  const label = Input({ shape: [1] });
  const gate = new Embedding(3, 4).apply(label); // (1, 4) per sample, broadcast over the rows
  const noisy = new GaussianNoise(0.1).apply(img);
  const c = new PReLU({ sharedAxes: [1, 2] }).apply(new Conv2D(4, 3, { padding: 'same' }).apply(noisy));
  const gated = new Multiply().apply([new SpatialDropout2D(0.25).apply(c), gate]);
  const m = new Maximum().apply([gated, new Conv2D(4, 1).apply(noisy)]);
  const padded = new SymmetricPadding2D(1).apply(new Concatenate().apply([m, img]));
  const out = new Conv2D(2, 3).apply(padded);
  return new Model({ inputs: [img, label], outputs: out });
}

type StepInternals = { compiled: { step: { program: { memory: { buffer: ArrayBuffer } }; plan: object } | null } | null };

describe('no memory growth', () => {
  it.each(BACKEND_KINDS)('a model with every new backward keeps its memory and plan over many trainOnBatch steps on %s', async (kind) => {
    await use(kind === 'wasm' ? 'wasm-simd' : 'js');
    setSeed(31);
    const m = everything();
    m.compile({ optimizer: new Adam({ learningRate: 1e-3 }), loss: 'mse' });
    const r = new Rng(32);
    const n = 4;
    const x = [tensor(r.uniformF32(n * 50), [n, 5, 5, 2]), tensor(Float32Array.from({ length: n }, (_, i) => i % 3), [n, 1])];
    const y = tensor(r.uniformF32(n * 50), [n, 5, 5, 2]);
    const first = m.trainOnBatch(x, y) as number;
    const step = (m as unknown as StepInternals).compiled!.step!;
    const buffer = step.program.memory.buffer;
    const bytes = buffer.byteLength;
    const plan = step.plan;
    const steps = kind === 'wasm' ? 1000 : 150;
    let last = first;
    for (let i = 1; i < steps; i++) last = m.trainOnBatch(x, y) as number;
    expect((m as unknown as StepInternals).compiled!.step).toBe(step);
    expect(step.program.memory.buffer).toBe(buffer);
    expect(step.program.memory.buffer.byteLength).toBe(bytes);
    expect(step.plan).toBe(plan);
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first);
  });
});

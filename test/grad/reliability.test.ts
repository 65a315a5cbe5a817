import { describe, expect, it } from 'vitest';
import {
  Adam, BatchNormalization, Conv2D, Conv2DTranspose, Dense, Flatten, LeakyReLU, type Model, Reshape, Sequential, setSeed,
  ShapeError, type Tensor, tensor, TrainingError,
} from '../../bindings/index.js';
import { BACKEND_KINDS, BACKENDS, use } from '../util/backends.js';
import { Rng } from '../util/rng.js';
import { buildChain } from './chain.js';
import { analytic, type Problem } from './oracle/graph.js';
import { OracleOptimizer } from './oracle/optimizers.js';
import { val } from './oracle/values.js';

/**
 * Issue #11 item 5: no memory growth across 1000 training steps (the backend memory and the step's
 * plan stay the same objects after the first step); a non-finite loss or gradient stops a step
 * before anything changes and stops fit naming the epoch and batch; trainOnBatch with wrong shapes,
 * non-finite targets or inputs, or before compile leaves the weights, the optimizer state
 * (iterations and slots: the next step's result) and BN moving statistics as they were.
 */
type StepInternals = { compiled: { step: { program: { memory: { buffer: ArrayBuffer } }; plan: object } | null } | null };
const internals = (m: Model) => (m as unknown as StepInternals).compiled!.step!;

/** A small DCGAN pair: g with a BN, d with a BN (both train). */
function generator(seed: number): Sequential {
  setSeed(seed);
  return new Sequential([
    new Dense(4 * 4 * 8, { inputDim: 6, useBias: false }), new BatchNormalization(), new LeakyReLU({ alpha: 0.2 }), new Reshape([4, 4, 8]),
    new Conv2DTranspose(4, 4, { strides: 2, padding: 'same' }), new LeakyReLU({ alpha: 0.2 }),
    new Conv2D(1, 3, { padding: 'same', activation: 'tanh' }),
  ]);
}
function discriminator(seed: number): Sequential {
  setSeed(seed);
  return new Sequential([
    new Conv2D(4, 3, { strides: 2, padding: 'same', inputShape: [8, 8, 1] }), new LeakyReLU({ alpha: 0.2 }), new BatchNormalization(),
    new Flatten(), new Dense(1, { activation: 'sigmoid' }),
  ]);
}

describe('no memory growth across 1000 training steps', () => {
  it.each(BACKEND_KINDS)('1000 trainOnBatch steps: same memory, same byteLength, same plan after the first on %s', async (backend) => {
    await use(backend === 'wasm' ? 'wasm-simd' : 'js');
    const g = generator(1);
    g.compile({ optimizer: new Adam({ learningRate: 1e-3 }), loss: 'mse' });
    const r = new Rng(2);
    const x = tensor(r.uniformF32(4 * 6), [4, 6]);
    const y = tensor(r.uniformF32(4 * 64), [4, 8, 8, 1]);
    const first = g.trainOnBatch(x, y) as number;
    const step = internals(g);
    const buffer = step.program.memory.buffer;
    const bytes = buffer.byteLength;
    const plan = step.plan;
    let last = first;
    for (let i = 0; i < 999; i++) last = g.trainOnBatch(x, y) as number;
    expect(internals(g)).toBe(step);
    expect(step.program.memory.buffer).toBe(buffer);
    expect(step.program.memory.buffer.byteLength).toBe(bytes);
    expect(step.plan).toBe(plan);
    expect(last).toBeLessThan(first); // and it learned
  });

  it.each(BACKEND_KINDS)('500 rounds of the GAN pattern (d on real and fake, gan on z): neither model grows or re-plans on %s', async (backend) => {
    await use(backend === 'wasm' ? 'wasm-simd' : 'js');
    const g = generator(3);
    const d = discriminator(4);
    d.compile({ optimizer: new Adam({ learningRate: 2e-4, beta1: 0.5 }), loss: 'binary_crossentropy' });
    d.trainable = false;
    const gan = new Sequential([g, d]);
    gan.compile({ optimizer: new Adam({ learningRate: 2e-4, beta1: 0.5 }), loss: 'binary_crossentropy' });
    const r = new Rng(5);
    const real = tensor(r.uniformF32(8 * 64), [8, 8, 8, 1]);
    const z = tensor(r.normalF32(8 * 6), [8, 6]);
    const ones = tensor(new Float32Array(8).fill(1), [8, 1]);
    const zeros = tensor(new Float32Array(8), [8, 1]);
    const round = () => {
      d.trainOnBatch(real, ones);
      d.trainOnBatch(g.predict(z), zeros);
      return gan.trainOnBatch(z, ones) as number;
    };
    round();
    const [ds, gs] = [internals(d), internals(gan)];
    const seen = [ds, gs].map((s) => ({ buffer: s.program.memory.buffer, bytes: s.program.memory.buffer.byteLength, plan: s.plan }));
    for (let i = 0; i < 499; i++) expect(Number.isFinite(round())).toBe(true);
    [ds, gs].forEach((s, i) => {
      expect(s.program.memory.buffer).toBe(seen[i].buffer);
      expect(s.program.memory.buffer.byteLength).toBe(seen[i].bytes);
      expect(s.plan).toBe(seen[i].plan);
    });
    expect(internals(d)).toBe(ds);
    expect(internals(gan)).toBe(gs);
  });

  it.each(BACKEND_KINDS)('1000 evaluate calls keep one inference program, memory and plan on %s', async (backend) => {
    await use(backend === 'wasm' ? 'wasm-simd' : 'js');
    const m = generator(7);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const r = new Rng(8);
    const x = tensor(r.uniformF32(4 * 6), [4, 6]);
    const y = tensor(r.uniformF32(4 * 64), [4, 8, 8, 1]);
    const first = m.evaluate(x, y) as number;
    type Evaluation = { compiled: { evaluation: { program: { memory: { buffer: ArrayBuffer } }; plan: object } } };
    const e = (m as unknown as Evaluation).compiled.evaluation;
    const buffer = e.program.memory.buffer;
    const bytes = buffer.byteLength;
    const plan = e.plan;
    for (let i = 0; i < 999; i++) expect(m.evaluate(x, y)).toBe(first);
    const now = (m as unknown as Evaluation).compiled.evaluation;
    expect(now).toBe(e);
    expect(now.program.memory.buffer).toBe(buffer);
    expect(now.program.memory.buffer.byteLength).toBe(bytes);
    expect(now.plan).toBe(plan);
    // a training step in between changes the weights: evaluate sees them (the program re-packs)
    m.trainOnBatch(x, y);
    expect(m.evaluate(x, y)).not.toBe(first);
  });

  it.each(BACKEND_KINDS)('1000 optimizer.applyGradients calls keep one store on %s', async (backend) => {
    await use(backend === 'wasm' ? 'wasm-simd' : 'js');
    const m = generator(6);
    const vars = m.trainableWeights;
    const opt = new Adam();
    const grads = vars.map((v) => tensor(new Float32Array(v.read().size).fill(0.01), v.shape));
    opt.applyGradients(vars.map((v, i) => [grads[i], v] as const));
    const store = (opt as unknown as { store: { memory: { buffer: ArrayBuffer } } }).store;
    const buffer = store.memory.buffer;
    const bytes = buffer.byteLength;
    for (let i = 0; i < 999; i++) opt.applyGradients(vars.map((v, k) => [grads[k], v] as const));
    expect((opt as unknown as { store: unknown }).store).toBe(store);
    expect(store.memory.buffer).toBe(buffer);
    expect(store.memory.buffer.byteLength).toBe(bytes);
    expect(opt.iterations).toBe(1000);
  });
});

/** Dense 2 → 3 → BN → Dense 1, with Adam; the weights and a twin to compare the next step with. */
function small(seed: number): Sequential {
  setSeed(seed);
  const m = new Sequential([new Dense(3, { inputDim: 2 }), new BatchNormalization(), new Dense(1)]);
  m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
  return m;
}
const snapshot = (m: Model) => m.getWeights().map((w: Tensor) => Array.from(w.data));
const iterations = (m: Model) => (m as unknown as { compiled: { optimizer: { iterations: number } } }).compiled.optimizer.iterations;

describe('a failed trainOnBatch changes nothing', () => {
  const r = new Rng(10);
  const x = tensor(r.uniformF32(8), [4, 2]);
  const y = tensor(r.uniformF32(4), [4, 1]);
  const bad: [string, (m: Model) => unknown, new (...a: never[]) => Error][] = [
    ['x of the wrong shape', (m) => m.trainOnBatch(tensor(new Float32Array(12), [4, 3]), y), ShapeError],
    ['x of the wrong rank', (m) => m.trainOnBatch(tensor(new Float32Array(8), [4, 2, 1]), y), ShapeError],
    ['y of the wrong shape', (m) => m.trainOnBatch(x, tensor(new Float32Array(8), [4, 2])), ShapeError],
    ['y with another batch size', (m) => m.trainOnBatch(x, tensor(new Float32Array(3), [3, 1])), ShapeError],
    ['a NaN target', (m) => m.trainOnBatch(x, tensor([0, Number.NaN, 0, 0], [4, 1])), ShapeError],
    ['an Infinity target', (m) => m.trainOnBatch(x, tensor([0, 0, Infinity, 0], [4, 1])), ShapeError],
    ['a NaN input', (m) => m.trainOnBatch(tensor([0, 1, Number.NaN, 0, 0, 0, 0, 0], [4, 2]), y), ShapeError],
    // finite inputs whose forward pass overflows float32: the loss is not finite
    ['a non-finite loss (float32 overflow in the forward pass)', (m) => m.trainOnBatch(tensor([3e38, 3e38, 3e38, -3e38, 1, 2, 3, 4], [4, 2]), y), TrainingError],
  ];
  for (const backend of BACKENDS) {
    it.each(bad)(`%s: throws, weights, BN statistics and optimizer state untouched, the next step as if it never happened on ${backend}`, async (_what, call, type) => {
      await use(backend);
      const m = small(11);
      const twin = small(11);
      m.trainOnBatch(x, y);
      twin.trainOnBatch(x, y);
      const before = snapshot(m);
      expect(() => call(m)).toThrow(type);
      expect(snapshot(m)).toEqual(before);
      expect(iterations(m)).toBe(1);
      // the next good step equals the twin's, which never saw the bad call (Adam's slots, t, BN stats)
      expect(m.trainOnBatch(x, y)).toBe(twin.trainOnBatch(x, y));
      expect(snapshot(m)).toEqual(snapshot(twin));
      expect(iterations(m)).toBe(2);
    });
  }

  it.each(BACKENDS)('a non-finite gradient with a finite loss: TrainingError naming the weight, nothing applied on %s', async (backend) => {
    await use(backend);
    setSeed(12);
    const m = new Sequential([new Dense(1, { inputDim: 2 })]);
    m.setWeights([tensor([1e-38, 1e-38], [2, 1]), tensor([0], [1])]);
    m.compile({ optimizer: new Adam(), loss: 'mse' });
    const before = snapshot(m);
    // z = 3e38·1e-38 ≈ 3 (finite loss), dW = Σ x·dz ≈ 3e38 · 2·(3 + 100)/2 overflows
    const xs = tensor([3e38, 3e38, 3e38, 3e38], [2, 2]);
    const ys = tensor([-100, -100], [2, 1]);
    expect(() => m.trainOnBatch(xs, ys)).toThrow(/gradient of .*kernel holds a non-finite value/);
    expect(snapshot(m)).toEqual(before);
    expect(iterations(m)).toBe(0);
  });

  it.each(BACKENDS)('before compile: trainOnBatch, fit and evaluate throw a TrainingError, weights untouched on %s', async (backend) => {
    await use(backend);
    setSeed(13);
    const m = new Sequential([new Dense(1, { inputDim: 2 })]);
    const before = snapshot(m);
    expect(() => m.trainOnBatch(x, y)).toThrow(TrainingError);
    await expect(m.fit(x, y)).rejects.toThrow(/compile/);
    expect(() => m.evaluate(x, y)).toThrow(TrainingError);
    expect(snapshot(m)).toEqual(before);
  });
});

describe('a non-finite loss or gradient stops fit', () => {
  it.each(BACKENDS)('a non-finite loss in the second batch of the first epoch: TrainingError naming epoch 1, batch 2 on %s', async (backend) => {
    await use(backend);
    const m = small(20);
    const xs = tensor([0.1, 0.2, 0.3, 0.4, 3e38, 3e38, 3e38, -3e38], [4, 2]);
    const ys = tensor([0, 1, 0, 1], [4, 1]);
    const batches: number[] = [];
    const err = await m.fit(xs, ys, { batchSize: 2, epochs: 3, shuffle: false, verbose: 0, callbacks: [{ onBatchEnd: (b) => { batches.push(b); } }] })
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingError);
    expect((err as Error).message).toMatch(/loss is (NaN|-?Infinity).*\(epoch 1, batch 2 of 2\)/);
    expect(batches).toEqual([0]);
  });

  it.each(BACKENDS)('weights made huge at the start of epoch 2: TrainingError naming epoch 2, batch 1 on %s', async (backend) => {
    await use(backend);
    const m = small(21);
    const r = new Rng(22);
    const xs = tensor(r.uniformF32(12, 1, 2), [6, 2]);
    const ys = tensor(r.uniformF32(6), [6, 1]);
    const blowUp = () => m.setWeights(m.getWeights().map((w: Tensor, i: number) => (i === 0 ? tensor(new Float32Array(w.size).fill(3e38), w.shape) : w)));
    const err = await m.fit(xs, ys, { batchSize: 3, epochs: 3, verbose: 0, callbacks: [{ onEpochBegin: (e) => { if (e === 1) blowUp(); } }] })
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingError);
    expect((err as Error).message).toMatch(/non-finite.*\(epoch 2, batch 1 of 2\)/);
  });
});

describe('the optimizer state survives a new step (another backend or input shape)', () => {
  /** A fully convolutional model (any height and width), compiled with Adam. */
  function fcn(seed: number): Sequential {
    setSeed(seed);
    const m = new Sequential([new Conv2D(3, 3, { padding: 'same', inputShape: [null, null, 2] }), new LeakyReLU({ alpha: 0.2 }), new Conv2D(1, 3, { padding: 'same' })]);
    m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
    return m;
  }
  const r = new Rng(40);
  const small = { x: tensor(r.uniformF32(2 * 4 * 4 * 2), [2, 4, 4, 2]), y: tensor(r.uniformF32(2 * 16), [2, 4, 4, 1]) };
  const big = { x: tensor(r.uniformF32(2 * 6 * 5 * 2), [2, 6, 5, 2]), y: tensor(r.uniformF32(2 * 30), [2, 6, 5, 1]) };

  it('switching the backend between steps continues Adam (moments and step count), as one backend would', async () => {
    await use('js');
    const twin = fcn(41);
    for (let i = 0; i < 4; i++) twin.trainOnBatch(small.x, small.y);
    const m = fcn(41);
    await use('wasm-simd');
    m.trainOnBatch(small.x, small.y);
    m.trainOnBatch(small.x, small.y);
    await use('js');
    m.trainOnBatch(small.x, small.y);
    await use('wasm-simd');
    m.trainOnBatch(small.x, small.y);
    const a = m.getWeights();
    twin.getWeights().forEach((w: Tensor, i: number) => {
      for (let k = 0; k < w.size; k++) expect(Math.abs(a[i].data[k] - w.data[k]), `weight ${i}[${k}]`).toBeLessThanOrEqual(1e-5);
    });
  });

  it('optimizer.applyGradients on another backend continues from the same moments', async () => {
    const run = async (backends: ('js' | 'wasm-simd')[]) => {
      const m = fcn(44);
      const vars = m.trainableWeights;
      const opt = new Adam({ learningRate: 0.01 });
      const rg = new Rng(45);
      for (const b of backends) {
        await use(b);
        opt.applyGradients(vars.map((v) => [tensor(rg.normalF32(v.read().size), v.shape), v] as const));
      }
      return m.getWeights().map((w: Tensor) => w.data);
    };
    const one = await run(['js', 'js', 'js', 'js']);
    const mixed = await run(['wasm-simd', 'js', 'wasm-simd', 'js']);
    one.forEach((w, i) => {
      for (let k = 0; k < w.length; k++) expect(Math.abs(mixed[i][k] - w[k]), `weight ${i}[${k}]`).toBeLessThanOrEqual(1e-6);
    });
  });

  it.each(BACKENDS)('alternating input shapes continues Adam (one optimizer, as in Keras): the oracle\'s trajectory on %s', async (backend) => {
    await use(backend);
    const chain = buildChain({ input: [4, 4, 2], seed: 43, layers: [{ kind: 'conv2d', filters: 3, kernel: [3, 3], padding: 'same' }, { kind: 'leakyRelu', alpha: 0.2 }, { kind: 'conv2d', filters: 1, kernel: [3, 3], padding: 'same' }] });
    const m = fcn(43);
    m.setWeights(chain.model.getWeights());
    const oracle = new OracleOptimizer({ name: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false });
    const sets = chain.weighted.map((w) => w.set);
    const start = m.getWeights().map((w: Tensor) => Float64Array.from(w.data));
    for (const b of [small, big, small, big]) {
      const problem: Problem = { graph: chain.graph, xs: [val(b.x.data, b.x.shape)], targets: [Float64Array.from(b.y.data)], loss: [{ name: 'mse' }] };
      const a = analytic(problem, sets);
      expect(m.trainOnBatch(b.x, b.y) as number).toBeCloseTo(a.loss, 5);
      oracle.apply(sets.flatMap((st, i) => st.values.map((w, j) => ({ key: `${i}/${j}`, w, g: a.grads[i][j] }))));
    }
    const want = sets.flatMap((st) => st.values);
    m.getWeights().forEach((w: Tensor, i: number) => {
      let maxDelta = 0;
      for (let k = 0; k < w.size; k++) maxDelta = Math.max(maxDelta, Math.abs(want[i][k] - start[i][k]));
      for (let k = 0; k < w.size; k++) expect(Math.abs(w.data[k] - want[i][k]), `weight ${i}[${k}]`).toBeLessThanOrEqual(1e-3 * maxDelta + 1e-7);
    });
  });
});

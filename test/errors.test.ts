import { beforeAll, describe, expect, it } from 'vitest';
import {
  Activation, BatchNormalization, ConfigError, Conv2D, Conv2DTranspose, Dense, Dropout, Flatten, init, InputLayer,
  LeakyReLU, MemoryLimitError, modelFromJSON, ModelFormatError, Reshape, Sequential, setBackend, setSeed, ShapeError,
  type Tensor, tensor, UpconvError, UpSampling2D, WeightsError,
} from '../bindings/index.js';
import { BACKEND_KINDS } from './util/backends.js';

/**
 * Bad input gets a clear UpconvError (the right subclass) whose message names the layer (or the
 * model) and the problem, and the model stays usable afterwards: after every bad call the same
 * model predicts exactly what it predicted before.
 */

type ErrorClass = abstract new (...args: never[]) => Error;

/** Runs f, expects it to throw `cls` (an UpconvError) with every needle in its message. */
function expectError(f: () => unknown, cls: ErrorClass, ...needles: (string | RegExp)[]): UpconvError {
  let thrown: unknown = null;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected an error to be thrown').not.toBeNull();
  expect(thrown).toBeInstanceOf(UpconvError);
  expect(thrown).toBeInstanceOf(cls);
  const message = (thrown as Error).message;
  for (const n of needles) {
    if (typeof n === 'string') expect(message).toContain(n);
    else expect(message).toMatch(n);
  }
  return thrown as UpconvError;
}

/** Small deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/**
 * A small generator with every kind of weighted layer, BN in the middle and a layer named like a
 * Keras default ('conv2d_transpose_3'). Weights are set to non-trivial values.
 */
function generator(): Sequential {
  const m = new Sequential({ name: 'gen_model' });
  m.add(new Dense(16, { inputDim: 6, name: 'dense_in' }));
  m.add(new BatchNormalization({ name: 'bn_mid' }));
  m.add(new LeakyReLU(0.2, { name: 'leaky_mid' }));
  m.add(new Reshape([2, 2, 4], { name: 'reshape_mid' }));
  m.add(new Conv2DTranspose(3, 3, { strides: 2, padding: 'same', name: 'conv2d_transpose_3' }));
  m.add(new UpSampling2D({ size: 2, interpolation: 'bilinear', name: 'up_mid' }));
  m.add(new Conv2D(1, 3, { padding: 'same', activation: 'tanh', name: 'conv_out' }));
  const ws = m.getWeights().map((w, i) => {
    const v = values(w.size, 100 + i);
    // BN moving_variance (weight 5) must be positive
    if (i === 5) for (let j = 0; j < v.length; j++) v[j] = 0.5 + Math.abs(v[j]);
    return tensor(v, w.shape);
  });
  m.setWeights(ws);
  return m;
}

const X = tensor(values(2 * 6, 1), [2, 6]);

function copyWeights(m: Sequential): Tensor[] {
  return m.getWeights().map((w) => tensor(w.data.slice(), w.shape));
}

/** The model still gives exactly the prediction it gave before the bad call. */
function expectUsable(m: Sequential, x: Tensor, before: Tensor): void {
  const y = m.predict(x);
  expect(y.shape).toEqual(before.shape);
  expect(Array.from(y.data)).toEqual(Array.from(before.data));
}

beforeAll(async () => {
  await init();
});

describe('layer arguments Keras rejects (ConfigError naming the layer)', () => {
  it('zero or negative sizes', () => {
    expectError(() => new Dense(0, { name: 'dense_9' }), ConfigError, "dense_9", 'units', '0');
    expectError(() => new Dense(-3), ConfigError, 'Dense', 'units', '-3');
    expectError(() => new Dense(2.5), ConfigError, 'Dense', 'units');
    expectError(() => new Conv2D(0, 3, { name: 'conv2d_9' }), ConfigError, 'conv2d_9', 'filters');
    expectError(() => new Conv2D(2, 0, { name: 'conv2d_9' }), ConfigError, 'conv2d_9', 'kernelSize');
    expectError(() => new Conv2D(2, [3, -1], { name: 'conv2d_9' }), ConfigError, 'conv2d_9', 'kernelSize', '-1');
    expectError(() => new Conv2D(2, 3, { strides: 0, name: 'conv2d_9' }), ConfigError, 'conv2d_9', 'strides');
    expectError(() => new Conv2D(2, 3, { dilationRate: [0, 1], name: 'conv2d_9' }), ConfigError, 'conv2d_9', 'dilationRate');
    expectError(() => new Conv2DTranspose(-1, 3, { name: 'conv2d_transpose_3' }), ConfigError, 'conv2d_transpose_3', 'filters');
    expectError(() => new Conv2DTranspose(1, [0, 3], { name: 'conv2d_transpose_3' }), ConfigError, 'conv2d_transpose_3', 'kernelSize');
    expectError(() => new Conv2DTranspose(1, 3, { strides: [2, 0], name: 'conv2d_transpose_3' }), ConfigError, 'conv2d_transpose_3', 'strides');
    expectError(() => new Conv2DTranspose(1, 3, { outputPadding: -1, strides: 2, name: 'conv2d_transpose_3' }), ConfigError, 'conv2d_transpose_3', 'outputPadding');
    expectError(() => new UpSampling2D(0, { name: 'up_sampling2d_9' }), ConfigError, 'up_sampling2d_9', 'size');
    expectError(() => new UpSampling2D([2, -1]), ConfigError, 'UpSampling2D', 'size');
    expectError(() => new UpSampling2D({ size: [1.5, 2] }), ConfigError, 'UpSampling2D', 'size');
    expectError(() => new Reshape([0, 4], { name: 'reshape_9' }), ConfigError, 'reshape_9', 'targetShape');
    expectError(() => new Reshape([-1, -1]), ConfigError, 'Reshape', 'targetShape');
    expectError(() => new Dense(2, { inputShape: [0], name: 'dense_9' }), ConfigError, 'Dense', 'input shape');
    expectError(() => new Dense(2, { inputDim: -4 }), ConfigError, 'Dense', '-4');
    expectError(() => new Conv2D(2, 3, { inputShape: [4, 0, 1] }), ConfigError, 'Conv2D', 'input shape');
    expectError(() => new InputLayer({ inputShape: [3, -2] }), ConfigError, 'InputLayer');
    expectError(() => new Dropout(1.5), ConfigError, 'Dropout', 'rate');
  });

  it('output_padding >= strides', () => {
    expectError(() => new Conv2DTranspose(1, 3, { strides: 2, outputPadding: 2, name: 'conv2d_transpose_3' }),
      ConfigError, 'conv2d_transpose_3', 'outputPadding', 'strides');
    // stride 1 allows no output padding at all
    expectError(() => new Conv2DTranspose(1, 3, { outputPadding: 1, name: 'conv2d_transpose_3' }),
      ConfigError, 'conv2d_transpose_3', 'outputPadding');
    // checked per axis
    expectError(() => new Conv2DTranspose(1, 3, { strides: [2, 3], outputPadding: [1, 3], name: 'conv2d_transpose_3' }),
      ConfigError, 'conv2d_transpose_3', 'outputPadding');
    expect(() => new Conv2DTranspose(1, 3, { strides: [2, 3], outputPadding: [1, 2] })).not.toThrow();
  });

  it('strides > 1 together with dilation > 1', () => {
    expectError(() => new Conv2DTranspose(1, 3, { strides: 2, dilationRate: 2, name: 'conv2d_transpose_3' }),
      ConfigError, 'conv2d_transpose_3', /strides/, /dilation/i);
    expectError(() => new Conv2DTranspose(1, 3, { strides: [1, 2], dilationRate: [2, 1], name: 'conv2d_transpose_3' }),
      ConfigError, 'conv2d_transpose_3', /dilation/i);
    expectError(() => new Conv2D(1, 3, { strides: 2, dilationRate: 2, name: 'conv2d_9' }), ConfigError, 'conv2d_9', /dilation/i);
    expect(() => new Conv2DTranspose(1, 3, { dilationRate: 2 })).not.toThrow();
  });

  it('unknown padding, interpolation, activation, data format, option', () => {
    expectError(() => new Conv2D(1, 3, { padding: 'full' as 'same', name: 'conv2d_9' }), ConfigError, 'conv2d_9', 'padding', 'full');
    expectError(() => new Conv2DTranspose(1, 3, { padding: 'causal' as 'same', name: 'conv2d_transpose_3' }),
      ConfigError, 'conv2d_transpose_3', 'padding', 'causal');
    expectError(() => new UpSampling2D({ interpolation: 'lanczos7' as 'nearest', name: 'up_sampling2d_9' }),
      ConfigError, 'up_sampling2d_9', 'interpolation', 'lanczos7', 'mitchellcubic');
    expectError(() => new Dense(4, { activation: 'not_an_activation', name: 'dense_9' }), ConfigError, 'dense_9', 'activation', 'not_an_activation');
    expectError(() => new Conv2D(4, 3, { activation: 'softsignn', name: 'conv2d_9' }), ConfigError, 'conv2d_9', 'softsignn');
    expectError(() => new Conv2DTranspose(4, 3, { activation: 'gelu_fast', name: 'conv2d_transpose_3' }), ConfigError, 'conv2d_transpose_3', 'gelu_fast');
    expectError(() => new Activation('bogus', { name: 'activation_9' }), ConfigError, 'activation_9', 'bogus');
    expectError(() => new Conv2D(1, 3, { dataFormat: 'channels_first', name: 'conv2d_9' }), ConfigError, 'conv2d_9', 'channels_first');
    expectError(() => new UpSampling2D({ dataFormat: 'channels_first' }), ConfigError, 'UpSampling2D', 'channels_first');
    expectError(() => new Flatten({ dataFormat: 'channels_first' }), ConfigError, 'Flatten', 'channels_first');
    expectError(() => new Dense(2, { kernelSize: 3, name: 'dense_9' } as never), ConfigError, 'dense_9', 'kernelSize');
  });
});

for (const backend of BACKEND_KINDS) {
  describe(`a model stays usable after bad calls [${backend}]`, () => {
    const use = () => setBackend(backend);

    it('wrong input rank or shape (ShapeError naming the first layer and both shapes)', () => {
      use();
      const m = generator();
      const before = m.predict(X);
      expectError(() => m.predict(tensor(values(6, 2), [6])), ShapeError, 'gen_model', 'dense_in', '[6]', '(None, 6)');
      expectUsable(m, X, before);
      expectError(() => m.predict(tensor(values(12, 2), [1, 2, 6])), ShapeError, 'dense_in', '[1, 2, 6]');
      expectUsable(m, X, before);
      expectError(() => m.predict(tensor(values(10, 2), [2, 5])), ShapeError, 'dense_in', '[2, 5]', '(None, 6)');
      expectUsable(m, X, before);
      expectError(() => m.predict(tensor(new Float32Array(0), [0, 6])), ShapeError, 'gen_model', /empty batch/);
      expectUsable(m, X, before);
      expectError(() => m.predict([[1, 2, 3], [4, 5, 6]]), ShapeError, 'dense_in');
      expectUsable(m, X, before);

      // an image model: missing channel axis, and wrong spatial size
      const img = new Sequential({ name: 'img_model' });
      img.add(new Conv2DTranspose(2, 3, { strides: 2, padding: 'same', inputShape: [3, 3, 1], name: 'conv2d_transpose_3' }));
      const xi = tensor(values(9, 3), [1, 3, 3, 1]);
      const bi = img.predict(xi);
      expectError(() => img.predict(tensor(values(9, 3), [1, 3, 3])), ShapeError, 'conv2d_transpose_3', '[1, 3, 3]', '(None, 3, 3, 1)');
      expectError(() => img.predict(tensor(values(16, 3), [1, 4, 4, 1])), ShapeError, 'conv2d_transpose_3', '[1, 4, 4, 1]');
      expectUsable(img, xi, bi);
    });

    it('NaN and Infinity in the input', () => {
      use();
      const m = generator();
      const before = m.predict(X);
      for (const bad of [NaN, Infinity, -Infinity]) {
        const x = tensor(X.data.slice(), X.shape);
        x.data[7] = bad;
        const e = expectError(() => m.predict(x), ShapeError, 'gen_model', /non-finite/, String(bad), 'index 7');
        expect(e.message).toBeTruthy();
        expectUsable(m, X, before);
        const out = tensor(new Float32Array(before.size), before.shape);
        expectError(() => m.predictInto(x, out), ShapeError, /non-finite/);
        expectUsable(m, X, before);
      }
    });

    it('setWeights with too few or too many arrays (WeightsError listing what the model has)', () => {
      use();
      const m = generator();
      const before = m.predict(X);
      const w = copyWeights(m);
      expect(w.length).toBe(10);
      expectError(() => m.setWeights(w.slice(0, 9)), WeightsError, 'gen_model', 'got 9', '10', 'conv2d_transpose_3/kernel', 'bn_mid/moving_variance');
      expectUsable(m, X, before);
      expectError(() => m.setWeights([...w, w[0]]), WeightsError, 'got 11', '10');
      expectUsable(m, X, before);
      expectError(() => m.setWeights([]), WeightsError, 'got 0', '10');
      expectUsable(m, X, before);
      expectError(() => m.setWeights(null as never), WeightsError);
      expectUsable(m, X, before);
    });

    it('setWeights with a wrong shape or a wrong number of values names the layer and the weight', () => {
      use();
      const m = generator();
      const before = m.predict(X);
      const w = copyWeights(m);
      // Conv2DTranspose kernel is (kh, kw, filters, in) = (3, 3, 3, 4): give Conv2D's layout instead
      const swapped = [...w];
      swapped[6] = tensor(w[6].data.slice(), [3, 3, 4, 3]);
      expectError(() => m.setWeights(swapped), WeightsError, 'conv2d_transpose_3', 'kernel', '[3, 3, 4, 3]', '[3, 3, 3, 4]');
      expectUsable(m, X, before);
      // the kernel flattened to the right size but the wrong rank
      const flat = [...w];
      flat[6] = tensor(w[6].data.slice(), [108]);
      expectError(() => m.setWeights(flat), WeightsError, 'conv2d_transpose_3', 'kernel');
      expectUsable(m, X, before);
      // right shape, wrong number of values (a plain {shape, data} object)
      const short = [...w] as { shape: number[]; data: ArrayLike<number> }[];
      short[7] = { shape: [3], data: [1, 2] };
      expectError(() => m.setWeights(short), WeightsError, 'conv2d_transpose_3', 'bias', '2', '3');
      expectUsable(m, X, before);
      // BN weights in tfjs order (all trainable first, moving stats at the end) do not fit Keras order
      const tfjsOrder = [w[0], w[1], w[2], w[3], w[6], w[7], w[8], w[9], w[4], w[5]];
      expectError(() => m.setWeights(tfjsOrder), WeightsError, 'bn_mid');
      expectUsable(m, X, before);
      // the last weight wrong: nothing before it is applied either
      const last = [...w];
      last[0] = tensor(values(w[0].size, 999), w[0].shape);
      last[9] = tensor([1, 2], [2]);
      expectError(() => m.setWeights(last), WeightsError, 'conv_out', 'bias');
      expectUsable(m, X, before);
    });

    it('NaN and Infinity in weights', () => {
      use();
      const m = generator();
      const before = m.predict(X);
      for (const [index, bad, layer] of [[6, NaN, 'conv2d_transpose_3'], [3, Infinity, 'bn_mid'], [0, -Infinity, 'dense_in']] as const) {
        const w = copyWeights(m);
        w[index].data[1] = bad;
        expectError(() => m.setWeights(w), WeightsError, layer, /non-finite/, String(bad));
        expectUsable(m, X, before);
      }
    });

    it('predictInto with a wrong output tensor does not write into it', () => {
      use();
      const m = generator();
      const before = m.predict(X);
      expect(before.shape).toEqual([2, 8, 8, 1]);
      const wrongChannels = tensor(new Float32Array(2 * 8 * 8 * 2), [2, 8, 8, 2]);
      expectError(() => m.predictInto(X, wrongChannels), ShapeError, 'gen_model', '[2, 8, 8, 2]', '[2, 8, 8, 1]');
      expect(wrongChannels.data.every((v) => v === 0)).toBe(true);
      const wrongBatch = tensor(new Float32Array(8 * 8), [1, 8, 8, 1]);
      expectError(() => m.predictInto(X, wrongBatch), ShapeError, '[1, 8, 8, 1]', '[2, 8, 8, 1]');
      expect(wrongBatch.data.every((v) => v === 0)).toBe(true);
      const flat = tensor(new Float32Array(128), [128]);
      expectError(() => m.predictInto(X, flat), ShapeError, '[128]');
      expectError(() => m.predictInto(X, new Float32Array(128) as never), ShapeError, 'predictInto');
      expectUsable(m, X, before);
      const out = tensor(new Float32Array(128), [2, 8, 8, 1]);
      expect(m.predictInto(X, out)).toBe(out);
      expect(Array.from(out.data)).toEqual(Array.from(before.data));
    });

    it('memoryLimit too small for a big batch; a smaller batch then works', () => {
      use();
      const m = generator();
      const before = m.predict(X);
      m.memoryLimit = 256 * 1024;
      const big = tensor(values(500 * 6, 5), [500, 6]);
      expectError(() => m.predict(big), MemoryLimitError, 'gen_model', 'batch of 500', 'memoryLimit');
      expectUsable(m, X, before);
      const out = tensor(new Float32Array(500 * 64), [500, 8, 8, 1]);
      expectError(() => m.predictInto(big, out), MemoryLimitError, 'batch of 500');
      // a batch that fits, then the big one with the limit raised
      expect(m.predict(tensor(values(20 * 6, 5), [20, 6])).shape).toEqual([20, 8, 8, 1]);
      m.memoryLimit = 64 * 1024 * 1024;
      const y = m.predict(big);
      expect(y.shape).toEqual([500, 8, 8, 1]);
      expectUsable(m, X, before);
    });

    it('memoryLimit below what the weights need (fresh model), then raised', () => {
      use();
      const m = new Sequential({ name: 'weights_model', memoryLimit: 4096 });
      // checked when the layer is added, before its weights are made
      const e = expectError(() => m.add(new Dense(300, { inputDim: 100, name: 'dense_big' })), MemoryLimitError, /memory limit/, 'dense_big');
      expect(m.layers.length).toBe(0);
      expect(m.built).toBe(false);
      m.memoryLimit = 16 * 1024 * 1024;
      m.add(new Dense(300, { inputDim: 100, name: 'dense_big' }));
      const x = tensor(values(100, 9), [1, 100]);
      m.memoryLimit = 100 * 1024; // the packed weights for predict do not fit
      expectError(() => m.predict(x), MemoryLimitError, /memory limit/, 'weights_model');
      m.memoryLimit = 16 * 1024 * 1024;
      expect(m.predict(x).shape).toEqual([1, 300]);
      // the message should say which model (like the per-batch MemoryLimitError does)
      expect(e.message).toContain('weights_model');
    });

    it('a huge layer output under a memoryLimit fails cleanly', () => {
      use();
      const m = new Sequential({ name: 'ups_model', memoryLimit: 32 * 1024 * 1024 });
      m.add(new UpSampling2D(100, { inputShape: [100, 100, 1], name: 'up_sampling2d_big' }));
      const x = tensor(values(100 * 100, 4), [1, 100, 100, 1]);
      expectError(() => m.predict(x), MemoryLimitError, 'ups_model', 'up_sampling2d_big');
    });

    it('the default memoryLimit (1 GiB) stops a batch that would need more, before allocating', () => {
      use();
      const m = new Sequential({ name: 'default_limit' });
      m.add(new UpSampling2D(8, { inputShape: [8, 8, 1], name: 'up_sampling2d_x8' }));
      expect(m.memoryLimit).toBe(2 ** 30);
      const small = tensor(values(64, 6), [1, 8, 8, 1]);
      const before = m.predict(small);
      // 200000 samples · 64·64 floats out = 3.3 GB
      const big = tensor(new Float32Array(200000 * 64), [200000, 8, 8, 1]);
      expectError(() => m.predict(big), MemoryLimitError, 'default_limit', 'batch of 200000', 'up_sampling2d_x8');
      expectUsable(m, small, before);
    });

    it('invalid memoryLimit values are rejected and the limit is kept', () => {
      use();
      const m = generator();
      const limit = m.memoryLimit;
      expect(limit).toBeGreaterThan(0);
      for (const bad of [0, -1, NaN, '1000' as unknown as number]) {
        expectError(() => { m.memoryLimit = bad; }, ConfigError, 'gen_model', 'memoryLimit');
        expect(m.memoryLimit).toBe(limit);
      }
      expectError(() => new Sequential({ memoryLimit: -5 }), ConfigError, 'memoryLimit');
    });
  });
}

describe('adding a layer that does not fit leaves the model unchanged', () => {
  it('kernel larger than the input, wrong rank, impossible reshape, huge upsampling', () => {
    setBackend('wasm');
    const m = generator();
    const before = m.predict(X);
    const count = m.layers.length;
    expectError(() => m.add(new Conv2D(2, 9, { name: 'conv2d_9' })), ShapeError, 'conv2d_9', '(None, 8, 8, 1)');
    expectError(() => m.add(new Reshape([7, 7], { name: 'reshape_9' })), ShapeError, 'reshape_9', '(None, 8, 8, 1)', '(None, 7, 7)');
    expectError(() => m.add(new UpSampling2D(100000, { name: 'up_sampling2d_9' })), ConfigError, 'up_sampling2d_9', 'size', '1024');
    expectError(() => m.add(m.layers[0]), ConfigError, 'dense_in');
    expect(m.layers.length).toBe(count);
    expect(m.outputShape).toEqual([null, 8, 8, 1]);
    expectUsable(m, X, before);

    const flat = new Sequential();
    flat.add(new Dense(4, { inputDim: 3 }));
    expectError(() => flat.add(new Conv2D(1, 1, { name: 'conv2d_rank' })), ShapeError, 'conv2d_rank', /rank 4/, '(None, 4)');
    expectError(() => flat.add(new UpSampling2D({ name: 'up_rank' })), ShapeError, 'up_rank', /rank 4/);
    expectError(() => flat.add(new InputLayer({ inputShape: [3] })), ConfigError, /InputLayer/);
    expect(flat.layers.length).toBe(1);
  });

  it('UpSampling2D size 1000 on a 100x100 input fails cleanly (no allocation, no crash)', () => {
    const m = new Sequential({ name: 'huge_model' });
    expectError(() => m.add(new UpSampling2D(1000, { inputShape: [100, 100, 1], name: 'up_sampling2d_huge' })),
      MemoryLimitError, 'up_sampling2d_huge', '10000000000');
    expect(m.layers.length).toBe(0);
    // deferred build: the failure comes at predict, and the model stays unbuilt
    for (const backend of BACKEND_KINDS) {
      setBackend(backend);
      const d = new Sequential({ name: 'deferred_huge' });
      d.add(new UpSampling2D(1000, { name: 'up_sampling2d_deferred' }));
      expectError(() => d.predict(tensor(new Float32Array(100 * 100), [1, 100, 100, 1])), MemoryLimitError, 'up_sampling2d_deferred');
      expect(d.built).toBe(false);
      expectError(() => d.summary(null), UpconvError, 'deferred_huge', /not yet been built/);
    }
  });

  it('a deferred model that fails on one input shape still builds on a good one', () => {
    for (const backend of BACKEND_KINDS) {
      setBackend(backend);
      const d = new Sequential({ name: 'deferred_conv' });
      d.add(new Conv2D(1, 5, { name: 'conv2d_deferred' }));
      expectError(() => d.predict(tensor(values(9, 1), [1, 3, 3, 1])), ShapeError, 'conv2d_deferred', '(None, 3, 3, 1)');
      expectError(() => d.predict(tensor(values(9, 1), [1, 9])), ShapeError, 'conv2d_deferred', /rank 4/);
      expect(d.built).toBe(false);
      const y = d.predict(tensor(values(36, 1), [1, 6, 6, 1]));
      expect(y.shape).toEqual([1, 2, 2, 1]);
      expect(d.inputShape).toEqual([null, 6, 6, 1]);
      // now built: another spatial size is an input-shape error, not a rebuild
      expectError(() => d.predict(tensor(values(49, 1), [1, 7, 7, 1])), ShapeError, 'conv2d_deferred', '(None, 6, 6, 1)');
      expect(Array.from(d.predict(tensor(values(36, 1), [1, 6, 6, 1])).data)).toEqual(Array.from(y.data));
    }
  });
});

describe('modelFromJSON errors (ModelFormatError naming the layer and the problem)', () => {
  const dense = (config: Record<string, unknown>) => ({ class_name: 'Dense', config: { name: 'dense_7', units: 2, ...config } });
  const seq = (layers: unknown) => ({ class_name: 'Sequential', config: { name: 'seq', layers } });

  it('a model loaded earlier keeps working while later loads fail', () => {
    for (const backend of BACKEND_KINDS) {
      setBackend(backend);
      const good = modelFromJSON(JSON.stringify(seq([dense({ batch_input_shape: [null, 3] })])));
      const x = tensor(values(6, 3), [2, 3]);
      const before = good.predict(x);
      expectError(() => modelFromJSON('{"class_name": "Sequential", '), ModelFormatError, /JSON/);
      expectError(() => modelFromJSON(seq([{ class_name: 'Conv3D', config: {} }])), ModelFormatError, 'Conv3D');
      expectUsable(good, x, before);
    }
  });

  it('invalid JSON text', () => {
    expectError(() => modelFromJSON('{not json'), ModelFormatError, 'modelFromJSON', /not valid JSON/);
    expectError(() => modelFromJSON(''), ModelFormatError, /JSON/);
    expectError(() => modelFromJSON('null'), ModelFormatError, 'modelFromJSON');
    expectError(() => modelFromJSON('42'), ModelFormatError, 'modelFromJSON');
    expectError(() => modelFromJSON('[]'), ModelFormatError, 'class_name');
  });

  it('missing class_name', () => {
    expectError(() => modelFromJSON({ config: { layers: [] } }), ModelFormatError, 'class_name');
    expectError(() => modelFromJSON({ modelTopology: { config: { layers: [] } } }), ModelFormatError, 'class_name');
    expectError(() => modelFromJSON(seq([{ config: { name: 'x', units: 2 } }])), ModelFormatError, 'layer 0', 'class_name');
  });

  it('a top-level class that is no model, and functional configs without inputs or outputs', () => {
    expectError(() => modelFromJSON({ class_name: 'Dense', config: { name: 'd', units: 2 } }), ModelFormatError, 'Dense', 'Sequential or functional');
    for (const cls of ['Functional', 'Model']) {
      expectError(() => modelFromJSON({ class_name: cls, config: { name: 'm', layers: [] } }), ModelFormatError, "model 'm'", 'input_layers', 'output_layers');
    }
    expectError(() => modelFromJSON({ format: 'layers-model', modelTopology: { class_name: 'Functional', config: { layers: [] } } }),
      ModelFormatError, 'input_layers');
  });

  it('unknown layer classes: all of them listed in one error', () => {
    const e = expectError(() => modelFromJSON(seq([
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 4, 4, 1], name: 'in' } },
      { class_name: 'Conv3D', config: { name: 'conv3d_1' } },
      { class_name: 'Conv2D', config: { name: 'conv2d_1', filters: 1, kernel_size: [1, 1] } },
      { class_name: 'GRU', config: { name: 'gru_1' } },
      { class_name: 'SpectralNormalization', config: { name: 'sn_1' } },
    ])), ModelFormatError, 'Conv3D', 'GRU', 'SpectralNormalization', 'layer 1', 'layer 3', 'layer 4');
    expect(e.message).not.toContain('layer 2');
  });

  it('channels_first data_format', () => {
    expectError(() => modelFromJSON(seq([
      { class_name: 'Conv2D', config: { name: 'conv2d_cf', filters: 1, kernel_size: [3, 3], data_format: 'channels_first', batch_input_shape: [null, 1, 5, 5] } },
    ])), ModelFormatError, 'conv2d_cf', 'channels_first');
    expectError(() => modelFromJSON(seq([
      { class_name: 'UpSampling2D', config: { name: 'up_cf', size: [2, 2], data_format: 'channels_first', batch_input_shape: [null, 1, 5, 5] } },
    ])), ModelFormatError, 'up_cf', 'channels_first');
  });

  it('malformed layers', () => {
    expectError(() => modelFromJSON({ class_name: 'Sequential' }), ModelFormatError, 'layers');
    expectError(() => modelFromJSON({ class_name: 'Sequential', config: { layers: 'dense' } }), ModelFormatError, 'layers');
    expectError(() => modelFromJSON(seq([3])), ModelFormatError, 'layer 0', 'not an object');
    expectError(() => modelFromJSON(seq([null])), ModelFormatError, 'layer 0');
    expectError(() => modelFromJSON(seq([{ class_name: 'Dense' }])), ModelFormatError, 'layer 0', 'Dense', 'config');
    expectError(() => modelFromJSON(seq([{ class_name: 'Dense', config: [1, 2] }])), ModelFormatError, 'layer 0', 'config');
    expectError(() => modelFromJSON(seq([dense({ units: -2, batch_input_shape: [null, 3] })])), ModelFormatError, 'dense_7', 'units');
    expectError(() => modelFromJSON(seq([dense({ units: 'two', batch_input_shape: [null, 3] })])), ModelFormatError, 'dense_7', 'units');
    expectError(() => modelFromJSON(seq([dense({ activation: 'swishy', batch_input_shape: [null, 3] })])), ModelFormatError, 'dense_7', 'swishy');
    expectError(() => modelFromJSON(seq([
      { class_name: 'Conv2D', config: { name: 'conv2d_7', filters: 2, kernel_size: 3, padding: 'full', batch_input_shape: [null, 4, 4, 1] } },
    ])), ModelFormatError, 'conv2d_7', 'full');
    expectError(() => modelFromJSON(seq([
      { class_name: 'UpSampling2D', config: { name: 'up_7', size: [2, 2], interpolation: 'cubic', batch_input_shape: [null, 4, 4, 1] } },
    ])), ModelFormatError, 'up_7', 'cubic');
    expectError(() => modelFromJSON(seq([
      { class_name: 'Conv2DTranspose', config: { name: 'conv2d_transpose_3', filters: 1, kernel_size: [3, 3], strides: [2, 2], output_padding: [2, 2], batch_input_shape: [null, 4, 4, 1] } },
    ])), ModelFormatError, 'conv2d_transpose_3', /output_?padding/i);
    expectError(() => modelFromJSON(seq([
      { class_name: 'Conv2DTranspose', config: { name: 'conv2d_transpose_3', filters: 1, kernel_size: [3, 3], strides: [2, 2], dilation_rate: [2, 2], batch_input_shape: [null, 4, 4, 1] } },
    ])), ModelFormatError, 'conv2d_transpose_3', /dilation/i);
    expectError(() => modelFromJSON(seq([
      { class_name: 'Conv2D', config: { name: 'conv2d_7', filters: 2, kernel_size: 3, groups: 2, batch_input_shape: [null, 4, 4, 2] } },
    ])), ModelFormatError, 'conv2d_7', 'groups');
    expectError(() => modelFromJSON(seq([dense({ mystery_key: 1, batch_input_shape: [null, 3] })])), ModelFormatError, 'dense_7', 'mystery_key');
    // consecutive layers whose shapes do not fit
    expectError(() => modelFromJSON(seq([
      dense({ batch_input_shape: [null, 3] }),
      { class_name: 'Reshape', config: { name: 'reshape_7', target_shape: [3, 3] } },
    ])), ModelFormatError, 'reshape_7', '(None, 2)', '(None, 3, 3)');
    expectError(() => modelFromJSON(seq([
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 2, 2, 1], name: 'in' } },
      { class_name: 'Conv2D', config: { name: 'conv2d_big', filters: 1, kernel_size: [5, 5] } },
    ])), ModelFormatError, 'conv2d_big');
    // a float16 model
    expectError(() => modelFromJSON(seq([dense({ dtype: 'float16', batch_input_shape: [null, 3] })])), ModelFormatError, 'float16');
  });
});

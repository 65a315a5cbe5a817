import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  Activation, BatchNormalization, Conv2D, Conv2DTranspose, Dense, Dropout, Flatten, getBackend, init, InputLayer,
  LeakyReLU, modelFromJSON, Reshape, resetNames, Sequential, setBackend, setSeed, type Tensor, tensor, UpconvError,
  UpSampling2D,
} from '../bindings/index.js';
import { BACKEND_KINDS } from './util/backends.js';
import { mismatch } from './util/close.js';
import { CONFORMANCE_DIR, type ConformanceCase, SHARED } from './util/conformance.js';
import { describeShared, itShared } from './util/shared.js';

/**
 * The Sequential model: the classic Keras 2.2.4 summary (SEMANTICS §8), layer naming, parameter
 * counts, Keras weights order (§6), predict / predictInto for any batch size on both backends,
 * toJSON ↔ modelFromJSON in every layout, seeded Keras default initializers, deferred build.
 */

beforeAll(async () => {
  await init();
});

afterEach(() => {
  setBackend('wasm');
});

/** Small deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

function loadCase(file: string): ConformanceCase {
  return { file, ...JSON.parse(readFileSync(join(CONFORMANCE_DIR, file), 'utf8')) };
}

const weightTensors = (c: ConformanceCase) => c.weights.map((w) => tensor(Float32Array.from(w.data), w.shape));

// ---------------------------------------------------------------------------------------------
// summary()
// ---------------------------------------------------------------------------------------------

/** What Keras 2.2.4's print_summary really prints: every row padded to 65 columns. */
const TUTORIAL_UPSAMPLING_PADDED = [
  '_________________________________________________________________',
  'Layer (type)                 Output Shape              Param #   ',
  '=================================================================',
  'dense_1 (Dense)              (None, 3200)              323200    ',
  '_________________________________________________________________',
  'reshape_1 (Reshape)          (None, 5, 5, 128)         0         ',
  '_________________________________________________________________',
  'up_sampling2d_1 (UpSampling2 (None, 10, 10, 128)       0         ',
  '_________________________________________________________________',
  'conv2d_1 (Conv2D)            (None, 10, 10, 1)         1153      ',
  '=================================================================',
  'Total params: 324,353',
  'Trainable params: 324,353',
  'Non-trainable params: 0',
  '_________________________________________________________________',
];

/** The tutorial's copy of the same table (trailing spaces stripped). */
const TUTORIAL_UPSAMPLING_TEXT = `_________________________________________________________________
Layer (type)                 Output Shape              Param #
=================================================================
dense_1 (Dense)              (None, 3200)              323200
_________________________________________________________________
reshape_1 (Reshape)          (None, 5, 5, 128)         0
_________________________________________________________________
up_sampling2d_1 (UpSampling2 (None, 10, 10, 128)       0
_________________________________________________________________
conv2d_1 (Conv2D)            (None, 10, 10, 1)         1153
=================================================================
Total params: 324,353
Trainable params: 324,353
Non-trainable params: 0
_________________________________________________________________`;

const TUTORIAL_TRANSPOSE_PADDED = [
  '_________________________________________________________________',
  'Layer (type)                 Output Shape              Param #   ',
  '=================================================================',
  'dense_1 (Dense)              (None, 3200)              323200    ',
  '_________________________________________________________________',
  'reshape_1 (Reshape)          (None, 5, 5, 128)         0         ',
  '_________________________________________________________________',
  'conv2d_transpose_1 (Conv2DTr (None, 10, 10, 1)         1153      ',
  '=================================================================',
  'Total params: 324,353',
  'Trainable params: 324,353',
  'Non-trainable params: 0',
  '_________________________________________________________________',
];

const BN_PADDED = [
  '_________________________________________________________________',
  'Layer (type)                 Output Shape              Param #   ',
  '=================================================================',
  'dense_1 (Dense)              (None, 16)                144       ',
  '_________________________________________________________________',
  'batch_normalization_1 (Batch (None, 16)                64        ',
  '_________________________________________________________________',
  'leaky_re_lu_1 (LeakyReLU)    (None, 16)                0         ',
  '_________________________________________________________________',
  'reshape_1 (Reshape)          (None, 2, 2, 4)           0         ',
  '_________________________________________________________________',
  'conv2d_transpose_1 (Conv2DTr (None, 4, 4, 2)           74        ',
  '_________________________________________________________________',
  'batch_normalization_2 (Batch (None, 4, 4, 2)           8         ',
  '_________________________________________________________________',
  'conv2d_1 (Conv2D)            (None, 4, 4, 1)           19        ',
  '=================================================================',
  'Total params: 309',
  'Trainable params: 273',
  'Non-trainable params: 36',
  '_________________________________________________________________',
];

/** The tutorial's UpSampling2D generator, built in a fresh naming state. */
function tutorialUpsampling(): Sequential {
  resetNames();
  const m = new Sequential();
  m.add(new Dense(128 * 5 * 5, { inputDim: 100 }));
  m.add(new Reshape([5, 5, 128]));
  m.add(new UpSampling2D());
  m.add(new Conv2D(1, [3, 3], { padding: 'same' }));
  return m;
}

/** A generator with BatchNormalization in the middle (fresh naming state). */
function bnGenerator(): Sequential {
  resetNames();
  const m = new Sequential();
  m.add(new Dense(16, { inputDim: 8 }));
  m.add(new BatchNormalization());
  m.add(new LeakyReLU());
  m.add(new Reshape([2, 2, 4]));
  m.add(new Conv2DTranspose(2, 3, { strides: 2, padding: 'same' }));
  m.add(new BatchNormalization());
  m.add(new Conv2D(1, 3, { padding: 'same' }));
  return m;
}

describe('summary()', () => {
  it("the tutorial's UpSampling2D generator: exact padded 65-column table", () => {
    const m = tutorialUpsampling();
    const text = m.summary(null);
    expect(text.split('\n')).toEqual(TUTORIAL_UPSAMPLING_PADDED);
    expect(text).toBe(TUTORIAL_UPSAMPLING_PADDED.join('\n'));
    for (const line of text.split('\n').slice(0, 11)) expect(line.length).toBe(65);
    // 100·3200 + 3200 + 3·3·128·1 + 1
    expect(100 * 3200 + 3200 + 3 * 3 * 128 + 1).toBe(324353);
    expect(m.countParams()).toBe(324353);
  });

  it("with trailing spaces stripped it is the tutorial's text", () => {
    const text = tutorialUpsampling().summary(null);
    expect(text.split('\n').map((l) => l.trimEnd()).join('\n')).toBe(TUTORIAL_UPSAMPLING_TEXT);
  });

  it('prints the table (console.log by default, or a given function) and returns it', () => {
    const m = tutorialUpsampling();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const text = m.summary();
      expect(text).toBe(TUTORIAL_UPSAMPLING_PADDED.join('\n'));
      const printed = log.mock.calls.map((c) => c.join(' ')).join('\n');
      expect(printed).toBe(text);
    } finally {
      log.mockRestore();
    }
    const lines: string[] = [];
    const text = m.summary((l) => lines.push(l));
    expect(lines.join('\n')).toBe(text);
  });

  it("the tutorial's Conv2DTranspose generator: class name cut to the column", () => {
    resetNames();
    const m = new Sequential();
    m.add(new Dense(128 * 5 * 5, { inputDim: 100 }));
    m.add(new Reshape([5, 5, 128]));
    m.add(new Conv2DTranspose(1, [3, 3], { strides: [2, 2], padding: 'same' }));
    expect(m.summary(null).split('\n')).toEqual(TUTORIAL_TRANSPOSE_PADDED);
  });

  it('BatchNormalization: moving statistics are non-trainable params', () => {
    const m = bnGenerator();
    expect(m.summary(null).split('\n')).toEqual(BN_PADDED);
    expect(m.countParams()).toBe(309);
  });

  it('long names and shapes are cut to their columns; a non-trainable layer counts as non-trainable', () => {
    resetNames();
    const m = new Sequential();
    m.add(new Dense(6, { inputDim: 6, name: 'a_really_long_layer_name_for_the_table' }));
    m.add(new Reshape([1, 1, 1, 1, 1, 1, 1, 1, 1, 6]));
    m.add(new Dense(123456, { name: 'frozen', trainable: false }));
    expect(m.summary(null).split('\n')).toEqual([
      '_________________________________________________________________',
      'Layer (type)                 Output Shape              Param #   ',
      '=================================================================',
      'a_really_long_layer_name_for (None, 6)                 42        ',
      '_________________________________________________________________',
      'reshape_1 (Reshape)          (None, 1, 1, 1, 1, 1, 1,  0         ',
      '_________________________________________________________________',
      'frozen (Dense)               (None, 1, 1, 1, 1, 1, 1,  864192    ',
      '=================================================================',
      'Total params: 864,234',
      'Trainable params: 42',
      'Non-trainable params: 864,192',
      '_________________________________________________________________',
    ]);
    expect(m.countParams()).toBe(864234);
  });

  itShared('a model loaded from the Keras 2.2.4 tutorial config prints the same table', () => {
    const m = modelFromJSON(loadCase('005_tutorial_generator_upsampling_full.json').model);
    expect(m.summary(null).split('\n')).toEqual(TUTORIAL_UPSAMPLING_PADDED);
  });
});

// ---------------------------------------------------------------------------------------------
// naming
// ---------------------------------------------------------------------------------------------

describe('layer naming (Keras 2.2.4 per-prefix counters from 1)', () => {
  it('snake_case class name + counter', () => {
    resetNames();
    expect(new Dense(1).name).toBe('dense_1');
    expect(new Dense(1).name).toBe('dense_2');
    expect(new LeakyReLU().name).toBe('leaky_re_lu_1');
    expect(new BatchNormalization().name).toBe('batch_normalization_1');
    expect(new UpSampling2D().name).toBe('up_sampling2d_1');
    expect(new UpSampling2D().name).toBe('up_sampling2d_2');
    expect(new Conv2D(1, 3).name).toBe('conv2d_1');
    expect(new Conv2DTranspose(1, 3).name).toBe('conv2d_transpose_1');
    expect(new Reshape([1]).name).toBe('reshape_1');
    expect(new Flatten().name).toBe('flatten_1');
    expect(new Activation('relu').name).toBe('activation_1');
    expect(new Dropout(0.5).name).toBe('dropout_1');
    expect(new Dense(1).name).toBe('dense_3');
    expect(new Sequential().name).toBe('sequential_1');
    expect(new Sequential().name).toBe('sequential_2');
  });

  it('an explicit name does not use up a counter; resetNames starts again at 1', () => {
    resetNames();
    expect(new Dense(1, { name: 'custom' }).name).toBe('custom');
    expect(new Dense(1).name).toBe('dense_1');
    resetNames();
    expect(new Dense(1).name).toBe('dense_1');
    expect(new Sequential({ name: 'gen' }).name).toBe('gen');
    expect(new Sequential().name).toBe('sequential_1');
  });

  it('two models built in one session continue the counters (dense_1 … dense_2)', () => {
    resetNames();
    const a = new Sequential([new Dense(4, { inputDim: 2 })]);
    const b = new Sequential([new Dense(4, { inputDim: 2 })]);
    expect(a.layers[0].name).toBe('dense_1');
    expect(b.layers[0].name).toBe('dense_2');
    expect(b.summary(null)).toContain('dense_2 (Dense)              (None, 4)                 12        ');
  });

  // Keras 2.2.4 / tf.keras 2: InputLayer() → 'input_1'; the input a Sequential makes for a first
  // layer with input_shape is named `<first layer name>_input` (e.g. 'dense_1_input').
  it("InputLayer's default name follows Keras 2.2.4 (input_1)", () => {
    resetNames();
    expect(new InputLayer({ inputShape: [3] }).name).toBe('input_1');
    expect(new InputLayer({ inputShape: [3] }).name).toBe('input_2');
  });

  it("to_json names the implicit input '<first layer>_input' like Keras (dense_1_input)", () => {
    resetNames();
    const m = new Sequential();
    m.add(new Dense(2, { inputDim: 3 }));
    const layers = (m.toJSON().config as { layers: { class_name: string; config: { name: string } }[] }).layers;
    expect(layers[0].class_name).toBe('InputLayer');
    expect(layers[0].config.name).toBe('dense_1_input');
  });
});

// ---------------------------------------------------------------------------------------------
// weights
// ---------------------------------------------------------------------------------------------

describe('getWeights / setWeights (Keras order and layout)', () => {
  const BN_SHAPES = [
    [8, 16], [16], // dense_1 kernel (in, units), bias
    [16], [16], [16], [16], // batch_normalization_1 gamma, beta, moving_mean, moving_variance
    [3, 3, 2, 4], [2], // conv2d_transpose_1 kernel (kh, kw, filters, in), bias
    [2], [2], [2], [2], // batch_normalization_2
    [3, 3, 2, 1], [1], // conv2d_1 kernel (kh, kw, in, filters), bias
  ];

  it('layer by layer, BN stats right after their gamma/beta (not tfjs order)', () => {
    const m = bnGenerator();
    expect(m.getWeights().map((w) => w.shape)).toEqual(BN_SHAPES);
  });

  it('fresh weights: zero biases, BN gamma ones, beta zeros, mean zeros, variance ones', () => {
    const w = bnGenerator().getWeights();
    const all = (t: Tensor, v: number) => Array.from(t.data).every((x) => x === v);
    for (const i of [1, 7, 13]) expect(all(w[i], 0)).toBe(true);
    for (const i of [2, 8]) expect(all(w[i], 1)).toBe(true);
    for (const i of [3, 9]) expect(all(w[i], 0)).toBe(true);
    for (const i of [4, 10]) expect(all(w[i], 0)).toBe(true);
    for (const i of [5, 11]) expect(all(w[i], 1)).toBe(true);
    for (const i of [0, 6, 12]) expect(all(w[i], 0)).toBe(false);
  });

  it('BN without scale or center drops gamma or beta', () => {
    const a = new Sequential([new BatchNormalization({ scale: false, inputShape: [3] })]);
    expect(a.getWeights().map((w) => Array.from(w.data))).toEqual([[0, 0, 0], [0, 0, 0], [1, 1, 1]]);
    const b = new Sequential([new BatchNormalization({ center: false, inputShape: [3] })]);
    expect(b.getWeights().map((w) => Array.from(w.data))).toEqual([[1, 1, 1], [0, 0, 0], [1, 1, 1]]);
    expect(a.countParams()).toBe(9);
    const noBias = new Sequential([new Conv2DTranspose(2, 3, { useBias: false, inputShape: [4, 4, 5] })]);
    expect(noBias.getWeights().map((w) => w.shape)).toEqual([[3, 3, 2, 5]]);
  });

  it('setWeights → getWeights round trip is exact; getWeights returns copies', () => {
    for (const backend of BACKEND_KINDS) {
      setBackend(backend);
      const m = bnGenerator();
      m.predict(tensor(values(8, 1), [1, 8])); // a plan exists: setWeights must update it
      const ws = BN_SHAPES.map((shape, i) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const v = values(n, 10 + i);
        if (i === 5 || i === 11) for (let j = 0; j < n; j++) v[j] = 0.25 + Math.abs(v[j]);
        return tensor(v, shape);
      });
      m.setWeights(ws);
      const got = m.getWeights();
      expect(got.map((w) => w.shape)).toEqual(BN_SHAPES);
      got.forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(ws[i].data)));
      // the caller's arrays and the returned copies are not the model's storage
      const y = m.predict(tensor(values(8, 1), [1, 8]));
      ws[0].data.fill(0);
      got[0].data.fill(0);
      expect(Array.from(m.getWeights()[0].data)).toEqual(Array.from(values(128, 10)));
      expect(Array.from(m.predict(tensor(values(8, 1), [1, 8])).data)).toEqual(Array.from(y.data));
    }
  });

  it('setWeights takes plain {shape, data} objects with number arrays', () => {
    const m = new Sequential([new Dense(2, { inputDim: 2 })]);
    m.setWeights([{ shape: [2, 2], data: [1, 2, 3, 4] }, { shape: [2], data: [0.5, -0.5] }]);
    // [1, 1] @ [[1, 2], [3, 4]] + [0.5, -0.5]
    expect(Array.from(m.predict(tensor([[1, 1]])).data)).toEqual([4.5, 5.5]);
  });

  it('setWeights changes predictions on both backends (plan is refreshed)', () => {
    for (const backend of BACKEND_KINDS) {
      setBackend(backend);
      const m = new Sequential([new Dense(1, { inputDim: 2 })]);
      m.setWeights([tensor([1, 1], [2, 1]), tensor([0])]);
      expect(Array.from(m.predict(tensor([[2, 3]])).data)).toEqual([5]);
      m.setWeights([tensor([2, -1], [2, 1]), tensor([1])]);
      expect(Array.from(m.predict(tensor([[2, 3]])).data)).toEqual([2]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// predict
// ---------------------------------------------------------------------------------------------

/** A generator that touches every kernel: Dense, BN, LeakyReLU, bilinear, Conv2D, Conv2DTranspose. */
function wideGenerator(): Sequential {
  setSeed(2024);
  const m = new Sequential();
  m.add(new Dense(4 * 4 * 5, { inputDim: 10 }));
  m.add(new BatchNormalization());
  m.add(new LeakyReLU());
  m.add(new Reshape([4, 4, 5]));
  m.add(new UpSampling2D({ interpolation: 'bilinear' }));
  m.add(new Conv2D(8, 3, { padding: 'same', activation: 'relu' }));
  m.add(new Conv2DTranspose(3, 4, { strides: 2, padding: 'same' }));
  m.add(new BatchNormalization({ epsilon: 0.01 }));
  m.add(new LeakyReLU(0.2));
  m.add(new Conv2D(3, 3, { padding: 'same', activation: 'tanh' }));
  // non-trivial BN statistics
  const w = m.getWeights().map((t, i) => {
    const v = values(t.size, 50 + i);
    if (i === 5 || i === 13) for (let j = 0; j < v.length; j++) v[j] = 0.5 + Math.abs(v[j]);
    return i >= 2 && i <= 5 || i >= 10 && i <= 13 ? tensor(v, t.shape) : t;
  });
  m.setWeights(w);
  return m;
}

function closeTo(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): string | null {
  return mismatch(got, want, tol);
}

describe('predict', () => {
  for (const backend of BACKEND_KINDS) {
    it(`batch 1, 2, 3, 7 give the per-sample results of batch 1 [${backend}]`, () => {
      setBackend(backend);
      expect(getBackend().startsWith(backend)).toBe(true);
      const m = wideGenerator();
      const x = tensor(values(7 * 10, 3), [7, 10]);
      const per = 16 * 16 * 3;
      const single = Array.from({ length: 7 }, (_, i) => m.predict(tensor(x.data.slice(i * 10, i * 10 + 10), [1, 10])));
      for (const s of single) expect(s.shape).toEqual([1, 16, 16, 3]);
      for (const n of [1, 2, 3, 7, 2]) {
        const y = m.predict(tensor(x.data.slice(0, n * 10), [n, 10]));
        expect(y.shape).toEqual([n, 16, 16, 3]);
        for (let i = 0; i < n; i++) {
          expect(closeTo(y.data.subarray(i * per, (i + 1) * per), single[i].data, 1e-6), `batch ${n} sample ${i}`).toBeNull();
        }
      }
    });
  }

  it('the two backends agree within the conformance tolerance', () => {
    const x = tensor(values(3 * 10, 4), [3, 10]);
    setBackend('wasm');
    const a = wideGenerator().predict(x);
    setBackend('js');
    const b = wideGenerator().predict(x);
    expect(closeTo(a.data, b.data, 1e-4)).toBeNull();
  });

  it('switching backend on one model re-plans and gives the same numbers', () => {
    const x = tensor(values(2 * 10, 5), [2, 10]);
    const m = wideGenerator();
    setBackend('js');
    const a = m.predict(x);
    setBackend('wasm');
    const b = m.predict(x);
    setBackend('js');
    expect(Array.from(m.predict(x).data)).toEqual(Array.from(a.data));
    expect(closeTo(a.data, b.data, 1e-4)).toBeNull();
  });

  for (const backend of BACKEND_KINDS) {
    it(`predict results own their data; predictInto writes the same numbers and returns the tensor [${backend}]`, () => {
      setBackend(backend);
      const m = wideGenerator();
      const x1 = tensor(values(2 * 10, 6), [2, 10]);
      const x2 = tensor(values(2 * 10, 7), [2, 10]);
      const y1 = m.predict(x1);
      const copy1 = Array.from(y1.data);
      const y2 = m.predict(x2);
      expect(Array.from(y1.data)).toEqual(copy1);
      expect(Array.from(y2.data)).not.toEqual(copy1);
      expect(y1.data.buffer).not.toBe(y2.data.buffer);

      const out = tensor(new Float32Array(2 * 16 * 16 * 3), [2, 16, 16, 3]);
      const ret = m.predictInto(x1, out);
      expect(ret).toBe(out);
      expect(Array.from(out.data)).toEqual(copy1);
      m.predictInto(x2, out);
      expect(Array.from(out.data)).toEqual(Array.from(y2.data));
      expect(Array.from(y1.data)).toEqual(copy1);
      // a batch size of its own
      const out3 = tensor(new Float32Array(3 * 16 * 16 * 3), [3, 16, 16, 3]);
      const x3 = tensor(values(3 * 10, 8), [3, 10]);
      m.predictInto(x3, out3);
      expect(Array.from(out3.data)).toEqual(Array.from(m.predict(x3).data));
    });
  }

  it('predict accepts nested arrays and Float32Array-backed tensors alike', () => {
    const m = new Sequential([new Dense(2, { inputDim: 3 })]);
    m.setWeights([tensor([1, 0, 0, 1, 1, 1], [3, 2]), tensor([0, 0])]);
    expect(Array.from(m.predict([[1, 2, 3]]).data)).toEqual([4, 5]);
    expect(Array.from(m.predict(tensor(Float32Array.of(1, 2, 3), [1, 3])).data)).toEqual([4, 5]);
  });
});

// ---------------------------------------------------------------------------------------------
// toJSON / modelFromJSON
// ---------------------------------------------------------------------------------------------

describe('toJSON → modelFromJSON', () => {
  it('round trip: identical predictions, summary and config', () => {
    for (const backend of BACKEND_KINDS) {
      setBackend(backend);
      const m = wideGenerator();
      const json = m.toJSON();
      const text = JSON.stringify(json);
      const n = modelFromJSON(text);
      n.setWeights(m.getWeights());
      const x = tensor(values(3 * 10, 9), [3, 10]);
      expect(Array.from(n.predict(x).data)).toEqual(Array.from(m.predict(x).data));
      expect(n.summary(null)).toBe(m.summary(null));
      expect(n.toJSON()).toEqual(json);
      expect(n.name).toBe(m.name);
      // the object form works as well
      expect(modelFromJSON(json).summary(null)).toBe(m.summary(null));
    }
  });

  it('writes the tf.keras 2 layout: Sequential, an InputLayer with batch_input_shape, snake_case configs', () => {
    resetNames();
    const m = new Sequential();
    m.add(new Dense(8, { inputDim: 3, activation: 'relu' }));
    m.add(new Reshape([2, 2, 2]));
    m.add(new Conv2DTranspose(1, 3, { strides: 2, padding: 'same', outputPadding: 1 }));
    m.add(new UpSampling2D({ size: [2, 3], interpolation: 'bilinear' }));
    m.add(new LeakyReLU(0.25));
    const j = m.toJSON() as { class_name: string; config: { name: string; layers: { class_name: string; config: Record<string, unknown> }[] } };
    expect(j.class_name).toBe('Sequential');
    expect(j.config.name).toBe('sequential_1');
    expect(j.config.layers.map((l) => l.class_name)).toEqual(['InputLayer', 'Dense', 'Reshape', 'Conv2DTranspose', 'UpSampling2D', 'LeakyReLU']);
    expect(j.config.layers[0].config.batch_input_shape).toEqual([null, 3]);
    expect(j.config.layers[1].config).toMatchObject({ name: 'dense_1', units: 8, activation: 'relu', use_bias: true });
    expect(j.config.layers[2].config).toMatchObject({ target_shape: [2, 2, 2] });
    expect(j.config.layers[3].config).toMatchObject({
      filters: 1, kernel_size: [3, 3], strides: [2, 2], padding: 'same', output_padding: [1, 1], dilation_rate: [1, 1], data_format: 'channels_last',
    });
    expect(j.config.layers[4].config).toMatchObject({ size: [2, 3], interpolation: 'bilinear' });
    expect(j.config.layers[5].config).toMatchObject({ alpha: 0.25 });
    const back = modelFromJSON(j);
    expect(back.outputShape).toEqual(m.outputShape);
  });

  it('a deferred (unbuilt) model round-trips without an InputLayer', () => {
    const m = new Sequential([new Dense(3), new LeakyReLU()]);
    const j = m.toJSON() as { config: { layers: { class_name: string }[] } };
    expect(j.config.layers.map((l) => l.class_name)).toEqual(['Dense', 'LeakyReLU']);
    const n = modelFromJSON(j);
    expect(n.built).toBe(false);
    expect(n.predict(tensor(values(4, 1), [2, 2])).shape).toEqual([2, 3]);
  });
});

describeShared('modelFromJSON reads every layout', () => {
  const LAYOUTS: { what: string; file: string }[] = [
    { what: 'tf.keras 2 (InputLayer with batch_input_shape)', file: '036_generator_dense_upsampling_conv2d.json' },
    { what: 'tf.keras 2 (InputLayer, Conv2DTranspose)', file: '022_conv2d_transpose_k3_s2_same.json' },
    { what: 'Keras 2.2 (batch_input_shape on the first layer)', file: '005_tutorial_generator_upsampling_full.json' },
    { what: 'Keras 2.2 (batch_input_shape on the first layer, BN in the middle)', file: '037_generator_dcgan_small.json' },
    { what: 'Keras 3 (batch_shape, module, DTypePolicy)', file: '039_keras3_format_generator.json' },
    { what: 'Keras 3 (BatchNormalization, negative_slope)', file: '040_keras3_format_batchnorm_leaky.json' },
  ];

  /** The same config in the wrappers loaders meet. */
  const wrappers = (model: object): [string, string | object][] => [
    ['object', model],
    ['JSON text', JSON.stringify(model)],
    ['tfjs model.json {format, modelTopology}', { format: 'layers-model', generatedBy: 'keras', convertedBy: null, modelTopology: model, weightsManifest: [] }],
    ['tfjs model.json text', JSON.stringify({ format: 'layers-model', modelTopology: model })],
    ['tfjs modelTopology with model_config (from .h5)', { format: 'layers-model', modelTopology: { keras_version: '2.10.0', backend: 'tensorflow', model_config: model } }],
    ['.h5 model_config attribute', { keras_version: '2.10.0', backend: 'tensorflow', model_config: model }],
  ];

  for (const { what, file } of LAYOUTS) {
    it(`${what}: ${file}`, () => {
      const c = loadCase(file);
      for (const backend of BACKEND_KINDS) {
        setBackend(backend);
        let summary: string | null = null;
        for (const [how, json] of wrappers(c.model)) {
          const m = modelFromJSON(json);
          expect(m.outputShape, how).toEqual([null, ...c.expected.shape.slice(1)]);
          m.setWeights(weightTensors(c));
          const y = m.predict(tensor(Float32Array.from(c.input.data), c.input.shape));
          expect(y.shape, how).toEqual(c.expected.shape);
          expect(mismatch(y.data, c.expected.data, c.tolerance), `${how} on ${backend}`).toBeNull();
          const s = m.summary(null);
          if (summary === null) summary = s;
          else expect(s, how).toBe(summary);
        }
      }
    });
  }

  it('Keras 3 names (no _1 suffix) appear as written in the config', () => {
    const m = modelFromJSON(loadCase('039_keras3_format_generator.json').model);
    expect(m.layers.map((l) => l.name)).toEqual(['dense', 'reshape', 'up_sampling2d', 'leaky_re_lu', 'conv2d']);
    expect(m.name).toBe('sequential');
  });
});

describeShared('real Keras generators from ../shared/models (tfjs model.json + shard, .h5 model_config)', () => {
  const MODELS = ['dcgan-fashion-convtranspose', 'fashion-gan-upsampling2d', 'wgan-mnist3-convtranspose', 'mnist-gan-dotkeras'];
  interface Manifest { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }

  for (const name of MODELS) {
    it(name, () => {
      const dir = join(SHARED, 'models', name);
      const modelJson = JSON.parse(readFileSync(join(dir, 'tfjs', 'model.json'), 'utf8'));
      const manifest = modelJson.weightsManifest as Manifest[];
      const ref = JSON.parse(readFileSync(join(dir, 'reference_outputs.json'), 'utf8'));
      const cfg = JSON.parse(readFileSync(join(dir, 'model_config.json'), 'utf8'));
      const fromTfjs = modelFromJSON(readFileSync(join(dir, 'tfjs', 'model.json'), 'utf8'));
      const fromH5 = modelFromJSON(cfg['config.json'] ?? cfg);
      expect(fromH5.summary(null)).toBe(fromTfjs.summary(null));
      expect(fromTfjs.outputShape).toEqual([null, ...ref.outputShape.slice(1)]);

      // the converter wrote the weights layer by layer, as Keras get_weights() orders them
      const specs = manifest.flatMap((g) => g.weights);
      expect(fromTfjs.getWeights().map((w) => w.shape)).toEqual(specs.map((s) => s.shape));
      const names = fromTfjs.layers.flatMap((l) => l.getWeights().map(() => l.name));
      expect(specs.map((s) => s.name.split('/')[0])).toEqual(names);

      const weights: Tensor[] = [];
      for (const group of manifest) {
        const bytes = Buffer.concat(group.paths.map((p) => readFileSync(join(dir, 'tfjs', p))));
        const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        let at = 0;
        for (const s of group.weights) {
          const n = s.shape.reduce((a, b) => a * b, 1);
          weights.push(tensor(all.slice(at, at + n), s.shape));
          at += n;
        }
        expect(at).toBe(all.length);
      }
      const x = tensor(Float32Array.from((ref.inputs as number[][]).flat()), ref.inputShape);
      const expected = Float32Array.from((ref.outputs as number[][]).flat());
      setBackend('wasm');
      for (const m of [fromTfjs, fromH5]) {
        m.setWeights(weights);
        const y = m.predict(x);
        expect(y.shape).toEqual(ref.outputShape);
        expect(mismatch(y.data, expected, 1e-4), `${name} on wasm`).toBeNull();
      }
      // the plain TypeScript reference is slow on these: one latent is enough
      setBackend('js');
      const per = expected.length / ref.inputShape[0];
      const y1 = fromTfjs.predict(tensor(x.data.slice(0, ref.inputShape[1]), [1, ref.inputShape[1]]));
      expect(mismatch(y1.data, expected.subarray(0, per), 1e-4), `${name} on js`).toBeNull();
    });
  }
});

// ---------------------------------------------------------------------------------------------
// initializers, seed
// ---------------------------------------------------------------------------------------------

/** Keras compute_fans: receptive field × the last two dims. */
function glorotLimit(shape: number[]): number {
  const rf = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = shape[shape.length - 2] * rf;
  const fanOut = shape[shape.length - 1] * rf;
  return Math.sqrt(6 / (fanIn + fanOut));
}

describe('fresh weights: Keras default initializers from a seedable generator', () => {
  it('setSeed makes fresh weights reproducible; another seed gives other weights', () => {
    const weightsFor = (seed: number) => {
      setSeed(seed);
      return bnGenerator().getWeights().map((w) => Array.from(w.data));
    };
    const a = weightsFor(42);
    const b = weightsFor(42);
    const c = weightsFor(43);
    expect(b).toEqual(a);
    expect(c[0]).not.toEqual(a[0]);
    expect(c[6]).not.toEqual(a[6]);
    // biases and BN stay at their constants whatever the seed
    expect(c[1]).toEqual(a[1]);
    expect(c[5]).toEqual(a[5]);
  });

  it('a deferred model draws its weights when it is built, from the same stream', () => {
    setSeed(7);
    const eager = new Sequential([new Dense(5, { inputDim: 4 })]);
    setSeed(7);
    const lazy = new Sequential([new Dense(5)]);
    lazy.predict(tensor(values(4, 1), [1, 4]));
    expect(Array.from(lazy.getWeights()[0].data)).toEqual(Array.from(eager.getWeights()[0].data));
  });

  it('glorot_uniform kernels stay within ±sqrt(6 / (fan_in + fan_out)) and fill the range; biases are zero', () => {
    setSeed(99);
    const m = tutorialUpsampling();
    m.add(new Conv2DTranspose(4, [5, 3], { strides: 2, padding: 'same' }));
    m.add(new Conv2D(6, [2, 4], { padding: 'same' }));
    const w = m.getWeights();
    expect(w.map((t) => t.shape)).toEqual([[100, 3200], [3200], [3, 3, 128, 1], [1], [5, 3, 4, 1], [4], [2, 4, 4, 6], [6]]);
    for (const i of [0, 2, 4, 6]) {
      const limit = glorotLimit(w[i].shape);
      const data = Array.from(w[i].data);
      const maxAbs = data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(maxAbs, `kernel ${i}`).toBeLessThanOrEqual(Math.fround(limit));
      expect(maxAbs, `kernel ${i}`).toBeGreaterThan(0.75 * limit);
      const mean = data.reduce((a, b) => a + b, 0) / data.length;
      expect(Math.abs(mean), `kernel ${i}`).toBeLessThan(0.25 * limit);
      expect(data.some((v) => v < 0) && data.some((v) => v > 0)).toBe(true);
      expect(new Set(data).size).toBeGreaterThan(data.length / 2);
    }
    for (const i of [1, 3, 5, 7]) expect(Array.from(w[i].data).every((v) => v === 0)).toBe(true);
    // the Dense kernel: sqrt(6 / 3300)
    expect(glorotLimit([100, 3200])).toBeCloseTo(Math.sqrt(6 / 3300), 12);
  });

  it('fresh models predict finite numbers', () => {
    setSeed(5);
    const m = bnGenerator();
    const y = m.predict(tensor(values(3 * 8, 2), [3, 8]));
    expect(y.data.every(Number.isFinite)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// deferred build
// ---------------------------------------------------------------------------------------------

describe('deferred build (no input shape)', () => {
  it('summary, countParams and getWeights throw an UpconvError until the model is built', () => {
    const m = new Sequential({ name: 'lazy' });
    m.add(new Dense(8));
    m.add(new Reshape([2, 2, 2]));
    m.add(new UpSampling2D());
    expect(m.built).toBe(false);
    expect(m.inputShape).toBeNull();
    expect(m.outputShape).toBeNull();
    for (const f of [() => m.summary(null), () => m.countParams(), () => m.getWeights(), () => m.setWeights([])]) {
      let e: unknown = null;
      try {
        f();
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(UpconvError);
      expect((e as Error).message).toContain('lazy');
      expect((e as Error).message).toMatch(/built/);
    }
  });

  for (const backend of BACKEND_KINDS) {
    it(`predict builds it from the input shape [${backend}]`, () => {
      setBackend(backend);
      resetNames();
      const m = new Sequential();
      m.add(new Dense(8));
      m.add(new Reshape([2, 2, 2]));
      m.add(new UpSampling2D());
      const y = m.predict(tensor(values(15, 1), [3, 5]));
      expect(y.shape).toEqual([3, 4, 4, 2]);
      expect(m.built).toBe(true);
      expect(m.inputShape).toEqual([null, 5]);
      expect(m.outputShape).toEqual([null, 4, 4, 2]);
      expect(m.countParams()).toBe(5 * 8 + 8);
      expect(m.summary(null).split('\n').slice(3, 8)).toEqual([
        'dense_1 (Dense)              (None, 8)                 48        ',
        '_________________________________________________________________',
        'reshape_1 (Reshape)          (None, 2, 2, 2)           0         ',
        '_________________________________________________________________',
        'up_sampling2d_1 (UpSampling2 (None, 4, 4, 2)           0         ',
      ]);
      // other batch sizes after the build
      expect(m.predict(tensor(values(5, 2), [1, 5])).shape).toEqual([1, 4, 4, 2]);
    });
  }

  it('build(inputShape) builds without predicting', () => {
    const m = new Sequential([new Conv2DTranspose(2, 3, { strides: 2 })]);
    m.build([null, 3, 3, 1]);
    expect(m.outputShape).toEqual([null, 7, 7, 2]);
    expect(m.getWeights().map((w) => w.shape)).toEqual([[3, 3, 2, 1], [2]]);
  });
});

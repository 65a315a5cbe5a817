import { describe, expect, it } from 'vitest';
import {
  ConfigError, CustomLayer, type CustomCall, Dense, Input, LeakyReLU, Model, modelFromJSON, registerLayer, resetNames,
  Sequential, setSeed, ShapeError, type Shape, type Tensor, tensor, UpconvError,
} from '../bindings/index.js';
import { BACKENDS, use } from './util/backends.js';
import { Rng } from './util/rng.js';

/** Functional models built in code: Input → layer.apply → Model, nested models, sharing. */

function values(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.uniform(-1, 1));
}

/** y = x @ W + b, in float64, for checking Dense chains without the package. */
function dense(x: Float32Array, rows: number, w: Float32Array, b: Float32Array, inF: number, outF: number): Float64Array {
  const y = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let s = b[o];
      for (let i = 0; i < inF; i++) s += x[r * inF + i] * w[i * outF + o];
      y[r * outF + o] = Math.fround(s);
    }
  }
  return y;
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i]), `index ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i])));
}

describe('Input, apply and Model', () => {
  for (const backend of BACKENDS) {
    it(`two branches from one input, two outputs, on ${backend}`, async () => {
      await use(backend);
      setSeed(5);
      const x = Input({ shape: [3], name: 'x' });
      const a = new Dense(4, { name: 'a' }).apply(x);
      const b = new Dense(2, { name: 'b' }).apply(x);
      const c = new Dense(1, { name: 'c' }).apply(a);
      const m = new Model({ inputs: x, outputs: [c, b], name: 'two_heads' });
      expect(m.outputShape).toEqual([[null, 1], [null, 2]]);
      const [wa, ba, wb, bb, wc, bc] = m.getWeights();
      const xs = values(5 * 3, 1);
      const y = m.predict(tensor(xs, [5, 3])) as Tensor[];
      expect(y.map((t) => t.shape)).toEqual([[5, 1], [5, 2]]);
      // Keras's order: by decreasing depth (a before b: a is deeper), ties by first visit from the outputs
      expect(m.layers.map((l) => l.name)).toEqual(['x', 'a', 'c', 'b']);
      void wb; void bb; void wc; void bc;
      const ws = m.getWeights();
      const byName = Object.fromEntries(m.layers.filter((l) => l.countParams()).map((l, i) => [l.name, [ws[2 * i], ws[2 * i + 1]]]));
      const ya = dense(xs, 5, byName.a[0].data, byName.a[1].data, 3, 4);
      close(y[0].data, dense(Float32Array.from(ya), 5, byName.c[0].data, byName.c[1].data, 4, 1));
      close(y[1].data, dense(xs, 5, byName.b[0].data, byName.b[1].data, 3, 2));
      void wa; void ba;
      // predictInto with an array of outputs
      const outs = [tensor(new Float32Array(5), [5, 1]), tensor(new Float32Array(10), [5, 2])];
      expect(m.predictInto(tensor(xs, [5, 3]), outs)).toBe(outs);
      expect(Array.from(outs[1].data)).toEqual(Array.from(y[1].data));
    });
  }

  it('several inputs: an array in inputs order, or an object by input name', async () => {
    await use('wasm-simd');
    const z = Input({ shape: [2], name: 'z' });
    const label = Input({ shape: [3], name: 'label' });
    const hz = new Dense(4, { name: 'hz' }).apply(z);
    const hl = new Dense(4, { name: 'hl' }).apply(label);
    // no merge layer needed: a model output per branch
    const m = new Model({ inputs: [z, label], outputs: [hz, hl] });
    expect(m.inputNames).toEqual(['z', 'label']);
    const zs = tensor(values(6, 2), [3, 2]);
    const ls = tensor(values(9, 3), [3, 3]);
    const byArray = m.predict([zs, ls]) as Tensor[];
    const byName = m.predict({ label: ls, z: zs }) as Tensor[];
    expect(Array.from(byName[0].data)).toEqual(Array.from(byArray[0].data));
    expect(Array.from(byName[1].data)).toEqual(Array.from(byArray[1].data));
    expect(() => m.predict({ z: zs })).toThrow(/no value for input 'label'/);
    expect(() => m.predict({ z: zs, label: ls, extra: ls })).toThrow(/unknown inputs extra/);
    expect(() => m.predict([zs, tensor(values(8, 3), [4, 2])])).toThrow(ShapeError);
    expect(() => m.predict(zs)).toThrow(/gives 1 input, the model has 2/);
  });

  it('a model called twice is one set of weights (nested, shared)', async () => {
    await use('wasm-simd');
    setSeed(9);
    const inner = new Sequential([new Dense(3, { inputShape: [3], name: 'inner_dense' })], { name: 'block' });
    const x = Input({ shape: [3] });
    const y = inner.apply(inner.apply(x));
    const m = new Model({ inputs: x, outputs: y });
    expect(m.getWeights().length).toBe(2);
    const [w, b] = inner.getWeights();
    const xs = values(2 * 3, 4);
    const once = dense(xs, 2, w.data, b.data, 3, 3);
    const twice = dense(Float32Array.from(once), 2, w.data, b.data, 3, 3);
    close((m.predict(tensor(xs, [2, 3])) as Tensor).data, twice);
    // changing the inner model's weights changes the outer model's output on its next predict
    inner.setWeights([tensor(new Float32Array(9).fill(0), [3, 3]), tensor(Float32Array.of(1, 2, 3), [3])]);
    expect(Array.from((m.predict(tensor(xs, [2, 3])) as Tensor).data)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(m.countParams()).toBe(12);
  });

  it('one layer object in two models: both stay correct (real sharing)', async () => {
    for (const backend of BACKENDS) {
      await use(backend);
      setSeed(2);
      const shared = new Dense(2, { name: 'shared' });
      const m1 = new Sequential([new Dense(4, { inputShape: [3] }), shared]);
      const x1 = tensor(values(3, 7), [1, 3]);
      const before = m1.predict(x1);
      // a second model calls the same layer on inputs of the same width: one set of weights
      const m2 = new Sequential([new Dense(4, { inputShape: [5] }), shared]);
      m2.predict(tensor(values(5, 8), [1, 5]));
      expect(Array.from(m1.predict(x1).data)).toEqual(Array.from(before.data));
      // a third model that would need other weights for it is refused, and nothing changes
      expect(() => new Sequential([new Dense(6, { inputShape: [5] }), shared])).toThrow(/was built for inputs/);
      expect(Array.from(m1.predict(x1).data)).toEqual(Array.from(before.data));
    }
  });

  it('graph errors name the problem', () => {
    const x = Input({ shape: [3], name: 'x_in' });
    const other = Input({ shape: [3], name: 'other_in' });
    const y = new Dense(2, { name: 'needs_other' }).apply(other);
    expect(() => new Model({ inputs: x, outputs: y })).toThrow(/graph disconnected.*other_in/);
    expect(() => new Model({ inputs: [x, x], outputs: y })).toThrow(/listed twice/);
    expect(() => new Model({ inputs: x, outputs: y, unknown: 1 } as never)).toThrow(ConfigError);
    expect(() => new Dense(2).apply(tensor([1, 2]) as never)).toThrow(/symbolic tensors/);
    expect(() => new Dense(2).apply(Input({ shape: [null] }))).toThrow(/last dimension of its input must be known/);
    const d = new Dense(2, { name: 'twice_named' });
    const e = new Dense(2, { name: 'twice_named' });
    expect(() => new Model({ inputs: x, outputs: e.apply(d.apply(x)) })).toThrow(/two layers are named 'twice_named'/);
  });

  it('unknown dimensions are fixed at predict time (a new program per input shape)', async () => {
    await use('wasm-simd');
    const x = Input({ shape: [null, 3] });
    const y = new Dense(2, { name: 'per_row' }).apply(x);
    const m = new Model({ inputs: x, outputs: y });
    expect(m.outputShape).toEqual([null, null, 2]);
    expect((m.predict(tensor(values(2 * 4 * 3, 1), [2, 4, 3])) as Tensor).shape).toEqual([2, 4, 2]);
    expect((m.predict(tensor(values(7 * 3, 1), [1, 7, 3])) as Tensor).shape).toEqual([1, 7, 2]);
    expect(() => m.predict(tensor(values(8, 1), [1, 2, 4]))).toThrow(ShapeError);
  });
});

describe('activation given as a layer', () => {
  it('Dense(…, { activation: new LeakyReLU(0.2) }) equals Dense then LeakyReLU, and round-trips as Keras 3 writes it', async () => {
    for (const backend of BACKENDS) {
      await use(backend);
      setSeed(11);
      const withAct = new Sequential([new Dense(8, { inputShape: [4], activation: new LeakyReLU(0.2) })]);
      const plain = new Sequential([new Dense(8, { inputShape: [4] }), new LeakyReLU(0.2)]);
      plain.setWeights(withAct.getWeights());
      const x = tensor(values(3 * 4, 3), [3, 4]);
      expect(Array.from(withAct.predict(x).data)).toEqual(Array.from(plain.predict(x).data));
      const cfg = (withAct.toJSON() as { config: { layers: { config: { activation: unknown } }[] } }).config.layers[1].config.activation;
      expect(cfg).toMatchObject({ module: 'keras.layers', class_name: 'LeakyReLU', config: { alpha: 0.2 } });
      const back = modelFromJSON(withAct.toJSON());
      back.setWeights(withAct.getWeights());
      expect(Array.from((back.predict(x) as Tensor).data)).toEqual(Array.from(withAct.predict(x).data));
    }
    expect(() => new Dense(2, { activation: new Dense(3) as never })).toThrow(/cannot be an activation/);
    expect(() => new Dense(2, { activation: ((v: number) => v) as never })).toThrow(/a function/);
  });
});

/** A user's layer: doubles its input and adds a learned per-channel offset. */
class DoublePlus extends CustomLayer {
  constructor(config: Record<string, unknown> = {}) {
    super('DoublePlus', { name: config.name as string | undefined });
  }
  computeOutputShape(s: Shape): Shape {
    return [...s];
  }
  weights(inputs: readonly Shape[]) {
    return [{ name: 'offset', shape: [inputs[0][inputs[0].length - 1] as number] }];
  }
  call({ inputs, output, weights }: CustomCall): void {
    const c = weights[0].length;
    for (let i = 0; i < output.length; i++) output[i] = 2 * inputs[0][i] + weights[0][i % c];
  }
  getConfig() {
    return { ...this.baseConfig() };
  }
}

describe('registerLayer: custom layers from a file', () => {
  it('an unknown class lists every unknown item and points at registerLayer; once registered it loads and runs on every backend', async () => {
    resetNames();
    const config = {
      class_name: 'Sequential',
      config: {
        name: 's',
        layers: [
          { class_name: 'Dense', config: { name: 'd', units: 3, batch_input_shape: [null, 2] } },
          { class_name: 'DoublePlus', config: { name: 'dp' } },
          { class_name: 'WhatIsThis', config: { name: 'w' } },
        ],
      },
    };
    expect(() => modelFromJSON(config)).toThrow(/'DoublePlus'.*registerLayer[\s\S]*'WhatIsThis'/);
    registerLayer('DoublePlus', (c) => new DoublePlus(c));
    expect(() => modelFromJSON(config)).toThrow(/WhatIsThis/);
    const m = modelFromJSON({ ...config, config: { ...config.config, layers: config.config.layers.slice(0, 2) } });
    const ws = [tensor(values(6, 1), [2, 3]), tensor(values(3, 2), [3]), tensor(Float32Array.of(10, 20, 30), [3])];
    m.setWeights(ws);
    const x = tensor(values(4, 3), [2, 2]);
    const h = dense(x.data, 2, ws[0].data, ws[1].data, 2, 3);
    const want = Array.from(h, (v, i) => 2 * v + [10, 20, 30][i % 3]);
    for (const backend of BACKENDS) {
      await use(backend);
      close((m.predict(x) as Tensor).data, want);
    }
    expect(() => registerLayer('bad name!', () => new DoublePlus())).toThrow(ConfigError);
    expect(() => registerLayer('X', 3 as never)).toThrow(ConfigError);
  });
});

describe('summary of a functional model (Keras 2.2.4 layout with "Connected to")', () => {
  it('prints the 98-column table with connections and node indices', () => {
    resetNames();
    const x = Input({ shape: [3] });
    const a = new Dense(4).apply(x);
    const b = new Dense(4).apply(x);
    const m = new Model({ inputs: x, outputs: [a, b] });
    const text = m.summary(null);
    const lines = text.split('\n');
    expect(lines.every((l) => l.length === 98 || l.startsWith('Total') || l.startsWith('Trainable') || l.startsWith('Non-trainable'))).toBe(true);
    expect(lines[1]).toBe('Layer (type)                    Output Shape         Param #     Connected to                     ');
    expect(lines[3]).toBe('input_1 (InputLayer)            (None, 3)            0                                            ');
    expect(lines[5]).toBe('dense_1 (Dense)                 (None, 4)            16          input_1[0][0]                    ');
    expect(text).toContain('Total params: 32\nTrainable params: 32\nNon-trainable params: 0');
  });

  it('a chain built with the functional API prints the sequential-like 65-column table', () => {
    resetNames();
    const x = Input({ shape: [3] });
    const m = new Model({ inputs: x, outputs: new Dense(2).apply(x) });
    const lines = m.summary(null).split('\n');
    expect(lines[0].length).toBe(65);
    expect(lines[3]).toBe('input_1 (InputLayer)         (None, 3)                 0         ');
  });
});

describe('toJSON of a functional model reads back (tf.keras 2 layout, nested and shared)', () => {
  it('round trip keeps the graph, the weights order and the outputs', async () => {
    await use('wasm-simd');
    setSeed(21);
    const block = new Sequential([new Dense(3, { inputShape: [3], activation: 'tanh' })], { name: 'block' });
    const x = Input({ shape: [3], name: 'x' });
    const y1 = block.apply(x);
    const y2 = new Dense(2, { name: 'head' }).apply(block.apply(y1));
    const m = new Model({ inputs: x, outputs: [y2, y1], name: 'net' });
    const json = JSON.parse(JSON.stringify(m.toJSON()));
    expect(json.class_name).toBe('Functional');
    expect(json.config.output_layers).toEqual([['head', 0, 0], ['block', 1, 0]]);
    const back = modelFromJSON(json);
    back.setWeights(m.getWeights());
    const xs = tensor(values(6, 5), [2, 3]);
    const a = m.predict(xs) as Tensor[];
    const b = back.predict(xs) as Tensor[];
    expect(b.length).toBe(2);
    expect(Array.from(b[0].data)).toEqual(Array.from(a[0].data));
    expect(Array.from(b[1].data)).toEqual(Array.from(a[1].data));
    expect(back.getWeights().length).toBe(4);
  });

  it('a model that is not built cannot be summarised, counted or saved', () => {
    const s = new Sequential([new Dense(2)]);
    expect(() => s.summary(null)).toThrow(UpconvError);
    expect(() => s.countParams()).toThrow(/not yet been built/);
  });
});

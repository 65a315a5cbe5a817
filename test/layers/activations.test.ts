import { beforeAll, describe, expect, it } from 'vitest';
import {
  Activation, Conv2D, Conv2DTranspose, Dense, init, LeakyReLU, Sequential, type Tensor, tensor,
} from '../../bindings/index.js';
import { BACKENDS, itRunsOnRequestedBackend, predictOn, use } from '../util/backends.js';
import { mismatch } from '../util/close.js';
import * as naive from '../util/naive.js';
import { rng } from '../util/rng.js';

/**
 * Activations (SEMANTICS §5) on both backends against the naive oracle: the Activation layer for
 * every name, the LeakyReLU layer (default slope 0.3, alpha / negativeSlope / positional), and the
 * `activation` option of Dense, Conv2D and Conv2DTranspose (fused into the GEMM or not).
 */

const TOL = 1e-4;
const CHANNELS = [1, 3, 4, 5, 8, 13, 17];
const NAMES = ['linear', 'relu', 'sigmoid', 'tanh', 'leaky_relu'] as const;
const LEADING: number[][] = [[], [2, 3], [1, 1], [3, 1], [4]];
/** Values around zero and far into saturation (exp overflows float32 beyond ~88). */
const SPECIAL = [0, -0, 1e-7, -1e-7, 0.5, -0.5, 1, -1, 5, -5, 20, -20, 50, -50, 88.5, -88.5, 100, -100, 1000, -1000, 3e4, -3e4];

function input(shape: number[], seed: number): Tensor {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = i < SPECIAL.length && seed % 2 === 0 ? SPECIAL[i] : r.normal(0, 3);
  return tensor(data, shape);
}

interface ElemCase {
  name: string;
  shape: number[];
  make: (sample: number[]) => Sequential;
  want: (x: Tensor) => naive.Result;
  seed: number;
}

function elementwiseTable(): ElemCase[] {
  const cases: ElemCase[] = [];
  let seed = 6000;
  for (const leading of LEADING) for (const ch of CHANNELS) {
    const r = rng(seed);
    const shape = [r.int(1, 3), ...leading, ch];
    for (const name of NAMES) {
      cases.push({
        name: `Activation('${name}') x=[${shape}]`, shape, seed: seed++,
        make: (sample) => new Sequential([new Activation(name, { inputShape: sample })]),
        want: (x) => naive.activation(x.data, x.shape, name),
      });
    }
    const slopes: [string, (sample: number[]) => LeakyReLU, number][] = [
      ['LeakyReLU()', (s) => new LeakyReLU({ inputShape: s }), 0.3],
      ['LeakyReLU({alpha: 0.2})', (s) => new LeakyReLU({ alpha: 0.2, inputShape: s }), 0.2],
      ['LeakyReLU({alpha: 0.01})', (s) => new LeakyReLU({ alpha: 0.01, inputShape: s }), 0.01],
      ['LeakyReLU({negativeSlope: 0.5})', (s) => new LeakyReLU({ negativeSlope: 0.5, inputShape: s }), 0.5],
      ['LeakyReLU(0.1, {...})', (s) => new LeakyReLU(0.1, { inputShape: s }), 0.1],
      ['LeakyReLU({alpha: 0})', (s) => new LeakyReLU({ alpha: 0, inputShape: s }), 0],
      ['LeakyReLU({alpha: 1.5})', (s) => new LeakyReLU({ alpha: 1.5, inputShape: s }), 1.5],
    ];
    const [label, make, alpha] = slopes[(seed + ch) % slopes.length];
    cases.push({
      name: `${label} x=[${shape}]`, shape, seed: seed++,
      make: (sample) => new Sequential([make(sample)]),
      want: (x) => naive.leakyReLU(x.data, x.shape, alpha),
    });
  }
  return cases;
}

interface FusedCase {
  name: string;
  build: () => { model: Sequential; x: Tensor; want: naive.Result };
}

/** The activation option on the weighted layers, every name on each. */
function fusedTable(): FusedCase[] {
  const cases: FusedCase[] = [];
  let seed = 7000;
  for (const name of NAMES) {
    for (const ch of [1, 5, 13, 17]) {
      const s1 = seed++;
      cases.push({
        name: `Dense(${ch}, activation '${name}')`,
        build: () => {
          const r = rng(s1);
          const k = r.normalF32(7 * ch, 2);
          const b = r.uniformF32(ch, -1, 1);
          const model = new Sequential([new Dense(ch, { inputDim: 7, activation: name })]);
          model.setWeights([tensor(k, [7, ch]), tensor(b, [ch])]);
          const x = tensor(r.normalF32(3 * 7, 2), [3, 7]);
          return { model, x, want: naive.dense(x.data, x.shape, k, [7, ch], b, name) };
        },
      });
      const s2 = seed++;
      cases.push({
        name: `Conv2D(${ch}, 3x3, same, activation '${name}')`,
        build: () => {
          const r = rng(s2);
          const k = r.normalF32(9 * 4 * ch, 1);
          const b = r.uniformF32(ch, -1, 1);
          const model = new Sequential([new Conv2D(ch, 3, { padding: 'same', activation: name, inputShape: [5, 4, 4] })]);
          model.setWeights([tensor(k, [3, 3, 4, ch]), tensor(b, [ch])]);
          const x = tensor(r.normalF32(2 * 5 * 4 * 4, 1), [2, 5, 4, 4]);
          return { model, x, want: naive.conv2d(x.data, x.shape, k, [3, 3, 4, ch], b, { padding: 'same', activation: name }) };
        },
      });
      const s3 = seed++;
      cases.push({
        name: `Conv2DTranspose(${ch}, 3x3, s2, same, activation '${name}')`,
        build: () => {
          const r = rng(s3);
          const k = r.normalF32(9 * ch * 3, 1);
          const b = r.uniformF32(ch, -1, 1);
          const model = new Sequential([new Conv2DTranspose(ch, 3, { strides: 2, padding: 'same', activation: name, inputShape: [3, 2, 3] })]);
          model.setWeights([tensor(k, [3, 3, ch, 3]), tensor(b, [ch])]);
          const x = tensor(r.normalF32(2 * 3 * 2 * 3, 1), [2, 3, 2, 3]);
          return { model, x, want: naive.conv2dTranspose(x.data, x.shape, k, [3, 3, ch, 3], b, { strides: [2, 2], padding: 'same', activation: name }) };
        },
      });
    }
  }
  return cases;
}

const elementwise = elementwiseTable();
const fused = fusedTable();

beforeAll(async () => {
  await init();
});

describe('activations: the oracle itself', () => {
  it('leaky_relu string slope is 0.2, LeakyReLU layer default 0.3', async () => {
    expect(naive.activate('leaky_relu', -1)).toBe(-0.2);
    expect(naive.leakyReLU([-1], [1, 1]).data[0]).toBe(-0.3);
    expect(naive.activate('sigmoid', 0)).toBe(0.5);
    expect(naive.activate('relu', -3)).toBe(0);
  });

  it('covers every name, channel count and batch', async () => {
    for (const n of NAMES) expect(elementwise.some((c) => c.name.includes(`'${n}'`))).toBe(true);
    for (const ch of CHANNELS) expect(elementwise.some((c) => c.shape[c.shape.length - 1] === ch)).toBe(true);
    for (const b of [1, 2, 3]) expect(elementwise.some((c) => c.shape[0] === b)).toBe(true);
  });
});

describe('activations: shapes and params', () => {
  it.each(elementwise.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const m = c.make(c.shape.slice(1));
    expect(m.outputShape).toEqual([null, ...c.shape.slice(1)]);
    expect(m.countParams()).toBe(0);
    expect(m.getWeights()).toEqual([]);
  });
});

for (const backend of BACKENDS) {
  describe(`activations vs naive oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);

    it.each(elementwise.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const m = c.make(c.shape.slice(1));
      const x = input(c.shape, c.seed);
      const want = c.want(x);
      const got = await predictOn(backend, m, x);
      expect(got.shape).toEqual(want.shape);
      expect(mismatch(got.data, want.data, TOL)).toBeNull();
    });

    it.each(fused.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const { model, x, want } = c.build();
      const got = await predictOn(backend, model, x);
      expect(got.shape).toEqual(want.shape);
      expect(mismatch(got.data, want.data, TOL)).toBeNull();
    });

    it('saturation: sigmoid and tanh stay finite and saturate at ±1000 and ±3e4', async () => {
      await use(backend);
      const x = tensor([1000, -1000, 3e4, -3e4, 89, -89], [1, 6]);
      const sig = new Sequential([new Activation('sigmoid', { inputShape: [6] })]).predict(x);
      const th = new Sequential([new Activation('tanh', { inputShape: [6] })]).predict(x);
      // mismatch() also fails NaN / Infinity (e.g. tanh as (e^2x - 1) / (e^2x + 1) overflowing to inf/inf)
      expect(mismatch(sig.data, [1, 0, 1, 0, 1, 1 / (1 + Math.exp(89))], 1e-6)).toBeNull();
      expect(mismatch(th.data, [1, -1, 1, -1, 1, -1], 1e-6)).toBeNull();
    });

    it('Dense → LeakyReLU → Activation chain (in place after a GEMM)', async () => {
      const r = rng(99);
      const k = r.normalF32(6 * 13, 1);
      const b = r.uniformF32(13, -1, 1);
      const m = new Sequential([new Dense(13, { inputDim: 6 }), new LeakyReLU({ alpha: 0.15 }), new Activation('tanh')]);
      m.setWeights([tensor(k, [6, 13]), tensor(b, [13])]);
      const x = tensor(r.normalF32(12, 1), [2, 6]);
      let y = naive.toF32(naive.dense(x.data, x.shape, k, [6, 13], b));
      y = naive.toF32(naive.leakyReLU(y.data, y.shape, 0.15));
      y = naive.activation(y.data, y.shape, 'tanh');
      const got = await predictOn(backend, m, x);
      expect(got.shape).toEqual([2, 13]);
      expect(mismatch(got.data, y.data, TOL)).toBeNull();
    });
  });
}

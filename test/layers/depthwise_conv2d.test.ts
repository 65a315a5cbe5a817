import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DepthwiseConv2D, init, modelFromJSON, ModelFormatError, Sequential, ShapeError, tensor } from '../../bindings/index.js';
import { BACKENDS, itMatchesOracle, itRunsOnRequestedBackend, use } from '../util/backends.js';
import * as naive from '../util/naive.js';
import { depthwiseConv2d } from '../util/naive_depthwise.js';
import { rng } from '../util/rng.js';
import { expectConfigRoundTrip } from '../util/round_trip.js';

/**
 * DepthwiseConv2D on every backend against the per-channel Conv2D oracle (SEMANTICS-functional
 * §3: output channel c·M + m, Conv2D's padding and strides), over channels × multipliers that
 * hit the kernel's 8/4/scalar channel tails and its M = 1, 2 tiles and generic path, pixel
 * counts that are not multiples of 4, strides, dilation, kernels up to 7 and odd input sizes.
 */

type Pair = [number, number];

const TOL = 1e-4;
const CHANNELS = [1, 3, 4, 5, 8, 13, 17];
const MULTIPLIERS = [1, 1, 2, 2, 3, 4, 5];
const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'leaky_relu'] as const;
const STRIDES: Pair[] = [[1, 1], [2, 2], [2, 3], [3, 1]];
const KERNELS: Pair[] = [[1, 1], [2, 2], [3, 3], [5, 5], [7, 7], [1, 3], [4, 2]];
const DILATIONS: Pair[] = [[2, 2], [1, 3], [3, 2]];
const INPUTS: Pair[] = [[1, 1], [3, 3], [5, 7], [7, 3], [9, 9], [4, 6], [2, 5], [11, 5]];

interface Case {
  name: string;
  input: Pair;
  batch: number;
  channels: number;
  multiplier: number;
  kernel: Pair;
  strides: Pair;
  dilation: Pair;
  padding: 'same' | 'valid';
  useBias: boolean;
  activation: (typeof ACTIVATIONS)[number];
  seed: number;
}

function makeCase(seed: number, strides: Pair, dilation: Pair, kernel: Pair, padding: 'same' | 'valid'): Case | null {
  const r = rng(seed);
  const fits = INPUTS.filter((inp) => [0, 1].every((a) => naive.convOutputLength(inp[a], kernel[a], strides[a], dilation[a], padding) >= 1));
  if (!fits.length) return null;
  const c: Case = {
    name: '', input: r.pick(fits), batch: r.int(1, 3), channels: r.pick(CHANNELS), multiplier: r.pick(MULTIPLIERS),
    kernel, strides, dilation, padding, useBias: r.bool(0.7), activation: r.pick(ACTIVATIONS), seed,
  };
  c.name = `in=${c.batch}x${c.input.join('x')}x${c.channels} M=${c.multiplier} k=${kernel.join('x')} s=${strides.join('x')} ` +
    `d=${dilation.join('x')} ${padding} ${c.useBias ? 'bias' : 'nobias'} ${c.activation}`;
  return c;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 7000;
  for (const strides of STRIDES) for (const kernel of KERNELS) for (const padding of ['valid', 'same'] as const) {
    const c = makeCase(seed++, strides, [1, 1], kernel, padding);
    if (c) cases.push(c);
  }
  for (const dilation of DILATIONS) for (const kernel of KERNELS) for (const padding of ['valid', 'same'] as const) {
    const c = makeCase(seed++, [1, 1], dilation, kernel, padding);
    if (c) cases.push(c);
  }
  // every channel count with every multiplier kind, on a Fast-SRGAN-like 3x3 'same'
  for (const channels of [...CHANNELS, 32, 35]) for (const multiplier of [1, 2, 3, 4]) {
    const c = makeCase(seed++, [1, 1], [1, 1], [3, 3], 'same');
    if (c) cases.push({ ...c, channels, multiplier, name: `${c.name.replace(/x\d+ M=\d+/, `x${channels} M=${multiplier}`)}` });
  }
  return cases;
}

function build(c: Case) {
  const r = rng(c.seed * 13 + 5);
  const [kh, kw] = c.kernel;
  const C = c.channels;
  const M = c.multiplier;
  const kernelShape = [kh, kw, C, M];
  const kernel = r.normalF32(kh * kw * C * M, 1.5 / Math.sqrt(kh * kw));
  const bias = c.useBias ? r.uniformF32(C * M, -1, 1) : null;
  const model = new Sequential([new DepthwiseConv2D([kh, kw], {
    strides: c.strides, padding: c.padding, dilationRate: c.dilation, depthMultiplier: M, activation: c.activation,
    useBias: c.useBias, inputShape: [c.input[0], c.input[1], C],
  })]);
  model.setWeights(bias ? [tensor(kernel, kernelShape), tensor(bias, [C * M])] : [tensor(kernel, kernelShape)]);
  const x = tensor(r.uniformF32(c.batch * c.input[0] * c.input[1] * C, -2, 2), [c.batch, c.input[0], c.input[1], C]);
  const want = depthwiseConv2d(x.data, x.shape, kernel, kernelShape, bias, {
    strides: c.strides, padding: c.padding, dilation: c.dilation, activation: c.activation,
  });
  return { model, x, want };
}

const table = buildTable();

beforeAll(async () => {
  await init();
});

describe('DepthwiseConv2D: the oracle itself', () => {
  it('output channel c·M + m is channel c convolved with kernel[:, :, c, m] (by hand)', () => {
    // 1x2 image, 2 channels, 1x1 kernel, M = 2: out[c·2 + m] = x[c]·k[c][m]
    const y = depthwiseConv2d([1, 10, 2, 20], [1, 1, 2, 2], [3, 4, 5, 6], [1, 1, 2, 2], null);
    expect(Array.from(y.data)).toEqual([3, 4, 50, 60, 6, 8, 100, 120]);
  });
});

describe('DepthwiseConv2D: the table covers what it should', () => {
  it('hits channels, multipliers, batches, strides, dilations and odd inputs', () => {
    for (const ch of CHANNELS) expect(table.some((c) => c.channels === ch), `channels ${ch}`).toBe(true);
    for (const m of [1, 2, 3, 4, 5]) expect(table.some((c) => c.multiplier === m), `M ${m}`).toBe(true);
    for (const b of [1, 2, 3]) expect(table.some((c) => c.batch === b)).toBe(true);
    for (const s of STRIDES) for (const p of ['same', 'valid']) expect(table.some((c) => c.strides === s && c.padding === p)).toBe(true);
    for (const d of DILATIONS) expect(table.some((c) => c.dilation === d)).toBe(true);
    // J = C·M with J % 8 in 4..7 (the 4-wide tile) and J % 4 != 0 (the scalar tail), for M = 1 and 2
    for (const M of [1, 2]) {
      expect(table.some((c) => c.multiplier === M && (c.channels * M) % 8 >= 4)).toBe(true);
      expect(table.some((c) => c.multiplier === M && (c.channels * M) % 4 !== 0)).toBe(true);
    }
    expect(table.length).toBeGreaterThan(100);
  });
});

describe('DepthwiseConv2D: shapes, params and weight layout', () => {
  it.each(table.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { model } = build(c);
    const [kh, kw] = c.kernel;
    const oh = naive.convOutputLength(c.input[0], kh, c.strides[0], c.dilation[0], c.padding);
    const ow = naive.convOutputLength(c.input[1], kw, c.strides[1], c.dilation[1], c.padding);
    const J = c.channels * c.multiplier;
    expect(model.outputShape).toEqual([null, oh, ow, J]);
    expect(model.countParams()).toBe(kh * kw * J + (c.useBias ? J : 0));
    expect(model.getWeights().map((w) => w.shape)).toEqual(c.useBias ? [[kh, kw, c.channels, c.multiplier], [J]] : [[kh, kw, c.channels, c.multiplier]]);
  });
});

for (const backend of BACKENDS) {
  describe(`DepthwiseConv2D vs naive oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);
    itMatchesOracle(backend, table, build, TOL);

    it("'same' asymmetric padding by hand: [1,2,3,4] * [1,10] → [21,32,43,4] per channel", async () => {
      await use(backend);
      const m = new Sequential([new DepthwiseConv2D([1, 2], { padding: 'same', useBias: false, inputShape: [1, 4, 2] })]);
      m.setWeights([tensor([1, 2, 10, 20], [1, 2, 2, 1])]);
      // channel 1 holds 2·x, kernel [2, 20]: 4× channel 0's result
      expect(Array.from(m.predict(tensor([1, 2, 2, 4, 3, 6, 4, 8], [1, 1, 4, 2])).data)).toEqual([21, 84, 32, 128, 43, 172, 4, 16]);
    });

    it('config round trip (getConfig → modelFromJSON) predicts the same', async () => {
      await use(backend);
      const { model, x } = build(table.find((c) => c.multiplier === 2 && c.useBias)!);
      expectConfigRoundTrip(model, x);
    });
  });
}

describe('DepthwiseConv2D: config and bad arguments', () => {
  it('writes the tf.keras 2 config keys', () => {
    const cfg = new DepthwiseConv2D(3, { depthMultiplier: 2, strides: 2, padding: 'same', name: 'dw' }).getConfig();
    expect(Object.keys(cfg)).toEqual(['name', 'trainable', 'dtype', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate',
      'activation', 'use_bias', 'depth_multiplier', 'depthwise_initializer', 'bias_initializer', 'depthwise_regularizer',
      'bias_regularizer', 'activity_regularizer', 'depthwise_constraint', 'bias_constraint']);
    expect(cfg).toMatchObject({ kernel_size: [3, 3], strides: [2, 2], padding: 'same', depth_multiplier: 2 });
  });

  it('rejects bad arguments with ConfigError', () => {
    expect(() => new DepthwiseConv2D(0)).toThrow(ConfigError);
    expect(() => new DepthwiseConv2D(3, { depthMultiplier: 0 })).toThrow(ConfigError);
    expect(() => new DepthwiseConv2D(3, { depthMultiplier: 1.5 })).toThrow(ConfigError);
    expect(() => new DepthwiseConv2D(3, { strides: [2, 2], dilationRate: 2 })).toThrow(ConfigError);
    expect(() => new DepthwiseConv2D(3, { padding: 'full' as 'same' })).toThrow(ConfigError);
    expect(() => new DepthwiseConv2D(3, { dataFormat: 'channels_first' as 'channels_last' })).toThrow(ConfigError);
    expect(() => new DepthwiseConv2D(3, { filters: 4 } as object)).toThrow(ConfigError);
  });

  it('rejects inputs that are not images, and outputs that would be empty, with ShapeError', () => {
    expect(() => new Sequential([new DepthwiseConv2D(3, { inputShape: [8] })])).toThrow(ShapeError);
    expect(() => new Sequential([new DepthwiseConv2D(5, { inputShape: [3, 3, 2] })])).toThrow(ShapeError);
  });

  it('takes a Keras 3 activation object (a serialized LeakyReLU) and writes it back', () => {
    const json = new Sequential([new DepthwiseConv2D(1, { inputShape: [1, 2, 1], useBias: false })]).toJSON() as { config: { layers: { config: Record<string, unknown> }[] } };
    json.config.layers[1].config.activation = { module: 'keras.layers', class_name: 'LeakyReLU', config: { name: 'lr', negative_slope: 0.5 }, registered_name: null };
    const m = modelFromJSON(json);
    m.setWeights([tensor([2], [1, 1, 1, 1])]);
    expect(Array.from((m.predict(tensor([3, -4], [1, 1, 2, 1])) as { data: Float32Array }).data)).toEqual([6, -4]);
    expect((m.toJSON() as typeof json).config.layers[1].config.activation).toMatchObject({ class_name: 'LeakyReLU' });
  });

  it('a file with an unknown DepthwiseConv2D key is refused naming it', () => {
    const json = new Sequential([new DepthwiseConv2D(3, { inputShape: [4, 4, 2] })]).toJSON() as { config: { layers: { config: Record<string, unknown> }[] } };
    json.config.layers[1].config.depthwise_magic = 1;
    expect(() => modelFromJSON(json)).toThrow(/depthwise_magic/);
    expect(() => modelFromJSON(json)).toThrow(ModelFormatError);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, init, SeparableConv2D, Sequential, ShapeError, tensor } from '../../bindings/index.js';
import { BACKENDS, itMatchesOracle, itRunsOnRequestedBackend, use } from '../util/backends.js';
import * as naive from '../util/naive.js';
import { separableConv2d } from '../util/naive_depthwise.js';
import { rng } from '../util/rng.js';
import { expectConfigRoundTrip } from '../util/round_trip.js';

/**
 * SeparableConv2D on every backend against the oracle "depthwise (no bias), float32 rounding,
 * 1×1 Conv2D with bias and activation" (SEMANTICS-functional §3, §5), over channels,
 * multipliers and filter counts that hit the depthwise tails and both GEMM kernels (idot for
 * filters ≤ 3, igemm panels above), strides, dilation and padding.
 */

type Pair = [number, number];

const TOL = 1e-4;
const CHANNELS = [1, 3, 4, 5, 8, 13, 17];
const FILTERS = [1, 2, 3, 4, 5, 8, 9, 17];
const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'leaky_relu'] as const;
const GEOMETRY: { kernel: Pair; strides: Pair; dilation: Pair }[] = [
  { kernel: [3, 3], strides: [1, 1], dilation: [1, 1] },
  { kernel: [3, 3], strides: [2, 2], dilation: [1, 1] },
  { kernel: [5, 3], strides: [1, 2], dilation: [1, 1] },
  { kernel: [3, 3], strides: [1, 1], dilation: [2, 2] },
  { kernel: [1, 1], strides: [1, 1], dilation: [1, 1] },
  { kernel: [2, 4], strides: [3, 1], dilation: [1, 1] },
];
const INPUTS: Pair[] = [[5, 5], [7, 3], [4, 6], [9, 9], [6, 11]];

interface Case {
  name: string;
  input: Pair;
  batch: number;
  channels: number;
  multiplier: number;
  filters: number;
  kernel: Pair;
  strides: Pair;
  dilation: Pair;
  padding: 'same' | 'valid';
  useBias: boolean;
  activation: (typeof ACTIVATIONS)[number];
  seed: number;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 9100;
  for (const g of GEOMETRY) for (const padding of ['valid', 'same'] as const) for (let rep = 0; rep < 5; rep++) {
    const r = rng(seed);
    const c: Case = {
      name: '', input: r.pick(INPUTS), batch: r.int(1, 3), channels: r.pick(CHANNELS), multiplier: r.pick([1, 1, 2, 3]),
      filters: r.pick(FILTERS), ...g, padding, useBias: r.bool(0.7), activation: r.pick(ACTIVATIONS), seed: seed++,
    };
    c.name = `in=${c.batch}x${c.input.join('x')}x${c.channels} M=${c.multiplier} f=${c.filters} k=${c.kernel.join('x')} ` +
      `s=${c.strides.join('x')} d=${c.dilation.join('x')} ${padding} ${c.useBias ? 'bias' : 'nobias'} ${c.activation}`;
    cases.push(c);
  }
  return cases;
}

function build(c: Case) {
  const r = rng(c.seed * 7 + 3);
  const [kh, kw] = c.kernel;
  const C = c.channels;
  const M = c.multiplier;
  const dShape = [kh, kw, C, M];
  const pShape = [1, 1, C * M, c.filters];
  const depthwise = r.normalF32(kh * kw * C * M, 1 / Math.sqrt(kh * kw));
  const pointwise = r.normalF32(C * M * c.filters, 1 / Math.sqrt(C * M));
  const bias = c.useBias ? r.uniformF32(c.filters, -1, 1) : null;
  const model = new Sequential([new SeparableConv2D(c.filters, [kh, kw], {
    strides: c.strides, padding: c.padding, dilationRate: c.dilation, depthMultiplier: M, activation: c.activation,
    useBias: c.useBias, inputShape: [c.input[0], c.input[1], C],
  })]);
  const ws = [tensor(depthwise, dShape), tensor(pointwise, pShape)];
  if (bias) ws.push(tensor(bias, [c.filters]));
  model.setWeights(ws);
  const x = tensor(r.uniformF32(c.batch * c.input[0] * c.input[1] * C, -2, 2), [c.batch, c.input[0], c.input[1], C]);
  const want = separableConv2d(x.data, x.shape, depthwise, dShape, pointwise, pShape, bias, {
    strides: c.strides, padding: c.padding, dilation: c.dilation, activation: c.activation,
  });
  return { model, x, want };
}

const table = buildTable().filter((c) => [0, 1].every((a) => naive.convOutputLength(c.input[a], c.kernel[a], c.strides[a], c.dilation[a], c.padding) >= 1));

beforeAll(async () => {
  await init();
});

describe('SeparableConv2D: the table covers what it should', () => {
  it('hits channels, filters on both GEMM kernels, multipliers and batches', () => {
    for (const f of [1, 3, 4, 9]) expect(table.some((c) => c.filters === f), `filters ${f}`).toBe(true);
    for (const m of [1, 2, 3]) expect(table.some((c) => c.multiplier === m)).toBe(true);
    for (const b of [1, 2, 3]) expect(table.some((c) => c.batch === b)).toBe(true);
    expect(table.some((c) => (c.channels * c.multiplier) % 4 !== 0)).toBe(true);
    expect(table.length).toBeGreaterThan(50);
  });
});

describe('SeparableConv2D: shapes, params and weight order', () => {
  it.each(table.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { model } = build(c);
    const [kh, kw] = c.kernel;
    const J = c.channels * c.multiplier;
    const oh = naive.convOutputLength(c.input[0], kh, c.strides[0], c.dilation[0], c.padding);
    const ow = naive.convOutputLength(c.input[1], kw, c.strides[1], c.dilation[1], c.padding);
    expect(model.outputShape).toEqual([null, oh, ow, c.filters]);
    expect(model.countParams()).toBe(kh * kw * J + J * c.filters + (c.useBias ? c.filters : 0));
    const shapes = [[kh, kw, c.channels, c.multiplier], [1, 1, J, c.filters]];
    expect(model.getWeights().map((w) => w.shape)).toEqual(c.useBias ? [...shapes, [c.filters]] : shapes);
  });
});

for (const backend of BACKENDS) {
  describe(`SeparableConv2D vs naive oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);
    itMatchesOracle(backend, table, build, TOL);

    it('by hand: depthwise then pointwise (1x1 image, 2 channels, M 1, 1 filter)', async () => {
      await use(backend);
      const m = new Sequential([new SeparableConv2D(1, 1, { inputShape: [1, 1, 2] })]);
      m.setWeights([tensor([2, 3], [1, 1, 2, 1]), tensor([10, 100], [1, 1, 2, 1]), tensor([0.5], [1])]);
      // (1·2)·10 + (4·3)·100 + 0.5
      expect(Array.from(m.predict(tensor([1, 4], [1, 1, 1, 2])).data)).toEqual([1220.5]);
    });

    it('config round trip (getConfig → modelFromJSON) predicts the same', async () => {
      await use(backend);
      const { model, x } = build(table.find((c) => c.multiplier === 2)!);
      expectConfigRoundTrip(model, x);
    });
  });
}

describe('SeparableConv2D: config and bad arguments', () => {
  it('writes the tf.keras 2 config keys', () => {
    const cfg = new SeparableConv2D(4, 3, { depthMultiplier: 2, name: 'sep' }).getConfig();
    expect(Object.keys(cfg)).toEqual(['name', 'trainable', 'dtype', 'filters', 'kernel_size', 'strides', 'padding', 'data_format',
      'dilation_rate', 'activation', 'use_bias', 'depth_multiplier', 'depthwise_initializer', 'pointwise_initializer',
      'bias_initializer', 'depthwise_regularizer', 'pointwise_regularizer', 'bias_regularizer', 'activity_regularizer',
      'depthwise_constraint', 'pointwise_constraint', 'bias_constraint']);
  });

  it('rejects bad arguments with ConfigError and non-image inputs with ShapeError', () => {
    expect(() => new SeparableConv2D(0, 3)).toThrow(ConfigError);
    expect(() => new SeparableConv2D(2, 3, { depthMultiplier: -1 })).toThrow(ConfigError);
    expect(() => new SeparableConv2D(2, 3, { strides: 2, dilationRate: 2 })).toThrow(ConfigError);
    expect(() => new Sequential([new SeparableConv2D(2, 3, { inputShape: [5, 5] })])).toThrow(ShapeError);
  });
});

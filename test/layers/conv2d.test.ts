import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Conv2D, init, Sequential, tensor } from '../../bindings/index.js';
import { BACKENDS, itMatchesOracle, itRunsOnRequestedBackend, use } from '../util/backends.js';
import * as naive from '../util/naive.js';
import { rng } from '../util/rng.js';

/**
 * Conv2D on both backends against the naive oracle (SEMANTICS §2: cross-correlation, 'same' puts
 * the extra padding pixel at the end), over strides × kernels (up to 7) × padding and a dilation
 * table, with odd input sizes.
 */

type Pair = [number, number];

const TOL = 1e-4;
const CHANNELS = [1, 3, 4, 5, 8, 13, 17];
const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'leaky_relu'] as const;
const STRIDES: Pair[] = [[1, 1], [2, 2], [2, 3], [3, 1], [1, 2], [3, 3]];
const KERNELS: Pair[] = [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [7, 7], [1, 3], [3, 1], [4, 2], [7, 2], [2, 5]];
const DILATIONS: Pair[] = [[2, 2], [1, 3], [3, 2], [2, 1]];
const INPUTS: Pair[] = [[1, 1], [3, 3], [5, 7], [7, 3], [9, 9], [4, 6], [2, 5], [8, 1], [11, 5], [1, 9]];

interface Case {
  name: string;
  input: Pair;
  batch: number;
  cin: number;
  cout: number;
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
  const input = r.pick(fits);
  const c: Case = {
    name: '', input, batch: r.int(1, 3), cin: r.pick(CHANNELS), cout: r.pick(CHANNELS),
    kernel, strides, dilation, padding, useBias: r.bool(0.7), activation: r.pick(ACTIVATIONS), seed,
  };
  c.name = `in=${c.batch}x${input.join('x')}x${c.cin} f=${c.cout} k=${kernel.join('x')} s=${strides.join('x')} d=${dilation.join('x')} ` +
    `${padding} ${c.useBias ? 'bias' : 'nobias'} ${c.activation}`;
  return c;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 2000;
  for (const strides of STRIDES) for (const kernel of KERNELS) for (const padding of ['valid', 'same'] as const) {
    for (let rep = 0; rep < 2; rep++) {
      const c = makeCase(seed++, strides, [1, 1], kernel, padding);
      if (c) cases.push(c);
    }
  }
  for (const dilation of DILATIONS) for (const kernel of KERNELS) for (const padding of ['valid', 'same'] as const) {
    const c = makeCase(seed++, [1, 1], dilation, kernel, padding);
    if (c) cases.push(c);
  }
  return cases;
}

function build(c: Case) {
  const r = rng(c.seed * 13 + 5);
  const [kh, kw] = c.kernel;
  const kernelShape = [kh, kw, c.cin, c.cout];
  const kernel = r.normalF32(kh * kw * c.cin * c.cout, 1.5 / Math.sqrt(kh * kw * c.cin));
  const bias = c.useBias ? r.uniformF32(c.cout, -1, 1) : null;
  const model = new Sequential();
  model.add(new Conv2D(c.cout, [kh, kw], {
    strides: c.strides, padding: c.padding, dilationRate: c.dilation, activation: c.activation, useBias: c.useBias,
    inputShape: [c.input[0], c.input[1], c.cin],
  }));
  model.setWeights(bias ? [tensor(kernel, kernelShape), tensor(bias, [c.cout])] : [tensor(kernel, kernelShape)]);
  const x = tensor(r.uniformF32(c.batch * c.input[0] * c.input[1] * c.cin, -2, 2), [c.batch, c.input[0], c.input[1], c.cin]);
  const want = naive.conv2d(x.data, x.shape, kernel, kernelShape, bias, {
    strides: c.strides, padding: c.padding, dilation: c.dilation, activation: c.activation,
  });
  return { model, x, want };
}

const table = buildTable();

beforeAll(async () => {
  await init();
});

describe('Conv2D: the oracle itself (SEMANTICS §2)', () => {
  it("'same' puts the extra padding pixel at the end", () => {
    // n=4, k=4, s=1: total 3 → 1 before, 2 after; n=5, k=2, s=2: out 3, total 1 → 0 before
    expect(naive.convPadBefore(4, 4, 1, 1, 'same')).toBe(1);
    expect(naive.convPadBefore(5, 2, 2, 1, 'same')).toBe(0);
    expect(naive.convPadBefore(6, 3, 2, 1, 'same')).toBe(0);
    expect(naive.convPadBefore(7, 3, 1, 2, 'same')).toBe(2);
    // a 1-D check by hand: x = [1, 2, 3, 4], k = [1, 10], same, stride 1 → pads (0, 1)
    const y = naive.conv2d([1, 2, 3, 4], [1, 1, 4, 1], [1, 10], [1, 2, 1, 1], null, { padding: 'same' });
    expect(Array.from(y.data)).toEqual([21, 32, 43, 4]);
  });
});

describe('Conv2D: the table covers what it should', () => {
  it('hits channels, batches, kernels up to 7, strides, dilations and odd inputs', async () => {
    for (const ch of CHANNELS) {
      expect(table.some((c) => c.cin === ch), `cin ${ch}`).toBe(true);
      expect(table.some((c) => c.cout === ch), `cout ${ch}`).toBe(true);
    }
    for (const b of [1, 2, 3]) expect(table.some((c) => c.batch === b)).toBe(true);
    for (const s of STRIDES) for (const p of ['same', 'valid']) expect(table.some((c) => c.strides === s && c.padding === p)).toBe(true);
    for (const d of DILATIONS) expect(table.some((c) => c.dilation === d)).toBe(true);
    expect(table.some((c) => c.kernel[0] === 7 && c.kernel[1] === 7)).toBe(true);
    expect(table.some((c) => c.input[0] % 2 === 1 && c.input[1] % 2 === 1 && c.padding === 'same' && c.strides[0] > 1)).toBe(true);
    expect(table.some((c) => c.input[0] === 1 && c.input[1] === 1)).toBe(true);
    expect(table.length).toBeGreaterThan(150);
  });
});

describe('Conv2D: shapes, params and weight layout', () => {
  it.each(table.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { model } = build(c);
    const [kh, kw] = c.kernel;
    const oh = naive.convOutputLength(c.input[0], kh, c.strides[0], c.dilation[0], c.padding);
    const ow = naive.convOutputLength(c.input[1], kw, c.strides[1], c.dilation[1], c.padding);
    expect(model.outputShape).toEqual([null, oh, ow, c.cout]);
    expect(model.countParams()).toBe(kh * kw * c.cin * c.cout + (c.useBias ? c.cout : 0));
    expect(model.getWeights().map((w) => w.shape)).toEqual(c.useBias ? [[kh, kw, c.cin, c.cout], [c.cout]] : [[kh, kw, c.cin, c.cout]]);
  });
});

for (const backend of BACKENDS) {
  describe(`Conv2D vs naive oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);
    itMatchesOracle(backend, table, build, TOL);

    it("'same' asymmetric padding by hand: 1-D [1,2,3,4] * [1,10] → [21,32,43,4]", async () => {
      await use(backend);
      const m = new Sequential([new Conv2D(1, [1, 2], { padding: 'same', useBias: false, inputShape: [1, 4, 1] })]);
      m.setWeights([tensor([1, 10], [1, 2, 1, 1])]);
      expect(Array.from(m.predict(tensor([1, 2, 3, 4], [1, 1, 4, 1])).data)).toEqual([21, 32, 43, 4]);
    });
  });
}

describe("Conv2D: Keras's argument checks (SEMANTICS §2)", () => {
  it('rejects strides > 1 together with dilation > 1', () => {
    expect(() => new Conv2D(2, 3, { strides: [1, 2], dilationRate: [2, 1] })).toThrow(ConfigError);
    expect(() => new Conv2D(2, 3, { strides: 1, dilationRate: [2, 3] })).not.toThrow();
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Conv2DTranspose, init, Sequential, setSeed, type Tensor, tensor } from '../../bindings/index.js';
import { BACKENDS, itRunsOnRequestedBackend, predictOn, use } from '../util/backends.js';
import { mismatch } from '../util/close.js';
import * as naive from '../util/naive.js';
import { type Rng, rng } from '../util/rng.js';

/**
 * Conv2DTranspose on both backends against the independent dilate–pad–correlate oracle
 * (test/util/naive.ts, SEMANTICS §1), over a table of strides × kernels × padding × output_padding,
 * with input size, channels, batch, bias and activation drawn per case.
 */

type Pair = [number, number];
type OpMode = 'none' | 'zero' | 'max' | 'mixed';

const TOL = 1e-4;
const CHANNELS = [1, 3, 4, 5, 8, 13, 17];
const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'leaky_relu'] as const;
const STRIDES: Pair[] = [[1, 1], [2, 2], [2, 3], [3, 1], [3, 3], [4, 2]];
const KERNELS: Pair[] = [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [1, 3], [3, 2], [5, 1], [2, 4]];
const INPUTS: Pair[] = [[1, 1], [2, 2], [1, 4], [3, 2], [2, 5], [6, 5], [4, 3], [5, 1], [1, 2]];
const DILATIONS: Pair[] = [[2, 2], [1, 3]];

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
  outputPadding: Pair | null;
  useBias: boolean;
  activation: (typeof ACTIVATIONS)[number];
  seed: number;
}

function outputPaddingFor(mode: OpMode, s: Pair, r: Rng): Pair | null {
  switch (mode) {
    case 'none': return null;
    case 'zero': return [0, 0];
    case 'max': return [s[0] - 1, s[1] - 1];
    case 'mixed': return [r.int(0, s[0] - 1), r.int(0, s[1] - 1)];
  }
}

function makeCase(seed: number, strides: Pair, dilation: Pair, kernel: Pair, padding: 'same' | 'valid', mode: OpMode): Case | null {
  const r = rng(seed);
  const outputPadding = outputPaddingFor(mode, strides, r);
  const input = r.pick(INPUTS);
  for (let axis = 0; axis < 2; axis++) {
    const len = naive.deconvOutputLength(input[axis], kernel[axis], strides[axis], dilation[axis], padding, outputPadding ? outputPadding[axis] : null);
    if (len < 1) return null; // 'same' + explicit op can give an empty axis (SEMANTICS §1.2): Keras-invalid
  }
  const c: Case = {
    name: '',
    input,
    batch: r.int(1, 3),
    cin: r.pick(CHANNELS),
    cout: r.pick(CHANNELS),
    kernel, strides, dilation, padding, outputPadding,
    useBias: r.bool(0.7),
    activation: r.pick(ACTIVATIONS),
    seed,
  };
  c.name = `in=${c.batch}x${input.join('x')}x${c.cin} f=${c.cout} k=${kernel.join('x')} s=${strides.join('x')} d=${dilation.join('x')} ` +
    `${padding} op=${outputPadding ? `[${outputPadding}]` : 'None'} ${c.useBias ? 'bias' : 'nobias'} ${c.activation}`;
  return c;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 1000;
  for (const strides of STRIDES) {
    const modes: OpMode[] = strides[0] === 1 && strides[1] === 1 ? ['none', 'zero'] : ['none', 'zero', 'max', 'mixed'];
    for (const kernel of KERNELS) for (const padding of ['valid', 'same'] as const) for (const mode of modes) {
      const c = makeCase(seed++, strides, [1, 1], kernel, padding, mode);
      if (c) cases.push(c);
    }
  }
  for (const dilation of DILATIONS) {
    for (const kernel of KERNELS) for (const padding of ['valid', 'same'] as const) for (const mode of ['none', 'zero'] as OpMode[]) {
      const c = makeCase(seed++, [1, 1], dilation, kernel, padding, mode);
      if (c) cases.push(c);
    }
  }
  return cases;
}

interface Built {
  model: Sequential;
  x: Tensor;
  kernel: Float32Array;
  bias: Float32Array | null;
  kernelShape: number[];
}

function build(c: Case): Built {
  const r = rng(c.seed * 7 + 1);
  const [kh, kw] = c.kernel;
  const kernelShape = [kh, kw, c.cout, c.cin];
  const kernel = r.normalF32(kh * kw * c.cout * c.cin, 1.5 / Math.sqrt(kh * kw * c.cin));
  const bias = c.useBias ? r.uniformF32(c.cout, -1, 1) : null;
  const model = new Sequential();
  model.add(new Conv2DTranspose(c.cout, [kh, kw], {
    strides: c.strides,
    padding: c.padding,
    outputPadding: c.outputPadding,
    dilationRate: c.dilation,
    activation: c.activation,
    useBias: c.useBias,
    inputShape: [c.input[0], c.input[1], c.cin],
  }));
  model.setWeights(bias ? [tensor(kernel, kernelShape), tensor(bias, [c.cout])] : [tensor(kernel, kernelShape)]);
  const x = tensor(r.uniformF32(c.batch * c.input[0] * c.input[1] * c.cin, -2, 2), [c.batch, c.input[0], c.input[1], c.cin]);
  return { model, x, kernel, bias, kernelShape };
}

function oracle(c: Case, b: Built): naive.Result {
  return naive.conv2dTranspose(b.x.data, b.x.shape, b.kernel, b.kernelShape, b.bias, {
    strides: c.strides, padding: c.padding, outputPadding: c.outputPadding, dilation: c.dilation, activation: c.activation,
  });
}

const table = buildTable();

beforeAll(async () => {
  await init();
  setSeed(1);
});

describe('Conv2DTranspose: the oracle itself (SEMANTICS §1)', () => {
  it('reproduces the tutorial 1x1 stride-2 example', async () => {
    const y = naive.conv2dTranspose([1, 2, 3, 4], [1, 2, 2, 1], [1], [1, 1, 1, 1], [0], { strides: [2, 2], padding: 'valid' });
    expect(y.shape).toEqual([1, 4, 4, 1]);
    expect(Array.from(y.data)).toEqual([1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
  });

  it('has the worked (lo, hi) splits of the §1.3 table', async () => {
    const rows: [number, number, number, number][] = [
      [1, 2, 0, 1], [2, 2, 1, 1], [3, 2, 2, 1], [4, 2, 2, 2], [5, 2, 3, 2], [3, 1, 1, 1], [4, 1, 2, 1], [2, 3, 1, 2], [3, 3, 2, 2],
    ];
    for (const [k, s, lo, hi] of rows) expect(naive.deconvPads(k, s, 1, 'same', null), `k=${k} s=${s}`).toEqual({ lo, hi });
  });

  it('agrees with the scatter–crop formulation of §1.3 on random 1-D configs', async () => {
    const r = rng(77);
    for (let t = 0; t < 300; t++) {
      const n = r.int(1, 6);
      const k = r.int(1, 5);
      const s = r.int(1, 4);
      const d = s === 1 ? r.int(1, 3) : 1;
      const padding = r.pick(['valid', 'same'] as const);
      const op = r.bool() ? null : r.int(0, s - 1);
      const len = naive.deconvOutputLength(n, k, s, d, padding, op);
      if (len < 1) continue;
      const x = Array.from({ length: n }, () => r.uniform(-1, 1));
      const K = Array.from({ length: k }, () => r.uniform(-1, 1));
      const ke = (k - 1) * d + 1;
      const full = new Float64Array((n - 1) * s + ke);
      for (let i = 0; i < n; i++) for (let a = 0; a < k; a++) full[i * s + a * d] += x[i] * K[a];
      const { lo } = naive.deconvPads(k, s, d, padding, op);
      const start = ke - 1 - lo;
      const want = Array.from({ length: len }, (_, j) => full[start + j] ?? 0);
      const got = naive.conv2dTranspose(x, [1, 1, n, 1], K, [1, k, 1, 1], null, { strides: [1, s], dilation: [1, d], padding, outputPadding: op === null ? null : [0, op] });
      expect(got.shape, `n=${n} k=${k} s=${s} d=${d} ${padding} op=${op}`).toEqual([1, 1, len, 1]);
      expect(mismatch(got.data, want, 1e-12), `n=${n} k=${k} s=${s} d=${d} ${padding} op=${op}`).toBeNull();
    }
  });
});

describe('Conv2DTranspose: the table covers what it should', () => {
  it('hits channels, batches, strides, kernel<stride, kernel>input, output paddings and dilations', async () => {
    for (const ch of CHANNELS) {
      expect(table.some((c) => c.cin === ch), `cin ${ch}`).toBe(true);
      expect(table.some((c) => c.cout === ch), `cout ${ch}`).toBe(true);
    }
    for (const b of [1, 2, 3]) expect(table.some((c) => c.batch === b)).toBe(true);
    for (const [y, x] of INPUTS) expect(table.some((c) => c.input[0] === y && c.input[1] === x), `input ${y}x${x}`).toBe(true);
    expect(table.some((c) => c.kernel[0] < c.strides[0] && c.kernel[1] < c.strides[1])).toBe(true);
    expect(table.some((c) => c.kernel[0] > c.input[0] && c.kernel[1] > c.input[1])).toBe(true);
    for (const s of STRIDES) {
      for (let a = 0; a < s[0]; a++) expect(table.some((c) => c.strides === s && c.outputPadding?.[0] === a), `s=${s} op_h=${a}`).toBe(true);
      for (let a = 0; a < s[1]; a++) expect(table.some((c) => c.strides === s && c.outputPadding?.[1] === a), `s=${s} op_w=${a}`).toBe(true);
    }
    for (const d of DILATIONS) expect(table.filter((c) => c.dilation === d).length).toBeGreaterThan(20);
    for (const a of ACTIVATIONS) expect(table.some((c) => c.activation === a)).toBe(true);
    expect(table.some((c) => c.useBias) && table.some((c) => !c.useBias)).toBe(true);
    expect(table.length).toBeGreaterThan(300);
  });
});

describe('Conv2DTranspose: shapes, params and weight layout', () => {
  it.each(table.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { model } = build(c);
    const [kh, kw] = c.kernel;
    const oh = naive.deconvOutputLength(c.input[0], kh, c.strides[0], c.dilation[0], c.padding, c.outputPadding ? c.outputPadding[0] : null);
    const ow = naive.deconvOutputLength(c.input[1], kw, c.strides[1], c.dilation[1], c.padding, c.outputPadding ? c.outputPadding[1] : null);
    expect(model.outputShape).toEqual([null, oh, ow, c.cout]);
    expect(model.countParams()).toBe(kh * kw * c.cout * c.cin + (c.useBias ? c.cout : 0));
    const shapes = model.getWeights().map((w) => w.shape);
    expect(shapes).toEqual(c.useBias ? [[kh, kw, c.cout, c.cin], [c.cout]] : [[kh, kw, c.cout, c.cin]]);
  });
});

for (const backend of BACKENDS) {
  describe(`Conv2DTranspose vs naive oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);
    it.each(table.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const b = build(c);
      const want = oracle(c, b);
      const got = await predictOn(backend, b.model, b.x);
      expect(got.shape).toEqual(want.shape);
      expect(mismatch(got.data, want.data, TOL)).toBeNull();
    });
  });
}

describe('Conv2DTranspose: named edge cases', () => {
  const edge: [string, Case][] = [];
  const add = (name: string, strides: Pair, dilation: Pair, kernel: Pair, padding: 'same' | 'valid', op: Pair | null, input: Pair, cin: number, cout: number, batch: number) =>
    edge.push([name, { name, input, batch, cin, cout, kernel, strides, dilation, padding, outputPadding: op, useBias: true, activation: 'linear', seed: edge.length + 9000 }]);
  add('k=1 s=2 same: a zero+bias row is appended', [2, 2], [1, 1], [1, 1], 'same', null, [3, 3], 3, 5, 2);
  add('k=3 s=2 same: extra crop at the end', [2, 2], [1, 1], [3, 3], 'same', null, [4, 3], 4, 4, 1);
  add('k=5 s=2 same: crop 1 / 2', [2, 2], [1, 1], [5, 5], 'same', null, [3, 5], 5, 3, 1);
  add('k=4 s=1 same: crop 1 / 2', [1, 1], [1, 1], [4, 4], 'same', null, [5, 4], 8, 1, 2);
  add('k=2 s=3 same: zero-extend by 1', [3, 3], [1, 1], [2, 2], 'same', null, [2, 2], 1, 17, 3);
  add('k=1 s=4x2 valid op=None vs op given', [4, 2], [1, 1], [1, 1], 'valid', null, [2, 3], 13, 8, 1);
  add('k=1 s=4x2 valid op=[0,0]', [4, 2], [1, 1], [1, 1], 'valid', [0, 0], [2, 3], 13, 8, 1);
  add('k=1 s=4x2 valid op=[3,1]', [4, 2], [1, 1], [1, 1], 'valid', [3, 1], [2, 3], 13, 8, 1);
  add('kernel 5x5 on a 1x1 input, s=3 same', [3, 3], [1, 1], [5, 5], 'same', null, [1, 1], 17, 13, 2);
  add('kernel 5x4 on a 1x1 input, s=3x3 same op=[2,1]', [3, 3], [1, 1], [5, 4], 'same', [2, 1], [1, 1], 3, 4, 1);
  add('dilation 2x2 k=3 same on 1x1', [1, 1], [2, 2], [3, 3], 'same', null, [1, 1], 4, 5, 1);
  add('dilation 1x3 k=4 same (even effective kernel in w)', [1, 1], [1, 3], [4, 4], 'same', null, [3, 6], 5, 4, 2);
  add('dilation 1x3 k=5 valid', [1, 1], [1, 3], [5, 5], 'valid', null, [2, 2], 3, 3, 1);
  add('6x5 input, s=4x2, k=5x3, valid op=[2,1]', [4, 2], [1, 1], [5, 3], 'valid', [2, 1], [6, 5], 17, 17, 3);
  for (const backend of BACKENDS) {
    it.each(edge)(`${backend}: %s`, async (_name, c) => {
      const b = build(c);
      const want = oracle(c, b);
      const got = await predictOn(backend, b.model, b.x);
      expect(got.shape).toEqual(want.shape);
      expect(mismatch(got.data, want.data, TOL)).toBeNull();
    });
  }

  it('valid k=1 s=2: op None gives n·s, explicit op=0 gives (n-1)·s+1 (§1.2 note)', async () => {
    const a = new Sequential([new Conv2DTranspose(2, 1, { strides: 2, padding: 'valid', inputShape: [3, 3, 1] })]);
    const b = new Sequential([new Conv2DTranspose(2, 1, { strides: 2, padding: 'valid', outputPadding: 0, inputShape: [3, 3, 1] })]);
    expect(a.outputShape).toEqual([null, 6, 6, 2]);
    expect(b.outputShape).toEqual([null, 5, 5, 2]);
  });

  it('bias lands on pixels no input reached (k=1 s=3 valid)', async () => {
    for (const backend of BACKENDS) {
      await use(backend);
      const m = new Sequential([new Conv2DTranspose(1, 1, { strides: 3, inputShape: [1, 2, 1] })]);
      m.setWeights([tensor([2], [1, 1, 1, 1]), tensor([0.5], [1])]);
      const y = m.predict(tensor([1, -1], [1, 1, 2, 1]));
      expect(y.shape).toEqual([1, 3, 6, 1]);
      expect(Array.from(y.data)).toEqual([2.5, 0.5, 0.5, -1.5, 0.5, 0.5, ...Array(12).fill(0.5)]);
    }
  });
});

describe("Conv2DTranspose: Keras's argument checks (SEMANTICS §1.1)", () => {
  it('rejects output_padding ≥ strides on either axis, and strides > 1 with dilation > 1', () => {
    expect(() => new Conv2DTranspose(2, 3, { strides: [2, 3], outputPadding: [2, 0] })).toThrow(ConfigError);
    expect(() => new Conv2DTranspose(2, 3, { strides: [2, 3], outputPadding: [1, 3] })).toThrow(ConfigError);
    expect(() => new Conv2DTranspose(2, 3, { strides: 1, outputPadding: 1 })).toThrow(ConfigError);
    expect(() => new Conv2DTranspose(2, 3, { strides: [2, 1], dilationRate: [1, 2] })).toThrow(ConfigError);
    expect(() => new Conv2DTranspose(2, 3, { strides: [2, 3], outputPadding: [1, 2] })).not.toThrow();
    expect(() => new Conv2DTranspose(2, 3, { strides: 1, dilationRate: [1, 3], outputPadding: 0 })).not.toThrow();
  });
});

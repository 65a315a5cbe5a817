import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2D, Conv2DTranspose, init, Sequential, tensor } from '../../bindings/index.js';
import { BACKENDS, itMatchesOracle, itRunsOnRequestedBackend } from '../util/backends.js';
import * as naive from '../util/naive.js';
import { rng } from '../util/rng.js';

/**
 * The few-channel convolution paths against the float64 oracle (test/util/naive.ts), every
 * backend:
 * - Conv2D with C_in ≤ 4 gathers each kernel row's kw taps as one run of kw·C floats over a
 *   zero-padded copy of the input (ops/conv2d.ts): C_in 1..5 (5 is past the switch) × filters
 *   1..9 (idot's 2- and 3-row channel tiles for N ≤ 3, igemm's 8-wide panels and their column
 *   tails above), odd widths, strides 1 and 2, 'same' and 'valid' (left, right and no padding
 *   columns), dilation on either axis (a horizontal dilation keeps the per-tap gather);
 * - Conv2DTranspose to few channels (idot's channel tiles) over input channels 1..5 and 8..67,
 *   so that K covers the SIMD runs, their tails and the scalar-only case.
 * Batches 1..3 and output rows counts that leave every row tail (M mod 2, 3 and 4).
 */

type Pair = [number, number];
const TOL = 1e-4;
const ACTIVATIONS = ['linear', 'relu', 'tanh', 'leaky_relu'] as const;

interface Case {
  name: string;
  kind: 'conv' | 'convT';
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

const CONV_GEOMETRY: { kernel: Pair; strides: Pair; dilation: Pair }[] = [
  { kernel: [3, 3], strides: [1, 1], dilation: [1, 1] },
  { kernel: [4, 4], strides: [2, 2], dilation: [1, 1] }, // pix2pix's first layer
  { kernel: [9, 9], strides: [1, 1], dilation: [1, 1] }, // SRResNet's head and tail
  { kernel: [2, 5], strides: [1, 2], dilation: [1, 1] },
  { kernel: [3, 2], strides: [1, 1], dilation: [2, 1] }, // vertical dilation: row runs with dh = 2
  { kernel: [3, 3], strides: [1, 1], dilation: [1, 2] }, // horizontal dilation: per-tap gather
  { kernel: [1, 3], strides: [1, 1], dilation: [1, 1] },
  { kernel: [3, 1], strides: [1, 1], dilation: [1, 1] }, // kw = 1: nothing to merge
];
const CONV_INPUTS: Pair[] = [[5, 7], [7, 9], [6, 11], [9, 5], [3, 13], [11, 11], [10, 9], [9, 13]];
const CONVT_GEOMETRY: { kernel: Pair; strides: Pair; dilation: Pair }[] = [
  { kernel: [4, 4], strides: [2, 2], dilation: [1, 1] }, // pix2pix's last layer
  { kernel: [3, 3], strides: [1, 1], dilation: [1, 1] },
  { kernel: [5, 5], strides: [2, 2], dilation: [1, 1] },
  { kernel: [3, 3], strides: [1, 1], dilation: [2, 2] },
];
const CONVT_INPUTS: Pair[] = [[3, 5], [4, 7], [5, 5], [2, 9]];

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 7700;
  const add = (c: Omit<Case, 'name'>) => {
    const name = `${c.kind} in=${c.batch}x${c.input.join('x')}x${c.cin} f=${c.cout} k=${c.kernel.join('x')} s=${c.strides.join('x')} ` +
      `d=${c.dilation.join('x')} ${c.padding} ${c.useBias ? 'bias' : 'nobias'} ${c.activation}`;
    cases.push({ ...c, name });
  };
  for (const g of CONV_GEOMETRY) for (const padding of ['same', 'valid'] as const) for (let cin = 1; cin <= 5; cin++) {
    for (let cout = 1; cout <= 9; cout++) {
      const r = rng(seed);
      const fits = CONV_INPUTS.filter((inp) => [0, 1].every((a) => naive.convOutputLength(inp[a], g.kernel[a], g.strides[a], g.dilation[a], padding) >= 1));
      add({
        kind: 'conv', input: r.pick(fits), batch: r.int(1, 3), cin, cout, ...g, padding,
        useBias: r.bool(0.7), activation: r.pick(ACTIVATIONS), seed: seed++,
      });
    }
  }
  for (const g of CONVT_GEOMETRY) for (const padding of ['same', 'valid'] as const) for (const cin of [1, 2, 3, 4, 5, 8, 13, 67]) {
    for (let cout = 1; cout <= 4; cout++) {
      const r = rng(seed);
      add({
        kind: 'convT', input: r.pick(CONVT_INPUTS), batch: r.int(1, 3), cin, cout, ...g, padding,
        useBias: r.bool(0.7), activation: r.pick(ACTIVATIONS), seed: seed++,
      });
    }
  }
  return cases;
}

function build(c: Case) {
  const r = rng(c.seed * 31 + 7);
  const [kh, kw] = c.kernel;
  const kernelShape = c.kind === 'conv' ? [kh, kw, c.cin, c.cout] : [kh, kw, c.cout, c.cin];
  const kernel = r.normalF32(kh * kw * c.cin * c.cout, 1.5 / Math.sqrt(kh * kw * c.cin));
  const bias = c.useBias ? r.uniformF32(c.cout, -1, 1) : null;
  const Layer = c.kind === 'conv' ? Conv2D : Conv2DTranspose;
  const model = new Sequential();
  model.add(new Layer(c.cout, [kh, kw], {
    strides: c.strides, padding: c.padding, dilationRate: c.dilation, activation: c.activation, useBias: c.useBias,
    inputShape: [c.input[0], c.input[1], c.cin],
  }));
  model.setWeights(bias ? [tensor(kernel, kernelShape), tensor(bias, [c.cout])] : [tensor(kernel, kernelShape)]);
  const x = tensor(r.uniformF32(c.batch * c.input[0] * c.input[1] * c.cin, -2, 2), [c.batch, c.input[0], c.input[1], c.cin]);
  const opts = { strides: c.strides, padding: c.padding, dilation: c.dilation, activation: c.activation };
  const want = c.kind === 'conv'
    ? naive.conv2d(x.data, x.shape, kernel, kernelShape, bias, opts)
    : naive.conv2dTranspose(x.data, x.shape, kernel, kernelShape, bias, opts);
  return { model, x, want };
}

const table = buildTable();

beforeAll(async () => {
  await init();
});

describe('few-channel convolutions: the table covers what it should', () => {
  it('hits C_in 1..5 × filters 1..9, odd widths, strides, both paddings, dilation, batches', () => {
    const conv = table.filter((c) => c.kind === 'conv');
    for (let cin = 1; cin <= 5; cin++) for (let cout = 1; cout <= 9; cout++) {
      expect(conv.some((c) => c.cin === cin && c.cout === cout && c.padding === 'same' && c.strides[0] === 2), `${cin}→${cout}`).toBe(true);
      expect(conv.some((c) => c.cin === cin && c.cout === cout && c.padding === 'valid' && c.kernel[0] === 9), `${cin}→${cout} 9x9 valid`).toBe(true);
    }
    expect(conv.some((c) => c.input[1] % 2 === 1 && c.strides[1] === 2 && c.padding === 'same')).toBe(true);
    expect(conv.some((c) => c.dilation[0] === 2 && c.cin <= 4)).toBe(true);
    expect(conv.some((c) => c.dilation[1] === 2 && c.cin <= 4)).toBe(true);
    const convT = table.filter((c) => c.kind === 'convT');
    for (let cout = 1; cout <= 4; cout++) for (const cin of [1, 3, 5, 8, 13, 67]) expect(convT.some((c) => c.cin === cin && c.cout === cout)).toBe(true);
    for (const b of [1, 2, 3]) expect(table.some((c) => c.batch === b)).toBe(true);
  });
});

for (const backend of BACKENDS) {
  describe(`few-channel convolutions vs naive oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);
    itMatchesOracle(backend, table, build, TOL);
  });
}

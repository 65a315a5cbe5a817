import { beforeAll, describe, expect, it } from 'vitest';
import { init, Sequential, tensor, UpSampling2D } from '../../bindings/index.js';
import { BACKENDS, itMatchesOracle, itRunsOnRequestedBackend, use } from '../util/backends.js';
import * as naive from '../util/naive.js';
import { rng } from '../util/rng.js';

/**
 * UpSampling2D nearest and bilinear (SEMANTICS §4: half-pixel centres, edge clamping) on both
 * backends against the naive oracle, over factors × interpolation × input sizes (incl. 1xN, Nx1).
 */

type Pair = [number, number];

const TOL = 1e-4;
const CHANNELS = [1, 3, 4, 5, 8, 13, 17];
const FACTORS: Pair[] = [[1, 1], [2, 2], [3, 2], [2, 3], [4, 4], [1, 3], [3, 1], [5, 2]];
const INPUTS: Pair[] = [[1, 1], [1, 5], [1, 2], [4, 1], [2, 2], [3, 4], [5, 3], [6, 2], [7, 7]];

interface Case {
  name: string;
  input: Pair;
  batch: number;
  channels: number;
  size: Pair;
  interpolation: 'nearest' | 'bilinear';
  seed: number;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 3000;
  for (const size of FACTORS) for (const interpolation of ['nearest', 'bilinear'] as const) for (const input of INPUTS) {
    const r = rng(seed);
    const c: Case = { name: '', input, batch: r.int(1, 3), channels: r.pick(CHANNELS), size, interpolation, seed: seed++ };
    c.name = `in=${c.batch}x${input.join('x')}x${c.channels} size=${size.join('x')} ${interpolation}`;
    cases.push(c);
  }
  return cases;
}

function build(c: Case) {
  const r = rng(c.seed * 3 + 11);
  const model = new Sequential();
  model.add(new UpSampling2D({ size: c.size, interpolation: c.interpolation, inputShape: [c.input[0], c.input[1], c.channels] }));
  const x = tensor(r.uniformF32(c.batch * c.input[0] * c.input[1] * c.channels, -3, 3), [c.batch, c.input[0], c.input[1], c.channels]);
  return { model, x, want: naive.upSampling2d(x.data, x.shape, c.size, c.interpolation) };
}

const table = buildTable();

beforeAll(async () => {
  await init();
});

describe('UpSampling2D: the oracle itself (SEMANTICS §4)', () => {
  it('reproduces the tutorial 2x examples', async () => {
    expect(Array.from(naive.upSampling2d([1, 2, 3, 4], [1, 2, 2, 1], [2, 2], 'nearest').data))
      .toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect(Array.from(naive.upSampling2d([1, 2, 3, 4], [1, 2, 2, 1], [2, 2], 'bilinear').data))
      .toEqual([1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
  });

  it('has the §4 per-factor weights (f=4: ⅜ ⅝, ⅛ ⅞, ⅞ ⅛, ⅝ ⅜)', async () => {
    // interior input index 2 of a length-5 axis: outputs 8..11
    const w = [8, 9, 10, 11].map((j) => naive.bilinearSource(j, 4, 5));
    expect(w.map((t) => [t.i0, t.w])).toEqual([[1, 5 / 8], [1, 7 / 8], [2, 1 / 8], [2, 3 / 8]]);
  });
});

describe('UpSampling2D: the table covers what it should', () => {
  it('hits channels, batches, 1xN inputs and all factors for both interpolations', async () => {
    for (const ch of CHANNELS) expect(table.some((c) => c.channels === ch), `channels ${ch}`).toBe(true);
    for (const b of [1, 2, 3]) expect(table.some((c) => c.batch === b)).toBe(true);
    for (const f of FACTORS) for (const i of ['nearest', 'bilinear']) {
      expect(table.some((c) => c.size === f && c.interpolation === i && c.input[0] === 1 && c.input[1] > 1)).toBe(true);
    }
  });
});

describe('UpSampling2D: shapes and params', () => {
  it.each(table.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { model } = build(c);
    expect(model.outputShape).toEqual([null, c.input[0] * c.size[0], c.input[1] * c.size[1], c.channels]);
    expect(model.countParams()).toBe(0);
    expect(model.getWeights()).toEqual([]);
  });
});

for (const backend of BACKENDS) {
  describe(`UpSampling2D vs naive oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);
    itMatchesOracle(backend, table, build, TOL);

    it('tutorial bilinear 2x example, exact', async () => {
      await use(backend);
      const m = new Sequential([new UpSampling2D({ size: [2, 2], interpolation: 'bilinear', inputShape: [2, 2, 1] })]);
      expect(Array.from(m.predict(tensor([1, 2, 3, 4], [1, 2, 2, 1])).data))
        .toEqual([1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
    });

    it('positional size and default (2, 2) nearest', async () => {
      await use(backend);
      const a = new Sequential([new UpSampling2D([3, 2], { inputShape: [1, 2, 1] })]);
      expect(a.outputShape).toEqual([null, 3, 4, 1]);
      expect(Array.from(a.predict(tensor([5, -7], [1, 1, 2, 1])).data)).toEqual([5, 5, -7, -7, 5, 5, -7, -7, 5, 5, -7, -7]);
      const b = new Sequential([new UpSampling2D({ inputShape: [2, 1, 2] })]);
      expect(b.outputShape).toEqual([null, 4, 2, 2]);
    });
  });
}

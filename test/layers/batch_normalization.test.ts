import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNormalization, init, Sequential, tensor } from '../../bindings/index.js';
import { BACKENDS, itMatchesOracle, itRunsOnRequestedBackend, use } from '../util/backends.js';
import * as naive from '../util/naive.js';
import { rng } from '../util/rng.js';

/**
 * BatchNormalization in inference form (SEMANTICS §5) on both backends against the unfused
 * formula (x - mean) / sqrt(var + eps) · gamma + beta, over channels × rank × center/scale × eps.
 */

const TOL = 1e-4;
const CHANNELS = [1, 3, 4, 5, 8, 13, 17];
const LEADING: number[][] = [[], [3], [2, 3], [1, 1], [5, 4]];
const EPSILONS: (number | undefined)[] = [undefined, 1e-5, 0.1, 0.8];

interface Case {
  name: string;
  leading: number[];
  channels: number;
  batch: number;
  center: boolean;
  scale: boolean;
  epsilon: number | undefined;
  axis: number | number[] | undefined;
  seed: number;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 5000;
  for (const leading of LEADING) for (const channels of CHANNELS) for (const [center, scale] of [[true, true], [false, true], [true, false], [false, false]]) {
    const r = rng(seed);
    const rank = leading.length + 2;
    const axis = r.pick([undefined, -1, rank - 1, [rank - 1]]);
    const c: Case = { name: '', leading, channels, batch: r.int(1, 3), center, scale, epsilon: r.pick(EPSILONS), axis, seed: seed++ };
    c.name = `x=[${c.batch},${[...leading, channels]}] center=${center} scale=${scale} eps=${c.epsilon ?? 'default'} axis=${JSON.stringify(axis) ?? 'default'}`;
    cases.push(c);
  }
  return cases;
}

function build(c: Case) {
  const r = rng(c.seed * 17 + 1);
  const C = c.channels;
  // gamma of either sign, variances spread over two decades (some well below epsilon 0.1)
  const gamma = c.scale ? Float32Array.from({ length: C }, () => r.uniform(0.3, 2.5) * (r.bool(0.8) ? 1 : -1)) : null;
  const beta = c.center ? r.uniformF32(C, -1.5, 1.5) : null;
  const mean = r.uniformF32(C, -3, 3);
  const variance = Float32Array.from({ length: C }, () => Math.exp(r.uniform(Math.log(0.02), Math.log(4))));
  const model = new Sequential();
  model.add(new BatchNormalization({
    inputShape: [...c.leading, C], center: c.center, scale: c.scale,
    ...(c.epsilon === undefined ? {} : { epsilon: c.epsilon }), ...(c.axis === undefined ? {} : { axis: c.axis }),
  }));
  const weights = [gamma, beta, mean, variance].filter((w): w is Float32Array => w !== null).map((w) => tensor(w, [C]));
  model.setWeights(weights);
  const xShape = [c.batch, ...c.leading, C];
  const x = tensor(r.uniformF32(xShape.reduce((a, b) => a * b, 1), -4, 4), xShape);
  const want = naive.batchNorm(x.data, x.shape, { gamma, beta, mean, variance, epsilon: c.epsilon ?? 1e-3 });
  return { model, x, want, weights };
}

const table = buildTable();

beforeAll(async () => {
  await init();
});

describe('BatchNormalization: the table covers what it should', () => {
  it('hits channels, batches, ranks, center/scale and epsilons', async () => {
    for (const ch of CHANNELS) expect(table.some((c) => c.channels === ch)).toBe(true);
    for (const b of [1, 2, 3]) expect(table.some((c) => c.batch === b)).toBe(true);
    for (const e of EPSILONS) expect(table.some((c) => c.epsilon === e)).toBe(true);
    expect(table.some((c) => Array.isArray(c.axis))).toBe(true);
  });
});

describe('BatchNormalization: shapes, params and weight order', () => {
  it.each(table.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { model } = build(c);
    const C = c.channels;
    expect(model.outputShape).toEqual([null, ...c.leading, C]);
    const trainable = (c.scale ? C : 0) + (c.center ? C : 0);
    expect(model.countParams()).toBe(trainable + 2 * C);
    expect(model.layers[0].countParams()).toBe(trainable + 2 * C);
    // Keras order: gamma (if scale), beta (if center), moving_mean, moving_variance: getWeights
    // gives back exactly the arrays setWeights took, in that order
    const { model: m, weights } = build(c);
    const ws = m.getWeights();
    expect(ws.map((w) => w.shape)).toEqual(Array(trainable / C + 2).fill([C]));
    expect(ws.map((w) => Array.from(w.data))).toEqual(weights.map((w) => Array.from(w.data)));
  });

  it('fresh weights are Keras initialisers: gamma 1, beta 0, mean 0, variance 1', async () => {
    const m = new Sequential([new BatchNormalization({ inputShape: [2, 2, 3] })]);
    expect(m.getWeights().map((w) => Array.from(w.data))).toEqual([[1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
  });
});

for (const backend of BACKENDS) {
  describe(`BatchNormalization vs naive oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);
    itMatchesOracle(backend, table, build, TOL);

    it('by hand: epsilon is read from the options (eps 0.25, var 0.75 → divide by 1)', async () => {
      await use(backend);
      const m = new Sequential([new BatchNormalization({ epsilon: 0.25, inputShape: [2] })]);
      m.setWeights([tensor([2, -1], [2]), tensor([0.5, 1], [2]), tensor([1, -1], [2]), tensor([0.75, 3.75], [2])]);
      // ch0: (x-1)/1·2+0.5; ch1: (x+1)/2·-1+1
      expect(Array.from(m.predict(tensor([3, 3, -1, -5], [2, 2])).data)).toEqual([4.5, -1, -3.5, 3]);
    });

    it('setWeights after a predict takes effect (the fold is recomputed)', async () => {
      await use(backend);
      const m = new Sequential([new BatchNormalization({ inputShape: [1, 1, 2] })]);
      const x = tensor([1, 2], [1, 1, 1, 2]);
      const before = Array.from(m.predict(x).data);
      expect(before[0]).toBeCloseTo(1 / Math.sqrt(1.001), 6);
      m.setWeights([tensor([3, 3], [2]), tensor([1, 1], [2]), tensor([0, 0], [2]), tensor([0.999, 0.999], [2])]);
      expect(Array.from(m.predict(x).data).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([4, 7]);
    });
  });
}

import { beforeAll, describe, expect, it } from 'vitest';
import { Dense, init, Sequential, tensor } from '../../bindings/index.js';
import { BACKENDS, itMatchesOracle, itRunsOnRequestedBackend, predictOn, use } from '../util/backends.js';
import { mismatch } from '../util/close.js';
import * as naive from '../util/naive.js';
import { rng } from '../util/rng.js';

/**
 * Dense (SEMANTICS §3: y = x @ W + b on the last axis, kernel (in, units)) on both backends
 * against the naive oracle, for rank-2 (inputDim), rank-3 and rank-4 inputs.
 */

const TOL = 1e-4;
const CHANNELS = [1, 3, 4, 5, 8, 13, 17];
const WIDE = [33, 64, 100];
const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'leaky_relu'] as const;
/** Leading sample dims before the feature axis: [] is rank 2, [t] rank 3, [h, w] rank 4. */
const LEADING: number[][] = [[], [], [1], [3], [2, 3], [1, 1], [4, 1]];

interface Case {
  name: string;
  leading: number[];
  inFeatures: number;
  units: number;
  batch: number;
  useBias: boolean;
  activation: (typeof ACTIVATIONS)[number];
  viaInputDim: boolean;
  seed: number;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 4000;
  for (const leading of LEADING) for (const inFeatures of [...CHANNELS, ...WIDE]) for (let rep = 0; rep < 2; rep++) {
    const r = rng(seed);
    const units = rep === 0 ? CHANNELS[(cases.length * 3) % CHANNELS.length] : r.pick([...CHANNELS, ...WIDE]);
    const c: Case = {
      name: '', leading, inFeatures, units, batch: r.int(1, 3), useBias: r.bool(0.7), activation: r.pick(ACTIVATIONS),
      viaInputDim: leading.length === 0 && r.bool(), seed: seed++,
    };
    c.name = `x=[${c.batch},${[...leading, inFeatures]}] units=${units} ${c.useBias ? 'bias' : 'nobias'} ${c.activation}${c.viaInputDim ? ' (inputDim)' : ''}`;
    cases.push(c);
  }
  return cases;
}

function build(c: Case) {
  const r = rng(c.seed * 5 + 3);
  const kernel = r.normalF32(c.inFeatures * c.units, 1.5 / Math.sqrt(c.inFeatures));
  const bias = c.useBias ? r.uniformF32(c.units, -1, 1) : null;
  const sample = [...c.leading, c.inFeatures];
  const model = new Sequential();
  model.add(new Dense(c.units, {
    ...(c.viaInputDim ? { inputDim: c.inFeatures } : { inputShape: sample }), activation: c.activation, useBias: c.useBias,
  }));
  model.setWeights(bias ? [tensor(kernel, [c.inFeatures, c.units]), tensor(bias, [c.units])] : [tensor(kernel, [c.inFeatures, c.units])]);
  const xShape = [c.batch, ...sample];
  const x = tensor(r.uniformF32(xShape.reduce((a, b) => a * b, 1), -2, 2), xShape);
  return { model, x, want: naive.dense(x.data, x.shape, kernel, [c.inFeatures, c.units], bias, c.activation) };
}

const table = buildTable();

beforeAll(async () => {
  await init();
});

describe('Dense: the table covers what it should', () => {
  it('hits in/out features, batches and ranks 2–4', async () => {
    for (const ch of CHANNELS) {
      expect(table.some((c) => c.inFeatures === ch), `in ${ch}`).toBe(true);
      expect(table.some((c) => c.units === ch), `units ${ch}`).toBe(true);
    }
    for (const b of [1, 2, 3]) expect(table.some((c) => c.batch === b)).toBe(true);
    for (const rank of [0, 1, 2]) expect(table.some((c) => c.leading.length === rank)).toBe(true);
    expect(table.some((c) => c.viaInputDim)).toBe(true);
  });
});

describe('Dense: shapes, params and weight layout', () => {
  it.each(table.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { model } = build(c);
    expect(model.outputShape).toEqual([null, ...c.leading, c.units]);
    expect(model.countParams()).toBe(c.inFeatures * c.units + (c.useBias ? c.units : 0));
    expect(model.getWeights().map((w) => w.shape)).toEqual(c.useBias ? [[c.inFeatures, c.units], [c.units]] : [[c.inFeatures, c.units]]);
  });
});

for (const backend of BACKENDS) {
  describe(`Dense vs naive oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);
    itMatchesOracle(backend, table, build, TOL);

    it('kernel layout is (in, units): a by-hand 2→3 example', async () => {
      await use(backend);
      const m = new Sequential([new Dense(3, { inputDim: 2 })]);
      // W = [[1, 2, 3], [4, 5, 6]], b = [0.5, -0.5, 0]
      m.setWeights([tensor([1, 2, 3, 4, 5, 6], [2, 3]), tensor([0.5, -0.5, 0], [3])]);
      expect(Array.from(m.predict(tensor([1, 10], [1, 2])).data)).toEqual([41.5, 51.5, 63]);
    });

    it('the tutorial generator head: Dense(128·5·5, inputDim 100), batch 2', async () => {
      const r = rng(4242);
      const m = new Sequential([new Dense(3200, { inputDim: 100 })]);
      const k = r.normalF32(100 * 3200, 0.1);
      const b = r.uniformF32(3200, -0.1, 0.1);
      m.setWeights([tensor(k, [100, 3200]), tensor(b, [3200])]);
      const x = tensor(r.normalF32(200), [2, 100]);
      const want = naive.dense(x.data, x.shape, k, [100, 3200], b);
      const got = await predictOn(backend, m, x);
      expect(got.shape).toEqual([2, 3200]);
      expect(mismatch(got.data, want.data, TOL)).toBeNull();
    });
  });
}

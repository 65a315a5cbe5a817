import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Concatenate, Conv2D, Input, Model, modelFromJSON, ShapeError, type Tensor, tensor } from '../../bindings/index.js';
import { BACKENDS, itRunsOnRequestedBackend, use } from '../util/backends.js';
import { mismatch } from '../util/close.js';
import * as naive from '../util/naive_merge.js';
import { rng } from '../util/rng.js';

/**
 * Concatenate (SEMANTICS-functional §3: the axis counts the batch axis, default -1) on every
 * backend against the oracle, over axes 1..3 and -1..-3 of images, rank-2 and rank-3 inputs,
 * 1–3 inputs whose sizes along the axis differ (channel counts hitting the SIMD tails and the
 * memory.copy threshold), the same tensor twice, and batches > 1.
 */

const CHANNELS = [1, 3, 4, 5, 8, 13, 17, 70];

interface Case {
  name: string;
  axis: number;
  shapes: number[][];
  batch: number;
  seed: number;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 900;
  for (const C of CHANNELS) {
    const r = rng(seed);
    const H = r.int(1, 4), W = r.pick([1, 3, 5]);
    const sizes = [C, r.pick(CHANNELS), r.int(1, 6)];
    for (const axis of [1, 2, 3, -1, -2, -3]) for (const n of [1, 2, 3]) {
      const ax = axis < 0 ? axis + 4 : axis; // 1..3
      const shapes = Array.from({ length: n }, (_, i) => {
        const s = [H, W, C];
        s[ax - 1] = sizes[i];
        return s;
      });
      cases.push({ name: '', axis, shapes, batch: r.int(1, 3), seed: seed++ });
    }
    cases.push({ name: '', axis: -1, shapes: [[C], [sizes[1]]], batch: 2, seed: seed++ });
    cases.push({ name: '', axis: 1, shapes: [[C], [sizes[2]], [C]], batch: 3, seed: seed++ });
    cases.push({ name: '', axis: 1, shapes: [[2, C], [sizes[2], C]], batch: 2, seed: seed++ });
    cases.push({ name: '', axis: 2, shapes: [[3, C], [3, sizes[1]]], batch: 1, seed: seed++ });
  }
  for (const c of cases) c.name = `axis=${c.axis} ${c.shapes.map((s) => `(${s.join(',')})`).join(' ')} batch=${c.batch}`;
  return cases;
}

const table = buildTable();

function inputsOf(c: Case): Tensor[] {
  return c.shapes.map((s, i) => {
    const r = rng(c.seed * 7 + i);
    const full = [c.batch, ...s];
    return tensor(r.uniformF32(full.reduce((a, b) => a * b, 1), -2, 2), full);
  });
}

function concatModel(c: Case): Model {
  const inputs = c.shapes.map((s) => Input({ shape: s }));
  return new Model({ inputs, outputs: new Concatenate({ axis: c.axis }).apply(inputs) });
}

beforeAll(async () => {
  await use('js');
});

describe('Concatenate: shapes and errors', () => {
  it.each(table.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const want = naive.concatenate(inputsOf(c), c.axis);
    expect(concatModel(c).outputs[0].shape).toEqual([null, ...want.shape.slice(1)]);
  });

  it('axis counts the batch axis; unknown sizes stay unknown', () => {
    const cat = (axis: number, shapes: (number | null)[][]) => new Concatenate({ axis }).computeOutputShape(shapes);
    expect(cat(1, [[2, 3, 4], [5, 3, 4]])).toEqual([7, 3, 4]);
    expect(cat(2, [[2, 3, 4], [2, 1, 4]])).toEqual([2, 4, 4]);
    expect(cat(-1, [[2, 3, 4], [2, 3, 1]])).toEqual([2, 3, 5]);
    expect(cat(-1, [[null, 3, 4], [2, 3, null]])).toEqual([2, 3, null]);
  });

  it('mismatched shapes, ranks and the batch axis are ShapeErrors', () => {
    expect(() => new Concatenate().computeOutputShape([[2, 3, 4], [2, 4, 4]])).toThrow(ShapeError);
    expect(() => new Concatenate().computeOutputShape([[2, 3, 4], [4]])).toThrow(/same rank/);
    expect(() => new Concatenate({ axis: 0 }).computeOutputShape([[2], [3]])).toThrow(/batch axis/);
    expect(() => new Concatenate({ axis: -3 }).computeOutputShape([[2], [3]])).toThrow(/out of range/);
    expect(() => new Concatenate({ axis: 4 }).computeOutputShape([[2, 3, 4], [2, 3, 4]])).toThrow(/out of range/);
  });

  it('bad options are ConfigErrors', () => {
    expect(() => new Concatenate({ axis: 1.5 })).toThrow(ConfigError);
    expect(() => new Concatenate({ axis: '1' as never })).toThrow(ConfigError);
    expect(() => new Concatenate({ axes: 1 } as never)).toThrow(ConfigError);
  });
});

for (const backend of BACKENDS) {
  describe(`Concatenate vs the oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);

    it.each(table.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
      await use(backend);
      const xs = inputsOf(c);
      const got = concatModel(c).predict(xs.length === 1 ? xs[0] : xs) as Tensor;
      const want = naive.concatenate(xs, c.axis);
      expect(got.shape).toEqual(want.shape);
      expect(mismatch(got.data, want.data, 0)).toBeNull();
    });

    it('U-Net skip: the same tensor twice and a conv output, then a round trip', async () => {
      await use(backend);
      const x = Input({ shape: [5, 3, 4] });
      const conv = new Conv2D(3, 1, { useBias: false });
      const y = conv.apply(x);
      const m = new Model({ inputs: x, outputs: new Concatenate().apply([x, y, x]) });
      const kernel = tensor(rng(3).uniformF32(12, -1, 1), [1, 1, 4, 3]);
      m.setWeights([kernel]);
      const xs = tensor(rng(4).uniformF32(2 * 60, -1, 1), [2, 5, 3, 4]);
      const got = m.predict(xs) as Tensor;
      const conved = new Float64Array(2 * 15 * 3);
      for (let p = 0; p < 30; p++) for (let f = 0; f < 3; f++) {
        let acc = 0;
        for (let c = 0; c < 4; c++) acc += xs.data[p * 4 + c] * kernel.data[c * 3 + f];
        conved[p * 3 + f] = acc;
      }
      const want = naive.concatenate([xs, { shape: [2, 5, 3, 3], data: conved }, xs], -1);
      expect(mismatch(got.data, want.data, 1e-6)).toBeNull();
      const back = modelFromJSON(JSON.stringify(m.toJSON()));
      back.setWeights([kernel]);
      expect(Array.from((back.predict(xs) as Tensor).data)).toEqual(Array.from(got.data));
      const cfg = (m.toJSON().config as { layers: { class_name: string; config: { axis?: number } }[] }).layers.find((l) => l.class_name === 'Concatenate')!;
      expect(cfg.config.axis).toBe(-1);
    });
  });
}

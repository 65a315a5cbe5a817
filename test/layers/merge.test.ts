import { beforeAll, describe, expect, it } from 'vitest';
import {
  Activation, Add, Average, ConfigError, Input, LeakyReLU, Maximum, Minimum, Model, modelFromJSON,
  ModelFormatError, Multiply, ReLU, ShapeError, Subtract, type Tensor, tensor,
} from '../../bindings/index.js';
import { BACKENDS, itRunsOnRequestedBackend, use } from '../util/backends.js';
import { mismatch } from '../util/close.js';
import * as naive from '../util/naive_merge.js';
import { rng } from '../util/rng.js';

/**
 * Add, Subtract, Multiply, Average, Maximum, Minimum (SEMANTICS-functional §3) on every backend
 * against the float64 oracle (Keras's expand-at-axis-1 broadcasting, float32 after each op), over
 * a table of shape combinations: equal shapes (one dense row), per-channel vectors (N, C) with
 * (N, H, W, C) in both orders, per-row scalars (N, H, 1, 1), same-rank size-1 axes on both sides,
 * rank-2 inputs, three inputs, and alternating patterns that collapse to more than four axes.
 */

type Kind = naive.MergeKind;
const KINDS: Kind[] = ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum'];
const LAYERS = { add: Add, subtract: Subtract, multiply: Multiply, average: Average, maximum: Maximum, minimum: Minimum };
const CHANNELS = [1, 3, 4, 5, 8, 13, 17];

interface Case {
  name: string;
  kind: Kind;
  /** Sample shapes of the inputs. */
  shapes: number[][];
  batch: number;
  seed: number;
}

function shapeSets(C: number, r: ReturnType<typeof rng>): number[][][] {
  const H = r.int(1, 5), W = r.pick([1, 3, 7]);
  return [
    [[H, W, C], [H, W, C]],
    [[C], [H, W, C]],
    [[H, W, C], [C]],
    [[H, 1, 1], [H, W, C]],
    [[1, W, 1], [H, W, C]],
    [[1, 1, C], [H, W, C]],
    [[H, W, 1], [H, W, C]],
    [[H, 1, C], [1, W, C]],
    [[C], [C]],
    [[1], [C]],
    [[H, W, C], [C], [H, 1, 1]],
    [[2, 1, 3, 1, C, 1], [1, 2, 1, 3, 1, 2]],
  ];
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 700;
  for (const kind of KINDS) for (const C of CHANNELS) {
    const r = rng(seed);
    for (const shapes of shapeSets(C, r)) {
      if (kind === 'subtract' && shapes.length !== 2) continue;
      const c: Case = { name: '', kind, shapes, batch: r.int(1, 3), seed: seed++ };
      c.name = `${kind} ${shapes.map((s) => `(${s.join(',')})`).join(' ')} batch=${c.batch}`;
      cases.push(c);
    }
  }
  return cases;
}

const table = buildTable();

function data(shape: number[], seed: number, kind: Kind): Float32Array {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  // small integers make ties (max/min) and exact zeros happen
  for (let i = 0; i < n; i++) out[i] = kind === 'maximum' || kind === 'minimum' ? r.int(-3, 3) : r.uniform(-2, 2);
  return out;
}

function mergeModel(kind: Kind, shapes: number[][]): Model {
  const inputs = shapes.map((s) => Input({ shape: s }));
  const out = new LAYERS[kind]().apply(inputs);
  return new Model({ inputs, outputs: out });
}

function inputsOf(c: Case): Tensor[] {
  return c.shapes.map((s, i) => tensor(data([c.batch, ...s], c.seed * 10 + i, c.kind), [c.batch, ...s]));
}

beforeAll(async () => {
  await use('js');
});

describe('merge layers: shapes (Keras broadcasting)', () => {
  it.each(table.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const m = mergeModel(c.kind, c.shapes);
    const want = naive.merge(c.kind, inputsOf(c));
    expect(m.outputs[0].shape).toEqual([null, ...want.shape.slice(1)]);
    expect(m.countParams()).toBe(0);
  });

  it('(N, C) with (N, H, W, C) gives (N, H, W, C) in either order; (N, H, 1, 1) broadcasts', () => {
    expect(new Add().computeOutputShape([[4], [2, 3, 4]])).toEqual([2, 3, 4]);
    expect(new Multiply().computeOutputShape([[2, 3, 4], [4]])).toEqual([2, 3, 4]);
    expect(new Maximum().computeOutputShape([[2, 1, 1], [2, 3, 4]])).toEqual([2, 3, 4]);
    expect(new Add().computeOutputShape([[null, 3], [5, 1]])).toEqual([null, 3]);
  });

  it('mismatched shapes are a ShapeError naming both shapes', () => {
    expect(() => new Add().computeOutputShape([[3], [4]])).toThrow(ShapeError);
    expect(() => new Add().computeOutputShape([[2, 3, 4], [3]])).toThrow(/\(2, 3, 4\) and \(3,\)/);
    expect(() => new Add().apply([Input({ shape: [3] }), Input({ shape: [4] })])).toThrow(ShapeError);
  });

  it('Subtract takes exactly two inputs', () => {
    const [a, b, c] = [Input({ shape: [3] }), Input({ shape: [3] }), Input({ shape: [3] })];
    expect(() => new Subtract().apply([a, b, c])).toThrow(/exactly 2 inputs/);
    expect(() => new Subtract().apply([a])).toThrow(ShapeError);
  });

  it('bad options are ConfigErrors', () => {
    expect(() => new Add({ axis: 1 } as never)).toThrow(ConfigError);
    expect(() => new Average('x' as never)).toThrow(ConfigError);
  });

  it('a file with a bad merge call lists it', () => {
    const a = Input({ shape: [3], name: 'a' });
    const b = Input({ shape: [3], name: 'b' });
    const json = new Model({ inputs: [a, b], outputs: new Add({ name: 'sum' }).apply([a, b]) }).toJSON() as { config: { layers: { config: { batch_input_shape?: unknown[] } }[] } };
    json.config.layers[1].config.batch_input_shape = [null, 4];
    expect(() => modelFromJSON(json)).toThrow(ModelFormatError);
    expect(() => modelFromJSON(json)).toThrow(/incompatible shapes/);
  });
});

for (const backend of BACKENDS) {
  describe(`merge layers vs the float64 oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);

    it.each(table.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
      await use(backend);
      const m = mergeModel(c.kind, c.shapes);
      const xs = inputsOf(c);
      const got = m.predict(xs.length === 1 ? xs[0] : xs) as Tensor;
      const want = naive.merge(c.kind, xs);
      expect(got.shape).toEqual(want.shape);
      expect(mismatch(got.data, want.data, 0)).toBeNull();
    });

    it('in place over an intermediate, with the next relu / leaky relu fused, and not in place when the input is read again', async () => {
      await use(backend);
      for (const C of CHANNELS) {
        const shape = [3, 5, C];
        const a = Input({ shape });
        const b = Input({ shape: [C] });
        const t = new ReLU().apply(a);
        const s = new Add().apply([t, b]); // may write over t: nothing reads t later
        const y1 = new LeakyReLU({ negativeSlope: 0.2 }).apply(s); // fused into the add
        const u = new ReLU().apply(a);
        const p = new Multiply().apply([u, b]);
        const y2 = new Subtract().apply([p, u]); // u read again: the multiply must not overwrite it
        const z = new Average().apply([u, y1, u]);
        const y3 = new Activation('relu').apply(new Maximum().apply([z, b]));
        const m = new Model({ inputs: [a, b], outputs: [y1, y2, y3] });
        const xa = tensor(data([2, ...shape], C, 'add'), [2, ...shape]);
        const xb = tensor(data([2, C], C + 1, 'add'), [2, C]);
        const [g1, g2, g3] = m.predict([xa, xb]) as Tensor[];
        const relu = { shape: xa.shape, data: Float64Array.from(xa.data, (v) => Math.max(v, 0)) };
        const sum = naive.merge('add', [relu, xb]);
        const w1 = { shape: sum.shape, data: sum.data.map((v) => (v >= 0 ? v : Math.fround(Math.fround(0.2) * v))) };
        const w2 = naive.merge('subtract', [naive.merge('multiply', [relu, xb]), relu]);
        const zz = naive.merge('maximum', [naive.merge('average', [relu, w1, relu]), xb]);
        const w3 = zz.data.map((v) => Math.max(v, 0));
        expect(mismatch(g1.data, w1.data, 0), `C=${C} leaky(relu(a) + b)`).toBeNull();
        expect(mismatch(g2.data, w2.data, 0), `C=${C} relu(a)·b − relu(a)`).toBeNull();
        expect(mismatch(g3.data, w3, 0), `C=${C} relu(max(avg, b))`).toBeNull();
      }
    });

    it('one input: the layer returns it', async () => {
      await use(backend);
      for (const kind of ['add', 'average', 'maximum'] as const) {
        const a = Input({ shape: [4] });
        const m = new Model({ inputs: a, outputs: new LAYERS[kind]().apply([a]) });
        expect(Array.from((m.predict(tensor([1, -2, 3, 0.5], [1, 4])) as Tensor).data)).toEqual([1, -2, 3, 0.5]);
      }
    });

    it('the same tensor twice and a shared merge layer', async () => {
      await use(backend);
      const a = Input({ shape: [2, 3] });
      const b = Input({ shape: [3] });
      const mul = new Multiply();
      const sq = mul.apply([a, a]);
      const m = new Model({ inputs: [a, b], outputs: mul.apply([sq, b]) });
      const xa = tensor(data([2, 2, 3], 5, 'add'), [2, 2, 3]);
      const xb = tensor(data([2, 3], 6, 'add'), [2, 3]);
      const want = naive.merge('multiply', [naive.merge('multiply', [xa, xa]), xb]);
      expect(mismatch((m.predict([xa, xb]) as Tensor).data, want.data, 0)).toBeNull();
    });

    it('config round trip (toJSON → modelFromJSON) predicts the same', async () => {
      await use(backend);
      for (const kind of KINDS) {
        const c = table.find((t) => t.kind === kind && t.shapes.length === 2 && t.shapes[0].length === 1 && t.shapes[1].length === 3)!;
        const m = mergeModel(kind, c.shapes);
        const json = m.toJSON();
        const back = modelFromJSON(JSON.stringify(json));
        expect(back.toJSON()).toEqual(json);
        const layer = (json.config as { layers: { class_name: string; config: object }[] }).layers[2];
        expect(layer.class_name).toBe(kind[0].toUpperCase() + kind.slice(1));
        expect(Object.keys(layer.config).sort()).toEqual(['dtype', 'name', 'trainable']);
        const xs = inputsOf(c);
        expect(Array.from((back.predict(xs) as Tensor).data)).toEqual(Array.from((m.predict(xs) as Tensor).data));
      }
    });
  });
}

it('the table covers every kind with each channel count and the > 4 axes case', () => {
  for (const kind of KINDS) for (const C of CHANNELS) expect(table.some((c) => c.kind === kind && c.shapes.some((s) => s[s.length - 1] === C))).toBe(true);
  expect(table.some((c) => c.shapes[0].length === 6)).toBe(true);
  expect(table.some((c) => c.batch > 1)).toBe(true);
});


import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError, Dense, Embedding, Flatten, Input, Model, modelFromJSON, Multiply, Sequential, ShapeError, type Tensor, tensor,
} from '../../bindings/index.js';
import { BACKENDS, itRunsOnRequestedBackend, use } from '../util/backends.js';
import { mismatch } from '../util/close.js';
import * as naive from '../util/naive_merge.js';
import { rng } from '../util/rng.js';

/**
 * Embedding (SEMANTICS-functional §3): float ids truncated as Keras's cast to int32, rows of
 * the (input_dim, output_dim) table, (N, ...) → (N, ..., D), `input_length` (tf.keras 2). An id
 * outside [0, input_dim) is a ShapeError at predict — the kernel checks every id before it
 * copies, so nothing outside the table is read — and the model works afterwards.
 */

const DIMS = [1, 3, 4, 5, 8, 13, 17, 70];

interface Case {
  name: string;
  V: number;
  D: number;
  ids: number[];
  batch: number;
  seed: number;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 1200;
  for (const D of DIMS) for (const V of [1, 2, 10]) for (const ids of [[1], [3], [2, 3], [1, 1, 5]]) {
    const c: Case = { name: '', V, D, ids, batch: rng(seed).int(1, 3), seed: seed++ };
    c.name = `V=${V} D=${D} ids=(${ids.join(',')}) batch=${c.batch}`;
    cases.push(c);
  }
  return cases;
}
const table = buildTable();

/** Integral and fractional float ids in range, including the truncation edges -0.5 → 0 and V - 0.5 → V - 1. */
function idsOf(c: Case): Tensor {
  const r = rng(c.seed);
  const shape = [c.batch, ...c.ids];
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = i === 0 ? -0.5 : i === 1 ? c.V - 0.5 : r.bool() ? r.int(0, c.V - 1) : r.uniform(0, c.V - 0.01);
  return tensor(data, shape);
}

function embeddingModel(c: Case): { model: Model; table: Tensor } {
  const x = Input({ shape: c.ids });
  const layer = new Embedding(c.V, c.D);
  const model = new Model({ inputs: x, outputs: layer.apply(x) });
  const t = tensor(rng(c.seed + 1).uniformF32(c.V * c.D, -1, 1), [c.V, c.D]);
  model.setWeights([t]);
  return { model, table: t };
}

beforeAll(async () => {
  await use('js');
});

describe('Embedding: shapes, weights, options', () => {
  it('(N, L) → (N, L, D), any rank; embeddings (V, D)', () => {
    const e = new Embedding(7, 3);
    expect(e.computeOutputShape([4])).toEqual([4, 3]);
    expect(e.computeOutputShape([null, 2])).toEqual([null, 2, 3]);
    const x = Input({ shape: [5] });
    const m = new Model({ inputs: x, outputs: e.apply(x) });
    expect(m.getWeights().map((w) => w.shape)).toEqual([[7, 3]]);
    expect(m.countParams()).toBe(21);
  });

  it("initial embeddings are Keras's RandomUniform(-0.05, 0.05), spread over the whole range (not glorot_uniform)", () => {
    const x = Input({ shape: [2] });
    const m = new Model({ inputs: x, outputs: new Embedding(1000, 8).apply(x) });
    const w = m.getWeights()[0].data;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of w) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    // glorot_uniform's limit here is sqrt(6 / 1008) ≈ 0.077
    expect(lo).toBeGreaterThanOrEqual(-0.05);
    expect(hi).toBeLessThanOrEqual(0.05);
    expect(lo).toBeLessThan(-0.049);
    expect(hi).toBeGreaterThan(0.049);
  });

  it('inputLength gives a Sequential its input shape and is checked against the input', () => {
    const s = new Sequential([new Embedding(10, 4, { inputLength: 3 }), new Flatten()]);
    expect(s.outputShape).toEqual([null, 12]);
    expect(() => new Embedding(10, 4, { inputLength: 3 }).apply(Input({ shape: [4] }))).toThrow(ShapeError);
    expect(new Embedding(10, 4, { inputLength: [2, 3] }).computeOutputShape([2, 3])).toEqual([2, 3, 4]);
  });

  it('bad arguments are ConfigErrors', () => {
    expect(() => new Embedding(0, 3)).toThrow(ConfigError);
    expect(() => new Embedding(3, 2.5)).toThrow(ConfigError);
    expect(() => new Embedding(3, 2, { maskZero: true })).toThrow(/maskZero/);
    expect(() => new Embedding(3, 2, { inputLength: 0 })).toThrow(ConfigError);
    expect(() => new Embedding(3, 2, { inputLength: 'x' as never })).toThrow(ConfigError);
    expect(() => new Embedding(3, 2, { weights: [] } as never)).toThrow(ConfigError);
  });

  it('files: mask_zero true is listed; input_length and the initializer keys are read', () => {
    const cfg = (extra: object) => ({
      class_name: 'Sequential', config: { name: 's', layers: [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], name: 'in' } },
        { class_name: 'Embedding', config: { name: 'e', input_dim: 5, output_dim: 2, embeddings_initializer: { class_name: 'RandomUniform', config: {} }, input_length: 3, ...extra } },
      ] },
    });
    expect(modelFromJSON(cfg({ mask_zero: false })).outputShape).toEqual([null, 3, 2]);
    expect(() => modelFromJSON(cfg({ mask_zero: true }))).toThrow(/maskZero/);
  });
});

for (const backend of BACKENDS) {
  describe(`Embedding vs the oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);

    it.each(table.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
      await use(backend);
      const { model, table: t } = embeddingModel(c);
      const ids = idsOf(c);
      const got = model.predict(ids) as Tensor;
      const want = naive.embedding(ids, t);
      expect(got.shape).toEqual(want.shape);
      expect(mismatch(got.data, want.data, 0)).toBeNull();
    });

    it('an id outside [0, input_dim) is a ShapeError naming it, and the model still predicts', async () => {
      await use(backend);
      const c = table.find((t) => t.V === 10 && t.D === 5 && t.ids.length === 2)!;
      const { model, table: t } = embeddingModel(c);
      const good = idsOf(c);
      for (const bad of [10, -1, 10.5, 1e9, -1e9]) {
        const ids = tensor(Float32Array.from(good.data), good.shape);
        ids.data[ids.data.length - 1] = bad;
        expect(() => model.predict(ids)).toThrow(ShapeError);
        expect(() => model.predict(ids)).toThrow(new RegExp(`id ${bad === 1e9 ? '1000000000' : bad === -1e9 ? '-1000000000' : String(bad)} .*outside \\[0, 10\\)`));
        expect(mismatch((model.predict(good) as Tensor).data, naive.embedding(good, t).data, 0)).toBeNull();
      }
      const out = tensor(new Float32Array(good.data.length * 5), [...good.shape, 5]);
      const ids = tensor(Float32Array.from(good.data), good.shape);
      ids.data[0] = 11;
      expect(() => model.predictInto(ids, out)).toThrow(ShapeError);
      model.predictInto(good, out);
      expect(mismatch(out.data, naive.embedding(good, t).data, 0)).toBeNull();
    });

    it('cGAN label path: Embedding → Flatten → Multiply with the latent, round trip', async () => {
      await use(backend);
      const z = Input({ shape: [6], name: 'z' });
      const label = Input({ shape: [1], name: 'label' });
      const e = new Embedding(4, 6, { name: 'emb' }).apply(label);
      const h = new Multiply().apply([z, new Flatten().apply(e)]);
      const m = new Model({ inputs: [z, label], outputs: new Dense(2, { name: 'out' }).apply(h) });
      const weights = [tensor(rng(1).uniformF32(24, -1, 1), [4, 6]), tensor(rng(2).uniformF32(12, -1, 1), [6, 2]), tensor([0.1, -0.2], [2])];
      m.setWeights(weights);
      const zs = tensor(rng(3).uniformF32(12, -1, 1), [2, 6]);
      const labels = tensor([3, 1], [2, 1]);
      const got = m.predict([zs, labels]) as Tensor;
      const emb = naive.embedding(labels, weights[0]);
      const prod = naive.merge('multiply', [zs, { shape: [2, 6], data: emb.data }]);
      const want = new Float64Array(4);
      for (let n = 0; n < 2; n++) for (let u = 0; u < 2; u++) {
        let acc = weights[2].data[u];
        for (let k = 0; k < 6; k++) acc += prod.data[n * 6 + k] * weights[1].data[k * 2 + u];
        want[n * 2 + u] = acc;
      }
      expect(mismatch(got.data, want, 1e-6)).toBeNull();
      const back = modelFromJSON(JSON.stringify(m.toJSON()));
      back.setWeights(weights);
      expect(Array.from((back.predict([zs, labels]) as Tensor).data)).toEqual(Array.from(got.data));
      const cfg = (m.toJSON().config as { layers: { class_name: string; config: Record<string, unknown> }[] }).layers.find((l) => l.class_name === 'Embedding')!.config;
      expect(cfg).toMatchObject({ input_dim: 4, output_dim: 6, mask_zero: false, input_length: null });
    });
  });
}

import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Input, Model, modelFromJSON, PReLU, ShapeError, type Tensor, tensor } from '../../bindings/index.js';
import { BACKENDS, itRunsOnRequestedBackend, use } from '../util/backends.js';
import { mismatch } from '../util/close.js';
import * as naive from '../util/naive_merge.js';
import { rng } from '../util/rng.js';

/**
 * PReLU (SEMANTICS-functional §3): relu(x) − alpha·relu(−x), alpha of the input's sample shape
 * with each shared axis (1-based) set to 1, on every backend against the oracle, over shared
 * axes none / [1, 2] (Fast-SRGAN's per-channel alpha) / [1] / [3] / [1, 2, 3] and rank-2 inputs.
 */

const CHANNELS = [1, 3, 4, 5, 8, 13, 17];
const SHARED: (number[] | null)[] = [null, [1, 2], [1], [3], [1, 2, 3], [2]];

interface Case {
  name: string;
  sample: number[];
  shared: number[] | null;
  batch: number;
  seed: number;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 1500;
  for (const C of CHANNELS) for (const shared of SHARED) {
    const r = rng(seed);
    const c: Case = { name: '', sample: [r.int(1, 4), r.pick([1, 3, 6]), C], shared, batch: r.int(1, 3), seed: seed++ };
    c.name = `(${c.sample.join(',')}) shared=${JSON.stringify(shared)} batch=${c.batch}`;
    cases.push(c);
  }
  for (const D of [1, 5, 16, 33]) for (const shared of [null, [1]]) {
    cases.push({ name: `(${D}) shared=${JSON.stringify(shared)} batch=2`, sample: [D], shared, batch: 2, seed: seed++ });
  }
  return cases;
}
const table = buildTable();

const alphaShape = (c: Case) => c.sample.map((d, k) => (c.shared?.includes(k + 1) ? 1 : d));

function build(c: Case) {
  const x = Input({ shape: c.sample });
  const model = new Model({ inputs: x, outputs: new PReLU({ sharedAxes: c.shared }).apply(x) });
  const shape = alphaShape(c);
  const alpha = tensor(rng(c.seed + 5).uniformF32(shape.reduce((a, b) => a * b, 1), -0.5, 1.5), shape);
  model.setWeights([alpha]);
  const full = [c.batch, ...c.sample];
  const xs = tensor(rng(c.seed + 6).uniformF32(full.reduce((a, b) => a * b, 1), -3, 3), full);
  return { model, alpha, xs };
}

beforeAll(async () => {
  await use('js');
});

describe('PReLU: weights and errors', () => {
  it.each(table.map((c) => [c.name, c] as const))('alpha shape %s', (_n, c) => {
    const { model } = build(c);
    expect(model.getWeights().map((w) => w.shape)).toEqual([alphaShape(c)]);
  });

  it('alpha starts at zero (relu)', async () => {
    const x = Input({ shape: [2, 2] });
    const m = new Model({ inputs: x, outputs: new PReLU().apply(x) });
    expect(Array.from((m.predict(tensor([-1, 2, -3, 4], [1, 2, 2])) as Tensor).data)).toEqual([0, 2, 0, 4]);
  });

  it('shared axes past the rank, unknown unshared sizes and bad options are refused', () => {
    expect(() => new PReLU({ sharedAxes: [4] }).apply(Input({ shape: [2, 3] }))).toThrow(ShapeError);
    expect(() => new PReLU({ sharedAxes: [1] }).apply(Input({ shape: [null, 3] }))).not.toThrow();
    expect(() => new PReLU().apply(Input({ shape: [null, 3] }))).toThrow(/known size on axis 1/);
    expect(() => new PReLU({ sharedAxes: [0] })).toThrow(ConfigError);
    expect(() => new PReLU({ sharedAxes: 'x' as never })).toThrow(ConfigError);
    expect(() => new PReLU({ alpha: 0.2 } as never)).toThrow(ConfigError);
  });

  it('a layer built for one shape refuses another that needs other weights', () => {
    const p = new PReLU({ sharedAxes: [1, 2] });
    p.apply(Input({ shape: [4, 4, 3] }));
    expect(() => p.apply(Input({ shape: [8, 8, 3] }))).not.toThrow();
    expect(() => p.apply(Input({ shape: [4, 4, 5] }))).toThrow(ShapeError);
  });
});

for (const backend of BACKENDS) {
  describe(`PReLU vs the oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);

    it.each(table.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
      await use(backend);
      const { model, alpha, xs } = build(c);
      const got = model.predict(xs) as Tensor;
      expect(mismatch(got.data, naive.prelu(xs, alpha).data, 0)).toBeNull();
    });

    it('new weights after a predict are used (re-packed), and the config round trips', async () => {
      await use(backend);
      const c = table.find((t) => t.shared?.join() === '1,2' && t.sample[2] === 5)!;
      const { model, alpha, xs } = build(c);
      model.predict(xs);
      const alpha2 = tensor(Float32Array.from(alpha.data, (v) => -v), alpha.shape);
      model.setWeights([alpha2]);
      expect(mismatch((model.predict(xs) as Tensor).data, naive.prelu(xs, alpha2).data, 0)).toBeNull();
      const json = model.toJSON();
      const cfg = (json.config as { layers: { class_name: string; config: Record<string, unknown> }[] }).layers[1].config;
      expect(cfg.shared_axes).toEqual([1, 2]);
      const back = modelFromJSON(JSON.stringify(json));
      back.setWeights([alpha2]);
      expect(Array.from((back.predict(xs) as Tensor).data)).toEqual(Array.from((model.predict(xs) as Tensor).data));
    });
  });
}

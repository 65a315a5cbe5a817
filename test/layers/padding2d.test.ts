import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError, Cropping2D, Input, InputLayer, Model, modelFromJSON, ModelFormatError, ReflectionPadding2D, Sequential, ShapeError,
  SymmetricPadding2D, type Tensor, tensor, ZeroPadding2D,
} from '../../bindings/index.js';
import { BACKENDS, itRunsOnRequestedBackend, use } from '../util/backends.js';
import { mismatch } from '../util/close.js';
import * as naive from '../util/naive_padding.js';
import { rng } from '../util/rng.js';

/**
 * ZeroPadding2D, Cropping2D and the mirror paddings (tf.pad REFLECT / SYMMETRIC) under the custom
 * class names files use (registry.ts): every padding form (int, pair, [[t, b], [l, r]]), each
 * class's pair order, the size limits TF's MirrorPad has, on every backend against an oracle
 * that builds each padded axis from slices.
 */

type Pads = [number, number, number, number];
const CHANNELS = [1, 3, 4, 5, 8, 13, 17, 70];
type Kind = 'zero' | 'crop' | 'reflect' | 'symmetric';

interface Case {
  name: string;
  kind: Kind;
  sample: [number, number, number];
  pads: Pads;
  batch: number;
  seed: number;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 1800;
  for (const kind of ['zero', 'crop', 'reflect', 'symmetric'] as Kind[]) for (const C of CHANNELS) {
    for (const [H, W] of [[1, 1], [2, 3], [5, 4], [7, 9]]) {
      const r = rng(seed);
      const limH = kind === 'reflect' ? H - 1 : kind === 'symmetric' ? H : kind === 'crop' ? Math.floor((H - 1) / 2) : 3;
      const limW = kind === 'reflect' ? W - 1 : kind === 'symmetric' ? W : kind === 'crop' ? Math.floor((W - 1) / 2) : 3;
      for (const pick of [() => 0, (lim: number) => lim, (lim: number) => r.int(0, lim)]) {
        const pads: Pads = [pick(limH), pick(limH), pick(limW), r.int(0, limW)];
        if (kind === 'crop' && (pads[0] + pads[1] >= H || pads[2] + pads[3] >= W)) continue;
        cases.push({ name: `${kind} (${H},${W},${C}) pads=${pads} `, kind, sample: [H, W, C], pads, batch: r.int(1, 3), seed: seed++ });
      }
    }
  }
  return cases;
}
const table = buildTable();

const nested = (p: Pads) => [[p[0], p[1]], [p[2], p[3]]] as [[number, number], [number, number]];

function layerOf(c: Case) {
  const p = nested(c.pads);
  switch (c.kind) {
    case 'zero': return new ZeroPadding2D({ padding: p });
    case 'crop': return new Cropping2D({ cropping: p });
    case 'reflect': return new ReflectionPadding2D({ padding: p });
    case 'symmetric': return new SymmetricPadding2D({ padding: p });
  }
}

function want(c: Case, x: Tensor) {
  if (c.kind === 'crop') return naive.crop2d(x, c.pads);
  return naive.pad2d(x, c.pads, c.kind === 'zero' ? 'zeros' : c.kind);
}

function inputOf(c: Case): Tensor {
  const full = [c.batch, ...c.sample];
  return tensor(rng(c.seed).uniformF32(full.reduce((a, b) => a * b, 1), -2, 2), full);
}

beforeAll(async () => {
  await use('js');
});

describe('2-D padding and cropping: argument forms and errors', () => {
  it('ZeroPadding2D / Cropping2D: int, [height, width], [[t, b], [l, r]]; default 1 / 0', () => {
    expect(new ZeroPadding2D(2).pads).toEqual([2, 2, 2, 2]);
    expect(new ZeroPadding2D([1, 3]).pads).toEqual([1, 1, 3, 3]);
    expect(new ZeroPadding2D({ padding: [[1, 2], [3, 4]] }).pads).toEqual([1, 2, 3, 4]);
    expect(new ZeroPadding2D().pads).toEqual([1, 1, 1, 1]);
    expect(new Cropping2D([2, 1]).cropping).toEqual([2, 2, 1, 1]);
    expect(new Cropping2D().cropping).toEqual([0, 0, 0, 0]);
    expect(new ZeroPadding2D([[1, 2], [0, 1]]).computeOutputShape([3, 4, 2])).toEqual([6, 5, 2]);
    expect(new Cropping2D([[1, 0], [0, 1]]).computeOutputShape([null, 4, 2])).toEqual([null, 3, 2]);
  });

  it('each mirror class reads a flat pair in its own order (registry.ts)', () => {
    expect(new ReflectionPadding2D([3, 1]).pads).toEqual([1, 1, 3, 3]); // keras-io: (width, height)
    expect(new SymmetricPadding2D([3, 1]).pads).toEqual([3, 3, 1, 1]); // (height, width)
    const entry = (cls: string, padding: unknown) => ({
      class_name: 'Sequential', config: { name: 's', layers: [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, 8, 8, 1], name: 'in' } },
        { class_name: cls, config: { name: 'p', trainable: true, dtype: 'float32', ...(padding === undefined ? {} : { padding }) } },
      ] },
    });
    const out = (cls: string, padding?: unknown) => modelFromJSON(entry(cls, padding)).outputShape;
    expect(out('ReflectionPadding2D', [3, 1])).toEqual([null, 10, 14, 1]);
    expect(out('ReflectPadding2D', [3, 1])).toEqual([null, 14, 10, 1]);
    expect(out('SymmetricPadding2D', [3, 1])).toEqual([null, 14, 10, 1]);
    expect(out('SymmetricPadding', [3, 1])).toEqual([null, 10, 14, 1]);
    for (const cls of ['ReflectionPadding2D', 'ReflectPadding2D', 'SymmetricPadding2D', 'SymmetricPadding']) {
      expect(out(cls, [[1, 2], [3, 4]])).toEqual([null, 11, 15, 1]);
      expect(out(cls, 2)).toEqual([null, 12, 12, 1]);
      expect(out(cls)).toEqual([null, 10, 10, 1]); // keras-io's classes write no padding key: (1, 1)
    }
    expect(() => modelFromJSON(entry('ReflectionPadding2D', [1, 2, 3]))).toThrow(ModelFormatError);
  });

  it('mirror pads are limited as TF MirrorPad limits them; cropping must leave something', () => {
    expect(() => new ReflectionPadding2D(2).apply(Input({ shape: [2, 5, 1] }))).toThrow(/REFLECT/);
    expect(() => new ReflectionPadding2D(1).apply(Input({ shape: [2, 2, 1] }))).not.toThrow();
    expect(() => new SymmetricPadding2D(3).apply(Input({ shape: [2, 5, 1] }))).toThrow(ShapeError);
    expect(() => new SymmetricPadding2D(2).apply(Input({ shape: [2, 2, 1] }))).not.toThrow();
    expect(() => new Cropping2D([[1, 1], [0, 0]]).apply(Input({ shape: [2, 5, 1] }))).toThrow(/leaves nothing/);
    expect(() => new ZeroPadding2D(1).apply(Input({ shape: [5, 1] }))).toThrow(/rank 4/);
    // unknown sizes are checked when the model plans for a real input
    const x = Input({ shape: [null, null, 2] });
    const m = new Model({ inputs: x, outputs: new ReflectionPadding2D(2).apply(x) });
    expect(() => m.predict(tensor(new Float32Array(2 * 2 * 2), [1, 2, 2, 2]))).toThrow(ShapeError);
    expect((m.predict(tensor(new Float32Array(3 * 3 * 2), [1, 3, 3, 2])) as Tensor).shape).toEqual([1, 7, 7, 2]);
  });

  it('bad arguments are ConfigErrors', () => {
    expect(() => new ZeroPadding2D(-1)).toThrow(ConfigError);
    expect(() => new ZeroPadding2D([1.5, 1])).toThrow(ConfigError);
    expect(() => new ZeroPadding2D({ padding: [[1], [2, 3]] as never })).toThrow(ConfigError);
    expect(() => new Cropping2D({ cropping: 'x' as never })).toThrow(ConfigError);
    expect(() => new ZeroPadding2D({ dataFormat: 'channels_first' as never })).toThrow(ConfigError);
    expect(() => new ReflectionPadding2D({ padding: 1, mode: 'x' } as never)).toThrow(ConfigError);
    expect(() => new ReflectionPadding2D({ fileClass: 'SymmetricPadding' } as never)).toThrow(ConfigError);
  });
});

for (const backend of BACKENDS) {
  describe(`2-D padding and cropping vs the oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);

    it.each(table.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
      await use(backend);
      const m = new Sequential([new InputLayer({ shape: c.sample }), layerOf(c)]);
      const x = inputOf(c);
      const got = m.predict(x) as Tensor;
      const w = want(c, x);
      expect(got.shape).toEqual(w.shape);
      expect(mismatch(got.data, w.data, 0)).toBeNull();
    });

    it('tf.pad examples: REFLECT and SYMMETRIC of [[1, 2, 3], [4, 5, 6]] by ((1, 1), (2, 2))', async () => {
      await use(backend);
      const x = tensor([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
      const pad = (l: ReflectionPadding2D | SymmetricPadding2D) => Array.from((new Sequential([new InputLayer({ shape: [2, 3, 1] }), l]).predict(x) as Tensor).data);
      // the TensorFlow documentation's tf.pad examples
      expect(pad(new ReflectionPadding2D({ padding: [[1, 1], [2, 2]] }))).toEqual([6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1]);
      expect(pad(new SymmetricPadding2D({ padding: [[1, 1], [2, 2]] }))).toEqual([2, 1, 1, 2, 3, 3, 2, 2, 1, 1, 2, 3, 3, 2, 5, 4, 4, 5, 6, 6, 5, 5, 4, 4, 5, 6, 6, 5]);
    });

    it('config round trips keep the class, its padding and the numbers', async () => {
      await use(backend);
      const layers = [new ZeroPadding2D([[1, 2], [0, 1]]), new Cropping2D([[1, 0], [0, 1]]), new ReflectionPadding2D([2, 1]),
        new SymmetricPadding2D({ padding: [[1, 0], [2, 1]] })];
      const x = Input({ shape: [5, 6, 3] });
      let y = x;
      for (const l of layers) y = l.apply(y);
      const m = new Model({ inputs: x, outputs: y });
      const json = m.toJSON();
      const cfgs = (json.config as { layers: { class_name: string; config: { padding?: unknown; cropping?: unknown } }[] }).layers.slice(1);
      expect(cfgs.map((l) => l.class_name)).toEqual(['ZeroPadding2D', 'Cropping2D', 'ReflectionPadding2D', 'SymmetricPadding2D']);
      expect(cfgs.map((l) => l.config.padding ?? l.config.cropping)).toEqual([[[1, 2], [0, 1]], [[1, 0], [0, 1]], [2, 1], [[1, 0], [2, 1]]]);
      const back = modelFromJSON(JSON.stringify(json));
      expect(back.toJSON()).toEqual(json);
      const xs = tensor(rng(9).uniformF32(2 * 90, -1, 1), [2, 5, 6, 3]);
      expect(Array.from((back.predict(xs) as Tensor).data)).toEqual(Array.from((m.predict(xs) as Tensor).data));
    });
  });
}

it('the table covers each kind at its largest pads and the channel tails', () => {
  for (const kind of ['zero', 'crop', 'reflect', 'symmetric']) for (const C of CHANNELS) {
    expect(table.some((c) => c.kind === kind && c.sample[2] === C)).toBe(true);
  }
  expect(table.some((c) => c.kind === 'reflect' && c.pads[0] === c.sample[0] - 1 && c.sample[0] > 1)).toBe(true);
  expect(table.some((c) => c.kind === 'symmetric' && c.pads[0] === c.sample[0])).toBe(true);
});

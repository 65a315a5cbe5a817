import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, init, modelFromJSON, PixelNormalization, Sequential, tensor } from '../../bindings/index.js';
import { BACKENDS, itMatchesOracle, itRunsOnRequestedBackend, use } from '../util/backends.js';
import { pixelNorm } from '../util/naive_norm.js';
import { normInput } from '../util/norm_data.js';
import { rng } from '../util/rng.js';
import { expectConfigRoundTrip } from '../util/round_trip.js';

/**
 * ProGAN's PixelNormalization (x / sqrt(mean(x², channels) + 1e-8)) on every backend against
 * the float64 oracle, over channel counts hitting the SIMD tails; the three class names
 * ProGAN/StyleGAN Keras repositories use (PixelNormalization, PixelNorm, PixelNormLayer).
 */

const TOL = 1e-4;

interface Case {
  name: string;
  sample: number[];
  batch: number;
  epsilon: number | undefined;
  seed: number;
}

const table: Case[] = [];
{
  let seed = 14000;
  for (const C of [1, 3, 4, 5, 8, 13, 17, 64, 512]) for (const leading of [[], [3], [4, 5], [1, 1]]) {
    const r = rng(seed);
    const c: Case = { name: '', sample: [...leading, C], batch: r.int(1, 3), epsilon: r.pick([undefined, 1e-3, 0.5]), seed: seed++ };
    c.name = `x=[${c.batch},${c.sample}] eps=${c.epsilon ?? 'default'}`;
    table.push(c);
  }
}

function build(c: Case) {
  const model = new Sequential([new PixelNormalization({ inputShape: c.sample, ...(c.epsilon === undefined ? {} : { epsilon: c.epsilon }) })]);
  const shape = [c.batch, ...c.sample];
  const x = tensor(normInput(shape, c.seed), shape);
  return { model, x, want: pixelNorm(x.data, shape, c.epsilon ?? 1e-8) };
}

beforeAll(async () => {
  await init();
});

for (const backend of BACKENDS) {
  describe(`PixelNormalization vs float64 oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);
    itMatchesOracle(backend, table, build, TOL);

    it('by hand: [3, 4] → [3, 4] / sqrt(12.5)', async () => {
      await use(backend);
      const m = new Sequential([new PixelNormalization({ inputShape: [2], epsilon: 0 })]);
      const got = Array.from(m.predict(tensor([3, 4], [1, 2])).data);
      expect(got[0]).toBeCloseTo(3 / Math.sqrt(12.5), 6);
      expect(got[1]).toBeCloseTo(4 / Math.sqrt(12.5), 6);
    });

    it('a zero pixel stays zero (epsilon keeps the division finite)', async () => {
      await use(backend);
      const m = new Sequential([new PixelNormalization({ inputShape: [5] })]);
      expect(Array.from(m.predict(tensor(new Float32Array(5), [1, 5])).data)).toEqual([0, 0, 0, 0, 0]);
    });

    it('config round trip predicts the same', async () => {
      await use(backend);
      const { model, x } = build(table[5]);
      expectConfigRoundTrip(model, x);
    });
  });
}

describe('PixelNormalization: the class names files use', () => {
  const fileWith = (className: string, config: Record<string, unknown>) => ({
    class_name: 'Sequential',
    config: { name: 's', layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 2, 2, 3], name: 'in' } }, { class_name: className, config: { name: 'pn', trainable: true, dtype: 'float32', ...config } }] },
  });

  it('reads PixelNormalization (no config keys), PixelNorm (epsilon) and PixelNormLayer, keeping the class name', () => {
    for (const [cls, cfg] of [['PixelNormalization', {}], ['PixelNorm', { epsilon: 1e-8 }], ['PixelNorm', { channel_axis: -1 }], ['PixelNormLayer', {}]] as const) {
      const m = modelFromJSON(fileWith(cls, cfg));
      expect(m.layers[0].className).toBe(cls);
      const x = tensor(normInput([1, 2, 2, 3], 1), [1, 2, 2, 3]);
      const want = pixelNorm(x.data, x.shape);
      const got = (m.predict(x) as { data: Float32Array }).data;
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want.data[i])).toBeLessThan(1e-5);
      expect(() => modelFromJSON(m.toJSON())).not.toThrow();
    }
  });

  it('refuses variants it cannot compute: channels-first PixelNorm, a PixelNormLayer with an axis', () => {
    expect(() => modelFromJSON(fileWith('PixelNorm', { channel_axis: 1 }))).toThrow(/channel_axis/);
    expect(() => modelFromJSON(fileWith('PixelNormLayer', { axis: -1, epsilon: 1e-3 }))).toThrow(/axis/);
  });

  it('rejects a negative epsilon', () => {
    expect(() => new PixelNormalization({ epsilon: -1 })).toThrow(ConfigError);
  });
});

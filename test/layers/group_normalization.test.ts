import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, GroupNormalization, init, modelFromJSON, Sequential, ShapeError, tensor, type Tensor } from '../../bindings/index.js';
import { BACKENDS, itMatchesOracle, itRunsOnRequestedBackend, use } from '../util/backends.js';
import { groupNorm } from '../util/naive_norm.js';
import { affineWeights, normInput } from '../util/norm_data.js';
import { rng } from '../util/rng.js';
import { expectConfigRoundTrip } from '../util/round_trip.js';

/**
 * GroupNormalization on every backend against the coordinate-keyed float64 oracle (contiguous
 * channel blocks, statistics per sample over positions and the block): groups 1 (one segment),
 * -1 and C (instance norm), and in between, over channel counts that hit the SIMD tails of the
 * per-channel accumulators, ranks 2 to 4, batches, center/scale and epsilons.
 */

const TOL = 1e-4;

interface Case {
  name: string;
  leading: number[];
  C: number;
  groups: number;
  batch: number;
  center: boolean;
  scale: boolean;
  epsilon: number | undefined;
  seed: number;
}

function divisors(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 12000;
  for (const C of [1, 3, 4, 5, 6, 8, 12, 13, 16, 17, 24]) {
    for (const leading of [[], [7], [3, 5], [1, 1], [9, 9]]) {
      const r = rng(seed);
      for (const groups of [...new Set([-1, 1, r.pick(divisors(C))])]) {
        const [center, scale] = r.pick([[true, true], [true, false], [false, true], [false, false], [true, true]]);
        const c: Case = { name: '', leading, C, groups, batch: r.int(1, 3), center, scale, epsilon: r.pick([undefined, 1e-5, 0.2]), seed: seed++ };
        c.name = `x=[${c.batch},${[...leading, C]}] groups=${groups} center=${center} scale=${scale} eps=${c.epsilon ?? 'default'}`;
        cases.push(c);
      }
    }
  }
  return cases;
}

function build(c: Case) {
  const model = new Sequential([new GroupNormalization({
    inputShape: [...c.leading, c.C], groups: c.groups, center: c.center, scale: c.scale,
    ...(c.epsilon === undefined ? {} : { epsilon: c.epsilon }),
  })]);
  const { gamma, beta } = affineWeights(c.C, c.seed + 1);
  const ws: Tensor[] = [];
  if (c.scale) ws.push(tensor(gamma, [c.C]));
  if (c.center) ws.push(tensor(beta, [c.C]));
  model.setWeights(ws);
  const shape = [c.batch, ...c.leading, c.C];
  const x = tensor(normInput(shape, c.seed + 2), shape);
  const want = groupNorm(x.data, shape, c.groups === -1 ? c.C : c.groups, {
    gamma: c.scale ? gamma : null, beta: c.center ? beta : null, epsilon: c.epsilon ?? 1e-3,
  });
  return { model, x, want };
}

const table = buildTable();

beforeAll(async () => {
  await init();
});

describe('GroupNormalization: the table covers what it should', () => {
  it('hits groups -1, 1, C and in between, channel tails, ranks and batches', () => {
    expect(table.some((c) => c.groups === -1)).toBe(true);
    expect(table.some((c) => c.groups === c.C && c.C > 1)).toBe(true);
    expect(table.some((c) => c.groups > 1 && c.groups < c.C)).toBe(true);
    for (const C of [5, 13, 17]) expect(table.some((c) => c.C === C && c.groups !== 1 && c.leading.length > 0)).toBe(true);
    for (const b of [1, 2, 3]) expect(table.some((c) => c.batch === b)).toBe(true);
  });
});

describe('GroupNormalization: shapes and weights', () => {
  it('gamma and beta have the channel count; groups -1 means one per channel', () => {
    const m = new Sequential([new GroupNormalization({ groups: -1, inputShape: [2, 2, 6] })]);
    expect(m.getWeights().map((w) => w.shape)).toEqual([[6], [6]]);
    expect(m.layers[0].getConfig().groups).toBe(6); // Keras's build replaces -1 by C
    expect(new GroupNormalization({ groups: -1 }).getConfig().groups).toBe(-1);
    expect(new GroupNormalization().getConfig().groups).toBe(32);
  });
});

for (const backend of BACKENDS) {
  describe(`GroupNormalization vs float64 oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);
    itMatchesOracle(backend, table, build, TOL);

    it('by hand: 2 groups of 2 channels, one pixel each', async () => {
      await use(backend);
      const m = new Sequential([new GroupNormalization({ groups: 2, epsilon: 0, center: false, scale: false, inputShape: [4] })]);
      // group 0: [1, 3] → mean 2, std 1; group 1: [10, 20] → mean 15, std 5
      expect(Array.from(m.predict(tensor([1, 3, 10, 20], [1, 4])).data)).toEqual([-1, 1, -1, 1]);
    });

    it('a 256x256x8 sample (65536 rows per statistic) matches the float64 oracle', async () => {
      await use(backend);
      const shape = [1, 256, 256, 8];
      const m = new Sequential([new GroupNormalization({ groups: 4, inputShape: shape.slice(1) })]);
      const x = normInput(shape, 3);
      const want = groupNorm(x, shape, 4);
      const got = m.predict(tensor(x, shape)).data;
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(got[i] - want.data[i]));
      expect(worst).toBeLessThan(1e-4);
    });

    it('config round trip (getConfig → modelFromJSON) predicts the same', async () => {
      await use(backend);
      const { model, x } = build(table.find((c) => c.groups > 1 && c.groups < c.C)!);
      expectConfigRoundTrip(model, x);
    });
  });
}

describe('GroupNormalization: config and bad arguments', () => {
  it('writes the Keras config keys', () => {
    expect(Object.keys(new GroupNormalization({ groups: 2 }).getConfig())).toEqual(['name', 'trainable', 'dtype', 'groups', 'axis',
      'epsilon', 'center', 'scale', 'beta_initializer', 'gamma_initializer', 'beta_regularizer', 'gamma_regularizer', 'beta_constraint',
      'gamma_constraint']);
  });

  it('reads tensorflow_addons GroupNormalization under its own class name', () => {
    const json = new Sequential([new GroupNormalization({ groups: 2, inputShape: [4] })]).toJSON() as { config: { layers: { class_name: string }[] } };
    json.config.layers[1].class_name = 'Addons>GroupNormalization';
    const m = modelFromJSON(json);
    expect(m.layers[0].className).toBe('Addons>GroupNormalization');
    expect((m.toJSON() as { config: { layers: { class_name: string }[] } }).config.layers[1].class_name).toBe('Addons>GroupNormalization');
  });

  it('rejects bad arguments with ConfigError and groups that do not fit with ShapeError', () => {
    expect(() => new GroupNormalization({ groups: 0 })).toThrow(ConfigError);
    expect(() => new GroupNormalization({ groups: -2 })).toThrow(ConfigError);
    expect(() => new GroupNormalization({ groups: 2.5 })).toThrow(ConfigError);
    expect(() => new GroupNormalization({ epsilon: Number.NaN })).toThrow(ConfigError);
    expect(() => new Sequential([new GroupNormalization({ groups: 3, inputShape: [2, 2, 4] })])).toThrow(/divide/);
    expect(() => new Sequential([new GroupNormalization({ groups: 8, inputShape: [2, 2, 4] })])).toThrow(ShapeError);
    expect(() => new Sequential([new GroupNormalization({ groups: 2, axis: 1, inputShape: [2, 2, 4] })])).toThrow(/last/);
  });
});

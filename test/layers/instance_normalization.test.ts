import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError, ContribInstanceNormalization, init, InstanceNormalization, modelFromJSON, Sequential, ShapeError, tensor, type Tensor,
} from '../../bindings/index.js';
import { BACKENDS, itMatchesOracle, itRunsOnRequestedBackend, use } from '../util/backends.js';
import { contribInstanceNorm, tfaInstanceNorm } from '../util/naive_norm.js';
import { affineWeights, normInput } from '../util/norm_data.js';
import { rng } from '../util/rng.js';
import { expectConfigRoundTrip } from '../util/round_trip.js';

/**
 * The two InstanceNormalization configs files carry (SEMANTICS-functional §3), on every backend
 * against the float64 oracle: tensorflow_addons' (`Addons>InstanceNormalization`: per sample and
 * channel, sqrt(var + eps)) and keras_contrib's (`InstanceNormalization`: axis null = the whole
 * sample, an axis = per index along it, (x − mean)/(std + eps)).
 */

const TOL = 1e-4;
const CHANNELS = [1, 3, 4, 5, 8, 13, 17];
const LEADING = [[5, 7], [1, 1], [3, 3], [9], [16, 16]];

interface Case {
  name: string;
  kind: 'tfa' | 'contrib';
  sample: number[];
  /** keras_contrib's axis (full-tensor, may be negative) or null. */
  axis: number | null;
  batch: number;
  center: boolean;
  scale: boolean;
  epsilon: number | undefined;
  seed: number;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 13000;
  const add = (kind: Case['kind'], sample: number[], axis: number | null) => {
    const r = rng(seed);
    const [center, scale] = r.pick([[true, true], [true, false], [false, true], [false, false], [true, true]]);
    const c: Case = { name: '', kind, sample, axis, batch: r.int(1, 3), center, scale, epsilon: r.pick([undefined, 1e-5, 0.3]), seed: seed++ };
    c.name = `${kind} x=[${c.batch},${sample}] ${kind === 'contrib' ? `axis=${axis} ` : ''}center=${center} scale=${scale} eps=${c.epsilon ?? 'default'}`;
    cases.push(c);
  };
  for (const C of CHANNELS) for (const leading of LEADING) {
    add('tfa', [...leading, C], null);
    add('contrib', [...leading, C], null);
    add('contrib', [...leading, C], -1);
  }
  for (const C of [3, 5, 8]) {
    add('contrib', [4, 6, C], 1);
    add('contrib', [4, 6, C], 2);
    add('contrib', [4, 6, C], 3);
    add('contrib', [4, 6, C], -2);
  }
  return cases;
}

/** The weight length: C (tfa, contrib with an axis) or 1 (contrib, axis null). */
function weightLength(c: Case): number {
  if (c.kind === 'tfa') return c.sample[c.sample.length - 1];
  if (c.axis === null) return 1;
  const full = [0, ...c.sample];
  return full[c.axis < 0 ? c.axis + full.length : c.axis];
}

function build(c: Case) {
  const opts = { inputShape: c.sample, center: c.center, scale: c.scale, ...(c.epsilon === undefined ? {} : { epsilon: c.epsilon }) };
  const layer = c.kind === 'tfa' ? new InstanceNormalization(opts) : new ContribInstanceNormalization({ ...opts, axis: c.axis });
  const model = new Sequential([layer]);
  const n = weightLength(c);
  const { gamma, beta } = affineWeights(n, c.seed + 1);
  const ws: Tensor[] = [];
  if (c.scale) ws.push(tensor(gamma, [n]));
  if (c.center) ws.push(tensor(beta, [n]));
  model.setWeights(ws);
  const shape = [c.batch, ...c.sample];
  const x = tensor(normInput(shape, c.seed + 2), shape);
  const a = { gamma: c.scale ? gamma : null, beta: c.center ? beta : null, epsilon: c.epsilon ?? 1e-3 };
  const want = c.kind === 'tfa' ? tfaInstanceNorm(x.data, shape, a) : contribInstanceNorm(x.data, shape, c.axis, a);
  return { model, x, want };
}

const table = buildTable();

beforeAll(async () => {
  await init();
});

describe('InstanceNormalization: the oracles differ where the layers do', () => {
  it('keras_contrib adds epsilon to the std, tfa to the variance', () => {
    const x = [0, 2]; // mean 1, var 1
    expect(Array.from(tfaInstanceNorm(x, [1, 2, 1], { epsilon: 3 }).data)).toEqual([-0.5, 0.5]);
    expect(Array.from(contribInstanceNorm(x, [1, 2, 1], null, { epsilon: 3 }).data)).toEqual([-0.25, 0.25]);
  });
});

describe('InstanceNormalization: shapes and weights', () => {
  it.each(table.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { model } = build(c);
    const n = weightLength(c);
    expect(model.outputShape).toEqual([null, ...c.sample]);
    expect(model.getWeights().map((w) => w.shape)).toEqual([...(c.scale ? [[n]] : []), ...(c.center ? [[n]] : [])]);
  });
});

for (const backend of BACKENDS) {
  describe(`InstanceNormalization vs float64 oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);
    itMatchesOracle(backend, table, build, TOL);

    it('config round trips keep the class names apart', async () => {
      await use(backend);
      const tfa = build(table.find((c) => c.kind === 'tfa' && c.scale)!);
      const contrib = build(table.find((c) => c.kind === 'contrib' && c.axis === null && c.center)!);
      expectConfigRoundTrip(tfa.model, tfa.x);
      expectConfigRoundTrip(contrib.model, contrib.x);
      const classes = [tfa.model, contrib.model].map((m) => (m.toJSON() as { config: { layers: { class_name: string }[] } }).config.layers[1].class_name);
      expect(classes).toEqual(['Addons>InstanceNormalization', 'InstanceNormalization']);
    });
  });
}

describe('InstanceNormalization: configs as files have them, and bad arguments', () => {
  it("tfa's saved groups (the channel count) is ignored; its config writes groups = C after build", () => {
    const m = new Sequential([new InstanceNormalization({ inputShape: [2, 2, 3] })]);
    const json = m.toJSON() as { config: { layers: { config: Record<string, unknown> }[] } };
    expect(json.config.layers[1].config.groups).toBe(3);
    json.config.layers[1].config.groups = 7; // any value: tfa forces -1
    expect(() => modelFromJSON(json)).not.toThrow();
    expect(new InstanceNormalization().getConfig().groups).toBe(-1);
  });

  it('keras_contrib writes axis null by default; InstanceNormalization names default to instance_normalization_N', () => {
    const l = new ContribInstanceNormalization();
    expect(l.getConfig().axis).toBeNull();
    expect(l.name).toMatch(/^instance_normalization_\d+$/);
    expect(new InstanceNormalization().name).toMatch(/^instance_normalization_\d+$/);
  });

  it('rejects bad arguments with ConfigError / ShapeError', () => {
    expect(() => new ContribInstanceNormalization({ axis: 0 })).toThrow(ShapeError);
    expect(() => new ContribInstanceNormalization({ axis: 1.5 })).toThrow(ConfigError);
    expect(() => new ContribInstanceNormalization({ epsilon: -1 })).toThrow(ConfigError);
    expect(() => new Sequential([new ContribInstanceNormalization({ axis: -1, inputShape: [4] })])).toThrow(/rank 2/);
    expect(() => new Sequential([new ContribInstanceNormalization({ axis: 4, inputShape: [2, 2, 3] })])).toThrow(ShapeError);
    expect(() => new InstanceNormalization({ groups: 2 } as object)).toThrow(ConfigError);
    expect(() => new Sequential([new InstanceNormalization({ axis: 1, inputShape: [2, 2, 3] })])).toThrow(/last/);
  });
});

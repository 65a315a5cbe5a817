import { describe, expect, it } from 'vitest';
import {
  ActivityRegularization, ConfigError, Dense, GaussianDropout, GaussianNoise, type Layer, Sequential, setSeed, SpatialDropout2D, tensor,
} from '../../bindings/index.js';
import { BACKENDS, use } from '../util/backends.js';
import type { Rng } from '../util/rng.js';
import { type DagCase, type DagSpec, denseNode, itChecksDag } from './dag.js';
import type { OracleOp } from './oracle/op.js';
import * as O from './oracle/ops.js';
import * as S from './oracle/shape.js';

/**
 * The noise layers in training mode: GaussianNoise (x + N(0, stddev²)), GaussianDropout
 * (x · N(1, rate/(1 − rate))), SpatialDropout2D (whole channels of a sample dropped, the rest
 * scaled by 1/(1 − rate)). With given noise (the layers' test hook, as Dropout's masks): the
 * gradients against the oracle with that noise on every backend. With drawn noise: its
 * statistics, the backward using the forward's draw, setSeed replaying it. ActivityRegularization
 * trains as the identity without an activity loss and refuses one.
 */
type Hooked = Layer & { testMask: Float32Array | null };

function noiseSpec(input: number[], c: number, make: (name: string) => Layer, oracle: (r: Rng, batch: number) => OracleOp, batch: number) {
  return (r: Rng): DagSpec => ({
    inputs: [input],
    nodes: [denseNode(0, input[input.length - 1], c, r), { from: [1], layer: make, oracle: oracle(r, batch) }, denseNode(2, c, 3, r)],
  });
}

/** The noise an oracle was made with, handed to the upconv layer (node 1) before the first step. */
const given = new Map<string, Float32Array>();
function hooked(key: string, values: Float32Array): Float32Array {
  given.set(key, values);
  return values;
}
const prepare = (key: string) => (b: { layers: Layer[] }) => { (b.layers[1] as Hooked).testMask = given.get(key)!; };

const cases: DagCase[] = [];
for (const [input, c, batch] of [[[5], 4, 3], [[3, 2, 2], 5, 2], [[2, 3, 2], 17, 2]] as const) {
  const sample = [...input.slice(0, -1), c];
  const n = sample.reduce((a, b) => a * b, 1);
  const k1 = `noise ${sample}`;
  cases.push({
    name: `GaussianNoise(0.3) on (${sample}) with given noise, batch ${batch}`, batch, seed: 6800 + c, prepare: prepare(k1),
    spec: noiseSpec([...input], c, (name) => new GaussianNoise(0.3, { name }), (r, b) => S.addNoise(hooked(k1, r.normalF32(b * n, 0.3))), batch),
  });
  const k2 = `mult ${sample}`;
  cases.push({
    name: `GaussianDropout(0.4) on (${sample}) with given multipliers, batch ${batch}`, batch, seed: 6810 + c, prepare: prepare(k2),
    spec: noiseSpec([...input], c, (name) => new GaussianDropout(0.4, { name }), (r, b) => S.mulNoise(hooked(k2, r.normalF32(b * n, Math.sqrt(0.4 / 0.6), 1))), batch),
  });
}
for (const [hw, c, batch] of [[[2, 3], 1, 3], [[3, 2], 4, 2], [[2, 2], 13, 3], [[1, 3], 17, 2]] as const) {
  const key = `spatial ${hw} ${c}`;
  cases.push({
    name: `SpatialDropout2D(0.5) on (${hw}, ${c}) with given keep flags, batch ${batch}`, batch, seed: 6820 + c, prepare: prepare(key),
    spec: noiseSpec([...hw, 2], c, (name) => new SpatialDropout2D(0.5, { name }),
      (r, b) => S.spatialDropout(hooked(key, Float32Array.from({ length: b * c }, () => (r.bool() ? 1 : 0))), 0.5), batch),
  });
}
cases.push({
  name: 'ActivityRegularization (l1 = l2 = 0) trains as the identity', batch: 3, seed: 6830,
  spec: noiseSpec([4], 5, (name) => new ActivityRegularization({ name }), () => O.reshape([-1]), 3),
});

describe('noise layers with given noise', () => {
  for (const c of cases) describe(c.name, () => itChecksDag(c));
});

/** Dense with W = I, b = 0 in front of `layer`, for inputs of `shape` (last axis `units`). */
function identityModel(shape: number[], layer: Layer): Sequential {
  const units = shape[shape.length - 1];
  const eye = new Float32Array(units * units);
  for (let i = 0; i < units; i++) eye[i * units + i] = 1;
  const m = new Sequential([new Dense(units, { inputShape: shape }), layer]);
  m.setWeights([tensor(eye, [units, units]), tensor(new Float32Array(units), [units])]);
  return m;
}

const ones = (shape: number[]) => tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape);
const zeros = (shape: number[]) => tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

describe('noise layers with drawn noise', () => {
  it.each(BACKENDS)('GaussianNoise: mean 0 and variance stddev², the gradient passes unchanged, setSeed replays it on %s', async (backend) => {
    await use(backend);
    const [rows, units, sd] = [200, 50, 0.5];
    const m = identityModel([units], new GaussianNoise(sd));
    setSeed(91);
    // x = 1, y = 0: out = 1 + noise; loss = mean((1 + e)²), Σ_j dL/db_j = 2·(1 + mean e) through the identity backward
    const g = m.computeGradients(ones([rows, units]), zeros([rows, units]), { loss: 'mse' });
    const n = rows * units;
    const mean = sum(g.gradients[1].data) / 2 - 1;
    const variance = g.loss - 1 - 2 * mean - mean * mean;
    expect(Math.abs(mean)).toBeLessThan((5 * sd) / Math.sqrt(n));
    expect(Math.abs(variance - sd * sd)).toBeLessThan(5 * sd * sd * Math.sqrt(2 / n));
    setSeed(91);
    expect(m.computeGradients(ones([rows, units]), zeros([rows, units]), { loss: 'mse' }).loss).toBe(g.loss);
    setSeed(92);
    expect(m.computeGradients(ones([rows, units]), zeros([rows, units]), { loss: 'mse' }).loss).not.toBe(g.loss);
  });

  it.each(BACKENDS)('GaussianDropout: E[m²] = 1 + rate/(1 − rate), the backward multiplies by the forward\'s m, setSeed replays it on %s', async (backend) => {
    await use(backend);
    const [rows, units, rate] = [200, 50, 0.3];
    const m = identityModel([units], new GaussianDropout(rate));
    setSeed(93);
    // x = 1, y = 0: out = m; loss = mean(m²); dL/db_j = (2/n)·Σ_rows m·m: Σ_j dL/db_j = 2·loss when the backward reuses m
    const g = m.computeGradients(ones([rows, units]), zeros([rows, units]), { loss: 'mse' });
    const n = rows * units;
    const s2 = rate / (1 - rate);
    // var(m²) for m ~ N(1, s2): 2·s2² + 4·s2
    expect(Math.abs(g.loss - (1 + s2))).toBeLessThan(5 * Math.sqrt((2 * s2 * s2 + 4 * s2) / n));
    expect(Math.abs(sum(g.gradients[1].data) - 2 * g.loss)).toBeLessThan(1e-5 * 2 * g.loss);
    setSeed(93);
    expect(m.computeGradients(ones([rows, units]), zeros([rows, units]), { loss: 'mse' }).loss).toBe(g.loss);
  });

  it.each(BACKENDS)('SpatialDropout2D: whole channels per sample, a 1 − rate fraction kept, scaled by 1/(1 − rate), the backward reuses the mask on %s', async (backend) => {
    await use(backend);
    const [N, H, W, C, rate] = [60, 3, 4, 20, 0.4];
    const m = identityModel([H, W, C], new SpatialDropout2D(rate));
    setSeed(95);
    const g = m.computeGradients(ones([N, H, W, C]), zeros([N, H, W, C]), { loss: 'mse' });
    const s = 1 / (1 - rate);
    const total = N * H * W * C;
    // dL/db_c = (2/total)·H·W·s²·(samples keeping channel c): a whole number of samples per channel
    const kept = Array.from(g.gradients[1].data, (d) => (d * total) / (2 * H * W * s * s));
    for (const q of kept) expect(Math.abs(q - Math.round(q))).toBeLessThan(1e-3);
    const fraction = sum(kept) / (N * C);
    expect(Math.abs(fraction - (1 - rate))).toBeLessThan(5 * Math.sqrt((rate * (1 - rate)) / (N * C)));
    expect(Math.abs(g.loss - s * s * fraction)).toBeLessThan(1e-5 * g.loss); // the loss sums 14,400 floats
    setSeed(95);
    expect(m.computeGradients(ones([N, H, W, C]), zeros([N, H, W, C]), { loss: 'mse' }).loss).toBe(g.loss);
  });
});

describe('refused in training, unchanged at inference', () => {
  it.each(BACKENDS)('rate 1 (GaussianDropout, SpatialDropout2D) and an activity loss are ConfigErrors in training; predict is the identity on %s', async (backend) => {
    await use(backend);
    const x = ones([2, 2, 2, 3]);
    for (const layer of [new GaussianDropout(1), new SpatialDropout2D(1), new ActivityRegularization({ l1: 0.01 }), new ActivityRegularization({ l2: 0.5 })]) {
      const m = identityModel([2, 2, 3], layer);
      expect(Array.from((m.predict(x) as { data: Float32Array }).data)).toEqual(Array.from(x.data));
      expect(() => m.computeGradients(x, zeros([2, 2, 2, 3]), { loss: 'mse' })).toThrow(ConfigError);
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      const before = m.getWeights().map((w) => Array.from(w.data));
      expect(() => m.trainOnBatch(x, zeros([2, 2, 2, 3]))).toThrow(ConfigError);
      expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
    }
  });
});

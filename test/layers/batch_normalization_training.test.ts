import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNormalization, Input, init, Model, modelFromJSON, tensor, type Tensor } from '../../bindings/index.js';
import { BACKENDS, itRunsOnRequestedBackend, use } from '../util/backends.js';
import { mismatch } from '../util/close.js';
import * as naive from '../util/naive.js';
import { batchNormTraining } from '../util/naive_norm.js';
import { affineWeights, normInput } from '../util/norm_data.js';
import { rng } from '../util/rng.js';

/**
 * BatchNormalization called with training=True (node kwargs, SEMANTICS-functional §1): the
 * batch's own mean and population variance per channel over every other axis (batch included),
 * on every backend against the float64 oracle; the moving statistics are ignored; a
 * non-trainable layer and a plain call keep inference mode.
 */

const TOL = 1e-4;

interface Case {
  name: string;
  sample: number[];
  batch: number;
  center: boolean;
  scale: boolean;
  epsilon: number | undefined;
  seed: number;
}

const table: Case[] = [];
{
  let seed = 15000;
  for (const C of [1, 3, 4, 5, 8, 13, 17]) for (const leading of [[], [3], [5, 3], [1, 1]]) {
    const r = rng(seed);
    const [center, scale] = r.pick([[true, true], [true, false], [false, true], [false, false], [true, true]]);
    const c: Case = { name: '', sample: [...leading, C], batch: r.int(1, 4), center, scale, epsilon: r.pick([undefined, 1e-5, 0.2]), seed: seed++ };
    c.name = `x=[${c.batch},${c.sample}] center=${center} scale=${scale} eps=${c.epsilon ?? 'default'}`;
    table.push(c);
  }
}

function weights(c: Case, C: number): { ws: Tensor[]; gamma: Float32Array; beta: Float32Array } {
  const { gamma, beta } = affineWeights(C, c.seed + 1);
  const r = rng(c.seed + 3);
  const ws: Tensor[] = [];
  if (c.scale) ws.push(tensor(gamma, [C]));
  if (c.center) ws.push(tensor(beta, [C]));
  // moving statistics far from the batch's: using them would show
  ws.push(tensor(r.uniformF32(C, 5, 9), [C]), tensor(r.uniformF32(C, 20, 30), [C]));
  return { ws, gamma, beta };
}

function build(c: Case, training: boolean, trainable = true) {
  const input = Input({ shape: c.sample });
  const layer = new BatchNormalization({ center: c.center, scale: c.scale, trainable, ...(c.epsilon === undefined ? {} : { epsilon: c.epsilon }) });
  const model = new Model({ inputs: input, outputs: layer.apply(input, { training }) });
  const C = c.sample[c.sample.length - 1];
  const w = weights(c, C);
  model.setWeights(w.ws);
  const shape = [c.batch, ...c.sample];
  const x = tensor(normInput(shape, c.seed + 2), shape);
  return { model, x, ...w, shape, C };
}

beforeAll(async () => {
  await init();
});

for (const backend of BACKENDS) {
  describe(`BatchNormalization training=True vs float64 oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);

    it.each(table.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      await use(backend);
      const { model, x, gamma, beta, shape } = build(c, true);
      const want = batchNormTraining(x.data, shape, { gamma: c.scale ? gamma : null, beta: c.center ? beta : null, epsilon: c.epsilon ?? 1e-3 });
      const got = model.predict(x) as Tensor;
      expect(got.shape).toEqual(shape);
      expect(mismatch(got.data, want.data, TOL)).toBeNull();
    });

    it('training false, or a non-trainable layer, uses the moving statistics', async () => {
      await use(backend);
      const c = table.find((t) => t.center && t.scale && t.batch > 1)!;
      for (const [training, trainable] of [[false, true], [true, false]] as const) {
        const { model, x, ws, shape, C } = build(c, training, trainable);
        const want = naive.batchNorm(x.data, shape, { gamma: ws[0].data, beta: ws[1].data, mean: ws[2].data, variance: ws[3].data, epsilon: c.epsilon ?? 1e-3 });
        expect(C).toBe(shape[shape.length - 1]);
        expect(mismatch((model.predict(x) as Tensor).data, want.data, TOL)).toBeNull();
      }
    });

    it('the statistics are the whole batch\'s: one sample alone normalises differently', async () => {
      await use(backend);
      const c = table.find((t) => t.batch > 1 && t.sample.length > 1)!;
      const { model, x, shape } = build(c, true);
      const all = (model.predict(x) as Tensor).data;
      const per = shape.slice(1).reduce((a, b) => a * b, 1);
      const first = (model.predict(tensor(x.data.slice(0, per), [1, ...shape.slice(1)])) as Tensor).data;
      expect(mismatch(first, all.slice(0, per), 1e-3)).not.toBeNull();
    });

    it('training: true survives toJSON → modelFromJSON', async () => {
      await use(backend);
      const c = table[9];
      const { model, x } = build(c, true);
      const back = modelFromJSON(JSON.stringify(model.toJSON()));
      back.setWeights(model.getWeights());
      expect(Array.from((back.predict(x) as Tensor).data)).toEqual(Array.from((model.predict(x) as Tensor).data));
    });
  });
}

describe('BatchNormalization training=True: the table', () => {
  it('hits channel tails, batches above 1 and center/scale off', () => {
    for (const C of [1, 5, 13, 17]) expect(table.some((c) => c.sample[c.sample.length - 1] === C)).toBe(true);
    expect(table.some((c) => c.batch > 2)).toBe(true);
    expect(table.some((c) => !c.center && !c.scale)).toBe(true);
  });
});

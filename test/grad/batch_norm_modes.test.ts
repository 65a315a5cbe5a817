import { describe, expect, it } from 'vitest';
import {
  BatchNormalization, Conv2D, Dense, Flatten, Input, type Layer, LeakyReLU, Model, SGD, setSeed, type Tensor,
} from '../../bindings/index.js';
import { BACKENDS, use } from '../util/backends.js';
import { Rng } from '../util/rng.js';
import { gradMismatch } from './check.js';
import { paramsOf, t } from './graphs.js';
import { analytic, finiteDifferences, forward, type OGraph, type ParamSet, type Problem } from './oracle/graph.js';
import * as O from './oracle/ops.js';
import { maxAbs, val } from './oracle/values.js';

/**
 * BatchNormalization called with node kwargs inside a trainable model, in a training step:
 * - `training: false` (Keras's fine-tuning pattern): inference mode with the moving statistics,
 *   no moving update, but gamma and beta are trainable and get Σ dy·x̂_moving and Σ dy (TF's
 *   gradient of tf.nn.batch_normalization); the gradient flows on as dy·gamma/sqrt(var + eps);
 * - `training: true`: batch statistics and the moving update, as a plain training call;
 * - `training: true` on a layer that is not trainable: inference mode (Keras: `training and
 *   self.trainable`), no gradient for gamma/beta.
 * Against the float64 oracle (checked with central differences) on every backend.
 */

interface Built {
  model: Model;
  layers: Layer[];
  graph: OGraph;
  sets: ParamSet[];
}

const leaky = O.activation('leaky', { f: (v) => (v > 0 ? v : 0.2 * v), df: (v) => (v > 0 ? 1 : 0.2), kinks: [0] });

/** BN params for the oracle: gamma and beta trainable unless frozen, the moving statistics never. */
function bnParams(bn: BatchNormalization, frozen: boolean): ParamSet {
  const p = paramsOf(bn);
  return { ...p, trainable: p.values.map((_, j) => !frozen && j < p.values.length - 2) };
}

/** x → Dense/Conv2D (no bias) → BN(kwargs) → LeakyReLU(0.2) → [Flatten] → Dense 2. */
function build(seed: number, input: number[], channels: number, training: boolean, bnTrainable = true): Built {
  setSeed(seed);
  const conv = input.length === 3;
  const x = Input({ shape: input });
  const first = conv ? new Conv2D(channels, 2, { padding: 'same', useBias: false }) : new Dense(channels, { useBias: false });
  const bn = new BatchNormalization({ momentum: 0.8, trainable: bnTrainable });
  const last = new Dense(2);
  let h = new LeakyReLU({ alpha: 0.2 }).apply(bn.apply(first.apply(x), { training }));
  if (conv) h = new Flatten().apply(h);
  const model = new Model({ inputs: x, outputs: last.apply(h) });
  // moving statistics away from 0 / 1, so inference mode is visibly not batch mode
  const r = new Rng(seed + 1);
  const ws = bn.getWeights();
  bn.setWeights([t(r.uniformF32(channels, 0.5, 1.5), [channels]), t(r.uniformF32(channels, -0.5, 0.5), [channels]),
    t(r.uniformF32(channels, -0.3, 0.3), [channels]), t(r.uniformF32(channels, 0.5, 2), [channels])].slice(0, ws.length));
  const pf = paramsOf(first);
  const pb = bnParams(bn, !bnTrainable);
  const pl = paramsOf(last);
  const batchMode = training && bnTrainable;
  const graph: OGraph = {
    inputs: 1,
    nodes: [
      { op: conv ? O.conv2d(channels, { kernel: [2, 2], strides: [1, 1], dilation: [1, 1], padding: 'same' }, false) : O.dense(channels, false), inputs: [0], params: pf },
      { op: O.batchNorm({ epsilon: 1e-3, center: true, scale: true, training: batchMode }), inputs: [1], params: pb },
      { op: leaky, inputs: [2], params: null },
      { op: O.reshape([-1]), inputs: [3], params: null },
      { op: O.dense(2, true), inputs: [4], params: pl },
    ],
    outputs: [5],
  };
  return { model, layers: [first, bn, last], graph, sets: [pf, pb, pl] };
}

function compare(got: Float64Array[][], want: Float64Array[][], sets: ParamSet[], rtol = 2e-4): string[] {
  const scale = Math.max(...want.flat().map(maxAbs));
  const out: string[] = [];
  want.forEach((ws, i) => ws.forEach((w, j) => {
    if (!sets[i].trainable[j]) return;
    const p = gradMismatch(got[i][j], w, rtol, scale);
    if (p) out.push(`${sets[i].name} weight ${j}: ${p}`);
  }));
  return out;
}

/** computeGradients' gradients arranged per layer and weight (zeros where a weight got none). */
function gradientsOf(b: Built, x: Tensor, y: Tensor): { loss: number; grads: Float64Array[][]; names: string[] } {
  const r = b.model.computeGradients(x, y, { loss: 'mse' });
  const byName = new Map(r.variables.map((v, k) => [v.name, r.gradients[k]]));
  const names = r.variables.map((v) => v.name);
  const grads = b.layers.map((l, i) => l.getWeights().map((_w, j) => {
    const name = `${l.name}/${weightName(l, j)}`;
    return Float64Array.from(byName.get(name)?.data ?? new Float32Array(b.sets[i].values[j].length));
  }));
  return { loss: r.loss, grads, names };
}

function weightName(l: Layer, j: number): string {
  if (l instanceof BatchNormalization) return ['gamma', 'beta', 'moving_mean', 'moving_variance'][j];
  return ['kernel', 'bias'][j];
}

const SHAPES: [string, number[], number][] = [
  ['rank 2, 5 channels', [4], 5],
  ['rank 4, 3×2×13', [3, 2, 2], 13],
];

describe('BatchNormalization(training=False) in a trainable model: inference statistics, gamma and beta trained', () => {
  for (const [name, input, C] of SHAPES) {
    it.each(BACKENDS)(`${name}: computeGradients equals the oracle, the moving statistics stay on %s`, async (backend) => {
      await use(backend);
      const b = build(1400 + C, input, C, false);
      const r = new Rng(1410 + C);
      const x = t(r.uniformF32(3 * input.reduce((a, v) => a * v, 1), -1, 1), [3, ...input]);
      const y = t(r.uniformF32(6, -1, 1), [3, 2]);
      const problem: Problem = { graph: b.graph, xs: [val(x.data, x.shape)], targets: [Float64Array.from(y.data)], loss: [{ name: 'mse' }] };
      const want = analytic(problem, b.sets);
      expect(compare(want.grads, finiteDifferences(problem, b.sets), b.sets, 1e-6)).toEqual([]);
      const got = gradientsOf(b, x, y);
      expect(got.names).toContain(`${b.layers[1].name}/gamma`);
      expect(got.names).toContain(`${b.layers[1].name}/beta`);
      expect(got.loss).toBeCloseTo(want.loss, 5);
      expect(compare(got.grads, want.grads, b.sets)).toEqual([]);
      // a step: gamma and beta move, the moving statistics do not
      const before = b.layers[1].getWeights();
      b.model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse' });
      b.model.trainOnBatch(x, y);
      const after = b.layers[1].getWeights();
      expect(Array.from(after[0].data)).not.toEqual(Array.from(before[0].data));
      expect(Array.from(after[1].data)).not.toEqual(Array.from(before[1].data));
      expect(Array.from(after[2].data)).toEqual(Array.from(before[2].data));
      expect(Array.from(after[3].data)).toEqual(Array.from(before[3].data));
    });
  }
});

describe('BatchNormalization(training=True) node kwargs in a training step', () => {
  for (const [name, input, C] of SHAPES) {
    it.each(BACKENDS)(`${name}: batch statistics, gradients through them, the moving statistics updated on %s`, async (backend) => {
      await use(backend);
      const b = build(1420 + C, input, C, true);
      const r = new Rng(1430 + C);
      const x = t(r.uniformF32(3 * input.reduce((a, v) => a * v, 1), -1, 1), [3, ...input]);
      const y = t(r.uniformF32(6, -1, 1), [3, 2]);
      const problem: Problem = { graph: b.graph, xs: [val(x.data, x.shape)], targets: [Float64Array.from(y.data)], loss: [{ name: 'mse' }] };
      const want = analytic(problem, b.sets);
      expect(compare(want.grads, finiteDifferences(problem, b.sets), b.sets, 1e-6)).toEqual([]);
      const got = gradientsOf(b, x, y);
      expect(got.loss).toBeCloseTo(want.loss, 5);
      expect(compare(got.grads, want.grads, b.sets)).toEqual([]);
      // moving = moving·0.8 + batch·0.2 with the biased batch variance
      const h = forward(b.graph, [val(x.data, x.shape)])[1];
      const { mean, variance } = O.moments(h.data, C);
      const [, , mm0, mv0] = b.sets[1].values;
      b.model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: 'mse' });
      b.model.trainOnBatch(x, y);
      const after = b.layers[1].getWeights();
      for (let c = 0; c < C; c++) {
        expect(after[2].data[c]).toBeCloseTo(mm0[c] * 0.8 + mean[c] * 0.2, 5);
        expect(after[3].data[c]).toBeCloseTo(mv0[c] * 0.8 + variance[c] * 0.2, 5);
      }
    });

    it.each(BACKENDS)(`${name}, the layer not trainable: inference mode, no gradient for gamma and beta, nothing moves on %s`, async (backend) => {
      await use(backend);
      const b = build(1440 + C, input, C, true, false);
      const r = new Rng(1450 + C);
      const x = t(r.uniformF32(3 * input.reduce((a, v) => a * v, 1), -1, 1), [3, ...input]);
      const y = t(r.uniformF32(6, -1, 1), [3, 2]);
      const problem: Problem = { graph: b.graph, xs: [val(x.data, x.shape)], targets: [Float64Array.from(y.data)], loss: [{ name: 'mse' }] };
      const want = analytic(problem, b.sets);
      const got = gradientsOf(b, x, y);
      expect(got.names.some((n) => n.startsWith(`${b.layers[1].name}/`))).toBe(false);
      expect(got.loss).toBeCloseTo(want.loss, 5);
      expect(compare(got.grads, want.grads, b.sets)).toEqual([]);
      const before = b.layers[1].getWeights();
      b.model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse' });
      b.model.trainOnBatch(x, y);
      b.layers[1].getWeights().forEach((w, j) => expect(Array.from(w.data)).toEqual(Array.from(before[j].data)));
    });
  }
});

import { describe, expect, it } from 'vitest';
import { SGD, type Tensor, tensor } from '../../bindings/index.js';
import { BACKENDS, use } from '../util/backends.js';
import { Rng } from '../util/rng.js';
import { buildChain } from './chain.js';
import { type GradCase, itChecksGradients, makeReference } from './check.js';
import { forward } from './oracle/graph.js';
import { moments } from './oracle/ops.js';
import { val } from './oracle/values.js';

/**
 * BatchNormalization in training mode (batch mean and biased variance over every axis but the
 * channels; gradients through the mean and the variance; gamma and beta trained) and frozen
 * (trainable false: inference mode with the moving statistics, dx = dy·gamma/sqrt(var + eps), no
 * gradient for gamma/beta), on rank-2 (Dense) and rank-4 (conv) inputs, channel tails, batch 1
 * and 3, center/scale off, a bias right before a training BN (its gradient is exactly zero).
 */
const CH = [1, 3, 4, 5, 8, 13, 17];
const cases: GradCase[] = [];
CH.forEach((c, i) => {
  cases.push({ name: `training, rank 2, ${c} channels, batch 5`, input: [4], batch: 5, seed: 400 + i, layers: [
    { kind: 'dense', units: c, useBias: false }, { kind: 'batchNorm' }, { kind: 'dense', units: 3 },
  ] });
  cases.push({ name: `training, rank 4, 3×2×${c}, batch ${i % 2 ? 1 : 3}`, input: [3, 2, 2], batch: i % 2 ? 1 : 3, seed: 420 + i, layers: [
    { kind: 'conv2d', filters: c, kernel: [2, 2], padding: 'same', useBias: false }, { kind: 'batchNorm', epsilon: 1e-3 }, { kind: 'activation', name: 'tanh' },
  ] });
});
cases.push(
  { name: 'training, rank 2, batch 1 (zero variance: y = beta, dx = 0)', input: [3], batch: 1, seed: 440, layers: [{ kind: 'dense', units: 4, useBias: false }, { kind: 'batchNorm' }, { kind: 'dense', units: 2 }] },
  { name: 'training, center false', input: [2, 2, 3], batch: 3, seed: 441, layers: [{ kind: 'dense', units: 5, useBias: false }, { kind: 'batchNorm', center: false }, { kind: 'dense', units: 2 }] },
  { name: 'training, scale false', input: [2, 2, 3], batch: 3, seed: 442, layers: [{ kind: 'dense', units: 5, useBias: false }, { kind: 'batchNorm', scale: false }, { kind: 'dense', units: 2 }] },
  { name: 'training, center and scale false, epsilon 0.1', input: [2, 2, 3], batch: 3, seed: 443, layers: [{ kind: 'dense', units: 4, useBias: false }, { kind: 'batchNorm', center: false, scale: false, epsilon: 0.1 }, { kind: 'dense', units: 2 }] },
  { name: 'training, a bias right before the BN (its gradient is exactly zero)', input: [2, 2, 3], batch: 3, seed: 444, layers: [{ kind: 'dense', units: 5 }, { kind: 'batchNorm' }, { kind: 'dense', units: 2 }] },
  { name: 'training, BN → leaky relu → Conv2DTranspose (the generator block)', input: [2, 2, 3], batch: 3, seed: 445, layers: [
    { kind: 'conv2dTranspose', filters: 8, kernel: [3, 3], strides: [2, 2], padding: 'same', useBias: false }, { kind: 'batchNorm', momentum: 0.8 }, { kind: 'leakyRelu', alpha: 0.2 },
    { kind: 'conv2dTranspose', filters: 1, kernel: [3, 3], strides: [2, 2], padding: 'same' },
  ] },
  { name: 'two BNs in a row', input: [5], batch: 4, seed: 446, layers: [{ kind: 'dense', units: 3, useBias: false }, { kind: 'batchNorm' }, { kind: 'batchNorm', epsilon: 0.01 }, { kind: 'dense', units: 2 }] },
);
for (const c of [1, 5, 13]) {
  cases.push({ name: `frozen (trainable false), rank 4, ${c} channels: inference mode`, input: [2, 3, 2], batch: 3, seed: 460 + c, layers: [
    { kind: 'dense', units: c }, { kind: 'batchNorm', trainable: false }, { kind: 'dense', units: 2 },
  ] });
}
cases.push({ name: 'frozen, center and scale false, rank 2', input: [4], batch: 3, seed: 470, layers: [{ kind: 'dense', units: 8 }, { kind: 'batchNorm', trainable: false, center: false, scale: false }, { kind: 'dense', units: 2 }] });

describe('BatchNormalization gradients', () => {
  for (const c of cases) describe(c.name, () => itChecksGradients(c));
});

describe('BatchNormalization moving statistics in a training step', () => {
  const spec = { input: [3, 2, 2], layers: [{ kind: 'dense' as const, units: 5, useBias: false }, { kind: 'batchNorm' as const, momentum: 0.9 }, { kind: 'dense' as const, units: 2 }] };
  it.each(BACKENDS)('trainOnBatch moves them to moving·momentum + batch·(1 − momentum) with the biased variance; computeGradients leaves them on %s', async (backend) => {
    await use(backend);
    const c: GradCase = { name: 'moving', batch: 4, seed: 480, ...spec };
    const ref = makeReference(c);
    const { model, graph } = ref.built;
    const bn = ref.built.weighted.find((w) => w.layerName === 'l1')!;
    const before = model.getWeights();
    // computeGradients changes nothing, moving statistics included
    model.computeGradients(ref.x, ref.y, { loss: 'mse' });
    model.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(before[i].data)));
    // one step with a zero learning rate: only the moving statistics move
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: 'mse' });
    model.trainOnBatch(ref.x, ref.y);
    const values = forward(graph, [val(ref.x.data, ref.x.shape)]);
    const { mean, variance } = moments(values[1].data, 5);
    const [, , mm0, mv0] = bn.set.values;
    const after = model.getWeights() as Tensor[];
    // getWeights: l0 kernel, l1 gamma, beta, moving_mean, moving_variance, l2 kernel, bias
    const mm = after[3].data;
    const mv = after[4].data;
    for (let k = 0; k < 5; k++) {
      expect(mm[k]).toBeCloseTo(mm0[k] * 0.9 + mean[k] * 0.1, 6);
      expect(mv[k]).toBeCloseTo(mv0[k] * 0.9 + variance[k] * 0.1, 6);
    }
    [0, 1, 2, 5, 6].forEach((i) => expect(Array.from(after[i].data)).toEqual(Array.from(before[i].data)));
  });

  it.each(BACKENDS)('a frozen BN keeps its moving statistics through trainOnBatch on %s', async (backend) => {
    await use(backend);
    const built = buildChain({ input: [4], seed: 481, layers: [{ kind: 'dense', units: 3 }, { kind: 'batchNorm', trainable: false }] });
    const before = built.model.getWeights();
    built.model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse' });
    const r = new Rng(5);
    built.model.trainOnBatch(tensor(r.uniformF32(12), [3, 4]), tensor(r.uniformF32(9), [3, 3]));
    const after = built.model.getWeights();
    for (let i = 2; i < 6; i++) expect(Array.from(after[i].data)).toEqual(Array.from(before[i].data));
    expect(Array.from(after[0].data)).not.toEqual(Array.from(before[0].data));
  });
});

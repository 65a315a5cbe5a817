import { describe, expect, it } from 'vitest';
import { Dense, Dropout, Input, type Layer, Model, Sequential, setSeed, type Tensor, tensor } from '../../bindings/index.js';
import { BACKENDS, use } from '../util/backends.js';
import { Rng } from '../util/rng.js';
import { buildChain } from './chain.js';
import { gradMismatch, type GradCase, itChecksGradients } from './check.js';
import { concat, paramsOf, sgdGradients, t } from './graphs.js';
import { analytic, finiteDifferences, type OGraph, type ParamSet, type Problem } from './oracle/graph.js';
import * as O from './oracle/ops.js';
import { maxAbs, val } from './oracle/values.js';

/**
 * Gradients through the model's structure: Reshape / Flatten (aliases), Dropout at rate 0 and
 * with given masks (trainOnBatch's dropoutMasks), a value read by two layers (its gradients
 * summed), a layer called twice (its weight gradients summed over the calls), nested models.
 */
const chains: GradCase[] = [
  { name: 'Conv2D → Flatten → Dense', input: [4, 3, 2], batch: 3, seed: 700, layers: [
    { kind: 'conv2d', filters: 5, kernel: [2, 2], padding: 'same' }, { kind: 'flatten' }, { kind: 'dense', units: 3 },
  ] },
  { name: 'Dense → Reshape (3, 2, 4) → Conv2D → Flatten → Dense', input: [5], batch: 3, seed: 701, layers: [
    { kind: 'dense', units: 24 }, { kind: 'reshape', target: [3, 2, 4] }, { kind: 'conv2d', filters: 3, kernel: [2, 2] }, { kind: 'flatten' }, { kind: 'dense', units: 2 },
  ] },
  { name: 'Reshape with −1 and Flatten as the output', input: [6], batch: 1, seed: 702, layers: [
    { kind: 'dense', units: 12 }, { kind: 'reshape', target: [2, -1] }, { kind: 'dense', units: 3 }, { kind: 'flatten' },
  ] },
  { name: 'in-place activations in a row: sigmoid → tanh → gelu → relu → swish', input: [4], batch: 3, seed: 704, inputs: (n, r) => r.uniformF32(n, -3, 3), layers: [
    { kind: 'dense', units: 6 }, { kind: 'activation', name: 'sigmoid' }, { kind: 'activation', name: 'tanh' }, { kind: 'activation', name: 'gelu' },
    { kind: 'activation', name: 'relu' }, { kind: 'activation', name: 'swish' }, { kind: 'dense', units: 3 },
  ] },
  { name: 'Conv2D(relu) → BN → LeakyReLU → UpSampling2D → ELU → Conv2D (values the backward needs are not overwritten)', input: [3, 3, 2], batch: 3, seed: 705, layers: [
    { kind: 'conv2d', filters: 4, kernel: [3, 3], padding: 'same', activation: 'relu' }, { kind: 'batchNorm' }, { kind: 'leakyRelu', alpha: 0.2 },
    { kind: 'upSampling', size: [2, 2], interpolation: 'bilinear' }, { kind: 'elu' }, { kind: 'conv2d', filters: 2, kernel: [3, 3], strides: [2, 2], padding: 'same' },
  ] },
  { name: 'Dropout(0) in training mode is the identity', input: [4], batch: 3, seed: 703, layers: [
    { kind: 'dense', units: 8 }, { kind: 'dropout', rate: 0 }, { kind: 'dense', units: 3 }, { kind: 'dropout', rate: 0 },
  ] },
];

describe('gradients through Reshape, Flatten and Dropout(0)', () => {
  for (const c of chains) describe(c.name, () => itChecksGradients(c));
});

/** upconv gradients (per layer, per weight) against the oracle's; problems listed. */
function compare(got: Float64Array[][], want: Float64Array[][], rtol = 2e-4): string[] {
  const scale = Math.max(...want.flat().map(maxAbs));
  const out: string[] = [];
  want.forEach((ws, i) => ws.forEach((w, j) => {
    const p = gradMismatch(got[i][j], w, rtol, scale);
    if (p) out.push(`layer ${i} weight ${j}: ${p}`);
  }));
  return out;
}

function mask(n: number, r: Rng, keep: number): Float32Array {
  return Float32Array.from({ length: n }, () => (r.next() < keep ? 1 : 0));
}

describe('Dropout with given masks (trainOnBatch dropoutMasks)', () => {
  it.each(BACKENDS)('a masked Dropout in place after Dense(sigmoid), then activations: the sigmoid output the backward reads survives on %s', async (backend) => {
    await use(backend);
    const r = new Rng(712);
    const masks = new Map([[1, mask(3 * 6, r, 0.5)]]);
    const built = buildChain({ input: [4], seed: 713, masks, layers: [
      { kind: 'dense', units: 6, activation: 'sigmoid' }, { kind: 'dropout', rate: 0.5 }, { kind: 'activation', name: 'tanh' }, { kind: 'leakyRelu' }, { kind: 'dense', units: 2 },
    ] });
    const x = t(r.uniformF32(12), [3, 4]);
    const y = t(r.uniformF32(6), [3, 2]);
    const problem: Problem = { graph: built.graph, xs: [val(x.data, x.shape)], targets: [Float64Array.from(y.data)], loss: [{ name: 'mse' }] };
    const sets = built.weighted.map((w) => w.set);
    const want = analytic(problem, sets);
    expect(compare(want.grads, finiteDifferences(problem, sets), 1e-6)).toEqual([]);
    const weighted = built.layers.filter((l) => l.getWeights().length);
    const got = sgdGradients(built.model, weighted, x, y, 'mse', { dropoutMasks: { l1: masks.get(1)! } });
    expect(got.loss).toBeCloseTo(want.loss, 5);
    expect(compare(got.grads, want.grads)).toEqual([]);
  });

  it.each(BACKENDS)('two Dropout layers with masks: loss and gradients equal the oracle with those masks on %s', async (backend) => {
    await use(backend);
    const r = new Rng(710);
    const masks = new Map([[1, mask(3 * 8, r, 0.6)], [4, mask(3 * 2 * 5, r, 0.5)]]);
    const built = buildChain({ input: [4], seed: 711, masks, layers: [
      { kind: 'dense', units: 8 }, { kind: 'dropout', rate: 0.4 }, { kind: 'dense', units: 10 }, { kind: 'reshape', target: [2, 5] }, { kind: 'dropout', rate: 0.5 },
    ] });
    const x = t(r.uniformF32(12), [3, 4]);
    const y = t(r.uniformF32(30), [3, 2, 5]);
    const problem: Problem = { graph: built.graph, xs: [val(x.data, x.shape)], targets: [Float64Array.from(y.data)], loss: [{ name: 'mse' }] };
    const sets = built.weighted.map((w) => w.set);
    const want = analytic(problem, sets);
    const fd = finiteDifferences(problem, sets);
    expect(compare(want.grads, fd, 1e-6)).toEqual([]);
    const weighted = built.layers.filter((l) => l.getWeights().length);
    const got = sgdGradients(built.model, weighted, x, y, 'mse', { dropoutMasks: { l1: masks.get(1)!, l4: masks.get(4)! } });
    expect(got.loss).toBeCloseTo(want.loss, 5);
    expect(compare(got.grads, want.grads)).toEqual([]);
  });
});

describe('Dropout with the seeded generator (no masks given)', () => {
  /** Dense with W = I, b = 0 → Dropout(rate): with x = 1 and y = 0, mse = kept / n / (1 − rate)². */
  function identityDropout(units: number, rate: number): Sequential {
    const eye = new Float32Array(units * units);
    for (let i = 0; i < units; i++) eye[i * units + i] = 1;
    const m = new Sequential([new Dense(units, { inputDim: units }), new Dropout(rate)]);
    m.setWeights([tensor(eye, [units, units]), tensor(new Float32Array(units), [units])]);
    return m;
  }
  it.each(BACKENDS)('keeps a 1 − rate fraction, scales by 1/(1 − rate), the backward uses the forward\'s mask, setSeed replays it on %s', async (backend) => {
    await use(backend);
    const units = 50;
    const rows = 200;
    const rate = 0.3;
    const m = identityDropout(units, rate);
    const x = tensor(new Float32Array(rows * units).fill(1), [rows, units]);
    const y = tensor(new Float32Array(rows * units), [rows, units]);
    setSeed(77);
    const a = m.computeGradients(x, y, { loss: 'mse' });
    const n = rows * units;
    const kept = a.loss * n * (1 - rate) ** 2;
    // binomial(n, 0.7): within 5 standard deviations
    expect(Math.abs(kept / n - (1 - rate))).toBeLessThan(5 * Math.sqrt((rate * (1 - rate)) / n));
    // dL/db_j = (2/n)·Σ_rows mask/(1 − rate)² for x = 1: Σ_j dL/db_j = 2·loss exactly when the backward reuses the mask
    const bias = a.gradients[1].data.reduce((s2, v) => s2 + v, 0);
    expect(Math.abs(bias - 2 * a.loss)).toBeLessThan(1e-5 * 2 * a.loss);
    setSeed(77);
    expect(m.computeGradients(x, y, { loss: 'mse' }).loss).toBe(a.loss);
    setSeed(78);
    expect(m.computeGradients(x, y, { loss: 'mse' }).loss).not.toBe(a.loss);
  });
});

/** x → a → h; h → b → out1 and h → c → out2: h is read by two layers (b ends with a sigmoid if asked). */
function twoReaders(seed: number, sigmoidB = false): { model: Model; layers: Layer[]; graph: OGraph; sets: ParamSet[] } {
  setSeed(seed);
  const x = Input({ shape: [4] });
  const a = new Dense(6, { activation: 'tanh' });
  const b = new Dense(3, { activation: sigmoidB ? 'sigmoid' : 'linear' });
  const c = new Dense(2, { activation: 'sigmoid' });
  const h = a.apply(x);
  const model = new Model({ inputs: x, outputs: [b.apply(h), c.apply(h)] });
  const [pa, pb, pc] = [a, b, c].map((l) => paramsOf(l));
  const sigmoid = O.activation('sigmoid', { f: (v) => 1 / (1 + Math.exp(-v)), df: (v) => Math.exp(-v) / (1 + Math.exp(-v)) ** 2, kinks: [] });
  const graph: OGraph = {
    inputs: 1,
    nodes: [
      { op: O.dense(6, true), inputs: [0], params: pa },
      { op: O.activation('tanh', { f: Math.tanh, df: (v) => 1 - Math.tanh(v) ** 2, kinks: [] }), inputs: [1], params: null },
      { op: O.dense(3, true), inputs: [2], params: pb },
      { op: O.dense(2, true), inputs: [2], params: pc },
      { op: sigmoid, inputs: [4], params: null, logitsOf: 'sigmoid' },
      ...(sigmoidB ? [{ op: sigmoid, inputs: [3], params: null, logitsOf: 'sigmoid' as const }] : []),
    ],
    outputs: [sigmoidB ? 6 : 3, 5],
  };
  return { model, layers: [a, b, c], graph, sets: [pa, pb, pc] };
}

describe('a value read by two layers', () => {
  it.each(BACKENDS)('two sigmoid heads, mse on one and binary_crossentropy on the other: the shortcut only where the loss takes logits on %s', async (backend) => {
    await use(backend);
    const m = twoReaders(722, true);
    const r = new Rng(723);
    const x = t(r.uniformF32(12), [3, 4]);
    const y1 = t(r.uniformF32(9, 0, 1), [3, 3]);
    const y2 = t(Float32Array.from({ length: 6 }, () => (r.bool() ? 1 : 0)), [3, 2]);
    const problem: Problem = { graph: m.graph, xs: [val(x.data, x.shape)], targets: [Float64Array.from(y1.data), Float64Array.from(y2.data)], loss: [{ name: 'mse' }, { name: 'bce' }] };
    const want = analytic(problem, m.sets);
    expect(compare(want.grads, finiteDifferences(problem, m.sets), 1e-6)).toEqual([]);
    const got = sgdGradients(m.model, m.layers, x, [y1, y2], ['mse', 'binary_crossentropy']);
    expect(got.loss).toBeCloseTo(want.loss, 5);
    expect(compare(got.grads, want.grads)).toEqual([]);
    m.model.compile({ optimizer: 'sgd', loss: ['mse', 'binary_crossentropy'] });
    expect(m.model.evaluate(x, [y1, y2]) as number).toBeCloseTo(want.loss, 5);
  });

  it.each(BACKENDS)('two heads on one hidden value, one loss each: the trunk gets the sum of both heads\' gradients on %s', async (backend) => {
    await use(backend);
    const m = twoReaders(720);
    const r = new Rng(721);
    const x = t(r.uniformF32(12), [3, 4]);
    const y1 = t(r.uniformF32(9), [3, 3]);
    const y2 = t(r.uniformF32(6, 0, 1), [3, 2]);
    const problem: Problem = { graph: m.graph, xs: [val(x.data, x.shape)], targets: [Float64Array.from(y1.data), Float64Array.from(y2.data)], loss: [{ name: 'mse' }, { name: 'mae' }] };
    const want = analytic(problem, m.sets);
    expect(compare(want.grads, finiteDifferences(problem, m.sets), 1e-6)).toEqual([]);
    const got = sgdGradients(m.model, m.layers, x, [y1, y2], ['mse', 'mae']);
    expect(got.loss).toBeCloseTo(want.loss, 5);
    expect(compare(got.grads, want.grads)).toEqual([]);
  });
});

/** x → a → s → s → out: one Dense layer called twice (square, so it chains on itself). */
function sharedTwice(seed: number): { model: Model; layers: Layer[]; graph: OGraph; sets: ParamSet[] } {
  setSeed(seed);
  const x = Input({ shape: [3, 5] });
  const a = new Dense(4);
  const s = new Dense(4, { activation: 'tanh' });
  const out = s.apply(s.apply(a.apply(x)));
  const model = new Model({ inputs: x, outputs: out });
  const [pa, ps] = [a, s].map((l) => paramsOf(l));
  const tanh = O.activation('tanh', { f: Math.tanh, df: (v) => 1 - Math.tanh(v) ** 2, kinks: [] });
  const graph: OGraph = {
    inputs: 1,
    nodes: [
      { op: O.dense(4, true), inputs: [0], params: pa },
      { op: O.dense(4, true), inputs: [1], params: ps },
      { op: tanh, inputs: [2], params: null },
      { op: O.dense(4, true), inputs: [3], params: ps },
      { op: tanh, inputs: [4], params: null },
    ],
    outputs: [5],
  };
  return { model, layers: [a, s], graph, sets: [pa, ps] };
}

describe('a layer called twice', () => {
  it.each(BACKENDS)('its weight gradients are summed over both calls (computeGradients and trainOnBatch) on %s', async (backend) => {
    await use(backend);
    const m = sharedTwice(730);
    const r = new Rng(731);
    const x = t(r.uniformF32(3 * 3 * 5), [3, 3, 5]);
    const y = t(r.uniformF32(3 * 3 * 4), [3, 3, 4]);
    const problem: Problem = { graph: m.graph, xs: [val(x.data, x.shape)], targets: [Float64Array.from(y.data)], loss: [{ name: 'mse' }] };
    const want = analytic(problem, m.sets);
    expect(compare(want.grads, finiteDifferences(problem, m.sets), 1e-6)).toEqual([]);
    const cg = m.model.computeGradients(x, y, { loss: 'mse' });
    expect(cg.variables.map((v) => v.name)).toEqual([`${m.layers[0].name}/kernel`, `${m.layers[0].name}/bias`, `${m.layers[1].name}/kernel`, `${m.layers[1].name}/bias`]);
    expect(cg.loss).toBeCloseTo(want.loss, 5);
    expect(compare([cg.gradients.slice(0, 2).map((g) => Float64Array.from(g.data)), cg.gradients.slice(2).map((g) => Float64Array.from(g.data))], want.grads)).toEqual([]);
    const sgd = sgdGradients(m.model, m.layers, x, y, 'mse');
    expect(compare(sgd.grads, want.grads)).toEqual([]);
  });
});

describe('nested models', () => {
  const gSpec = { input: [3], layers: [{ kind: 'dense' as const, units: 8, useBias: false }, { kind: 'batchNorm' as const }, { kind: 'leakyRelu' as const, alpha: 0.2 }, { kind: 'dense' as const, units: 6, activation: 'tanh' }] };
  const dSpec = { input: [6], layers: [{ kind: 'dense' as const, units: 5, useBias: false }, { kind: 'batchNorm' as const }, { kind: 'leakyRelu' as const, alpha: 0.2 }, { kind: 'dense' as const, units: 1, activation: 'sigmoid' }] };

  it.each(BACKENDS)('Sequential([g, d]) trains through both (BNs with batch statistics) on %s', async (backend) => {
    await use(backend);
    const g = buildChain({ ...gSpec, seed: 740, training: true });
    const d = buildChain({ ...dSpec, seed: 741, training: true, prefix: 'd' });
    const gan = new Sequential([g.model, d.model]);
    const r = new Rng(742);
    const z = t(r.uniformF32(12), [4, 3]);
    const ones = t(new Float32Array(4).fill(1), [4, 1]);
    const sets = [...g.weighted, ...d.weighted].map((w) => w.set);
    const problem: Problem = { graph: concat(g.graph, d.graph), xs: [val(z.data, z.shape)], targets: [Float64Array.from(ones.data)], loss: [{ name: 'bce' }] };
    const want = analytic(problem, sets);
    expect(compare(want.grads.map((w, i) => w.filter((_, j) => sets[i].trainable[j])), finiteDifferences(problem, sets).map((w, i) => w.filter((_, j) => sets[i].trainable[j])), 1e-6)).toEqual([]);
    const cg = gan.computeGradients(z, ones, { loss: 'binary_crossentropy' });
    const byName = new Map(cg.variables.map((v, k) => [v.name, cg.gradients[k]]));
    const got = [...g.weighted, ...d.weighted].map((w) => w.names.map((n, j) => (w.set.trainable[j] ? Float64Array.from(byName.get(`${w.layerName}/${n}`)?.data ?? []) : new Float64Array(0))));
    expect(cg.loss).toBeCloseTo(want.loss, 5);
    expect(compare(got.map((w, i) => w.filter((_, j) => sets[i].trainable[j])), want.grads.map((w, i) => w.filter((_, j) => sets[i].trainable[j])))).toEqual([]);
  });

  it.each(BACKENDS)('the GAN pattern: d frozen inside gan → only g changes, d\'s BN in inference mode, the gradient flows through d on %s', async (backend) => {
    await use(backend);
    const g = buildChain({ ...gSpec, seed: 750, training: true });
    const d = buildChain({ ...dSpec, seed: 751, training: false, prefix: 'd' });
    d.model.compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
    d.model.trainable = false;
    const gan = new Sequential([g.model, d.model]);
    const r = new Rng(752);
    const z = t(r.uniformF32(12), [4, 3]);
    const ones = t(new Float32Array(4).fill(1), [4, 1]);
    const gSets = g.weighted.map((w) => w.set);
    const dFrozen = d.weighted.map((w) => ({ ...w.set, trainable: w.set.trainable.map(() => false) }));
    const graph = concat(g.graph, { ...d.graph, nodes: d.graph.nodes.map((n) => ({ ...n, params: n.params ? dFrozen[d.weighted.findIndex((w) => w.set === n.params)] : null })) });
    const problem: Problem = { graph, xs: [val(z.data, z.shape)], targets: [Float64Array.from(ones.data)], loss: [{ name: 'bce' }] };
    const want = analytic(problem, gSets);
    const dBefore = d.model.getWeights();
    const gLayers = g.layers.filter((l) => l.getWeights().length);
    const got = sgdGradients(gan, gLayers, z, ones, 'binary_crossentropy');
    expect(got.loss).toBeCloseTo(want.loss, 5);
    // BN moving statistics of g move in the step; compare the trained weights only
    const trainedOnly = (w: Float64Array[][]) => w.map((ws, i) => ws.filter((_, j) => gSets[i].trainable[j]));
    expect(compare(trainedOnly(got.grads), trainedOnly(want.grads))).toEqual([]);
    d.model.getWeights().forEach((w: Tensor, i: number) => expect(Array.from(w.data)).toEqual(Array.from(dBefore[i].data)));
  });
});

import { describe, expect, it } from 'vitest';
import { type Callback, ConfigError, type Logs, Sequential, setSeed, SGD, type Tensor, tensor } from '../bindings/index.js';
import { buildChain } from './grad/chain.js';
import { forward, losses } from './grad/oracle/graph.js';
import { val } from './grad/oracle/values.js';
import { BACKENDS, use } from './util/backends.js';
import { Rng } from './util/rng.js';

/**
 * Keras's training API around the step: fit's History (epoch losses = the batch losses weighted
 * by batch size), the callbacks' order, model.stopTraining, validationSplit (the last samples,
 * before shuffling) and validationData (evaluate after each epoch), evaluate's and trainOnBatch's
 * numbers (loss and metrics) against a hand computation with the float64 oracle.
 */
const spec = {
  input: [3],
  layers: [{ kind: 'dense' as const, units: 4, activation: 'tanh' }, { kind: 'batchNorm' as const, momentum: 0.9 }, { kind: 'dense' as const, units: 1, activation: 'sigmoid' }],
};

function data(n: number, seed: number): { x: Tensor; y: Tensor } {
  const r = new Rng(seed);
  return { x: tensor(r.uniformF32(3 * n), [n, 3]), y: tensor(Float32Array.from({ length: n }, () => (r.bool() ? 1 : 0)), [n, 1]) };
}

function rows(t: Tensor, from: number, to: number): Tensor {
  const per = t.size / t.shape[0];
  return tensor(t.data.slice(from * per, to * per), [to - from, ...t.shape.slice(1)]);
}

/** The loss and binary accuracy of a built chain in inference mode (BN with moving statistics), by the oracle. */
function handEvaluate(weights: Tensor[], x: Tensor, y: Tensor): { loss: number; accuracy: number } {
  const built = buildChain({ ...spec, seed: 1, training: false, weights: new Map([[0, [weights[0].data, weights[1].data]], [1, weights.slice(2, 6).map((w) => w.data)], [2, [weights[6].data, weights[7].data]]]) });
  const values = forward(built.graph, [val(x.data, x.shape)]);
  const loss = losses(built.graph, values, [Float64Array.from(y.data)], [{ name: 'bce' }]).loss;
  const p = values[values.length - 1].data;
  let hits = 0;
  for (let i = 0; i < p.length; i++) hits += (p[i] > 0.5 ? 1 : 0) === y.data[i] ? 1 : 0;
  return { loss, accuracy: hits / p.length };
}

describe('fit', () => {
  it.each(BACKENDS)('History and weights equal the same batches through trainOnBatch (no shuffle, a partial last batch) on %s', async (backend) => {
    await use(backend);
    const { x, y } = data(10, 2);
    const a = buildChain({ ...spec, seed: 3 }).model;
    const b = buildChain({ ...spec, seed: 3 }).model;
    a.compile({ optimizer: new SGD({ learningRate: 0.1, momentum: 0.5 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
    b.compile({ optimizer: new SGD({ learningRate: 0.1, momentum: 0.5 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const h = await a.fit(x, y, { batchSize: 4, epochs: 3, shuffle: false, verbose: 0 });
    const want: Record<string, number[]> = { loss: [], accuracy: [] };
    for (let e = 0; e < 3; e++) {
      let loss = 0;
      let acc = 0;
      for (const [from, to] of [[0, 4], [4, 8], [8, 10]]) {
        const [l, m] = b.trainOnBatch(rows(x, from, to), rows(y, from, to)) as number[];
        loss += l * (to - from);
        acc += m * (to - from);
      }
      want.loss.push(loss / 10);
      want.accuracy.push(acc / 10);
    }
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss']);
    h.history.loss.forEach((v, i) => expect(v).toBeCloseTo(want.loss[i], 6));
    h.history.accuracy.forEach((v, i) => expect(v).toBeCloseTo(want.accuracy[i], 6));
    expect(a.getWeights().map((w: Tensor) => Array.from(w.data))).toEqual(b.getWeights().map((w: Tensor) => Array.from(w.data)));
  });

  it.each(BACKENDS)('callbacks run in Keras order with the batch and epoch logs on %s', async (backend) => {
    await use(backend);
    const { x, y } = data(5, 4);
    const m = buildChain({ ...spec, seed: 5 }).model;
    m.compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
    const events: string[] = [];
    const batchLosses: number[] = [];
    const epochLogs: Logs[] = [];
    const cb: Callback = {
      onTrainBegin: () => { events.push('trainBegin'); },
      onEpochBegin: (e) => { events.push(`epochBegin ${e}`); },
      onBatchBegin: (b) => { events.push(`batchBegin ${b}`); },
      onBatchEnd: (b, logs) => { events.push(`batchEnd ${b}`); batchLosses.push(logs.loss); },
      // an async hook is awaited before the next one
      onEpochEnd: async (e, logs) => { await new Promise((r) => setTimeout(r, 1)); events.push(`epochEnd ${e}`); epochLogs.push(logs); },
      onTrainEnd: () => { events.push('trainEnd'); },
    };
    const h = await m.fit(x, y, { batchSize: 2, epochs: 2, shuffle: false, verbose: 0, callbacks: [cb] });
    const epoch = (e: number) => [`epochBegin ${e}`, 'batchBegin 0', 'batchEnd 0', 'batchBegin 1', 'batchEnd 1', 'batchBegin 2', 'batchEnd 2', `epochEnd ${e}`];
    expect(events).toEqual(['trainBegin', ...epoch(0), ...epoch(1), 'trainEnd']);
    // epoch logs: batch losses weighted by batch size (2, 2, 1), as in History
    expect(epochLogs[0].loss).toBeCloseTo((2 * batchLosses[0] + 2 * batchLosses[1] + batchLosses[2]) / 5, 6);
    expect(h.history.loss).toEqual(epochLogs.map((l) => l.loss));
  });

  it.each(BACKENDS)('model.stopTraining from onBatchEnd ends fit after that batch (the epoch still ends) on %s', async (backend) => {
    await use(backend);
    const { x, y } = data(8, 6);
    const m = buildChain({ ...spec, seed: 7 }).model;
    m.compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
    const events: string[] = [];
    const h = await m.fit(x, y, { batchSize: 2, epochs: 5, verbose: 0, callbacks: [{
      onBatchEnd: (b) => { events.push(`batch ${b}`); if (b === 1) m.stopTraining = true; },
      onEpochEnd: (e) => { events.push(`epoch ${e}`); },
      onTrainEnd: () => { events.push('end'); },
    }] });
    expect(events).toEqual(['batch 0', 'batch 1', 'epoch 0', 'end']);
    expect(h.epoch).toEqual([0]);
    // and from onEpochEnd: after that epoch; the next fit starts afresh
    const h2 = await m.fit(x, y, { batchSize: 4, epochs: 5, verbose: 0, callbacks: [{ onEpochEnd: (e) => { if (e === 1) m.stopTraining = true; } }] });
    expect(h2.epoch).toEqual([0, 1]);
  });

  it.each(BACKENDS)('validationSplit holds out the last samples (before shuffling) and reports val_ numbers from evaluate on %s', async (backend) => {
    await use(backend);
    const { x, y } = data(10, 8);
    const m = buildChain({ ...spec, seed: 9 }).model;
    m.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const sizes: number[] = [];
    const valLogs: Logs[] = [];
    const weightsAtEpochEnd: Tensor[][] = [];
    const h = await m.fit(x, y, { batchSize: 3, epochs: 2, validationSplit: 0.3, verbose: 0, callbacks: [{
      onBatchBegin: (_b, logs) => { sizes.push(logs.size); },
      onEpochEnd: (_e, logs) => { valLogs.push(logs); weightsAtEpochEnd.push(m.getWeights()); },
    }] });
    // floor(10 · 0.7) = 7 training samples: batches of 3, 3, 1 per epoch
    expect(sizes).toEqual([3, 3, 1, 3, 3, 1]);
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    valLogs.forEach((logs, e) => {
      const hand = handEvaluate(weightsAtEpochEnd[e], rows(x, 7, 10), rows(y, 7, 10));
      expect(logs.val_loss).toBeCloseTo(hand.loss, 5);
      expect(logs.val_accuracy).toBeCloseTo(hand.accuracy, 6);
    });
    await expect(m.fit(x, y, { validationSplit: 1 })).rejects.toThrow(ConfigError);
  });

  it.each(BACKENDS)('validationData is evaluated after every epoch on %s', async (backend) => {
    await use(backend);
    const { x, y } = data(6, 10);
    const v = data(5, 11);
    const m = buildChain({ ...spec, seed: 12 }).model;
    m.compile({ optimizer: new SGD({ learningRate: 0.2 }), loss: 'binary_crossentropy' });
    const ws: Tensor[][] = [];
    const h = await m.fit(x, y, { batchSize: 2, epochs: 3, validationData: [v.x, v.y], verbose: 0, callbacks: [{ onEpochEnd: () => { ws.push(m.getWeights()); } }] });
    expect(h.history.val_loss).toHaveLength(3);
    h.history.val_loss.forEach((l, e) => expect(l).toBeCloseTo(handEvaluate(ws[e], v.x, v.y).loss, 5));
  });
});

describe('fit shuffling', () => {
  it.each(BACKENDS)('shuffles with the seeded generator: the same seed replays fit exactly, another seed does not, initialEpoch numbers the epochs on %s', async (backend) => {
    await use(backend);
    const { x, y } = data(9, 19);
    const run = async (seed: number) => {
      const m = buildChain({ ...spec, seed: 20 }).model;
      m.compile({ optimizer: new SGD({ learningRate: 0.3 }), loss: 'binary_crossentropy' });
      setSeed(seed);
      const h = await m.fit(x, y, { batchSize: 2, epochs: 4, initialEpoch: 1, verbose: 0 });
      return { h, w: m.getWeights().map((t: Tensor) => Array.from(t.data)) };
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(a.h.epoch).toEqual([1, 2, 3]);
    expect(b.h.history.loss).toEqual(a.h.history.loss);
    expect(b.w).toEqual(a.w);
    expect(c.w).not.toEqual(a.w);
  });
});

describe('evaluate and trainOnBatch numbers', () => {
  it.each(BACKENDS)('evaluate: loss and accuracy in inference mode (BN moving statistics), averaged over batches by size on %s', async (backend) => {
    await use(backend);
    const { x, y } = data(11, 13);
    const m = buildChain({ ...spec, seed: 14 }).model;
    m.compile({ optimizer: 'sgd', loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const hand = handEvaluate(m.getWeights(), x, y);
    const [loss, acc] = m.evaluate(x, y, { batchSize: 4 }) as number[];
    expect(loss).toBeCloseTo(hand.loss, 5);
    expect(acc).toBeCloseTo(hand.accuracy, 6);
    // one batch or several: the same mean
    expect((m.evaluate(x, y, { batchSize: 64 }) as number[])[0]).toBeCloseTo(loss, 6);
    // evaluate trains nothing
    const before = m.getWeights().map((w: Tensor) => Array.from(w.data));
    m.evaluate(x, y);
    expect(m.getWeights().map((w: Tensor) => Array.from(w.data))).toEqual(before);
  });

  it.each(BACKENDS)('trainOnBatch with metrics: [loss, accuracy] of the forward pass before the update (BN batch statistics) on %s', async (backend) => {
    await use(backend);
    const { x, y } = data(6, 15);
    const built = buildChain({ ...spec, seed: 16, training: true });
    built.model.compile({ optimizer: new SGD({ learningRate: 0.5 }), loss: 'binary_crossentropy', metrics: ['accuracy', 'mse'] });
    const values = forward(built.graph, [val(x.data, x.shape)]);
    const want = losses(built.graph, values, [Float64Array.from(y.data)], [{ name: 'bce' }]).loss;
    const p = values[values.length - 1].data;
    const acc = Array.from(p).filter((v, i) => (v > 0.5 ? 1 : 0) === y.data[i]).length / 6;
    const mse = Array.from(p).reduce((s, v, i) => s + (v - y.data[i]) ** 2, 0) / 6;
    const [l, a, e] = built.model.trainOnBatch(x, y) as number[];
    expect(l).toBeCloseTo(want, 5);
    expect(a).toBeCloseTo(acc, 6);
    expect(e).toBeCloseTo(mse, 5);
  });

  it.each(BACKENDS)('a Sequential nested in a new Sequential builds on its first evaluate on %s', async (backend) => {
    await use(backend);
    const inner = buildChain({ ...spec, seed: 17 }).model;
    const outer = new Sequential([inner]);
    outer.compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
    const { x, y } = data(4, 18);
    expect(outer.evaluate(x, y) as number).toBeCloseTo(handEvaluate(inner.getWeights(), x, y).loss, 5);
  });

  it.each(BACKENDS)("'accuracy' follows the loss: categorical argmax for categorical_crossentropy, sparse labels for sparse_categorical_crossentropy on %s", async (backend) => {
    await use(backend);
    const layers = [{ kind: 'dense' as const, units: 6, activation: 'tanh' }, { kind: 'dense' as const, units: 4, activation: 'softmax' }];
    const r = new Rng(21);
    const x = tensor(r.uniformF32(7 * 3), [7, 3]);
    const cls = Array.from({ length: 7 }, () => r.int(0, 3));
    const oneHot = new Float32Array(28);
    cls.forEach((c, i) => { oneHot[i * 4 + c] = 1; });
    for (const [loss, y] of [['categorical_crossentropy', tensor(oneHot, [7, 4])], ['sparse_categorical_crossentropy', tensor(Float32Array.from(cls), [7, 1])]] as const) {
      const built = buildChain({ input: [3], layers, seed: 22 });
      built.model.compile({ optimizer: 'sgd', loss, metrics: ['accuracy'] });
      const p = forward(built.graph, [val(x.data, x.shape)]).at(-1)!.data;
      let hits = 0;
      for (let i = 0; i < 7; i++) {
        let best = 0;
        for (let c = 1; c < 4; c++) if (p[i * 4 + c] > p[i * 4 + best]) best = c;
        hits += best === cls[i] ? 1 : 0;
      }
      expect((built.model.evaluate(x, y) as number[])[1]).toBeCloseTo(hits / 7, 6);
      expect((built.model.trainOnBatch(x, y) as number[])[1]).toBeCloseTo(hits / 7, 6);
    }
  });
});

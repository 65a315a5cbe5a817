import { describe, expect, it } from 'vitest';
import { Activation, Dense, init, Sequential, setBackend, tensor } from '../bindings/index.js';

/** Every Keras activation string at known values (Keras's formulas, computed in f64 by hand). */
const GELU_1 = 0.8413447460685429; // 0.5·(1 + erf(1/√2))
const CASES: [string, number, number][] = [
  ['elu', -1, Math.expm1(-1)],
  ['elu', 2, 2],
  ['selu', -1, 1.0507009873554805 * 1.6732632423543772 * Math.expm1(-1)],
  ['selu', 2, 1.0507009873554805 * 2],
  ['softplus', 0, Math.LN2],
  ['softplus', 30, 30],
  ['softplus', -30, Math.exp(-30)],
  ['softsign', 1, 0.5],
  ['softsign', -3, -0.75],
  ['swish', 1, 1 / (1 + Math.exp(-1))],
  ['silu', -2, -2 / (1 + Math.exp(2))],
  ['gelu', 1, GELU_1],
  ['gelu', -1, 1 - GELU_1 - 1 + 0], // gelu(-x) = gelu(x) - x
  ['gelu', 3, 3 * 0.5 * (1 + 0.9973002039367398)], // erf(3/√2)
  ['hard_sigmoid', 1, 1 / 6 + 0.5],
  ['hard_sigmoid', 4, 1],
  ['hard_sigmoid', -4, 0],
  ['relu6', 7, 6],
  ['relu6', -1, 0],
  ['relu6', 2.5, 2.5],
  ['exponential', 1, Math.E],
  ['sigmoid', 0, 0.5],
  ['tanh', 0.5, Math.tanh(0.5)],
  ['relu', -1, 0],
  ['leaky_relu', -1, -0.2],
  ['linear', -1.5, -1.5],
];
CASES[12][2] = GELU_1 - 1; // gelu(-1) = gelu(1) - 1

describe.each(['wasm', 'js'] as const)('activation strings on %s', (backend) => {
  it.each(CASES)('%s(%d)', async (name, x, want) => {
    await init();
    setBackend(backend);
    const m = new Sequential();
    m.add(new Activation(name, { inputShape: [1] }));
    const y = m.predict(tensor([x], [1, 1])).data[0];
    expect(Math.abs(y - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
  });

  it('softmax in a Dense layer normalises over units', async () => {
    setBackend(backend);
    const m = new Sequential();
    m.add(new Dense(3, { inputDim: 2, activation: 'softmax' }));
    m.setWeights([tensor([[1, 0, -1], [0, 2, 1]]), tensor([0, 0, 0.5])]);
    const y = m.predict(tensor([[1, 1], [0, 0]])).data;
    const z = [1, 2, 0.5];
    const e = z.map((v) => Math.exp(v - 2));
    const s = e.reduce((a, b) => a + b);
    e.forEach((v, i) => expect(y[i]).toBeCloseTo(v / s, 6));
    const e2 = [0, 0, 0.5].map((v) => Math.exp(v));
    const s2 = e2.reduce((a, b) => a + b);
    e2.forEach((v, i) => expect(y[3 + i]).toBeCloseTo(v / s2, 6));
  });
});

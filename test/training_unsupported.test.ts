import { describe, expect, it } from 'vitest';
import {
  ConfigError, CustomLayer, type CustomCall, Dense, type Model, modelFromJSON, Sequential, setBackend, type Shape, tensor,
} from '../bindings/index.js';
import { BACKEND_KINDS } from './util/backends.js';
import { Rng } from './util/rng.js';

/**
 * What upconv runs forward but does not train is refused by name, never trained with a silently
 * different gradient: Keras config that changes training (regularizers, constraints, Dropout's
 * noise_shape, BatchNormalization's virtual_batch_size) loads and predicts, and a training step
 * is a ConfigError naming the layer and the key, leaving the weights as they were; the same file
 * with the key null trains. A CustomLayer has no backward pass: a ConfigError once a gradient
 * has to go through it or into its weights; a weightless one in front of everything trains.
 */
const values = (n: number, seed: number) => {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.uniform(-1, 1));
};
const seq = (layers: unknown[]) => JSON.stringify({ class_name: 'Sequential', config: { name: 'seq', layers } });
const input = { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 4, 4, 2] } };
const conv = (config: Record<string, unknown>) => ({ class_name: 'Conv2D', config: { name: 'conv_r', filters: 3, kernel_size: [3, 3], padding: 'same', ...config } });
const L2 = { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.01 } };
const NONNEG = { module: 'keras.constraints', class_name: 'NonNeg', config: {} };

const CASES: [string, (v: unknown) => unknown[], unknown, string][] = [
  ['Conv2D kernel_regularizer', (v) => [input, conv({ kernel_regularizer: v })], L2, "Conv2D 'conv_r'"],
  ['Conv2D activity_regularizer', (v) => [input, conv({ activity_regularizer: v })], L2, "Conv2D 'conv_r'"],
  ['Conv2D bias_constraint', (v) => [input, conv({ bias_constraint: v })], NONNEG, "Conv2D 'conv_r'"],
  ['DepthwiseConv2D depthwise_constraint', (v) => [input, { class_name: 'DepthwiseConv2D', config: { name: 'dw_r', kernel_size: [3, 3], padding: 'same', depthwise_constraint: v } }, conv({})], NONNEG, "DepthwiseConv2D 'dw_r'"],
  ['BatchNormalization gamma_regularizer', (v) => [input, conv({}), { class_name: 'BatchNormalization', config: { name: 'bn_r', gamma_regularizer: v } }], L2, "BatchNormalization 'bn_r'"],
  ['BatchNormalization virtual_batch_size', (v) => [input, { class_name: 'BatchNormalization', config: { name: 'bn_v', virtual_batch_size: v } }, conv({})], 2, "BatchNormalization 'bn_v'"],
  ['Dropout noise_shape', (v) => [input, conv({}), { class_name: 'Dropout', config: { name: 'drop_r', rate: 0.5, noise_shape: v } }], [null, 1, 1, 3], "Dropout 'drop_r'"],
];

const x = () => tensor(values(2 * 4 * 4 * 2, 1), [2, 4, 4, 2]);
const target = (m: Model) => tensor(values(2 * 4 * 4 * 3, 2), [2, ...(m.outputs[0].shape.slice(1) as number[])]);

describe('training refuses what it would leave out', () => {
  for (const kind of BACKEND_KINDS) {
    for (const [name, layers, value, label] of CASES) {
      it(`${name}: loads and predicts; trainOnBatch and computeGradients are ConfigErrors naming it, weights untouched; null trains (${kind})`, () => {
        setBackend(kind);
        const m = modelFromJSON(seq(layers(value)));
        const key = name.split(' ')[1];
        expect(m.predict(x()).shape).toEqual([2, 4, 4, 3]);
        m.compile({ optimizer: 'adam', loss: 'mse' });
        const before = m.getWeights().map((w) => Array.from(w.data));
        expect(() => m.trainOnBatch(x(), target(m))).toThrow(ConfigError);
        try {
          m.trainOnBatch(x(), target(m));
        } catch (e) {
          expect((e as Error).message).toContain(label);
          expect((e as Error).message).toContain(key);
        }
        expect(() => m.computeGradients(x(), target(m), { loss: 'mse' })).toThrow(ConfigError);
        expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
        expect(m.predict(x()).shape).toEqual([2, 4, 4, 3]);

        const plain = modelFromJSON(seq(layers(null)));
        plain.compile({ optimizer: 'adam', loss: 'mse' });
        const w0 = plain.getWeights().map((w) => Array.from(w.data));
        expect(Number.isFinite(plain.trainOnBatch(x(), target(plain)) as number)).toBe(true);
        expect(plain.getWeights().map((w) => Array.from(w.data))).not.toEqual(w0);
      });
    }
  }
});

/** y = 2x + offset (per channel), with or without its weight. */
class Doubler extends CustomLayer {
  constructor(private readonly withOffset: boolean, name: string) {
    super('Doubler', { name });
  }
  computeOutputShape(s: Shape): Shape {
    return [...s];
  }
  weights(inputs: readonly Shape[]) {
    return this.withOffset ? [{ name: 'offset', shape: [inputs[0][inputs[0].length - 1] as number] }] : [];
  }
  call({ inputs, output, weights }: CustomCall): void {
    const c = inputs[0].length && weights.length ? weights[0].length : 1;
    for (let i = 0; i < output.length; i++) output[i] = 2 * inputs[0][i] + (weights.length ? weights[0][i % c] : 0);
  }
  getConfig() {
    return { ...this.baseConfig() };
  }
}

describe('a CustomLayer has no backward pass', () => {
  for (const kind of BACKEND_KINDS) {
    it(`in the middle, or with trainable weights: a ConfigError naming it, weights untouched; weightless in front: trains (${kind})`, () => {
      setBackend(kind);
      const xs = tensor(values(6 * 3, 3), [6, 3]);
      const ys = tensor(values(6 * 2, 4), [6, 2]);
      const models: [Sequential, boolean][] = [
        [new Sequential([new Dense(4, { inputShape: [3] }), new Doubler(false, 'doubler_mid'), new Dense(2)]), false],
        [new Sequential([new Doubler(true, 'doubler_w'), new Dense(2)]), false],
        [new Sequential([new Doubler(false, 'doubler_front'), new Dense(2)]), true],
      ];
      for (const [m, trains] of models) {
        m.build([null, 3]);
        m.compile({ optimizer: 'sgd', loss: 'mse' });
        const before = m.getWeights().map((w) => Array.from(w.data));
        if (trains) {
          m.trainOnBatch(xs, ys);
          expect(m.getWeights().map((w) => Array.from(w.data))).not.toEqual(before);
        } else {
          expect(() => m.trainOnBatch(xs, ys)).toThrow(/doubler_(mid|w).*no backward pass/);
          expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
        }
      }
    });
  }
});

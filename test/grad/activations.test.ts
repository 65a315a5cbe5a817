import { describe } from 'vitest';
import type { LayerSpec } from './chain.js';
import { type GradCase, itChecksGradients } from './check.js';
import { Rng } from '../util/rng.js';

/**
 * Every activation's backward, as an Activation layer and (where upconv trains it) as the
 * built-in `activation` of a Dense or Conv2D, plus the LeakyReLU, ReLU, ELU and Softmax layers;
 * then TF's conventions at the kinks with pre-activations exactly on them (relu'(0) = 0,
 * leaky'(0) = slope, selu'(0) = scale, elu'(0) = alpha·1, relu6'(0) = relu6'(6) = 0, …).
 */
const NAMES = ['linear', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'silu', 'gelu',
  'hard_sigmoid', 'relu6', 'exponential', 'softmax'];
/** Built-in activations upconv trains (swish and gelu need the pre-activation: only as a separate layer). */
const BUILT_IN = NAMES.filter((n) => n !== 'swish' && n !== 'silu' && n !== 'gelu');

/** Inputs wide enough that pre-activations reach past ±3 and 6 (hard_sigmoid, relu6). */
const wide = (n: number, r: Rng) => r.uniformF32(n, -4, 4);

const cases: GradCase[] = [];
NAMES.forEach((name, i) => {
  cases.push({ name: `Activation('${name}') after Dense 3 → 5, then Dense 4`, input: [3], batch: 3, seed: 500 + i, inputs: wide, layers: [
    { kind: 'dense', units: 5 }, { kind: 'activation', name }, { kind: 'dense', units: 4 },
  ] });
  cases.push({ name: `Activation('${name}') on a rank-4 value (2×3×13), as the output`, input: [2, 3, 2], batch: 1, seed: 520 + i, inputs: wide, layers: [
    { kind: 'dense', units: 13 }, { kind: 'activation', name },
  ] });
});
BUILT_IN.forEach((name, i) => {
  cases.push({ name: `Dense(activation: '${name}') 4 → 8, then Dense 3`, input: [4], batch: 3, seed: 540 + i, inputs: wide, layers: [
    { kind: 'dense', units: 8, activation: name }, { kind: 'dense', units: 3 },
  ] });
});
for (const [i, name] of ['relu', 'leaky_relu', 'sigmoid', 'elu', 'softmax'].entries()) {
  cases.push({ name: `Conv2D(activation: '${name}') 4×4×5 → 17 (3×3 same), then Conv2D 3`, input: [4, 4, 2], batch: 3, seed: 560 + i, inputs: wide, layers: [
    { kind: 'dense', units: 5 }, { kind: 'conv2d', filters: 17, kernel: [3, 3], padding: 'same', activation: name }, { kind: 'conv2d', filters: 3, kernel: [2, 2] },
  ] });
}
const LAYERS: [string, LayerSpec][] = [
  ['LeakyReLU() (slope 0.3)', { kind: 'leakyRelu' }],
  ['LeakyReLU(alpha 0.1)', { kind: 'leakyRelu', alpha: 0.1 }],
  ['LeakyReLU(alpha −0.5) (its gradient needs the input)', { kind: 'leakyRelu', alpha: -0.5 }],
  ['LeakyReLU(alpha 1.5)', { kind: 'leakyRelu', alpha: 1.5 }],
  ['ReLU()', { kind: 'relu' }],
  ['ReLU(maxValue 6)', { kind: 'relu', maxValue: 6 }],
  ['ReLU(negativeSlope 0.1)', { kind: 'relu', negativeSlope: 0.1 }],
  ['ReLU(maxValue 2, negativeSlope 0.1)', { kind: 'relu', maxValue: 2, negativeSlope: 0.1 }],
  ['ReLU(threshold 0.5)', { kind: 'relu', threshold: 0.5 }],
  ['ReLU(maxValue 3, negativeSlope 0.2, threshold 0.5)', { kind: 'relu', maxValue: 3, negativeSlope: 0.2, threshold: 0.5 }],
  ['ELU() (alpha 1)', { kind: 'elu' }],
  ['ELU(alpha 0.5)', { kind: 'elu', alpha: 0.5 }],
  ['Softmax()', { kind: 'softmax' }],
];
LAYERS.forEach(([label, spec], i) => {
  cases.push({ name: `${label} after Dense 3 → 17, then Dense 2`, input: [3], batch: 3, seed: 580 + i, inputs: wide, layers: [
    { kind: 'dense', units: 17 }, spec, { kind: 'dense', units: 2 },
  ] });
});

// an activation layer as the activation argument (Keras 3 serializes activations so): one fused op
const AS_ARGUMENT: [string, LayerSpec][] = [
  ['Dense(activation: LeakyReLU(0.2))', { kind: 'dense', units: 8, activation: { kind: 'leakyRelu', alpha: 0.2 } }],
  ['Dense(activation: ReLU(maxValue 6))', { kind: 'dense', units: 5, activation: { kind: 'relu', maxValue: 6 } }],
  ['Dense(activation: ELU(0.5))', { kind: 'dense', units: 4, activation: { kind: 'elu', alpha: 0.5 } }],
  ['Dense(activation: Softmax())', { kind: 'dense', units: 5, activation: { kind: 'softmax' } }],
  ["Dense(activation: Activation('tanh'))", { kind: 'dense', units: 3, activation: { kind: 'activation', name: 'tanh' } }],
  ['Conv2D(activation: LeakyReLU(0.3))', { kind: 'conv2d', filters: 5, kernel: [3, 3], padding: 'same', activation: { kind: 'leakyRelu' } }],
  ["Conv2DTranspose(activation: Activation('sigmoid'))", { kind: 'conv2dTranspose', filters: 4, kernel: [3, 3], strides: [2, 2], padding: 'same', activation: { kind: 'activation', name: 'sigmoid' } }],
];
AS_ARGUMENT.forEach(([label, spec], i) => {
  const conv = spec.kind !== 'dense';
  cases.push({ name: `${label}, then Dense 2`, input: conv ? [3, 3, 2] : [3], batch: 3, seed: 595 + i, inputs: wide, layers: [
    { kind: 'dense', units: 4 }, spec, { kind: 'dense', units: 2 },
  ] });
});

/**
 * A Dense whose unit j has a zero kernel column and bias `at[j]`: its pre-activation is exactly
 * at[j] for every sample (the other units are random), then the activation.
 */
function atKinks(name: string, act: LayerSpec, at: number[], seed: number, builtIn = false): GradCase {
  const units = at.length + 2;
  const r = new Rng(seed);
  const kernel = r.uniformF32(3 * units, -1, 1);
  const bias = r.uniformF32(units, -1, 1);
  at.forEach((v, j) => {
    for (let k = 0; k < 3; k++) kernel[k * units + j] = 0;
    bias[j] = v;
  });
  const first: LayerSpec = builtIn && act.kind === 'activation' ? { kind: 'dense', units, activation: act.name } : { kind: 'dense', units };
  return {
    name: `${name} at ${at.join(', ')}`, input: [3], batch: 3, seed, atKinks: true,
    layers: builtIn ? [first, { kind: 'dense', units: 2 }] : [first, act, { kind: 'dense', units: 2 }],
    weights: new Map([[0, [kernel, bias]]]),
  };
}
const kinks: GradCase[] = [
  atKinks("Activation('relu'): relu'(0) = 0", { kind: 'activation', name: 'relu' }, [0], 600),
  atKinks("Dense(activation: 'relu'): relu'(0) = 0", { kind: 'activation', name: 'relu' }, [0], 601, true),
  atKinks("Activation('leaky_relu'): leaky'(0) = 0.2", { kind: 'activation', name: 'leaky_relu' }, [0], 602),
  atKinks("Dense(activation: 'leaky_relu'): leaky'(0) = 0.2", { kind: 'activation', name: 'leaky_relu' }, [0], 603, true),
  atKinks("LeakyReLU(): leaky'(0) = 0.3", { kind: 'leakyRelu' }, [0], 604),
  atKinks("LeakyReLU(−0.5): −0.5 at 0", { kind: 'leakyRelu', alpha: -0.5 }, [0], 616),
  atKinks("ReLU(negativeSlope 0.1) (tf.nn.leaky_relu): 0.1 at 0", { kind: 'relu', negativeSlope: 0.1 }, [0], 605),
  atKinks("Activation('elu'): elu'(0) = 1", { kind: 'activation', name: 'elu' }, [0], 606),
  atKinks("ELU(alpha 0.5): 0.5 at 0 (tf.where(x > 0, elu, alpha·elu))", { kind: 'elu', alpha: 0.5 }, [0], 607),
  atKinks("Activation('selu'): selu'(0) = scale (SeluGrad's negative branch is for outputs < 0)", { kind: 'activation', name: 'selu' }, [0], 608),
  atKinks("Dense(activation: 'selu'): selu'(0) = scale", { kind: 'activation', name: 'selu' }, [0], 609, true),
  atKinks("Activation('relu6'): 0 at 0 and 6", { kind: 'activation', name: 'relu6' }, [0, 6], 610),
  atKinks("ReLU(maxValue 6) (tf.nn.relu6): 0 at 0 and 6", { kind: 'relu', maxValue: 6 }, [0, 6], 611),
  atKinks("Activation('hard_sigmoid') (relu6(x + 3)/6): 0 at −3 and 3", { kind: 'activation', name: 'hard_sigmoid' }, [-3, 3], 612),
  atKinks("ReLU(maxValue 2, negativeSlope 0.1): 0 at 0 (relu'(0) and relu(−x)'(0) are both 0)", { kind: 'relu', maxValue: 2, negativeSlope: 0.1 }, [0], 613),
  atKinks("ReLU(negativeSlope 0.2, threshold 0.5): 0 at the threshold", { kind: 'relu', negativeSlope: 0.2, threshold: 0.5 }, [0.5], 614),
  atKinks("ReLU(threshold 0.5): 0 at the threshold", { kind: 'relu', threshold: 0.5 }, [0.5], 615),
];

describe('activation gradients', () => {
  for (const c of cases) describe(c.name, () => itChecksGradients(c));
});

describe("activation gradients at the kinks (TF's conventions)", () => {
  for (const c of kinks) describe(c.name, () => itChecksGradients(c));
});

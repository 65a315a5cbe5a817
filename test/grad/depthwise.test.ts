import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DepthwiseAdjoint, depthwiseInputPath } from '../../bindings/ops/depthwise_backward.js';
import type { LayerSpec } from './chain.js';
import { type GradCase, itChecksGradients } from './check.js';
import { depthwise, separable } from './custom_layers.js';

/**
 * DepthwiseConv2D and SeparableConv2D backward against the float64 oracle (oracle/depthwise.ts)
 * and central differences, on every backend, with a trainable Conv2D in front so the input
 * gradient reaches a weight: channel counts and multipliers over the SIMD tails (J = C·M mod 8 and
 * mod 4, multipliers 1 and 2 tiled, 3 and 4 per channel), pixel counts across the 64-pixel blocks,
 * tap counts 1 … 25 (the tap groups of the weight gradient), strides (2, 3), dilation, 'same'
 * padding with kernels larger than the input, built-in activations (swish and gelu keep their
 * pre-activation), and the input gradient's two paths (gather for strides 1 and multiplier 1,
 * scatter otherwise; the scatter forced on the gather's cases too).
 */
const front = (filters: number): LayerSpec => ({ kind: 'conv2d', filters, kernel: [1, 1] });
const wide = (n: number, r: import('../util/rng.js').Rng) => r.uniformF32(n, -2, 2);

const cases: GradCase[] = [];
[1, 3, 4, 5, 8, 13, 17].forEach((C, i) => {
  cases.push({ name: `3×3 same, ${C} channels, 5×6 input, batch 2`, input: [5, 6, 2], batch: 2, seed: 900 + i, layers: [
    front(C), depthwise([3, 3], { padding: 'same' }), { kind: 'conv2d', filters: 2, kernel: [1, 1] },
  ] });
});
const GEOMETRIES: [string, number[], Parameters<typeof depthwise>[1] & { kernel: [number, number] }][] = [
  ['3×3 valid, 9×9×13, batch 3 (243 → 147 pixels: blocks of 64)', [9, 9, 13], { kernel: [3, 3] }],
  ['5×5 same (25 taps: groups 4,4,4,4,3,3,3), 6×7×12 (8 + 4 channels)', [6, 7, 12], { kernel: [5, 5], padding: 'same' }],
  ['2×2 valid (one group of 4 taps), 5×6×13 (8 + 4 + 1 channels)', [5, 6, 13], { kernel: [2, 2] }],
  ['7×7 same (49 taps: ten groups of 4, three of 3), 6×6×9', [6, 6, 9], { kernel: [7, 7], padding: 'same' }],
  ['1×1 (one tap), 4×4×12', [4, 4, 12], { kernel: [1, 1] }],
  ['1×2 (two taps), 3×5×9', [3, 5, 9], { kernel: [1, 2] }],
  ['2×3 valid (6 taps: groups 3,3), 4×6×7', [4, 6, 7], { kernel: [2, 3] }],
  ['strides (2, 2) same, 7×7×8', [7, 7, 8], { kernel: [3, 3], strides: [2, 2], padding: 'same' }],
  ['strides (2, 3) valid, 8×10×5', [8, 10, 5], { kernel: [3, 3], strides: [2, 3] }],
  ['strides (3, 2) same, kernel 4×2, 7×6×4', [7, 6, 4], { kernel: [4, 2], strides: [3, 2], padding: 'same' }],
  ['dilation (2, 2) same, 7×7×5', [7, 7, 5], { kernel: [3, 3], dilation: [2, 2], padding: 'same' }],
  ['dilation (1, 3) valid, 5×9×4', [5, 9, 4], { kernel: [2, 3], dilation: [1, 3] }],
  ['kernel 5×5 same on a 3×2 input (larger than the input)', [3, 2, 4], { kernel: [5, 5], padding: 'same' }],
  ['multiplier 2, 3×3 same, 5×5×5 (J = 10)', [5, 5, 5], { kernel: [3, 3], padding: 'same', multiplier: 2 }],
  ['multiplier 2, strides 2, 6×6×8 (J = 16)', [6, 6, 8], { kernel: [3, 3], padding: 'same', multiplier: 2, strides: [2, 2] }],
  ['multiplier 3, 4×4×3', [4, 4, 3], { kernel: [2, 2], multiplier: 3 }],
  ['multiplier 4, dilation 2, 5×5×3', [5, 5, 3], { kernel: [2, 2], multiplier: 4, dilation: [2, 2], padding: 'same' }],
  ['multiplier 5, one channel, 4×4×1', [4, 4, 1], { kernel: [3, 3], multiplier: 5, padding: 'same' }],
  ['no bias, 4×5×6', [4, 5, 6], { kernel: [3, 3], useBias: false }],
];
GEOMETRIES.forEach(([name, input, o], i) => {
  const { kernel, ...rest } = o;
  cases.push({ name, input: [input[0], input[1], 2], batch: name.includes('batch 3') ? 3 : 2, seed: 920 + i, layers: [
    front(input[2]), depthwise(kernel, rest), { kind: 'conv2d', filters: 3, kernel: [1, 1] },
  ] });
});
(['relu', 'sigmoid', 'swish', 'gelu', 'leaky_relu', 'elu'] as const).forEach((activation, i) => {
  cases.push({ name: `built-in activation '${activation}', 3×3 same, 5×4×6`, input: [5, 4, 2], batch: 2, seed: 950 + i, inputs: wide, layers: [
    front(6), depthwise([3, 3], { padding: 'same', activation }), { kind: 'conv2d', filters: 2, kernel: [1, 1] },
  ] });
});
cases.push({ name: 'depthwise as the first layer (no input gradient) and the output', input: [5, 5, 3], batch: 2, seed: 960, layers: [depthwise([3, 3], { padding: 'same', multiplier: 2 })] });
cases.push({ name: 'two depthwise layers in a row, a ReLU between (fused into the first)', input: [6, 6, 2], batch: 2, seed: 961, layers: [
  front(8), depthwise([3, 3], { padding: 'same' }), { kind: 'activation', name: 'relu' }, depthwise([3, 3], { strides: [2, 2] }), { kind: 'conv2d', filters: 2, kernel: [1, 1] },
] });

describe('DepthwiseConv2D gradients', () => {
  for (const c of cases) describe(c.name, () => itChecksGradients(c));
});

describe('DepthwiseConv2D gradients with the input gradient forced to the scatter', () => {
  beforeAll(() => { depthwiseInputPath.force = 'scatter'; });
  afterAll(() => { depthwiseInputPath.force = null; });
  const scatter = cases.filter((c) => !c.name.includes('strides') && !c.name.includes('multiplier')).slice(0, 8);
  for (const c of scatter) describe(c.name, () => itChecksGradients({ ...c, seed: (c.seed ?? 1) + 5000 }));
});

describe('the depthwise input-gradient path', () => {
  const g = { inH: 5, inW: 5, inC: 4, outH: 5, outW: 5, multiplier: 1, kernel: [3, 3] as const, strides: [1, 1] as const, dilation: [1, 1] as const, padTop: 1, padLeft: 1 };
  it('gathers for strides 1 and multiplier 1, scatters otherwise or when forced', () => {
    expect(new DepthwiseAdjoint(g).gather).toBe(true);
    expect(new DepthwiseAdjoint({ ...g, multiplier: 2 }).gather).toBe(false);
    expect(new DepthwiseAdjoint({ ...g, strides: [1, 2], outW: 3 }).gather).toBe(false);
    depthwiseInputPath.force = 'scatter';
    try {
      expect(new DepthwiseAdjoint(g).gather).toBe(false);
    } finally {
      depthwiseInputPath.force = null;
    }
  });
});

const sepCases: GradCase[] = [
  { name: '3×3 same, 5 channels → 9 filters', input: [5, 5, 2], batch: 2, seed: 970, layers: [front(5), separable(9, [3, 3], { padding: 'same' })] },
  { name: '3×3 valid, 13 channels → 17 filters, batch 3', input: [6, 7, 2], batch: 3, seed: 971, layers: [front(13), separable(17, [3, 3]), { kind: 'activation', name: 'tanh' }] },
  { name: 'one filter (the per-channel GEMM), multiplier 2', input: [4, 4, 2], batch: 2, seed: 972, layers: [front(3), separable(1, [3, 3], { padding: 'same', multiplier: 2 })] },
  { name: 'two filters from one channel × multiplier 3 (J = 3: the per-channel GEMM backward too)', input: [4, 5, 2], batch: 2, seed: 973, layers: [front(1), separable(2, [2, 2], { multiplier: 3 })] },
  { name: 'strides (2, 3), 8 channels → 4 filters', input: [8, 9, 2], batch: 2, seed: 974, layers: [front(8), separable(4, [3, 3], { strides: [2, 3], padding: 'same' })] },
  { name: 'dilation 2, no bias, relu built in', input: [7, 7, 2], batch: 2, seed: 975, inputs: wide, layers: [front(6), separable(5, [3, 3], { dilation: [2, 2], padding: 'same', useBias: false, activation: 'relu' })] },
  { name: "gelu built in (the pre-activation kept), then Conv2D", input: [5, 5, 2], batch: 2, seed: 976, inputs: wide, layers: [front(4), separable(8, [3, 3], { padding: 'same', activation: 'gelu' }), { kind: 'conv2d', filters: 2, kernel: [1, 1] }] },
  { name: "swish built in, multiplier 2", input: [5, 5, 2], batch: 2, seed: 977, inputs: wide, layers: [front(3), separable(7, [3, 3], { padding: 'same', multiplier: 2, activation: 'swish' })] },
];

describe('SeparableConv2D gradients', () => {
  for (const c of sepCases) describe(c.name, () => itChecksGradients(c));
});

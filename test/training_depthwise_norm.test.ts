import { describe, expect, it } from 'vitest';
import {
  Adam, BatchNormalization, ContribInstanceNormalization, Conv2D, Conv2DTranspose, DepthwiseConv2D, GroupNormalization,
  InstanceNormalization, LayerNormalization, LeakyReLU, type Model, PixelNormalization, ReLU, SeparableConv2D, Sequential,
  setSeed, tensor,
} from '../bindings/index.js';
import { BACKENDS, use } from './util/backends.js';
import { Rng } from './util/rng.js';

/**
 * Training smoke tests of blocks real generators use, on every backend: 26 trainOnBatch steps with
 * Adam on one fixed batch must bring the loss below 0.7 of the first, keep one memory and one plan across the steps
 * (no growth, no re-planning) and leave every weight finite.
 * - a Fast-SRGAN / MobileNetV2 inverted-residual body: Conv2D 1×1 expand → BN → ReLU(6) →
 *   DepthwiseConv2D 3×3 → BN → ReLU → Conv2D 1×1 project → BN (the skip Add is the merge layers'
 *   backward, not this file's);
 * - a pix2pix block: Conv2D 4×4 s2 → InstanceNormalization → LeakyReLU(0.2) → Conv2DTranspose 4×4
 *   s2 → InstanceNormalization → ReLU → Conv2D 3 tanh (tensorflow_addons' and keras_contrib's);
 * - a mix: SeparableConv2D (gelu built in) → LayerNormalization → GroupNormalization → PixelNormalization.
 */
type StepInternals = { compiled: { step: { program: { memory: { buffer: ArrayBuffer } }; plan: object } | null } | null };
const stepOf = (m: Model) => (m as unknown as StepInternals).compiled!.step!;

function fastSrganBody(): Sequential {
  return new Sequential([
    new Conv2D(24, 1, { inputShape: [12, 12, 8], useBias: false }), new BatchNormalization(), new ReLU({ maxValue: 6 }),
    new DepthwiseConv2D(3, { padding: 'same', useBias: false }), new BatchNormalization(), new ReLU(),
    new Conv2D(8, 1, { useBias: false }), new BatchNormalization(),
  ]);
}

function pix2pixBlock(norm: 'tfa' | 'contrib'): Sequential {
  const instance = () => (norm === 'tfa' ? new InstanceNormalization() : new ContribInstanceNormalization({ axis: -1 }));
  return new Sequential([
    new Conv2D(16, 4, { inputShape: [16, 16, 3], strides: 2, padding: 'same' }), instance(), new LeakyReLU({ alpha: 0.2 }),
    new Conv2DTranspose(8, 4, { strides: 2, padding: 'same' }), instance(), new ReLU(),
    new Conv2D(3, 3, { padding: 'same', activation: 'tanh' }),
  ]);
}

function mixed(): Sequential {
  return new Sequential([
    new SeparableConv2D(12, 3, { inputShape: [10, 10, 4], padding: 'same', depthMultiplier: 2, activation: 'gelu' }),
    new LayerNormalization(), new DepthwiseConv2D(3, { strides: 2, padding: 'same', activation: 'swish' }),
    new GroupNormalization({ groups: 4 }), new PixelNormalization(), new Conv2D(4, 1),
  ]);
}

const STEPS = 25;
const MODELS: [string, () => Sequential, number[], number[]][] = [
  ['Fast-SRGAN inverted-residual body (DepthwiseConv2D, BN, ReLU6)', fastSrganBody, [12, 12, 8], [12, 12, 8]],
  ['pix2pix block with tensorflow_addons InstanceNormalization', () => pix2pixBlock('tfa'), [16, 16, 3], [16, 16, 3]],
  ['pix2pix block with keras_contrib InstanceNormalization', () => pix2pixBlock('contrib'), [16, 16, 3], [16, 16, 3]],
  ['SeparableConv2D(gelu), LayerNorm, DepthwiseConv2D(swish) s2, GroupNorm, PixelNorm', mixed, [10, 10, 4], [5, 5, 4]],
];

describe('training smoke tests: the loss goes down', () => {
  for (const [name, make, input, output] of MODELS) {
    it.each(BACKENDS)(`${name} on %s`, async (backend) => {
      await use(backend);
      setSeed(11);
      const m = make();
      m.compile({ optimizer: new Adam({ learningRate: 3e-3 }), loss: 'mse' });
      const r = new Rng(12);
      const n = 4;
      const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
      const x = tensor(r.uniformF32(n * size(input), -1, 1), [n, ...input]);
      // a target the block can fit: a function of the input where the shapes match, else a smooth pattern
      const same = size(input) === size(output);
      const y = tensor(Float32Array.from({ length: n * size(output) }, (_, i) => (same ? Math.tanh(2 * x.data[i]) : 0.5 * Math.sin(i * 0.37) * Math.cos(i * 0.011))), [n, ...output]);
      const first = m.trainOnBatch(x, y) as number;
      const step = stepOf(m);
      const buffer = step.program.memory.buffer;
      const bytes = buffer.byteLength;
      const plan = step.plan;
      let last = first;
      for (let i = 0; i < STEPS; i++) last = m.trainOnBatch(x, y) as number;
      expect(Number.isFinite(last)).toBe(true);
      expect(last).toBeLessThan(0.7 * first);
      expect(stepOf(m)).toBe(step);
      expect(step.program.memory.buffer).toBe(buffer);
      expect(step.program.memory.buffer.byteLength).toBe(bytes);
      expect(step.plan).toBe(plan);
      for (const w of m.getWeights()) expect(w.data.every(Number.isFinite)).toBe(true);
    });
  }
});

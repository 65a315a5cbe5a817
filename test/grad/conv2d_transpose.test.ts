import { describe } from 'vitest';
import type { LayerSpec } from './chain.js';
import { type GradCase, itChecksGradients } from './check.js';

/**
 * Conv2DTranspose backward (dW per phase over the phase's indirection rows, db over every output
 * position including those no input reached, dx = a convolution of dy with the same kernel)
 * behind a trainable per-pixel Dense: strides (2, 3), same / valid with Keras's asymmetric crop,
 * output padding, dilation, kernels smaller than the stride (zero rows that only get the bias)
 * and larger than the input, 1×1, channels 1, 3, 4, 5, 8, 13, 17, batch 1 and 3.
 */
interface Deconv { h: number; w: number; cin: number; f: number; k: [number, number]; s?: [number, number]; d?: [number, number]; op?: [number, number]; pad: 'valid' | 'same'; batch: number }
const table: Deconv[] = [
  { h: 3, w: 3, cin: 1, f: 1, k: [3, 3], s: [2, 2], pad: 'same', batch: 3 }, // ke − s odd: the extra row is cropped at the end
  { h: 2, w: 3, cin: 3, f: 4, k: [4, 4], s: [2, 3], pad: 'same', batch: 3 },
  { h: 3, w: 2, cin: 4, f: 5, k: [3, 3], s: [2, 3], op: [1, 2], pad: 'valid', batch: 1 },
  { h: 3, w: 3, cin: 5, f: 8, k: [3, 3], s: [2, 2], op: [1, 1], pad: 'same', batch: 3 },
  { h: 2, w: 2, cin: 8, f: 13, k: [5, 5], pad: 'valid', batch: 3 }, // kernel larger than the input
  { h: 2, w: 1, cin: 13, f: 3, k: [5, 4], s: [2, 3], pad: 'same', batch: 1 }, // larger and strided
  { h: 3, w: 3, cin: 13, f: 3, k: [3, 3], d: [2, 2], pad: 'same', batch: 3 },
  { h: 3, w: 4, cin: 4, f: 5, k: [3, 2], d: [2, 3], pad: 'valid', batch: 3 },
  { h: 4, w: 4, cin: 17, f: 4, k: [1, 1], s: [2, 2], pad: 'valid', batch: 3 }, // 1×1, s2: every other row bias only
  { h: 3, w: 2, cin: 5, f: 17, k: [1, 1], s: [2, 3], pad: 'same', batch: 1 },
  { h: 3, w: 3, cin: 3, f: 8, k: [2, 2], s: [3, 3], pad: 'valid', batch: 3 }, // kernel < stride
  { h: 2, w: 3, cin: 8, f: 5, k: [2, 2], s: [3, 3], pad: 'same', batch: 3 },
  { h: 3, w: 2, cin: 4, f: 3, k: [2, 1], s: [3, 2], op: [0, 0], pad: 'valid', batch: 3 }, // explicit op 0 ≠ None when k < s
  { h: 2, w: 2, cin: 5, f: 4, k: [4, 3], s: [3, 2], op: [2, 1], pad: 'same', batch: 3 },
  { h: 1, w: 1, cin: 3, f: 13, k: [4, 4], s: [2, 2], pad: 'same', batch: 3 },
  { h: 4, w: 3, cin: 1, f: 17, k: [3, 3], pad: 'same', batch: 3 },
];

const cases: GradCase[] = table.map((t, i) => {
  const deconv: LayerSpec = { kind: 'conv2dTranspose', filters: t.f, kernel: t.k, strides: t.s ?? [1, 1], dilation: t.d ?? [1, 1], padding: t.pad, outputPadding: t.op ?? null };
  return {
    name: `${t.h}×${t.w}×${t.cin} → ${t.f}, kernel ${t.k}, strides ${t.s ?? [1, 1]}, dilation ${t.d ?? [1, 1]}, ${t.pad}, outputPadding ${t.op ?? 'None'}, batch ${t.batch}`,
    input: [t.h, t.w, 2], batch: t.batch, seed: 200 + i,
    layers: [{ kind: 'dense', units: t.cin }, deconv],
  };
});
cases.push(
  { name: 'tutorial generator shape: Dense → Reshape 3×3×8 → Conv2DTranspose 4 (4×4 s2 same, leaky_relu) → 1 (3×3 s2 same, tanh)', input: [5], batch: 3, seed: 240, layers: [
    { kind: 'dense', units: 72 },
    { kind: 'reshape', target: [3, 3, 8] },
    { kind: 'conv2dTranspose', filters: 4, kernel: [4, 4], strides: [2, 2], padding: 'same', activation: 'leaky_relu' },
    { kind: 'conv2dTranspose', filters: 1, kernel: [3, 3], strides: [2, 2], padding: 'same', activation: 'tanh', useBias: false },
  ] },
  { name: 'transposed conv after a conv: 5×5×3 → Conv2D 4 (3×3 s2 same) → Conv2DTranspose 3 (3×3 s(2,3) valid, op (1,2))', input: [5, 5, 3], batch: 3, seed: 241, layers: [
    { kind: 'conv2d', filters: 4, kernel: [3, 3], strides: [2, 2], padding: 'same' },
    { kind: 'conv2dTranspose', filters: 3, kernel: [3, 3], strides: [2, 3], padding: 'valid', outputPadding: [1, 2] },
  ] },
);

describe('Conv2DTranspose gradients', () => {
  for (const c of cases) describe(c.name, () => itChecksGradients(c));
});

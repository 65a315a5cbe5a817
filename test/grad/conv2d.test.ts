import { describe } from 'vitest';
import type { LayerSpec } from './chain.js';
import { type GradCase, itChecksGradients } from './check.js';

/**
 * Conv2D backward (dW over the forward's indirection rows, db, dx = a transposed convolution of
 * dy with the same kernel) behind a trainable per-pixel Dense, so dx is checked through the
 * Dense's weights: strides (2, 3), same / valid, dilation, kernels larger than the input, 1×1,
 * channels 1, 3, 4, 5, 8, 13, 17 in and out, batch 1 and 3.
 */
interface Conv { h: number; w: number; cin: number; f: number; k: [number, number]; s?: [number, number]; d?: [number, number]; pad: 'valid' | 'same'; batch: number }
const table: Conv[] = [
  { h: 5, w: 5, cin: 1, f: 1, k: [3, 3], pad: 'same', batch: 3 },
  { h: 6, w: 7, cin: 3, f: 4, k: [3, 3], s: [2, 3], pad: 'same', batch: 3 },
  { h: 7, w: 8, cin: 4, f: 5, k: [3, 2], s: [2, 3], pad: 'valid', batch: 1 },
  { h: 7, w: 7, cin: 5, f: 8, k: [4, 4], s: [2, 2], pad: 'same', batch: 3 },
  { h: 6, w: 6, cin: 8, f: 13, k: [3, 3], d: [2, 2], pad: 'same', batch: 1 },
  { h: 8, w: 9, cin: 13, f: 3, k: [3, 2], d: [2, 3], pad: 'valid', batch: 3 },
  { h: 3, w: 3, cin: 17, f: 5, k: [5, 5], pad: 'same', batch: 3 }, // kernel larger than the input
  { h: 3, w: 2, cin: 4, f: 17, k: [5, 4], s: [2, 3], pad: 'same', batch: 1 }, // larger, strided
  { h: 2, w: 3, cin: 3, f: 8, k: [3, 5], d: [1, 2], pad: 'same', batch: 3 }, // larger once dilated
  { h: 4, w: 5, cin: 17, f: 17, k: [1, 1], pad: 'valid', batch: 3 },
  { h: 5, w: 4, cin: 5, f: 4, k: [1, 1], s: [2, 3], pad: 'same', batch: 3 },
  { h: 1, w: 1, cin: 8, f: 3, k: [3, 3], pad: 'same', batch: 3 },
  { h: 9, w: 5, cin: 1, f: 13, k: [2, 2], s: [3, 2], pad: 'valid', batch: 3 },
  { h: 5, w: 6, cin: 13, f: 1, k: [3, 3], s: [3, 3], pad: 'same', batch: 1 },
];

const cases: GradCase[] = table.map((t, i) => {
  const conv: LayerSpec = { kind: 'conv2d', filters: t.f, kernel: t.k, strides: t.s ?? [1, 1], dilation: t.d ?? [1, 1], padding: t.pad };
  return {
    name: `${t.h}×${t.w}×${t.cin} → ${t.f}, kernel ${t.k}, strides ${t.s ?? [1, 1]}, dilation ${t.d ?? [1, 1]}, ${t.pad}, batch ${t.batch}`,
    input: [t.h, t.w, 3], batch: t.batch, seed: 100 + i,
    layers: [{ kind: 'dense', units: t.cin }, conv],
  };
});
cases.push(
  { name: 'conv without bias after conv: 6×6×3 → 4 (3×3 same, no bias) → 5 (2×2 s2 valid)', input: [6, 6, 3], batch: 3, seed: 140, layers: [
    { kind: 'conv2d', filters: 4, kernel: [3, 3], padding: 'same', useBias: false },
    { kind: 'conv2d', filters: 5, kernel: [2, 2], strides: [2, 2], padding: 'valid' },
  ] },
  { name: 'built-in relu and tanh: 5×5×2 → 8 (relu) → 3 (tanh)', input: [5, 5, 2], batch: 3, seed: 141, layers: [
    { kind: 'conv2d', filters: 8, kernel: [3, 3], padding: 'same', activation: 'relu' },
    { kind: 'conv2d', filters: 3, kernel: [3, 3], strides: [2, 2], padding: 'same', activation: 'tanh' },
  ] },
);

describe('Conv2D gradients', () => {
  for (const c of cases) describe(c.name, () => itChecksGradients(c));
});

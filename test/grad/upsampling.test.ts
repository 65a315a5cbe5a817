import { describe } from 'vitest';
import { type GradCase, itChecksGradients } from './check.js';

/**
 * UpSampling2D backward: nearest (each input pixel gets the sum of its fh·fw copies) and
 * half-pixel bilinear (the adjoint of the two-tap lerps, with the clamped edges), behind a
 * trainable per-pixel Dense, with factors (2, 3) and (3, 2), length-1 axes, channel tails.
 */
interface Up { h: number; w: number; c: number; size: [number, number]; batch: number }
const table: Up[] = [
  { h: 2, w: 2, c: 1, size: [2, 2], batch: 3 },
  { h: 3, w: 2, c: 3, size: [2, 3], batch: 3 },
  { h: 2, w: 3, c: 4, size: [3, 2], batch: 1 },
  { h: 1, w: 3, c: 5, size: [2, 3], batch: 3 },
  { h: 3, w: 1, c: 8, size: [3, 3], batch: 3 },
  { h: 2, w: 2, c: 13, size: [1, 3], batch: 3 },
  { h: 2, w: 3, c: 17, size: [4, 2], batch: 1 },
];

const cases: GradCase[] = [];
for (const interpolation of ['nearest', 'bilinear'] as const) {
  table.forEach((t, i) => cases.push({
    name: `${interpolation} ${t.h}×${t.w}×${t.c}, size ${t.size}, batch ${t.batch}`,
    input: [t.h, t.w, 2], batch: t.batch, seed: 300 + i + (interpolation === 'bilinear' ? 50 : 0),
    layers: [{ kind: 'dense', units: t.c }, { kind: 'upSampling', size: t.size, interpolation }],
  }));
}
cases.push({ name: 'bilinear between convolutions: 3×3×2 → Conv2D 5 (same) → bilinear (2, 3) → Conv2D 3 (3×3 s2 same)', input: [3, 3, 2], batch: 3, seed: 399, layers: [
  { kind: 'conv2d', filters: 5, kernel: [3, 3], padding: 'same' },
  { kind: 'upSampling', size: [2, 3], interpolation: 'bilinear' },
  { kind: 'conv2d', filters: 3, kernel: [3, 3], strides: [2, 2], padding: 'same' },
] });

describe('UpSampling2D gradients', () => {
  for (const c of cases) describe(c.name, () => itChecksGradients(c));
});

import { describe } from 'vitest';
import type { LayerSpec } from './chain.js';
import { type GradCase, itChecksGradients } from './check.js';
import { contribInstanceNorm, groupNormalization, layerNorm, pixelNormalization, tfaInstanceNorm } from './custom_layers.js';

/**
 * LayerNormalization, GroupNormalization, InstanceNormalization (tfa and keras_contrib) and
 * PixelNormalization backward against the float64 oracle (oracle/norms.ts: TF's autodiff through
 * the mean and the population variance, keras_contrib's (x − mean)/(std + eps)) and central
 * differences, on every backend, a trainable layer in front: rank 2 (Dense) and rank 4 (conv)
 * inputs, channel counts over the SIMD tails, LayerNormalization over one axis and adjacent axes
 * lists (statistics along rows or strided: B = 1 and B > 1), group counts 1 … C and −1,
 * keras_contrib axis None / channels / a spatial axis, center and scale off, batch 1 and 3,
 * rows across the 64-row blocks, a fused LeakyReLU epilogue.
 */
const CH = [1, 3, 4, 5, 8, 13, 17];
const dense = (units: number): LayerSpec => ({ kind: 'dense', units });
const conv = (filters: number): LayerSpec => ({ kind: 'conv2d', filters, kernel: [2, 2], padding: 'same' });
const tail: LayerSpec = { kind: 'dense', units: 2 };

const layer: GradCase[] = [];
CH.forEach((c, i) => {
  layer.push({ name: `axis −1, rank 2, ${c} features, batch 3`, input: [4], batch: 3, seed: 1000 + i, layers: [dense(c), layerNorm(-1), tail] });
  layer.push({ name: `axis −1, rank 4 (3×4×${c}), batch ${i % 2 ? 1 : 2}`, input: [3, 4, 2], batch: i % 2 ? 1 : 2, seed: 1010 + i, layers: [conv(c), layerNorm(-1), tail] });
});
layer.push(
  { name: 'axis [1, 2, 3] (the whole sample), 3×3×5', input: [3, 3, 2], batch: 2, seed: 1020, layers: [conv(5), layerNorm([1, 2, 3]), tail] },
  { name: 'axis [1, 2] (H and W: strided statistics per channel, B = 5), 4×3×5', input: [4, 3, 2], batch: 2, seed: 1021, layers: [conv(5), layerNorm([1, 2]), tail] },
  { name: 'axis [2, 3] (W and C: rows, A = H), 3×4×6', input: [3, 4, 2], batch: 3, seed: 1022, layers: [conv(6), layerNorm([2, 3]), tail] },
  { name: 'axis 1 (H: R = 4, B = 3·9 = 27)', input: [4, 3, 2], batch: 2, seed: 1023, layers: [conv(9), layerNorm(1), tail] },
  { name: 'axis [−1, −2] listed backwards, 3×4×5', input: [3, 4, 2], batch: 2, seed: 1024, layers: [conv(5), layerNorm([-1, -2]), tail] },
  { name: 'center false', input: [5], batch: 3, seed: 1025, layers: [dense(7), layerNorm(-1, { center: false }), tail] },
  { name: 'scale false, epsilon 0.1', input: [5], batch: 3, seed: 1026, layers: [dense(6), layerNorm(-1, { scale: false, epsilon: 0.1 }), tail] },
  { name: 'center and scale false (no weights)', input: [5], batch: 3, seed: 1027, layers: [dense(9), layerNorm(-1, { center: false, scale: false }), tail] },
  { name: 'rank 3 (Dense on a sequence: 70 rows of 12, across the 64-row block)', input: [35, 3], batch: 2, seed: 1028, layers: [dense(12), layerNorm(-1), tail] },
  { name: 'then a LeakyReLU (fused into the apply)', input: [3, 3, 2], batch: 2, seed: 1029, layers: [conv(8), layerNorm(-1), { kind: 'leakyRelu', alpha: 0.2 }, tail] },
  { name: 'as the first layer (no input gradient)', input: [3, 2, 6], batch: 2, seed: 1030, layers: [layerNorm([1, 2]), { kind: 'conv2d', filters: 2, kernel: [1, 1] }] },
);

const group: GradCase[] = [];
([[8, 1], [8, 2], [8, 4], [8, 8], [8, -1], [12, 3], [5, 5], [17, 1], [13, -1], [16, 4]] as const).forEach(([c, g], i) => {
  group.push({ name: `${c} channels, groups ${g}, rank 4 (3×4), batch 2`, input: [3, 4, 2], batch: 2, seed: 1100 + i, layers: [conv(c), groupNormalization(g), tail] });
});
group.push(
  { name: 'rank 2 (Dense), 6 features, groups 3, batch 3', input: [4], batch: 3, seed: 1120, layers: [dense(6), groupNormalization(3), tail] },
  { name: 'rank 2, groups 1, batch 1', input: [4], batch: 1, seed: 1121, layers: [dense(5), groupNormalization(1), tail] },
  { name: '9×9 positions (81 rows per sample: blocks of 64), 12 channels, groups 4', input: [9, 9, 2], batch: 2, seed: 1122, layers: [conv(12), groupNormalization(4), tail] },
  { name: 'center false, scale false', input: [3, 3, 2], batch: 2, seed: 1123, layers: [conv(6), groupNormalization(2, { center: false, scale: false }), tail] },
  { name: 'then a LeakyReLU (fused)', input: [3, 3, 2], batch: 3, seed: 1124, layers: [conv(8), groupNormalization(2), { kind: 'leakyRelu', alpha: 0.2 }, tail] },
);

const instance: GradCase[] = [];
[3, 4, 13].forEach((c, i) => {
  instance.push({ name: `tfa, ${c} channels, 4×3, batch 2`, input: [4, 3, 2], batch: 2, seed: 1200 + i, layers: [conv(c), tfaInstanceNorm(), tail] });
});
instance.push(
  { name: 'tfa, center and scale false, batch 3', input: [3, 3, 2], batch: 3, seed: 1210, layers: [conv(5), tfaInstanceNorm({ center: false, scale: false }), tail] },
  { name: 'tfa, then LeakyReLU (pix2pix block)', input: [4, 4, 2], batch: 2, seed: 1211, layers: [conv(8), tfaInstanceNorm(), { kind: 'leakyRelu', alpha: 0.2 }, tail] },
  { name: 'keras_contrib, axis None (one mean and std per sample, gamma (1,))', input: [3, 4, 2], batch: 2, seed: 1220, layers: [conv(5), contribInstanceNorm(null), tail] },
  { name: 'keras_contrib, axis −1 (per channel: std + eps)', input: [3, 4, 2], batch: 3, seed: 1221, layers: [conv(6), contribInstanceNorm(-1), tail] },
  { name: 'keras_contrib, axis 3, 17 channels, 5×5', input: [5, 5, 2], batch: 2, seed: 1222, layers: [conv(17), contribInstanceNorm(3), tail] },
  { name: 'keras_contrib, axis 1 (per row: groups along H)', input: [4, 3, 2], batch: 2, seed: 1223, layers: [conv(5), contribInstanceNorm(1), tail] },
  { name: 'keras_contrib, axis None, rank 2, epsilon 0.01, center false', input: [4], batch: 3, seed: 1224, layers: [dense(7), contribInstanceNorm(null, { epsilon: 0.01, center: false }), tail] },
  { name: 'keras_contrib, axis −1, scale false, then LeakyReLU', input: [3, 3, 2], batch: 2, seed: 1225, layers: [conv(4), contribInstanceNorm(-1, { scale: false }), { kind: 'leakyRelu', alpha: 0.2 }, tail] },
);

const pixel: GradCase[] = [];
CH.forEach((c, i) => {
  // one channel: y = x/sqrt(x² + ε) ≈ sign(x), whose gradient dy·ε/(x² + ε)^1.5 is below float32's
  // resolution of dy·(1 − x²/(x² + ε)) for ε = 1e-8 (TF's float32 autodiff is noise there too): ε = 0.1
  const eps = c === 1 ? 0.1 : 1e-8;
  pixel.push({ name: `${c} channels, 3×4, batch 2, epsilon ${eps}`, input: [3, 4, 2], batch: 2, seed: 1300 + i, layers: [conv(c), pixelNormalization(eps), tail] });
});
pixel.push(
  { name: 'rank 2, epsilon 0.5', input: [4], batch: 3, seed: 1310, layers: [dense(6), pixelNormalization(0.5), tail] },
  { name: 'two in a row (ProGAN: conv → pixelnorm → leaky → conv → pixelnorm)', input: [3, 3, 2], batch: 2, seed: 1311, layers: [
    conv(8), pixelNormalization(), { kind: 'leakyRelu', alpha: 0.2 }, conv(5), pixelNormalization(), tail,
  ] },
);

describe('LayerNormalization gradients', () => {
  for (const c of layer) describe(c.name, () => itChecksGradients(c));
});
describe('GroupNormalization gradients', () => {
  for (const c of group) describe(c.name, () => itChecksGradients(c));
});
describe('InstanceNormalization gradients (tensorflow_addons and keras_contrib)', () => {
  for (const c of instance) describe(c.name, () => itChecksGradients(c));
});
describe('PixelNormalization gradients', () => {
  for (const c of pixel) describe(c.name, () => itChecksGradients(c));
});

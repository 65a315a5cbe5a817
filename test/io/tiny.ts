/**
 * The tiny model of fixtures/make_fixtures.py, built in code, and the formula its weights follow:
 * weight k, element i = float32(0.5·sin(100k + i + 1)); moving variances are |·| + 0.5.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BatchNormalization, Conv2D, Conv2DTranspose, Dense, LeakyReLU, Reshape, Sequential, Tensor, tensor,
} from '../../bindings/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const fixture = (name: string): string => join(FIXTURES, name);
export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(fixture(name)));

export const SHAPES: [string, string, number[]][] = [
  ['dense', 'kernel', [3, 12]], ['dense', 'bias', [12]],
  ['conv2d_transpose', 'kernel', [3, 3, 2, 3]], ['conv2d_transpose', 'bias', [2]],
  ['batch_normalization', 'gamma', [2]], ['batch_normalization', 'beta', [2]],
  ['batch_normalization', 'moving_mean', [2]], ['batch_normalization', 'moving_variance', [2]],
  ['conv2d', 'kernel', [3, 3, 2, 1]], ['conv2d', 'bias', [1]],
];

/** The fixtures' weights in Keras get_weights() order. */
export function tinyWeights(): Tensor[] {
  return SHAPES.map(([, name, shape], k) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = Math.fround(0.5 * Math.sin(100 * k + i + 1));
      data[i] = name === 'moving_variance' ? Math.fround(Math.abs(v) + 0.5) : v;
    }
    return tensor(data, shape);
  });
}

/** The same architecture, built with the core API (fresh random weights). */
export function tinyModel(): Sequential {
  return new Sequential([
    new Dense(12, { inputShape: [3], name: 'dense' }),
    new Reshape([2, 2, 3], { name: 'reshape' }),
    new Conv2DTranspose(2, [3, 3], { strides: [2, 2], padding: 'same', name: 'conv2d_transpose' }),
    new BatchNormalization({ name: 'batch_normalization' }),
    new LeakyReLU({ alpha: 0.2, name: 'leaky_re_lu' }),
    new Conv2D(1, [3, 3], { padding: 'same', activation: 'tanh', name: 'conv2d' }),
  ]);
}

/** A fixed batch of latents for the tiny model. */
export const TINY_INPUT = tensor([[0.3, -1.2, 0.8], [1.5, 0.1, -0.4]]);

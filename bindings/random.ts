/**
 * The package's one seeded generator, mulberry32: fresh layers' initial weights (Keras's defaults:
 * glorot_uniform kernels, zero biases, BatchNormalization ones/zeros), `sampleLatents`, the CLI's
 * `--seed`, and the tests, benchmarks and examples that need replayable numbers. Not Keras's own
 * stream: Keras's numbers depend on its backend's RNG, so seeded weights here are reproducible
 * within upconv only.
 */
import { ConfigError } from './errors.js';
import { showValue } from './show.js';

/**
 * A mulberry32 generator: each call returns the next number, uniform in [0, 1) (multiples of
 * 2^-32). The same seed (an integer; only its low 32 bits count) always gives the same stream.
 */
export function mulberry32(seed: number): () => number {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new ConfigError(`mulberry32: seed must be a finite number, got ${showValue(seed)}`);
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The stream a seed gives the initial weights (mixed, so setSeed(0) is not mulberry32(0)). */
const weightStream = (seed: number) => mulberry32(Math.trunc(seed) ^ 0x9e3779b9);

let next = weightStream(0);

/** Re-seeds the generator used for initial weights. */
export function setSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new ConfigError(`setSeed: seed must be a finite number, got ${showValue(seed)}`);
  next = weightStream(seed);
}

/** Uniform in [0, 1) from the initial-weights stream. */
export function random(): number {
  return next();
}

/** Keras `compute_fans`: receptive field = product of all but the last two dims. */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  let rf = 1;
  for (let i = 0; i < shape.length - 2; i++) rf *= shape[i];
  return [shape[shape.length - 2] * rf, shape[shape.length - 1] * rf];
}

/** glorot_uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)). */
export function glorotUniform(shape: readonly number[]): Float32Array {
  const [fanIn, fanOut] = fans(shape);
  const limit = Math.sqrt(6 / Math.max(1, fanIn + fanOut));
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = (random() * 2 - 1) * limit;
  return out;
}

/** Keras's RandomUniform(minval, maxval) from the seeded generator. */
export function randomUniform(shape: readonly number[], lo: number, hi: number): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = lo + random() * (hi - lo);
  return out;
}

export function filled(shape: readonly number[], value: number): Float32Array {
  return new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value);
}

import { rng } from './rng.js';

/**
 * Inputs for the normalisation tests: per channel an offset in [-3, 3] and a spread of two
 * decades, so that a missing centring, a wrong group or a wrong axis shows up; float32 values.
 */
export function normInput(shape: readonly number[], seed: number): Float32Array {
  const r = rng(seed);
  const C = shape[shape.length - 1];
  const offset = Array.from({ length: C }, () => r.uniform(-3, 3));
  const spread = Array.from({ length: C }, () => Math.exp(r.uniform(Math.log(0.1), Math.log(10))));
  const n = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = offset[i % C] + spread[i % C] * r.uniform(-1, 1);
  return x;
}

/** gamma of either sign (0.3..2.5) and beta in [-1.5, 1.5], `n` values each. */
export function affineWeights(n: number, seed: number): { gamma: Float32Array; beta: Float32Array } {
  const r = rng(seed);
  return {
    gamma: Float32Array.from({ length: n }, () => r.uniform(0.3, 2.5) * (r.bool(0.8) ? 1 : -1)),
    beta: r.uniformF32(n, -1.5, 1.5),
  };
}

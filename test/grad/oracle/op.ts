/** The oracle's op interface (test/grad/oracle/): a float64 forward and its analytic gradient. */
import type { Val } from './values.js';

export interface Grads {
  dInputs: Float64Array[];
  /** One per param (null: the op gives that param no gradient, e.g. BN moving statistics). */
  dParams: (Float64Array | null)[];
}

export interface OracleOp {
  readonly name: string;
  forward(inputs: readonly Val[], params: readonly Float64Array[]): Val;
  backward(inputs: readonly Val[], params: readonly Float64Array[], out: Val, dOut: Float64Array): Grads;
}

/** Σ over every position of each channel (bias gradients). */
export function channelSums(d: Float64Array, C: number): Float64Array {
  const out = new Float64Array(C);
  for (let i = 0; i < d.length; i++) out[i % C] += d[i];
  return out;
}

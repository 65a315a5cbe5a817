/**
 * The bounds on reading that do not come from the caller's byte limits: HTTP timeouts, redirect
 * counts, and how large a `.keras` weights file may be for the model its config describes.
 */
import { ConfigError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { type Limits, product } from './assemble.js';

/**
 * Default `timeoutMs`: the longest an HTTP request may go without progress (no response
 * headers yet, or no new body bytes).
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** A whole load over HTTP (model file and every shard) gives up after this many `timeoutMs`. */
export const DEADLINE_FACTOR = 20;

/** Redirects followed per request. */
export const MAX_REDIRECTS = 10;

/** A positive finite number of milliseconds, or the default. */
export function timeoutOf(value: unknown, where: string): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new ConfigError(`${where}: timeoutMs must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/**
 * Bytes the `model.weights.h5` of a `.keras` may hold for a model whose layers with weights are
 * `layers`: 64 bytes per weight value (float64 values with up to 7 optimizer slots of the same
 * size) plus 16 MiB of HDF5 structure, and never more than maxFileBytes. A small config cannot
 * make a large archive entry be inflated.
 */
export function kerasWeightsBound(layers: readonly Layer[], limits: Limits): number {
  let values = 0;
  for (const layer of layers) for (const s of layer.specs) values += product(s.shape);
  return Math.min(limits.maxFileBytes, 64 * values + 16 * 2 ** 20);
}

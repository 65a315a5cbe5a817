/**
 * Float64 oracles for the normalisation layers, written from SEMANTICS-functional.md §1 and §3
 * and the Keras / tensorflow_addons / keras_contrib sources it cites. Unlike the package's
 * layout-specialised kernels, every statistic here is gathered by coordinates: each element's
 * key is the tuple of its coordinates on the axes that are NOT reduced, and mean and population
 * variance are two passes over a Map keyed by it. Nothing here imports the package.
 */
import type { Arr, Result } from './naive.js';

/** Row-major coordinates of flat index i in shape. */
function coords(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    c[a] = i % shape[a];
    i = Math.floor(i / shape[a]);
  }
  return c;
}

interface Stats {
  mean: number;
  variance: number;
}

/** Mean and population variance per key, key(coords) naming each element's statistics group. */
function statsBy(x: Arr, shape: readonly number[], key: (c: number[]) => string): { stats: Map<string, Stats>; keys: string[] } {
  const keys: string[] = [];
  const acc = new Map<string, { sum: number; n: number; sq: number }>();
  for (let i = 0; i < x.length; i++) {
    const k = key(coords(i, shape));
    keys.push(k);
    const a = acc.get(k) ?? { sum: 0, n: 0, sq: 0 };
    a.sum += x[i];
    a.n++;
    acc.set(k, a);
  }
  for (let i = 0; i < x.length; i++) {
    const a = acc.get(keys[i])!;
    const d = x[i] - a.sum / a.n;
    a.sq += d * d;
  }
  const stats = new Map<string, Stats>();
  for (const [k, a] of acc) stats.set(k, { mean: a.sum / a.n, variance: a.sq / a.n });
  return { stats, keys };
}

export interface AffineArgs {
  gamma?: Arr | null;
  beta?: Arr | null;
  epsilon?: number;
}

/**
 * Keras LayerNormalization: statistics per sample over `axes` (full-tensor axes, batch = 0),
 * gamma/beta indexed by the element's coordinates on `axes` (row-major, sample order).
 */
export function layerNorm(x: Arr, shape: readonly number[], axes: readonly number[], a: AffineArgs = {}): Result {
  const ax = [...new Set(axes.map((v) => (v < 0 ? v + shape.length : v)))].sort((p, q) => p - q);
  const { stats, keys } = statsBy(x, shape, (c) => c.filter((_, i) => !ax.includes(i)).join(','));
  const eps = a.epsilon ?? 1e-3;
  const data = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = coords(i, shape);
    let w = 0;
    for (const axis of ax) w = w * shape[axis] + c[axis];
    const s = stats.get(keys[i])!;
    data[i] = ((x[i] - s.mean) / Math.sqrt(s.variance + eps)) * (a.gamma ? a.gamma[w] : 1) + (a.beta ? a.beta[w] : 0);
  }
  return { shape: [...shape], data };
}

/** Keras GroupNormalization (channels last): group of channel c = floor(c / (C / groups)). */
export function groupNorm(x: Arr, shape: readonly number[], groups: number, a: AffineArgs = {}): Result {
  const C = shape[shape.length - 1];
  if (C % groups !== 0) throw new Error(`naive groupNorm: ${groups} groups do not divide ${C} channels`);
  const per = C / groups;
  const { stats, keys } = statsBy(x, shape, (c) => `${c[0]}:${Math.floor(c[c.length - 1] / per)}`);
  const eps = a.epsilon ?? 1e-3;
  const data = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const ch = i % C;
    const s = stats.get(keys[i])!;
    data[i] = ((x[i] - s.mean) / Math.sqrt(s.variance + eps)) * (a.gamma ? a.gamma[ch] : 1) + (a.beta ? a.beta[ch] : 0);
  }
  return { shape: [...shape], data };
}

/** tensorflow_addons InstanceNormalization: group normalisation with one group per channel. */
export function tfaInstanceNorm(x: Arr, shape: readonly number[], a: AffineArgs = {}): Result {
  return groupNorm(x, shape, shape[shape.length - 1], a);
}

/**
 * keras_contrib InstanceNormalization: statistics over every axis but 0 and `axis` (null: all
 * but 0), (x − mean)/(std + epsilon), gamma/beta of shape (1,) or (shape[axis],).
 */
export function contribInstanceNorm(x: Arr, shape: readonly number[], axis: number | null, a: AffineArgs = {}): Result {
  const kept = axis === null ? null : axis < 0 ? axis + shape.length : axis;
  const { stats, keys } = statsBy(x, shape, (c) => (kept === null ? `${c[0]}` : `${c[0]}:${c[kept]}`));
  const eps = a.epsilon ?? 1e-3;
  const data = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const w = kept === null ? 0 : coords(i, shape)[kept];
    const s = stats.get(keys[i])!;
    data[i] = ((x[i] - s.mean) / (Math.sqrt(s.variance) + eps)) * (a.gamma ? a.gamma[w] : 1) + (a.beta ? a.beta[w] : 0);
  }
  return { shape: [...shape], data };
}

/** BatchNormalization with training=True: statistics per channel over every other axis, batch included. */
export function batchNormTraining(x: Arr, shape: readonly number[], a: AffineArgs = {}): Result {
  const C = shape[shape.length - 1];
  const { stats, keys } = statsBy(x, shape, (c) => `${c[c.length - 1]}`);
  const eps = a.epsilon ?? 1e-3;
  const data = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const ch = i % C;
    const s = stats.get(keys[i])!;
    data[i] = ((x[i] - s.mean) / Math.sqrt(s.variance + eps)) * (a.gamma ? a.gamma[ch] : 1) + (a.beta ? a.beta[ch] : 0);
  }
  return { shape: [...shape], data };
}

/** ProGAN pixel normalisation: x / sqrt(mean(x², last axis) + epsilon). */
export function pixelNorm(x: Arr, shape: readonly number[], epsilon = 1e-8): Result {
  const C = shape[shape.length - 1];
  const data = new Float64Array(x.length);
  for (let r = 0; r < x.length / C; r++) {
    let sq = 0;
    for (let c = 0; c < C; c++) sq += x[r * C + c] ** 2;
    const l2 = Math.sqrt(sq / C + epsilon);
    for (let c = 0; c < C; c++) data[r * C + c] = x[r * C + c] / l2;
  }
  return { shape: [...shape], data };
}

import { ConfigError } from '../errors.js';
import { showValue } from '../show.js';

/**
 * Which output values map to black (0) and white (255): 'minmax' (the data's own smallest and
 * largest finite values), 'tanh' ([-1, 1]), 'sigmoid' ([0, 1]), or [lo, hi]. Values outside are
 * clipped; NaN is drawn black.
 */
export type ImageRange = 'minmax' | 'tanh' | 'sigmoid' | readonly [number, number];

/** [lo, hi] for `range` over `data`. */
export function resolveRange(range: ImageRange | undefined, data: Float32Array, where: string): { lo: number; hi: number } {
  if (range === undefined || range === 'minmax') {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { lo: 0, hi: 1 };
    return { lo, hi: hi > lo ? hi : lo + 1 };
  }
  if (range === 'tanh') return { lo: -1, hi: 1 };
  if (range === 'sigmoid') return { lo: 0, hi: 1 };
  if (Array.isArray(range) && range.length === 2 && range.every((v) => typeof v === 'number' && Number.isFinite(v)) && range[0] < range[1]) {
    return { lo: range[0], hi: range[1] };
  }
  throw new ConfigError(`${where}: range must be 'minmax', 'tanh', 'sigmoid' or [lo, hi] with lo < hi, got ${showValue(range)}`);
}

/** One value → 0–255 under [lo, hi] (clipped; NaN → 0). */
export function toByte(v: number, lo: number, span: number): number {
  const u = (v - lo) / span;
  return u > 0 ? (u < 1 ? Math.round(u * 255) : 255) : 0;
}

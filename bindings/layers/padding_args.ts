/**
 * The padding / cropping argument of the 2-D padding layers: an int (every side), a pair, or
 * [[top, bottom], [left, right]]. Keras's ZeroPadding2D / Cropping2D read a pair as
 * (height, width); some custom padding classes read it as (width, height) (see registry.ts).
 */
import { MAX_PADDING } from '../args.js';
import { ConfigError } from '../errors.js';
import { showValue } from '../show.js';

/** [top, bottom, left, right]. */
/** Padding or cropping per side: [top, bottom, left, right]. */
export type Pads = [number, number, number, number];

/** How a flat pair [a, b] is read: (height, width) as Keras's layers, or (width, height). */
export type PairOrder = 'hw' | 'wh';

function side(v: unknown, what: string, where: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > MAX_PADDING) {
    throw new ConfigError(`${where}: ${what} must be an integer from ${min} to ${MAX_PADDING}, an [a, b] pair or [[top, bottom], [left, right]], got ${showValue(v)}`);
  }
  return v;
}

/** Reads a padding argument into [top, bottom, left, right]. */
export function readPads(value: unknown, what: string, where: string, order: PairOrder = 'hw', min = 0): Pads {
  const bad = () => new ConfigError(`${where}: ${what} must be an integer, an [a, b] pair or [[top, bottom], [left, right]], got ${showValue(value)}`);
  if (typeof value === 'number') {
    const p = side(value, what, where, min);
    return [p, p, p, p];
  }
  if (!Array.isArray(value) || value.length !== 2) throw bad();
  if (Array.isArray(value[0]) || Array.isArray(value[1])) {
    const [h, w] = value as unknown[];
    if (!Array.isArray(h) || !Array.isArray(w) || h.length !== 2 || w.length !== 2) throw bad();
    return [side(h[0], what, where, min), side(h[1], what, where, min), side(w[0], what, where, min), side(w[1], what, where, min)];
  }
  const a = side(value[0], what, where, min);
  const b = side(value[1], what, where, min);
  return order === 'hw' ? [a, a, b, b] : [b, b, a, a];
}

/** The config form: [[top, bottom], [left, right]] (what Keras's get_config writes). */
export function padsConfig(p: Pads): [[number, number], [number, number]] {
  return [[p[0], p[1]], [p[2], p[3]]];
}

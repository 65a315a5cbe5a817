/**
 * Validation of layer arguments. Every size a user or a file gives is a safe integer within a
 * documented limit before anything is computed from it (docs/limits in the README's API notes):
 * a kernel, stride, dilation or upsampling factor above MAX_WINDOW, or a unit/filter/channel
 * count above MAX_UNITS, is not a sensible model and a ConfigError.
 */
import { ConfigError } from './errors.js';
import { showValue } from './show.js';

/** Largest kernel size, stride, dilation rate or upsampling factor (per axis). */
export const MAX_WINDOW = 1024;
/** Largest unit, filter, channel or embedding count. */
export const MAX_UNITS = 2 ** 24;
/** Largest padding or cropping (per side). */
export const MAX_PADDING = 2 ** 16;

function show(value: unknown): string {
  if (typeof value === 'function') return `a function`;
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return showValue(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** An integer in [min, max], as a safe integer (so 1e308 and 2.5 are refused). */
export function intIn(value: unknown, min: number, max: number, what: string, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${where}: ${what} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}

/** A Keras int-or-pair argument (`3` or `[3, 2]`) as a validated pair of integers in [min, max]. */
export function pair(value: unknown, what: string, where: string, min = 1, max = MAX_WINDOW): [number, number] {
  const v = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(v) || v.length !== 2) {
    throw new ConfigError(`${where}: ${what} must be an integer or a pair of integers, got ${show(value)}`);
  }
  for (const x of v) {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min || x > max) {
      throw new ConfigError(`${where}: ${what} must be integers from ${min} to ${max}, got ${show(value)}`);
    }
  }
  return [v[0], v[1]];
}

/** A positive integer argument (units, filters), at most MAX_UNITS. */
export function positiveInt(value: unknown, what: string, where: string): number {
  return intIn(value, 1, MAX_UNITS, what, where);
}

/** A finite number argument. */
export function finite(value: unknown, what: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(`${where}: ${what} must be a finite number, got ${show(value)}`);
  }
  return value;
}

/** A string argument from a fixed set (case-insensitive, as Keras lowers them). */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string, where: string): T {
  const lower = typeof value === 'string' ? value.toLowerCase() : undefined;
  const hit = allowed.find((a) => a === lower);
  if (hit === undefined) {
    throw new ConfigError(`${where}: unknown ${what} ${show(value)} (expected ${allowed.map((a) => `'${a}'`).join(' or ')})`);
  }
  return hit;
}

/** A boolean argument. */
export function bool(value: unknown, what: string, where: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(`${where}: ${what} must be true or false, got ${show(value)}`);
  return value;
}

/** An options argument: undefined or null → {}; anything but a plain object is a ConfigError. */
export function optionsOf<T extends object>(options: unknown, where: string): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== 'object' || Array.isArray(options)) throw new ConfigError(`${where}: options must be an object, got ${show(options)}`);
  return options as T;
}

/** Rejects option keys a layer does not know, naming them. */
export function checkKeys(options: object, allowed: readonly string[], where: string): void {
  const known = new Set(allowed);
  const unknown = Object.keys(options).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new ConfigError(`${where}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${allowed.join(', ')})`);
  }
}

/** A channels_last-only data format argument. */
export function channelsLast(value: unknown, where: string): void {
  if (value !== undefined && value !== null && value !== 'channels_last') {
    throw new ConfigError(`${where}: dataFormat ${show(value)} is not supported (upconv is channels_last only)`);
  }
}

/**
 * Index of the first NaN or ±Infinity in `v`, or -1. The engine's own `includes` answers the
 * common case (all finite) at native speed even on a cold start, where a JavaScript loop over a
 * model's weights would still run in V8's interpreter; the loop only finds the index of a bad one.
 */
export function firstNonFinite(v: Float32Array): number {
  if (!v.includes(NaN) && !v.includes(Infinity) && !v.includes(-Infinity)) return -1;
  for (let k = 0; k < v.length; k++) if (!Number.isFinite(v[k])) return k;
  return -1;
}

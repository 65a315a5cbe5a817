import { ConfigError } from './errors.js';

/** A Keras int-or-pair argument (`3` or `[3, 2]`) as a validated pair of integers ≥ min. */
export function pair(value: unknown, what: string, where: string, min = 1): [number, number] {
  const v = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(v) || v.length !== 2) {
    throw new ConfigError(`${where}: ${what} must be an integer or a pair of integers, got ${JSON.stringify(value)}`);
  }
  for (const x of v) {
    if (!Number.isInteger(x) || x < min) {
      throw new ConfigError(`${where}: ${what} must be integers ≥ ${min}, got ${JSON.stringify(value)}`);
    }
  }
  return [v[0], v[1]];
}

/** A positive integer argument. */
export function positiveInt(value: unknown, what: string, where: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new ConfigError(`${where}: ${what} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

/** A finite number argument. */
export function finite(value: unknown, what: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(`${where}: ${what} must be a finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A string argument from a fixed set. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string, where: string): T {
  if (typeof value !== 'string' || !allowed.includes(value.toLowerCase() as T)) {
    throw new ConfigError(`${where}: unknown ${what} ${JSON.stringify(value)} (expected ${allowed.map((a) => `'${a}'`).join(' or ')})`);
  }
  return value.toLowerCase() as T;
}

/** A boolean argument. */
export function bool(value: unknown, what: string, where: string): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(`${where}: ${what} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** Rejects option keys a layer does not know, naming them. */
export function checkKeys(options: object, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(options).filter((k) => !allowed.includes(k));
  if (unknown.length) {
    throw new ConfigError(`${where}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${allowed.join(', ')})`);
  }
}

/**
 * The options of loadModel and loadWeights, checked once at the entry: an options argument that
 * is not an object, an unknown key (a typo such as `maxWeightByte` would otherwise be ignored
 * and leave the default limit in place), or a value of the wrong kind is a ConfigError before
 * anything is read. Every property is read exactly once, so a getter or a Proxy cannot hand
 * the checks one value and the readers another.
 */
import { ConfigError } from '../errors.js';
import { showValue } from '../show.js';
import { DEFAULT_LIMITS, type Limits } from './assemble.js';
import { timeoutOf } from './limits.js';

/** loadModel's / loadWeights' options after checking: plain values, nothing left to throw. */
export interface CheckedLoadOptions {
  limits: Limits;
  fetch?: typeof fetch;
  name?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const KNOWN = ['maxWeightBytes', 'maxFileBytes', 'fetch', 'name', 'timeoutMs', 'signal'] as const;
type Key = (typeof KNOWN)[number];
const KNOWN_SET: ReadonlySet<string> = new Set(KNOWN);

/** Whether `x` behaves as an AbortSignal (from this realm or another one). */
function isSignal(x: unknown): x is AbortSignal {
  if (typeof AbortSignal !== 'undefined' && x instanceof AbortSignal) return true;
  const s = x as { aborted?: unknown; addEventListener?: unknown; removeEventListener?: unknown } | null;
  return !!s && typeof s === 'object' && typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function' && typeof s.removeEventListener === 'function';
}

function bytesLimit(value: unknown, key: string, where: string): number {
  if (typeof value !== 'number' || !(value > 0)) {
    throw new ConfigError(`${where}: ${key} must be a positive number of bytes, got ${showValue(value)}`);
  }
  return value;
}

/** Checks loadModel's / loadWeights' options (`where` names the function in messages). */
export function checkLoadOptions(options: unknown, where: string): CheckedLoadOptions {
  if (options === undefined) return { limits: { ...DEFAULT_LIMITS } };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError(`${where}: options must be an object such as { maxWeightBytes, timeoutMs }, got ${showValue(options)}`);
  }
  const got = new Map<Key, unknown>();
  try {
    for (const key of Object.keys(options)) {
      if (!KNOWN_SET.has(key)) throw new ConfigError(`${where}: unknown option ${showValue(key)} (known: ${KNOWN.join(', ')})`);
      got.set(key as Key, (options as Record<string, unknown>)[key]);
    }
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`${where}: the options object cannot be read (${showValue((e as Error)?.message)})`);
  }
  const value = (k: Key) => got.get(k);
  const limits: Limits = { ...DEFAULT_LIMITS };
  if (value('maxWeightBytes') !== undefined) limits.maxWeightBytes = bytesLimit(value('maxWeightBytes'), 'maxWeightBytes', where);
  if (value('maxFileBytes') !== undefined) limits.maxFileBytes = bytesLimit(value('maxFileBytes'), 'maxFileBytes', where);
  const out: CheckedLoadOptions = { limits };
  const f = value('fetch');
  if (f !== undefined) {
    if (typeof f !== 'function') throw new ConfigError(`${where}: the fetch option must be a function, got ${showValue(f)}`);
    out.fetch = f as typeof fetch;
  }
  const name = value('name');
  if (name !== undefined) {
    if (typeof name !== 'string' || name.length === 0) throw new ConfigError(`${where}: the name option must be a non-empty string, got ${showValue(name)}`);
    out.name = name.length > 200 ? `${name.slice(0, 199)}…` : name;
  }
  if (value('timeoutMs') !== undefined) out.timeoutMs = timeoutOf(value('timeoutMs'), where);
  const signal = value('signal');
  if (signal !== undefined) {
    if (!isSignal(signal)) throw new ConfigError(`${where}: the signal option must be an AbortSignal, got ${showValue(signal)}`);
    out.signal = signal;
  }
  return out;
}

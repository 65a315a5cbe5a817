/**
 * Seeded random calls of the public API with hostile arguments, for the API fuzz test: every
 * call must succeed or throw an UpconvError subclass (no TypeError, RangeError, CompileError),
 * and a model that failed a call must still predict what it predicted before.
 */
import * as U from '../../bindings/index.js';

export type Rng = () => number;

const NUMBERS = [0, 1, 2, 3, 4, -1, 0.5, -0.5, 7, 16, NaN, Infinity, -Infinity, 1e308, 2 ** 31, 2 ** 32, 2 ** 53, -0, 4096, 65537, 1e9, Number.MIN_VALUE];
const STRINGS = ['', 'same', 'valid', 'causal', 'relu', 'tanh', 'sigmoid', 'linear', 'gelu', 'constructor', '__proto__', 'toString', 'hasOwnProperty',
  'valueOf', 'nearest', 'bilinear', 'bicubic', 'area', 'channels_last', 'channels_first', 'float32', 'int32', 'glorot_uniform', 'zeros', 'x'.repeat(5000), 'dense\u0000', '../../etc/passwd'];
const OPTION_KEYS = ['units', 'filters', 'kernelSize', 'strides', 'padding', 'activation', 'inputShape', 'inputDim', 'batchInputShape', 'useBias',
  'dilationRate', 'size', 'interpolation', 'momentum', 'epsilon', 'rate', 'axis', 'alpha', 'name', 'center', 'scale', 'outputPadding',
  'targetShape', 'depthMultiplier', 'groups', 'maxValue', 'negativeSlope', 'threshold', 'sharedAxes', 'inputLength', 'outputDim', 'padding2d',
  'cropping', 'stddev', 'seed', 'dataFormat', 'kernelInitializer', 'biasInitializer', 'trainable', 'dtype', 'memoryLimit', 'constructor',
  '__proto__', 'toString', 'learningRate', 'beta1', 'beta2', 'fromLogits', 'labelSmoothing', 'distribution', 'range', 'columns', 'background'];

export function pick<T>(r: Rng, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function smallInt(r: Rng): number {
  return 1 + Math.floor(r() * 4);
}

/** A hostile or plausible value, `depth` bounds nesting. */
export function value(r: Rng, depth = 0): unknown {
  const k = Math.floor(r() * 20);
  switch (k) {
    case 0: case 1: case 2: return pick(r, NUMBERS);
    case 3: return smallInt(r);
    case 4: case 5: return pick(r, STRINGS);
    case 6: return pick(r, [null, undefined, true, false]);
    case 7: return Array.from({ length: Math.floor(r() * 4) }, () => (r() < 0.7 ? smallInt(r) : pick(r, NUMBERS)));
    case 8: return depth < 2 ? options(r, depth + 1) : {};
    case 9: return pick(r, [1n, Symbol('s'), () => 1, new Date(0), /x/]);
    case 10: return pick(r, [new Float32Array(4), new Float64Array(2), new Int32Array(3), new BigInt64Array(2), new Uint8Array(1), new ArrayBuffer(8)]);
    case 11: return Object.create(null);
    case 12: return JSON.parse('{"__proto__": {"units": 3}, "constructor": 1}');
    case 13: return U.tensor(new Float32Array(4), pick(r, [[4], [1, 4], [2, 2], [1, 2, 2, 1], [4, 1]]));
    case 14: return [[1, 2], [3]];
    case 15: return pick(r, ['same', 'valid', 'relu', 'tanh']);
    case 16: return [smallInt(r), smallInt(r), smallInt(r)];
    case 17: return { shape: [smallInt(r)] };
    case 18: return pick(r, [-1, -(2 ** 31), 0.1, 1.5]);
    default: return depth < 2 ? [value(r, depth + 1), value(r, depth + 1)] : [];
  }
}

export function options(r: Rng, depth = 0): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) Object.defineProperty(o, pick(r, OPTION_KEYS), { value: value(r, depth), enumerable: true, configurable: true, writable: true });
  return o;
}

export function args(r: Rng): unknown[] {
  const n = Math.floor(r() * 4);
  return Array.from({ length: n }, () => (r() < 0.4 ? options(r) : value(r)));
}

/** Something printable for a failure report. */
export function show(x: unknown): string {
  if (typeof x === 'bigint') return `${x}n`;
  if (typeof x === 'symbol' || typeof x === 'function') return String(x);
  if (x instanceof U.Tensor) return `tensor([${x.shape}])`;
  if (ArrayBuffer.isView(x)) return `${x.constructor.name}(${(x as unknown as { length: number }).length})`;
  try {
    const s = JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
    return s === undefined ? String(x) : s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return String(x);
  }
}

import { ConfigError } from '../errors.js';
import { mulberry32 } from '../random.js';
import { Tensor } from '../tensor.js';

/** How `sampleLatents` draws. */
export interface SampleLatentsOptions {
  /**
   * An integer from -2^31 to 2^32 - 1: the same seed always gives the same latents, the ones
   * `upconv generate --seed` feeds. Omitted: a new seed each call (from Math.random).
   */
  seed?: number;
  /** 'normal' (default): N(0, 1) by Box–Muller; 'uniform': U[-1, 1). */
  distribution?: 'normal' | 'uniform';
}

const KEYS: readonly string[] = ['seed', 'distribution'];

function checkDim(d: unknown, what: string): number {
  if (!Number.isInteger(d) || (d as number) < 1) throw new ConfigError(`sampleLatents: ${what} must be a positive integer, got ${JSON.stringify(d)}`);
  return d as number;
}

/**
 * `n` latent vectors for a generator, as a `[n, ...dim]` tensor (`dim` is the latent size, or the
 * model's input shape without the batch axis). Values come from the package's mulberry32
 * generator: 'normal' takes two uniforms u1, u2 per value, sqrt(-2 ln u1) · cos(2π u2) (the cosine
 * branch only); 'uniform' takes one, 2u - 1.
 *
 * @example
 * ```js
 * const z = sampleLatents(16, 100, { seed: 1 }); // what `upconv generate --count 16 --seed 1` feeds
 * ```
 */
export function sampleLatents(n: number, dim: number | readonly number[], options: SampleLatentsOptions = {}): Tensor {
  if (options === null || typeof options !== 'object') throw new ConfigError(`sampleLatents: options must be an object, got ${JSON.stringify(options)}`);
  const unknown = Object.keys(options).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw new ConfigError(`sampleLatents: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${KEYS.join(', ')})`);
  checkDim(n, 'n');
  const shape = typeof dim === 'number' ? [checkDim(dim, 'dim')] : Array.isArray(dim) && dim.length ? dim.map((d) => checkDim(d, 'every dim')) : null;
  if (!shape) throw new ConfigError(`sampleLatents: dim must be a positive integer or a non-empty shape, got ${JSON.stringify(dim)}`);
  const { seed = Math.floor(Math.random() * 2 ** 32), distribution = 'normal' } = options;
  if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed > 2 ** 32 - 1) throw new ConfigError(`sampleLatents: seed must be an integer from -2^31 to 2^32 - 1, got ${JSON.stringify(seed)}`);
  if (distribution !== 'normal' && distribution !== 'uniform') throw new ConfigError(`sampleLatents: distribution must be 'normal' or 'uniform', got ${JSON.stringify(distribution)}`);
  const size = n * shape.reduce((a, b) => a * b, 1);
  if (size > 2 ** 28) throw new ConfigError(`sampleLatents: ${n}×[${shape.join(', ')}] is ${size} values; draw fewer at a time`);
  const next = mulberry32(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    if (distribution === 'uniform') {
      out[i] = next() * 2 - 1;
    } else {
      const u1 = next() || 2 ** -32;
      const u2 = next();
      out[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
  }
  return new Tensor(out, [n, ...shape]);
}

import { ConfigError } from '../errors.js';
import { mulberry32 } from '../random.js';
import { Tensor } from '../tensor.js';
import { showValue } from '../show.js';

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
  if (!Number.isInteger(d) || (d as number) < 1) throw new ConfigError(`sampleLatents: ${what} must be a positive integer, got ${showValue(d)}`);
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
  if (options === null || typeof options !== 'object') throw new ConfigError(`sampleLatents: options must be an object, got ${showValue(options)}`);
  const unknown = Object.keys(options).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw new ConfigError(`sampleLatents: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${KEYS.join(', ')})`);
  checkDim(n, 'n');
  const shape = typeof dim === 'number' ? [checkDim(dim, 'dim')] : Array.isArray(dim) && dim.length ? dim.map((d) => checkDim(d, 'every dim')) : null;
  if (!shape) throw new ConfigError(`sampleLatents: dim must be a positive integer or a non-empty shape, got ${showValue(dim)}`);
  const { seed = Math.floor(Math.random() * 2 ** 32), distribution = 'normal' } = options;
  if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed > 2 ** 32 - 1) throw new ConfigError(`sampleLatents: seed must be an integer from -2^31 to 2^32 - 1, got ${showValue(seed)}`);
  if (distribution !== 'normal' && distribution !== 'uniform') throw new ConfigError(`sampleLatents: distribution must be 'normal' or 'uniform', got ${showValue(distribution)}`);
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

/**
 * A latent walk: `walks` rows of `steps` latents each, spherical interpolation (slerp) from one
 * seeded latent to the next, as a `[walks · steps, ...dim]` tensor. Row r runs from latent r to
 * latent r + 1 of `sampleLatents(walks + 1, dim, options)`, ends included, so consecutive rows
 * join up. What `upconv generate --interpolate steps` draws.
 *
 * @example
 * ```js
 * const z = latentWalk(8, 100, { seed: 1 }); // [8, 100]: one walk of 8 frames
 * ```
 */
export function latentWalk(steps: number, dim: number | readonly number[], options: SampleLatentsOptions & { walks?: number } = {}): Tensor {
  if (options === null || typeof options !== 'object') throw new ConfigError(`latentWalk: options must be an object, got ${showValue(options)}`);
  const { walks = 1, ...rest } = options;
  if (!Number.isInteger(steps) || steps < 2 || steps > 4096) throw new ConfigError(`latentWalk: steps must be an integer from 2 to 4096, got ${showValue(steps)}`);
  if (!Number.isInteger(walks) || walks < 1 || walks > 4096) throw new ConfigError(`latentWalk: walks must be an integer from 1 to 4096, got ${showValue(walks)}`);
  const ends = sampleLatents(walks + 1, dim, rest);
  const shape = ends.shape.slice(1);
  const size = ends.data.length / (walks + 1);
  if (walks * steps * size > 2 ** 28) throw new ConfigError(`latentWalk: ${walks * steps}×[${shape.join(', ')}] is too many values; draw fewer at a time`);
  const out = new Float32Array(walks * steps * size);
  for (let w = 0; w < walks; w++) {
    const a = ends.data.subarray(w * size, (w + 1) * size);
    const b = ends.data.subarray((w + 1) * size, (w + 2) * size);
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < size; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    const cos = na > 0 && nb > 0 ? Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb))) : 1;
    const omega = Math.acos(cos);
    const sin = Math.sin(omega);
    for (let s = 0; s < steps; s++) {
      const t = s / (steps - 1);
      // nearly parallel ends: slerp's weights tend to the linear ones
      const wa = sin < 1e-6 ? 1 - t : Math.sin((1 - t) * omega) / sin;
      const wb = sin < 1e-6 ? t : Math.sin(t * omega) / sin;
      const row = out.subarray((w * steps + s) * size, (w * steps + s + 1) * size);
      for (let i = 0; i < size; i++) row[i] = wa * a[i] + wb * b[i];
    }
  }
  return new Tensor(out, [walks * steps, ...shape]);
}

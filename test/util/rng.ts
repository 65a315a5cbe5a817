import { mulberry32 } from '../../bindings/random.js';

/**
 * Seeded values for tests, from the package's one generator (mulberry32): the same seed always
 * gives the same stream, so failures are replayable. Values handed to the package are
 * float32-representable.
 */
export class Rng {
  /** Uniform in [0, 1). */
  readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(Math.trunc(seed) ^ 0x2545f491);
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller) scaled to N(mean, std²). */
  normal(mean = 0, std = 1): number {
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  /** n float32 values uniform in [lo, hi). */
  uniformF32(n: number, lo = -1, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  /** n float32 values from N(mean, std²). */
  normalF32(n: number, std = 1, mean = 0): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal(mean, std);
    return out;
  }
}

export function rng(seed: number): Rng {
  return new Rng(seed);
}

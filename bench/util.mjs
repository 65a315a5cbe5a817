// Small helpers shared by the bench files: statistics, a seeded RNG, layouts, output comparison.
import { mulberry32 } from '../dist/index.js';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The CPU model name (/proc/cpuinfo on Linux, os.cpus() elsewhere). */
export function cpuModel() {
  try {
    const m = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (m) return m[1].trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** Median of an array of numbers (the array is not modified). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (!n) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** q-quantile (0..1) by linear interpolation. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const p = (s.length - 1) * q;
  const lo = Math.floor(p);
  const hi = Math.ceil(p);
  return s[lo] + (s[hi] - s[lo]) * (p - lo);
}

/** A replicable PRNG, uniform in [0, 1): the package's own mulberry32. */
export const rng = (seed) => mulberry32(seed);

/** n floats uniform in [-limit, limit). */
export function uniform(random, n, limit) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (2 * random() - 1) * limit;
  return a;
}

/** n floats from N(0, 1) (Box–Muller). */
export function normal(random, n) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const t = 2 * Math.PI * random();
    a[i] = r * Math.cos(t);
    if (i + 1 < n) a[i + 1] = r * Math.sin(t);
  }
  return a;
}

/** NHWC → NCHW copy. */
export function nhwcToNchw(x, [n, h, w, c]) {
  const y = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const src = ((b * h + i) * w + j) * c;
        for (let k = 0; k < c; k++) y[((b * c + k) * h + i) * w + j] = x[src + k];
      }
    }
  }
  return y;
}

/** NCHW → NHWC copy; `shape` is the NHWC shape. */
export function nchwToNhwc(x, [n, h, w, c]) {
  const y = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let k = 0; k < c; k++) {
      for (let i = 0; i < h; i++) {
        const src = ((b * c + k) * h + i) * w;
        for (let j = 0; j < w; j++) y[((b * h + i) * w + j) * c + k] = x[src + j];
      }
    }
  }
  return y;
}

/**
 * Compares an output with the reference: the largest |a - r| relative to the largest |r|
 * (so that a 1e-3 bound means "agrees to about 3 significant digits at the output's scale").
 * NaN / Inf anywhere, or a length mismatch, is a failure.
 */
export function compare(actual, ref) {
  if (!actual || actual.length !== ref.length) {
    return { ok: false, err: Infinity, why: `length ${actual ? actual.length : 'none'} vs ${ref.length}` };
  }
  let scale = 0;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]));
  let worst = 0;
  let at = 0;
  for (let i = 0; i < ref.length; i++) {
    const a = actual[i];
    if (!Number.isFinite(a)) return { ok: false, err: Infinity, why: `non-finite ${a} at ${i}` };
    const d = Math.abs(a - ref[i]);
    if (d > worst) {
      worst = d;
      at = i;
    }
  }
  const err = scale > 0 ? worst / scale : worst;
  return { ok: err <= TOLERANCE, err, at };
}

export const TOLERANCE = 1e-3;

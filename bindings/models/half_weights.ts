/** Shipped float16 weights: base64 of little-endian binary16 values, one array after another. */
import { WeightsError } from '../errors.js';
import { halfToFloat } from '../io/half.js';

/** base64 → one Float32Array per shape (the lengths must add up exactly). */
export function decodeHalfBase64(base64: string, shapes: readonly (readonly number[])[]): Float32Array[] {
  const bin = atob(base64);
  const total = shapes.reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0);
  if (bin.length !== total * 2) throw new WeightsError(`shipped weights: ${bin.length} bytes for ${total} float16 values`);
  // one table of all 65536 halves: a lookup per value instead of a conversion
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = halfToFloat(h);
  const out: Float32Array[] = [];
  let p = 0;
  for (const sh of shapes) {
    const n = sh.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++, p += 2) v[i] = table[bin.charCodeAt(p) | (bin.charCodeAt(p + 1) << 8)];
    out.push(v);
  }
  return out;
}

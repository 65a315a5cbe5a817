/**
 * Weight quantization exactly as tensorflowjs_converter writes it
 * (tfjs-converter/python/tensorflowjs/quantization.py, run under the numpy its lock file pins,
 * 1.23, whose value-based casting keeps float32 arrays float32):
 *
 * - float16: `data.astype(np.float16)`, IEEE round-to-nearest-even (overflow to ±Infinity);
 * - uint8 / uint16 affine: min and max of the array as float64; one value → all zeros with
 *   scale 1; else scale = (max − min) / qmax, and when 0 lies in [min, max] the range is
 *   "nudged" so that 0 is a quantized value: zp = round(−min / scale) (half to even),
 *   min' = −zp · scale, max' = qmax · scale + min'; then q = round((clip(x, min', max') − min')
 *   / scale) computed in float32 (min', max', scale rounded to float32), half to even.
 *
 * Dequantized, as tfjs-core reads it: q · scale + min'.
 */

/** IEEE binary16 bits of a float32 value, rounded to nearest, ties to even. */
export function floatToHalf(x: number): number {
  const f = Math.fround(x);
  const sign = f < 0 || Object.is(f, -0) ? 0x8000 : 0;
  const a = Math.abs(f);
  if (Number.isNaN(a)) return 0x7e00;
  if (a >= 65520) return sign | 0x7c00; // the tie between 65504 and 2^16 goes to the even one: Infinity
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24); // subnormal (1024 becomes the smallest normal)
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--; // log2 may round up just below a power of two
  else if (2 ** (e + 1) <= a) e++;
  let m = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e++;
  }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | m;
}

/** Rounds half to even (numpy's np.round / rint). */
export function roundHalfEven(v: number): number {
  const fl = Math.floor(v);
  const d = v - fl;
  if (d > 0.5) return fl + 1;
  if (d < 0.5) return fl;
  return fl % 2 === 0 ? fl : fl + 1;
}

export interface Affine {
  /** The quantized values (Uint8Array for uint8, Uint16Array for uint16). */
  values: Uint8Array | Uint16Array;
  scale: number;
  min: number;
}

/** tensorflowjs_converter's affine quantization of one float32 array. */
export function quantizeAffine(data: Float32Array, dtype: 'uint8' | 'uint16'): Affine {
  const qmax = dtype === 'uint8' ? 255 : 65535;
  const values = dtype === 'uint8' ? new Uint8Array(data.length) : new Uint16Array(data.length);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    if (data[i] < lo) lo = data[i];
    if (data[i] > hi) hi = data[i];
  }
  if (data.length === 0 || lo === hi) return { values, scale: 1, min: data.length ? lo : 0 };
  const scale = (hi - lo) / qmax;
  let min = lo;
  let max = hi;
  if (lo <= 0 && 0 <= hi) {
    const zp = roundHalfEven((0 - lo) / scale);
    min = -zp * scale;
    max = qmax * scale + min;
  }
  const min32 = Math.fround(min);
  const max32 = Math.fround(max);
  const scale32 = Math.fround(scale);
  for (let i = 0; i < data.length; i++) {
    const c = Math.min(Math.max(data[i], min32), max32);
    values[i] = roundHalfEven(Math.fround(Math.fround(c - min32) / scale32));
  }
  return { values, scale, min };
}

/**
 * Inflating with a hard bound on the output, for zip entries and HDF5 deflate chunks: fflate's
 * streaming Inflate is fed the compressed bytes a slice at a time and the output is copied into
 * one buffer of the expected size; the first byte past it stops decoding, so a stream that
 * inflates to far more than it declared ("zip bomb") costs neither memory nor time beyond the
 * bound. zlib streams also have their Adler-32 trailer checked (fflate skips it).
 */
import { Inflate } from 'fflate';
import { adler32, hex } from './hdf5/checksum.js';

/** Why an inflate failed, in words for an error message. */
export class InflateError extends Error {}

/** Compressed bytes pushed per step: at most ~16 MiB of output per step (deflate's 1032:1). */
const SLICE = 16 * 1024;

/**
 * Raw deflate data → exactly `expected` bytes. Throws InflateError when the stream is damaged,
 * ends short, or would inflate past `expected`.
 */
export function inflateExactly(data: Uint8Array, expected: number): Uint8Array {
  return inflateUpTo(data, expected, false);
}

/** The first `want` bytes the raw deflate data inflates to (fewer when it ends sooner). */
export function inflatePrefix(data: Uint8Array, want: number): Uint8Array {
  return inflateUpTo(data, want, true);
}

class Enough extends Error {}

function inflateUpTo(data: Uint8Array, bound: number, prefix: boolean): Uint8Array {
  const out = new Uint8Array(bound);
  let at = 0;
  let done = false;
  const inflater = new Inflate((chunk, final) => {
    if (at + chunk.length > bound) {
      if (!prefix) throw new InflateError(`inflates to more than the ${bound} bytes it should have`);
      out.set(chunk.subarray(0, bound - at), at);
      at = bound;
      throw new Enough();
    }
    out.set(chunk, at);
    at += chunk.length;
    if (final) done = true;
  });
  try {
    for (let p = 0; p < data.length && !done; p += SLICE) {
      const end = Math.min(data.length, p + SLICE);
      inflater.push(data.subarray(p, end), end === data.length);
    }
    if (data.length === 0) inflater.push(new Uint8Array(0), true);
  } catch (e) {
    if (e instanceof Enough) return out;
    if (e instanceof InflateError) throw e;
    throw new InflateError(`does not inflate (${(e as Error).message})`);
  }
  if (!done) throw new InflateError('ends before its last deflate block');
  if (prefix) return out.subarray(0, at);
  if (at !== bound) throw new InflateError(`inflates to ${at} bytes, expected ${bound}`);
  return out;
}

/**
 * A zlib stream (RFC 1950: 2-byte header, deflate data, big-endian Adler-32) → exactly
 * `expected` bytes, the Adler-32 verified.
 */
export function unzlibExactly(data: Uint8Array, expected: number): Uint8Array {
  if (data.length < 6) throw new InflateError('is too short for a zlib stream');
  const cmf = data[0];
  const flg = data[1];
  if ((cmf & 0x0f) !== 8 || (cmf >> 4) > 7 || ((cmf << 8) | flg) % 31 !== 0) throw new InflateError('has no valid zlib header');
  if (flg & 0x20) throw new InflateError('needs a preset dictionary');
  const out = inflateExactly(data.subarray(2, data.length - 4), expected);
  const n = data.length;
  const stored = ((data[n - 4] << 24) | (data[n - 3] << 16) | (data[n - 2] << 8) | data[n - 1]) >>> 0;
  const computed = adler32(out);
  if (stored !== computed) throw new InflateError(`fails its Adler-32 check (stored ${hex(stored)}, computed ${hex(computed)})`);
  return out;
}

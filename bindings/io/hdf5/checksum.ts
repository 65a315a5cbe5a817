/**
 * The checksums an HDF5 file carries, computed as libhdf5 does:
 * - Jenkins' lookup3 `hashlittle` (initial value 0) over v2 metadata: superblock v2/3, object
 *   headers v2 and their continuation blocks, v2 B-tree headers and nodes, fractal heap headers
 *   and blocks, fixed-array indexes (H5_checksum_metadata);
 * - Fletcher-32 over 16-bit big-endian words, sums starting at 0 (H5_checksum_fletcher32), for
 *   the fletcher32 filter;
 * - Adler-32 (RFC 1950) for the trailer of zlib streams (the deflate filter).
 */
import type { Bytes } from './bytes.js';

const rot = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** lookup3 hashlittle of buf[start, end) with the given initial value. */
export function lookup3(buf: Uint8Array, start: number, end: number, initval = 0): number {
  let length = end - start;
  let a = (0xdeadbeef + length + initval) | 0;
  let b = a;
  let c = a;
  let k = start;
  while (length > 12) {
    a = (a + (buf[k] | (buf[k + 1] << 8) | (buf[k + 2] << 16) | (buf[k + 3] << 24))) | 0;
    b = (b + (buf[k + 4] | (buf[k + 5] << 8) | (buf[k + 6] << 16) | (buf[k + 7] << 24))) | 0;
    c = (c + (buf[k + 8] | (buf[k + 9] << 8) | (buf[k + 10] << 16) | (buf[k + 11] << 24))) | 0;
    // mix(a, b, c)
    a = (a - c) | 0; a ^= rot(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rot(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rot(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rot(b, 4); b = (b + a) | 0;
    length -= 12;
    k += 12;
  }
  if (length === 0) return c >>> 0;
  // the last 1–12 bytes, little-endian into a, b, c (missing bytes count as zero)
  const byte = (i: number): number => (i < length ? buf[k + i] : 0);
  a = (a + (byte(0) | (byte(1) << 8) | (byte(2) << 16) | (byte(3) << 24))) | 0;
  b = (b + (byte(4) | (byte(5) << 8) | (byte(6) << 16) | (byte(7) << 24))) | 0;
  c = (c + (byte(8) | (byte(9) << 8) | (byte(10) << 16) | (byte(11) << 24))) | 0;
  // final(a, b, c)
  c ^= b; c = (c - rot(b, 14)) | 0;
  a ^= c; a = (a - rot(c, 11)) | 0;
  b ^= a; b = (b - rot(a, 25)) | 0;
  c ^= b; c = (c - rot(b, 16)) | 0;
  a ^= c; a = (a - rot(c, 4)) | 0;
  b ^= a; b = (b - rot(a, 14)) | 0;
  c ^= b; c = (c - rot(b, 24)) | 0;
  return c >>> 0;
}

/**
 * Checks the lookup3 checksum stored (little-endian) right after the `length` bytes at `pos`,
 * as libhdf5 does for every v2 metadata structure; `what` names the structure and its object.
 */
export function checkMetadata(b: Bytes, pos: number, length: number, what: string): void {
  b.need(pos, length + 4, what);
  const stored = b.u32(pos + length);
  const computed = lookup3(b.buf, pos, pos + length);
  if (stored !== computed) {
    throw b.corrupt(`${what} at offset ${pos} fails its checksum (stored ${hex(stored)}, computed ${hex(computed)}); the file is damaged`);
  }
}

/** HDF5's Fletcher-32 of `data`. */
export function fletcher32(data: Uint8Array): number {
  let sum1 = 0;
  let sum2 = 0;
  let words = data.length >>> 1;
  let i = 0;
  while (words) {
    let n = words > 360 ? 360 : words;
    words -= n;
    do {
      sum1 += (data[i] << 8) | data[i + 1];
      i += 2;
      sum2 += sum1;
    } while (--n);
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  if (data.length & 1) {
    sum1 += data[i] << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  return ((sum2 << 16) | sum1) >>> 0;
}

/**
 * Whether a stored fletcher32 (the 4 bytes after the data, little-endian) matches `data`.
 * libhdf5 also accepts the checksum with the bytes of each 16-bit half swapped, which HDF5 up to
 * 1.6.2 wrote on little-endian machines.
 */
export function fletcher32Matches(data: Uint8Array, stored: number): boolean {
  const f = fletcher32(data);
  const swapped = (((f & 0x00ff00ff) << 8) | ((f >>> 8) & 0x00ff00ff)) >>> 0;
  return stored === f || stored === swapped;
}

/** Adler-32 of `data` (RFC 1950), as the trailer of a zlib stream holds it. */
export function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  let i = 0;
  const n = data.length;
  while (i < n) {
    const end = Math.min(n, i + 65536); // the sums stay exact (far below 2^53) between reductions
    for (; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

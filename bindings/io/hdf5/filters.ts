/**
 * The filter pipeline of chunked datasets: deflate (1, with its zlib Adler-32 checked), shuffle
 * (2) and fletcher32 (3, its checksum checked, as libhdf5 does on every read). Inflating is
 * bounded by the chunk's size (bindings/io/inflate.ts).
 */
import { InflateError, unzlibExactly } from '../inflate.js';
import { fletcher32Matches, hex } from './checksum.js';
import type { Ctx } from './context.js';
import { type Message } from './header.js';

export const FILTER = { deflate: 1, shuffle: 2, fletcher32: 3 } as const;

/** Filter ids of a dataset's pipeline message (or [] without one), in the order they were applied. */
export function readFilters(ctx: Ctx, m: Message | undefined, what: string): number[] {
  if (!m) return [];
  const b = ctx.b;
  const version = b.u8(m.pos);
  const n = b.u8(m.pos + 1);
  if (n > 32) throw ctx.corrupt(`${what}: a filter pipeline of ${n} filters`);
  const ids: number[] = [];
  let p = m.pos + (version === 1 ? 8 : 2);
  for (let i = 0; i < n; i++) {
    const id = b.u16(p);
    if (version === 1) {
      const nameLength = b.u16(p + 2);
      const nvalues = b.u16(p + 6);
      p += 8 + Math.ceil(nameLength / 8) * 8 + nvalues * 4 + (nvalues % 2 ? 4 : 0);
    } else {
      const nameLength = id >= 256 ? b.u16(p + 2) : 0;
      const q = p + (id >= 256 ? 4 : 2);
      const nvalues = b.u16(q + 2);
      p = q + 4 + nameLength + nvalues * 4;
    }
    ids.push(id);
  }
  for (const id of ids) {
    if (id !== FILTER.deflate && id !== FILTER.shuffle && id !== FILTER.fletcher32) {
      throw ctx.corrupt(`${what} uses HDF5 filter ${id}${id === 32000 ? ' (lzf)' : id === 4 ? ' (szip)' : ''}; upconv reads deflate, shuffle and fletcher32 only`);
    }
  }
  return ids;
}

/**
 * Undoes the pipeline for one stored chunk (in reverse order, skipping the filters the chunk's
 * mask turns off) and returns exactly `chunkBytes` bytes.
 */
export function unfilter(ctx: Ctx, data: Uint8Array, filters: number[], mask: number, chunkBytes: number, elem: number, what: string): Uint8Array {
  let d = data;
  for (let i = filters.length - 1; i >= 0; i--) {
    if (mask & (1 << i)) continue;
    const id = filters[i];
    if (id === FILTER.fletcher32) {
      if (d.length < 4) throw ctx.corrupt(`${what}: a chunk is too short for its fletcher32 checksum`);
      const n = d.length;
      const stored = (d[n - 4] | (d[n - 3] << 8) | (d[n - 2] << 16) | (d[n - 1] << 24)) >>> 0;
      d = d.subarray(0, n - 4);
      if (!fletcher32Matches(d, stored)) {
        throw ctx.corrupt(`${what}: a chunk fails its fletcher32 checksum (stored ${hex(stored)}); the file is damaged`);
      }
    } else if (id === FILTER.deflate) {
      try {
        d = unzlibExactly(d, chunkBytes);
      } catch (e) {
        if (e instanceof InflateError) throw ctx.corrupt(`${what}: a compressed chunk ${e.message}; the file is damaged`);
        throw e;
      }
    } else if (id === FILTER.shuffle) {
      d = unshuffle(d, elem);
    }
  }
  if (d.length !== chunkBytes) {
    throw ctx.corrupt(`${what}: a chunk holds ${d.length} bytes after decoding, expected ${chunkBytes}`);
  }
  return d;
}

function unshuffle(data: Uint8Array, elem: number): Uint8Array {
  if (elem <= 1) return data;
  const n = Math.floor(data.length / elem);
  const out = new Uint8Array(data.length);
  for (let byte = 0; byte < elem; byte++) {
    const src = byte * n;
    for (let i = 0; i < n; i++) out[i * elem + byte] = data[src + i];
  }
  out.set(data.subarray(n * elem), n * elem); // leftover bytes are not shuffled
  return out;
}

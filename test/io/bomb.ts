/**
 * Zip bombs without the cost of compressing: a raw deflate stream written by hand (one
 * fixed-Huffman block: a literal 0, then matches of 258 bytes at distance 1, 13 bits each), and
 * a minimal zip writer that takes entries already compressed and any declared size.
 */
import { crc32 } from '../../bindings/io/crc32.js';

/** A raw deflate stream that inflates to `n` (≥ 1) zero bytes: about n / 159 bytes long. */
export function deflateZeros(n: number): Uint8Array {
  const matches = Math.floor((n - 1) / 258);
  const rest = (n - 1) % 258; // written as literals
  const out = new Uint8Array(Math.ceil((3 + 8 + matches * 13 + rest * 8 + 7) / 8) + 1);
  let bit = 0;
  const put = (value: number, count: number) => {
    for (let i = 0; i < count; i++, bit++) if ((value >> i) & 1) out[bit >> 3] |= 1 << (bit & 7);
  };
  const code = (c: number, count: number) => {
    let r = 0; // Huffman codes go most significant bit first
    for (let i = 0; i < count; i++) r |= ((c >> i) & 1) << (count - 1 - i);
    put(r, count);
  };
  put(1, 1); // BFINAL
  put(1, 2); // BTYPE 01: fixed Huffman
  code(0x30, 8); // literal 0
  for (let i = 0; i < matches; i++) {
    code(0xc5, 8); // length 258 (code 285)
    code(0, 5); // distance 1
  }
  for (let i = 0; i < rest; i++) code(0x30, 8);
  code(0, 7); // end of block
  return out.subarray(0, Math.ceil(bit / 8));
}

export interface RawEntry {
  name: string;
  /** The stored bytes (deflated when method is 8). */
  data: Uint8Array;
  method: 0 | 8;
  /** The uncompressed size to declare. */
  size: number;
  /** Defaults to the CRC-32 of `data` for stored entries, 0 otherwise. */
  crc?: number;
}

/** A zip archive of the given entries, sizes and CRCs as declared (no zip64). */
export function zipRaw(entries: RawEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const crc = e.crc ?? (e.method === 0 ? crc32(e.data) : 0);
    const local = new Uint8Array(30 + name.length + e.data.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, e.method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, e.data.length, true);
    lv.setUint32(22, e.size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    local.set(e.data, 30 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, e.method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, e.data.length, true);
    cv.setUint32(24, e.size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const cdSize = centrals.reduce((n, c) => n + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let at = 0;
  for (const part of [...locals, ...centrals, eocd]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

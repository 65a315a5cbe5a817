/**
 * A small zip reader for .keras archives (and zipped tf.js folders): the central directory is
 * parsed here with every count and offset checked against the archive's size (an entry name
 * listed twice is refused: which one a reader takes would be a guess), and deflated entries are
 * inflated by a streaming inflater into a buffer of the size the directory declares, after that
 * size was checked against the caller's bound; the first byte past it stops inflating (so a
 * "zip bomb" costs neither memory nor time), then the CRC-32 is verified.
 */
import { crc32 } from './crc32.js';
import { Bytes } from './hdf5/bytes.js';
import { InflateError, inflateExactly, inflatePrefix } from './inflate.js';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localHeader: number;
}

export class ZipArchive {
  readonly entries = new Map<string, ZipEntry>();
  private readonly b: Bytes;

  constructor(buf: Uint8Array, readonly name: string) {
    this.b = new Bytes(buf, name);
    this.readDirectory();
  }

  private readDirectory(): void {
    const b = this.b;
    const len = b.length;
    let eocd = -1;
    for (let p = len - 22; p >= Math.max(0, len - 22 - 65535); p--) {
      if (b.buf[p] === 0x50 && b.buf[p + 1] === 0x4b && b.buf[p + 2] === 0x05 && b.buf[p + 3] === 0x06) {
        eocd = p;
        break;
      }
    }
    if (eocd < 0) throw b.corrupt('not a complete zip archive (no end-of-central-directory record); the file is truncated or damaged');
    let count = b.u16(eocd + 10);
    let cdSize = b.u32(eocd + 12);
    let cdOffset = b.u32(eocd + 16);
    // zip64: the locator sits just before the EOCD record
    if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocd >= 20 && b.u32(eocd - 20) === 0x07064b50) {
      const z = b.uint(eocd - 12, 8, 'the zip64 directory offset');
      b.need(z, 56, 'the zip64 end of central directory');
      if (b.u32(z) !== 0x06064b50) throw b.corrupt('damaged zip64 end-of-central-directory record');
      count = b.uint(z + 32, 8, 'the zip64 entry count');
      cdSize = b.uint(z + 40, 8, 'the zip64 directory size');
      cdOffset = b.uint(z + 48, 8, 'the zip64 directory offset');
    }
    b.need(cdOffset, cdSize, 'the zip central directory');
    if (count * 46 > cdSize) throw b.corrupt(`the zip directory claims ${count} entries but is only ${cdSize} bytes long`);
    let p = cdOffset;
    const end = cdOffset + cdSize;
    for (let i = 0; i < count; i++) {
      if (p + 46 > end || b.u32(p) !== 0x02014b50) throw b.corrupt(`zip central directory entry ${i} is damaged`);
      const flags = b.u16(p + 8);
      const method = b.u16(p + 10);
      const crc = b.u32(p + 16);
      let compressedSize = b.u32(p + 20);
      let size = b.u32(p + 24);
      const nameLength = b.u16(p + 28);
      const extraLength = b.u16(p + 30);
      const commentLength = b.u16(p + 32);
      let localHeader = b.u32(p + 42);
      const nameBytes = b.slice(p + 46, nameLength, 'a zip entry name');
      const name = new TextDecoder('utf-8').decode(nameBytes); // Keras and tf.js write ASCII names
      // zip64 extended information
      let x = p + 46 + nameLength;
      const xEnd = x + extraLength;
      b.need(x, extraLength, 'a zip extra field');
      while (x + 4 <= xEnd) {
        const id = b.u16(x);
        const n = b.u16(x + 2);
        if (id === 0x0001) {
          let q = x + 4;
          if (size === 0xffffffff) { size = b.uint(q, 8, 'a zip64 size'); q += 8; }
          if (compressedSize === 0xffffffff) { compressedSize = b.uint(q, 8, 'a zip64 size'); q += 8; }
          if (localHeader === 0xffffffff) { localHeader = b.uint(q, 8, 'a zip64 offset'); q += 8; }
        }
        x += 4 + n;
      }
      if (flags & 0x01) throw b.corrupt(`zip entry '${name}' is encrypted`);
      if (this.entries.has(name)) throw b.corrupt(`the zip archive lists '${name}' twice`);
      this.entries.set(name, { name, method, compressedSize, size, crc, localHeader });
      p += 46 + nameLength + extraLength + commentLength;
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * An entry's bytes; `maxBytes` bounds the uncompressed size: the declared size is checked
   * before anything is allocated, and inflating stops at the declared size. With `want`, only
   * the first `want` bytes are inflated when the entry is larger (a prefix, which its CRC-32
   * cannot check).
   */
  read(name: string, maxBytes: number, want = Infinity): Uint8Array {
    const b = this.b;
    const e = this.entries.get(name);
    if (!e) throw b.corrupt(`the archive has no '${name}'`);
    if (want < e.size) return this.prefix(e, want);
    if (e.size > maxBytes) throw b.corrupt(`zip entry '${name}' would inflate to ${e.size} bytes, more than the limit of ${maxBytes}`);
    const data = this.data(e);
    let out: Uint8Array;
    if (e.method === 0) {
      if (e.compressedSize !== e.size) throw b.corrupt(`stored zip entry '${name}' has inconsistent sizes`);
      out = data;
    } else if (e.method === 8) {
      try {
        out = inflateExactly(data, e.size);
      } catch (err) {
        if (err instanceof InflateError) throw b.corrupt(`zip entry '${name}' ${err.message}; the archive is damaged`);
        throw err;
      }
    } else {
      throw b.corrupt(`zip entry '${name}' uses compression method ${e.method}; only stored and deflate are supported`);
    }
    if (crc32(out) !== e.crc) throw b.corrupt(`zip entry '${name}' fails its CRC-32 check; the archive is damaged`);
    return out;
  }

  private data(e: ZipEntry): Uint8Array {
    const b = this.b;
    b.need(e.localHeader, 30, `the local header of '${e.name}'`);
    if (b.u32(e.localHeader) !== 0x04034b50) throw b.corrupt(`the local header of zip entry '${e.name}' is damaged`);
    const start = e.localHeader + 30 + b.u16(e.localHeader + 26) + b.u16(e.localHeader + 28);
    return b.slice(start, e.compressedSize, `the data of zip entry '${e.name}'`);
  }

  private prefix(e: ZipEntry, want: number): Uint8Array {
    const data = this.data(e);
    if (e.method === 0) return data.subarray(0, want);
    if (e.method !== 8) throw this.b.corrupt(`zip entry '${e.name}' uses compression method ${e.method}; only stored and deflate are supported`);
    try {
      return inflatePrefix(data, want);
    } catch (err) {
      if (err instanceof InflateError) throw this.b.corrupt(`zip entry '${e.name}' ${err.message}; the archive is damaged`);
      throw err;
    }
  }
}

import { CorruptFileError } from '../errors.js';

/** Marks an undefined HDF5 address (all bits set). */
export const UNDEF = -1;

/**
 * Bounds-checked little-endian reads over a file's bytes. Every read that would leave the
 * buffer throws CorruptFileError naming the file and the offset, so a truncated or garbled file
 * never reads garbage or loops on undefined values.
 */
export class Bytes {
  readonly view: DataView;
  readonly length: number;

  constructor(readonly buf: Uint8Array, readonly name: string) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.length = buf.byteLength;
  }

  corrupt(message: string): CorruptFileError {
    return new CorruptFileError(`${this.name}: ${message}`);
  }

  /** Throws unless [pos, pos + n) lies inside the buffer. */
  need(pos: number, n: number, what: string): void {
    if (!(Number.isSafeInteger(pos) && Number.isSafeInteger(n) && pos >= 0 && n >= 0 && pos + n <= this.length)) {
      throw this.corrupt(`${what} at offset ${pos} (${n} bytes) lies past the end of the file (${this.length} bytes); the file is truncated or damaged`);
    }
  }

  u8(pos: number): number {
    this.need(pos, 1, 'a byte');
    return this.buf[pos];
  }

  u16(pos: number): number {
    this.need(pos, 2, 'a 16-bit field');
    return this.view.getUint16(pos, true);
  }

  u32(pos: number): number {
    this.need(pos, 4, 'a 32-bit field');
    return this.view.getUint32(pos, true);
  }

  /** Unsigned little-endian integer of `size` bytes (1–8); above 2^53 is treated as corrupt. */
  uint(pos: number, size: number, what = 'a field'): number {
    this.need(pos, size, what);
    let v = 0;
    let mul = 1;
    for (let i = 0; i < size; i++) {
      v += this.buf[pos + i] * mul;
      mul *= 256;
    }
    if (!Number.isSafeInteger(v)) throw this.corrupt(`${what} at offset ${pos} holds an impossible value`);
    return v;
  }

  /** An address of `size` bytes; all-ones means undefined (returns UNDEF). */
  addr(pos: number, size: number, what = 'an address'): number {
    this.need(pos, size, what);
    let ones = true;
    for (let i = 0; i < size; i++) {
      if (this.buf[pos + i] !== 0xff) {
        ones = false;
        break;
      }
    }
    return ones ? UNDEF : this.uint(pos, size, what);
  }

  /** Checks a 4-byte signature (e.g. "TREE") at pos. */
  signature(pos: number, sig: string, what: string): void {
    this.need(pos, 4, what);
    for (let i = 0; i < 4; i++) {
      if (this.buf[pos + i] !== sig.charCodeAt(i)) {
        throw this.corrupt(`${what} at offset ${pos} should start with '${sig}' but does not; the file is damaged`);
      }
    }
  }

  slice(pos: number, n: number, what: string): Uint8Array {
    this.need(pos, n, what);
    return this.buf.subarray(pos, pos + n);
  }
}

/** Counts metadata work (nodes, messages, heap objects) so a hostile file cannot make us loop for long. */
export class Budget {
  private left: number;
  constructor(readonly name: string, limit: number) {
    this.left = limit;
  }

  spend(n = 1): void {
    this.left -= n;
    if (this.left < 0) throw new CorruptFileError(`${this.name}: the file's metadata is unreasonably large or loops back on itself; giving up`);
  }
}

const utf8 = new TextDecoder('utf-8');

export function decodeText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** Bytes needed to store values up to `n` (HDF5's H5VM_limit_enc_size). */
export function limitEncSize(n: number): number {
  return Math.floor(Math.floor(Math.log2(Math.max(1, n))) / 8) + 1;
}

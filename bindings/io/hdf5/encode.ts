/**
 * Byte-level encoders for the HDF5 writer (writer.ts): a growable little-endian buffer and the
 * object-header messages upconv writes, byte for byte as libhdf5 1.10 writes them for h5py's
 * default file (superblock v0, version-1 object headers): dataspace v1, datatype v1 (IEEE
 * floats, integers, fixed and variable-length strings), fill value v2, layout v3 (contiguous),
 * symbol table, attribute v1. Format reference: "HDF5 File Format Specification Version 3.0".
 */

/** Little-endian writer into a buffer of known size (8-byte offsets and lengths). */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  pos = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  u8(v: number): this {
    this.view.setUint8(this.pos, v);
    this.pos += 1;
    return this;
  }

  u16(v: number): this {
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    this.view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
    return this;
  }

  /** A 64-bit offset or length; -1 writes the undefined address (all ones). */
  u64(v: number): this {
    if (v === UNDEFINED_ADDRESS) {
      this.view.setUint32(this.pos, 0xffffffff, true);
      this.view.setUint32(this.pos + 4, 0xffffffff, true);
    } else {
      this.view.setUint32(this.pos, v % 2 ** 32, true);
      this.view.setUint32(this.pos + 4, Math.floor(v / 2 ** 32), true);
    }
    this.pos += 8;
    return this;
  }

  raw(b: Uint8Array): this {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  ascii(s: string): this {
    for (let i = 0; i < s.length; i++) this.bytes[this.pos + i] = s.charCodeAt(i);
    this.pos += s.length;
    return this;
  }

  skip(n: number): this {
    this.pos += n;
    return this;
  }

  at(pos: number): this {
    this.pos = pos;
    return this;
  }
}

export const UNDEFINED_ADDRESS = -1;

export const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Message type numbers (spec IV.A.2). */
export const MSG = { nil: 0x00, dataspace: 0x01, datatype: 0x03, fill: 0x05, layout: 0x08, attribute: 0x0c, symbolTable: 0x11 } as const;

/** An encoded message: its type, flags and body (padded to 8 bytes when placed). */
export interface Message {
  type: number;
  flags: number;
  body: Uint8Array;
}

/** Element types the writer knows. */
export type ElementType =
  | { kind: 'float'; size: 4 | 8 }
  | { kind: 'int'; size: 8; signed: true }
  | { kind: 'vlen-string'; charset: 'ascii' | 'utf8' }
  | { kind: 'fixed-string'; size: number; charset: 'ascii' | 'utf8' };

/** Bytes one element takes in an attribute or dataset (a vlen string: length + global heap ID). */
export function elementSize(t: ElementType): number {
  switch (t.kind) {
    case 'float': return t.size;
    case 'int': return t.size;
    case 'vlen-string': return 16;
    case 'fixed-string': return t.size;
  }
}

const bytesOf = (parts: (w: ByteWriter) => void, size: number): Uint8Array => {
  const w = new ByteWriter(size);
  parts(w);
  if (w.pos !== size) throw new Error(`HDF5 writer: encoded ${w.pos} bytes, expected ${size}`);
  return w.bytes;
};

/** Datatype message body (version 1). */
export function datatype(t: ElementType): Uint8Array {
  const cset = (c: 'ascii' | 'utf8') => (c === 'utf8' ? 1 : 0);
  switch (t.kind) {
    case 'float':
      // class 1, little-endian, implied-1 mantissa normalization, sign at the top bit
      return bytesOf((w) => {
        w.u8(0x11).u8(0x20).u8(t.size * 8 - 1).u8(0).u32(t.size).u16(0).u16(t.size * 8);
        if (t.size === 4) w.u8(23).u8(8).u8(0).u8(23).u32(127);
        else w.u8(52).u8(11).u8(0).u8(52).u32(1023);
      }, 20);
    case 'int':
      return bytesOf((w) => w.u8(0x10).u8(0x08).u8(0).u8(0).u32(8).u16(0).u16(64), 12);
    case 'fixed-string':
      // class 3, null-padded (as numpy's 'S' arrays are stored by h5py)
      return bytesOf((w) => w.u8(0x13).u8(0x01).u8(cset(t.charset)).u8(0).u32(t.size), 8);
    case 'vlen-string':
      // class 9, type string, null-terminated; base type: 8-bit unsigned integer (as libhdf5)
      return bytesOf((w) => w.u8(0x19).u8(0x01).u8(cset(t.charset)).u8(0).u32(16)
        .u8(0x10).u8(0).u8(0).u8(0).u32(1).u16(0).u16(8), 20);
  }
}

/** Dataspace message body (version 1): rank 0 is a scalar; simple spaces carry max dims = dims. */
export function dataspace(shape: readonly number[]): Uint8Array {
  const rank = shape.length;
  return bytesOf((w) => {
    w.u8(1).u8(rank).u8(rank > 0 ? 1 : 0).u8(0).u32(0);
    for (const d of shape) w.u64(d);
    for (const d of shape) w.u64(d);
  }, 8 + 16 * rank);
}

/** Fill value message (version 2) as libhdf5 writes it for h5py datasets: late allocation, fill if set, default value. */
export function fillValue(): Uint8Array {
  return Uint8Array.of(2, 2, 2, 1, 0, 0, 0, 0);
}

/** Data layout message (version 3), contiguous storage. */
export function contiguousLayout(address: number, size: number): Uint8Array {
  return bytesOf((w) => w.u8(3).u8(1).u64(address).u64(size), 18);
}

/** Symbol table message: the group's v1 B-tree and local heap. */
export function symbolTable(btree: number, heap: number): Uint8Array {
  return bytesOf((w) => w.u64(btree).u64(heap), 16);
}

/** Attribute message body (version 1): name, datatype, dataspace (each padded to 8), then the data. */
export function attribute(name: Uint8Array, t: ElementType, shape: readonly number[], data: Uint8Array): Uint8Array {
  const dt = datatype(t);
  const ds = dataspace(shape);
  const nameSize = name.length + 1;
  const size = 8 + align8(nameSize) + align8(dt.length) + align8(ds.length) + data.length;
  return bytesOf((w) => {
    w.u8(1).u8(0).u16(nameSize).u16(dt.length).u16(ds.length);
    const start = w.pos;
    w.raw(name).at(start + align8(nameSize));
    w.raw(dt).at(start + align8(nameSize) + align8(dt.length));
    w.raw(ds).at(start + align8(nameSize) + align8(dt.length) + align8(ds.length));
    w.raw(data);
  }, size);
}

/** Bytes a version-1 object header takes with these messages (16-byte prefix, 8-byte message headers). */
export function headerSize(messages: readonly Message[]): number {
  return 16 + messages.reduce((n, m) => n + 8 + align8(m.body.length), 0);
}

/** Writes a version-1 object header at the writer's position. */
export function writeHeader(w: ByteWriter, messages: readonly Message[]): void {
  const chunk = headerSize(messages) - 16;
  w.u8(1).u8(0).u16(messages.length).u32(1).u32(chunk).u32(0);
  for (const m of messages) {
    const size = align8(m.body.length);
    w.u16(m.type).u16(size).u8(m.flags).u8(0).u8(0).u8(0);
    const start = w.pos;
    w.raw(m.body).at(start + size);
  }
}

/** Datatype and dataspace messages, and turning stored numbers into JS numbers. */
import { halfToFloat } from '../half.js';
import { Bytes, decodeText } from './bytes.js';
import type { Ctx } from './context.js';

export interface Datatype {
  /** 0 integer, 1 float, 3 string, 9 variable-length, others unsupported. */
  cls: number;
  size: number;
  bigEndian: boolean;
  signed: boolean;
  /** Floats: 'f16' | 'bf16' | 'f32' | 'f64', or null for a layout we do not decode. */
  float: 'f16' | 'bf16' | 'f32' | 'f64' | null;
  /** Variable-length: 1 = string, 0 = sequence. */
  vlenType: number;
  /** String padding: 0 null-terminated, 1 null-padded, 2 space-padded. */
  pad: number;
}

export interface Dataspace {
  shape: number[];
  /** HDF5 "null" dataspace: no elements at all. */
  empty: boolean;
}

export function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function parseDatatype(b: Bytes, pos: number): Datatype {
  const cv = b.u8(pos);
  const cls = cv & 0x0f;
  const bf0 = b.u8(pos + 1);
  const size = b.u32(pos + 4);
  const t: Datatype = { cls, size, bigEndian: false, signed: false, float: null, vlenType: -1, pad: 0 };
  if (cls === 0) {
    t.bigEndian = (bf0 & 1) === 1;
    t.signed = (bf0 & 0x08) !== 0;
  } else if (cls === 1) {
    t.bigEndian = (bf0 & 1) === 1;
    const vax = (bf0 & 0x40) !== 0;
    const bitOffset = b.u16(pos + 8);
    const expSize = b.u8(pos + 13);
    const mantSize = b.u8(pos + 15);
    if (!vax && bitOffset === 0) {
      if (size === 4 && expSize === 8 && mantSize === 23) t.float = 'f32';
      else if (size === 8 && expSize === 11 && mantSize === 52) t.float = 'f64';
      else if (size === 2 && expSize === 5 && mantSize === 10) t.float = 'f16';
      else if (size === 2 && expSize === 8 && mantSize === 7) t.float = 'bf16';
    }
  } else if (cls === 3) {
    t.pad = bf0 & 0x0f;
  } else if (cls === 9) {
    t.vlenType = bf0 & 0x0f;
    t.pad = (bf0 >> 4) & 0x0f;
  }
  return t;
}

export function parseDataspace(ctx: Ctx, pos: number): Dataspace {
  const b = ctx.b;
  const version = b.u8(pos);
  const rank = b.u8(pos + 1);
  if (rank > 32) throw ctx.corrupt(`a dataspace has rank ${rank}`);
  let p: number;
  let empty = false;
  if (version === 1) p = pos + 8;
  else if (version === 2) {
    p = pos + 4;
    empty = b.u8(pos + 3) === 2;
  } else throw ctx.corrupt(`unsupported dataspace version ${version}`);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(ctx.len(p + i * ctx.L, 'a dataspace dimension'));
  return { shape, empty };
}

export function trimString(bytes: Uint8Array, pad: number): string {
  let end = bytes.length;
  if (pad === 0) {
    const z = bytes.indexOf(0);
    if (z >= 0) end = z;
  } else {
    while (end > 0 && (bytes[end - 1] === 0 || (pad === 2 && bytes[end - 1] === 0x20))) end--;
  }
  return decodeText(bytes.subarray(0, end));
}

export function readNumbers(b: Bytes, pos: number, t: Datatype, count: number): number[] {
  b.need(pos, count * t.size, 'numbers');
  return Array.from(readNumbersF64(b.buf.subarray(pos, pos + count * t.size), t, count));
}

function readNumbersF64(raw: Uint8Array, t: Datatype, count: number): Float64Array {
  const out = new Float64Array(count);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = !t.bigEndian;
  for (let i = 0; i < count; i++) out[i] = readOne(v, i * t.size, t, le);
  return out;
}

function readOne(v: DataView, p: number, t: Datatype, le: boolean): number {
  if (t.cls === 1) {
    switch (t.float) {
      case 'f32': return v.getFloat32(p, le);
      case 'f64': return v.getFloat64(p, le);
      case 'f16': return halfToFloat(v.getUint16(p, le));
      case 'bf16': {
        const tmp = new DataView(new ArrayBuffer(4));
        tmp.setUint32(0, v.getUint16(p, le) << 16, true);
        return tmp.getFloat32(0, true);
      }
      default: return NaN;
    }
  }
  switch (t.size) {
    case 1: return t.signed ? v.getInt8(p) : v.getUint8(p);
    case 2: return t.signed ? v.getInt16(p, le) : v.getUint16(p, le);
    case 4: return t.signed ? v.getInt32(p, le) : v.getUint32(p, le);
    case 8: return Number(t.signed ? v.getBigInt64(p, le) : v.getBigUint64(p, le));
    default: return NaN; // an integer size we do not decode
  }
}

/** Raw dataset bytes → Float32Array (a straight copy for little-endian float32). */
export function readNumbersF32(raw: Uint8Array, t: Datatype, count: number): Float32Array {
  if (t.cls === 1 && t.float === 'f32' && !t.bigEndian) {
    const copy = raw.slice(0, count * 4); // aligned copy
    return new Float32Array(copy.buffer, copy.byteOffset, count);
  }
  return Float32Array.from(readNumbersF64(raw, t, count));
}

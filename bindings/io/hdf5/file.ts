/**
 * A minimal read-only HDF5 reader: what Keras, h5py and HDF5 1.8–1.14 write for model and weight
 * files, and nothing else. Superblock v0–v3; object headers v1 and v2 (with continuations);
 * groups as symbol tables (v1 B-tree + local heap) or link messages (compact, or dense in a
 * fractal heap indexed by a v2 B-tree); attributes (compact or dense) with fixed-length and
 * variable-length strings (global heap), integers and floats; datasets contiguous, compact or
 * chunked (v1 B-tree, single chunk, implicit, fixed array) with deflate, shuffle and fletcher32.
 *
 * Format reference: "HDF5 File Format Specification Version 3.0" (hdfgroup.org). Every offset is
 * bounds-checked (bytes.ts), every loop is bounded by sizes read from the file and by a work
 * budget, and structures that may be shared are visited once, so damaged files fail fast with
 * CorruptFileError instead of hanging or allocating without limit.
 */
import { unzlibSync } from 'fflate';
import { Budget, Bytes, decodeText, limitEncSize, UNDEF } from './bytes.js';
import { halfToFloat } from '../half.js';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Where the HDF5 signature is (0, 512, 1024, …), or -1. */
export function findSuperblock(buf: Uint8Array): number {
  for (let pos = 0; pos + 8 <= buf.length; pos = pos === 0 ? 512 : pos * 2) {
    if (SIGNATURE.every((b, i) => buf[pos + i] === b)) return pos;
  }
  return -1;
}

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

interface Message {
  type: number;
  flags: number;
  pos: number;
  size: number;
}

interface Link {
  name: string;
  address: number;
}

interface AttrRaw {
  name: string;
  dtype: Datatype;
  space: Dataspace;
  pos: number;
  size: number;
}

/** Numbers and strings as an attribute holds them (arrays for 1-D and higher, a value for scalars). */
export type AttrValue = string | number | (string | number)[] | undefined;

export interface ReaderLimits {
  /** Most metadata items (messages, B-tree nodes, heap objects) read before giving up. */
  maxMetadataItems?: number;
}

const MSG = {
  dataspace: 0x01,
  linkInfo: 0x02,
  datatype: 0x03,
  link: 0x06,
  layout: 0x08,
  filters: 0x0b,
  attribute: 0x0c,
  continuation: 0x10,
  symbolTable: 0x11,
  attributeInfo: 0x15,
} as const;

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A parsed object header: its messages, in order. */
export class H5Object {
  constructor(readonly file: H5File, readonly address: number, readonly messages: Message[]) {}

  find(type: number): Message | undefined {
    return this.messages.find((m) => m.type === type);
  }

  get isGroup(): boolean {
    return !!(this.find(MSG.symbolTable) || this.find(MSG.linkInfo) || this.find(MSG.link));
  }

  get isDataset(): boolean {
    return !!this.find(MSG.layout);
  }
}

/** One HDF5 file held in memory. */
export class H5File {
  readonly bytes: Bytes;
  readonly name: string;
  private readonly budget: Budget;
  private offsetSize = 8;
  private lengthSize = 8;
  private base = 0;
  private rootAddress = UNDEF;
  private readonly objects = new Map<number, H5Object>();
  private readonly linkCache = new Map<number, Map<string, number>>();
  private readonly globalHeaps = new Map<number, Map<number, { pos: number; size: number }>>();
  private readonly attrCache = new Map<number, AttrRaw[]>();

  constructor(buf: Uint8Array, name: string, limits: ReaderLimits = {}) {
    this.name = name;
    this.bytes = new Bytes(buf, name);
    this.budget = new Budget(name, limits.maxMetadataItems ?? 2_000_000);
    this.readSuperblock();
  }

  private get b(): Bytes {
    return this.bytes;
  }

  private corrupt(msg: string): Error {
    return this.b.corrupt(msg);
  }

  // ---- superblock -------------------------------------------------------------------------

  private readSuperblock(): void {
    const b = this.b;
    const sb = findSuperblock(b.buf);
    if (sb < 0) throw this.corrupt('no HDF5 signature found');
    const version = b.u8(sb + 8);
    let pos: number;
    let eof: number;
    if (version === 0 || version === 1) {
      this.offsetSize = b.u8(sb + 13);
      this.lengthSize = b.u8(sb + 14);
      this.checkSizes();
      pos = sb + (version === 0 ? 24 : 28);
      const O = this.offsetSize;
      const storedBase = b.uint(pos, O, 'the base address');
      eof = b.addr(pos + 2 * O, O, 'the end-of-file address');
      // root group symbol table entry: link name offset, object header address, …
      this.base = storedBase !== 0 ? storedBase : sb;
      this.rootAddress = b.addr(pos + 4 * O + O, O, 'the root group address');
    } else if (version === 2 || version === 3) {
      this.offsetSize = b.u8(sb + 9);
      this.lengthSize = b.u8(sb + 10);
      this.checkSizes();
      pos = sb + 12;
      const O = this.offsetSize;
      const storedBase = b.uint(pos, O, 'the base address');
      eof = b.addr(pos + 2 * O, O, 'the end-of-file address');
      this.base = storedBase !== 0 ? storedBase : sb;
      this.rootAddress = b.addr(pos + 3 * O, O, 'the root group address');
    } else {
      throw this.corrupt(`unsupported HDF5 superblock version ${version}`);
    }
    // (libhdf5 writes the end-of-file address as an absolute offset, even with a userblock)
    if (eof !== UNDEF && eof > b.length) {
      throw this.corrupt(`the file is truncated: its superblock says ${eof} bytes, but only ${b.length} are there`);
    }
    if (this.rootAddress === UNDEF) throw this.corrupt('the superblock has no root group');
  }

  private checkSizes(): void {
    if (![2, 4, 8].includes(this.offsetSize) || ![2, 4, 8].includes(this.lengthSize)) {
      throw this.corrupt(`unsupported HDF5 offset/length sizes ${this.offsetSize}/${this.lengthSize}`);
    }
  }

  /** File position of an address (addresses are relative to the base address). */
  private at(addr: number, what: string): number {
    if (addr === UNDEF) throw this.corrupt(`${what} has an undefined address`);
    const pos = this.base + addr;
    this.b.need(pos, 1, what);
    return pos;
  }

  private addr(pos: number, what: string): number {
    return this.b.addr(pos, this.offsetSize, what);
  }

  private len(pos: number, what: string): number {
    return this.b.uint(pos, this.lengthSize, what);
  }

  // ---- object headers ---------------------------------------------------------------------

  get root(): H5Object {
    return this.object(this.rootAddress);
  }

  object(address: number): H5Object {
    const cached = this.objects.get(address);
    if (cached) return cached;
    const obj = new H5Object(this, address, this.readHeader(address));
    this.objects.set(address, obj);
    return obj;
  }

  private readHeader(address: number): Message[] {
    const b = this.b;
    const pos = this.at(address, 'an object header');
    const messages: Message[] = [];
    const seen = new Set<number>();
    if (b.u8(pos) === 1) {
      // version 1: version, reserved, #messages (2), refcount (4), header size (4), pad to 8
      const count = b.u16(pos + 2);
      const size = b.u32(pos + 8);
      const blocks: [number, number][] = [[pos + 16, size]];
      while (blocks.length && messages.length < count) {
        const [start, length] = blocks.shift()!;
        if (seen.has(start)) throw this.corrupt(`object header at ${address} continues into itself`);
        seen.add(start);
        b.need(start, length, 'an object header block');
        let p = start;
        while (p + 8 <= start + length && messages.length < count) {
          this.budget.spend();
          const type = b.u16(p);
          const msize = b.u16(p + 2);
          const flags = b.u8(p + 4);
          const data = p + 8;
          if (data + msize > start + length) throw this.corrupt(`object header message at ${p} overruns its block`);
          messages.push({ type, flags, pos: data, size: msize });
          if (type === MSG.continuation) blocks.push(this.continuation(data));
          p = data + msize;
        }
      }
      return messages.filter((m) => m.type !== MSG.continuation);
    }
    b.signature(pos, 'OHDR', 'an object header');
    if (b.u8(pos + 4) !== 2) throw this.corrupt(`unsupported object header version ${b.u8(pos + 4)} at ${address}`);
    const flags = b.u8(pos + 5);
    let p = pos + 6;
    if (flags & 0x20) p += 16;
    if (flags & 0x10) p += 4;
    const sizeBytes = 1 << (flags & 3);
    const chunk0 = b.uint(p, sizeBytes, 'an object header size');
    p += sizeBytes;
    const withOrder = (flags & 0x04) !== 0;
    const blocks: [number, number][] = [[p, chunk0]];
    let first = true;
    while (blocks.length) {
      const [start, length] = blocks.shift()!;
      if (seen.has(start)) throw this.corrupt(`object header at ${address} continues into itself`);
      seen.add(start);
      let q = start;
      let end = start + length;
      if (!first) {
        b.signature(start, 'OCHK', 'an object header continuation block');
        q += 4;
        end -= 4; // checksum
      }
      first = false;
      b.need(start, length + (start === p ? 4 : 0), 'an object header block');
      const headerSize = 4 + (withOrder ? 2 : 0);
      while (q + headerSize <= end) {
        this.budget.spend();
        const type = b.u8(q);
        const msize = b.u16(q + 1);
        const mflags = b.u8(q + 3);
        const data = q + headerSize;
        if (data + msize > end) throw this.corrupt(`object header message at ${q} overruns its block`);
        messages.push({ type, flags: mflags, pos: data, size: msize });
        if (type === MSG.continuation) blocks.push(this.continuation(data));
        q = data + msize;
      }
    }
    return messages.filter((m) => m.type !== MSG.continuation);
  }

  private continuation(pos: number): [number, number] {
    const addr = this.addr(pos, 'a continuation address');
    const length = this.len(pos + this.offsetSize, 'a continuation length');
    const start = this.at(addr, 'an object header continuation');
    this.b.need(start, length, 'an object header continuation');
    return [start, length];
  }

  // ---- groups ------------------------------------------------------------------------------

  /** Child name → object address, for a group. */
  links(group: H5Object): Map<string, number> {
    const cached = this.linkCache.get(group.address);
    if (cached) return cached;
    const out = new Map<string, number>();
    const st = group.find(MSG.symbolTable);
    if (st) {
      const btree = this.addr(st.pos, 'a symbol table B-tree address');
      const heap = this.addr(st.pos + this.offsetSize, 'a symbol table heap address');
      this.readSymbolTable(btree, heap, out);
    } else {
      for (const m of group.messages) {
        if (m.type === MSG.link) {
          const link = this.parseLink(m.pos, m.size);
          if (link) out.set(link.name, link.address);
        }
      }
      const info = group.find(MSG.linkInfo);
      if (info) {
        const flags = this.b.u8(info.pos + 1);
        let p = info.pos + 2 + (flags & 1 ? 8 : 0);
        const heap = this.addr(p, 'a link heap address');
        p += this.offsetSize;
        const index = this.addr(p, 'a link index address');
        if (heap !== UNDEF && index !== UNDEF) {
          const fh = this.fractalHeap(heap);
          for (const rec of this.btree2Records(index, 5)) {
            const obj = fh.object(this.b.slice(rec + 4, fh.idLength, 'a link heap ID'));
            const link = this.parseLink(obj.pos, obj.size);
            if (link) out.set(link.name, link.address);
          }
        }
      }
    }
    this.linkCache.set(group.address, out);
    return out;
  }

  private readSymbolTable(btreeAddr: number, heapAddr: number, out: Map<string, number>): void {
    const b = this.b;
    const hp = this.at(heapAddr, 'a local heap');
    b.signature(hp, 'HEAP', 'a local heap');
    const dataSize = this.len(hp + 8, 'a local heap size');
    const dataAddr = this.addr(hp + 8 + 2 * this.lengthSize, 'a local heap data address');
    const heapStart = this.at(dataAddr, 'a local heap data segment');
    b.need(heapStart, dataSize, 'a local heap data segment');
    const nameAt = (offset: number): string => {
      if (offset >= dataSize) throw this.corrupt(`a link name offset ${offset} lies outside its local heap`);
      let end = heapStart + offset;
      const limit = heapStart + dataSize;
      while (end < limit && b.buf[end] !== 0) end++;
      return decodeText(b.buf.subarray(heapStart + offset, end));
    };
    const visited = new Set<number>();
    const walk = (addr: number, level: number | null, depth: number): void => {
      if (depth > 64) throw this.corrupt('a group B-tree is too deep');
      if (visited.has(addr)) throw this.corrupt('a group B-tree refers back to itself');
      visited.add(addr);
      this.budget.spend();
      const p = this.at(addr, 'a group B-tree node');
      b.signature(p, 'TREE', 'a group B-tree node');
      if (b.u8(p + 4) !== 0) throw this.corrupt('a group B-tree node has the wrong node type');
      const nodeLevel = b.u8(p + 5);
      if (level !== null && nodeLevel !== level) throw this.corrupt('a group B-tree node has the wrong level');
      const entries = b.u16(p + 6);
      const O = this.offsetSize;
      const L = this.lengthSize;
      let q = p + 8 + 2 * O;
      b.need(q, entries * (L + O) + L, 'a group B-tree node');
      for (let i = 0; i < entries; i++) {
        const child = this.addr(q + L, 'a group B-tree child');
        q += L + O;
        if (nodeLevel > 0) walk(child, nodeLevel - 1, depth + 1);
        else this.readSymbolNode(child, nameAt, out);
      }
    };
    walk(btreeAddr, null, 0);
  }

  private readSymbolNode(addr: number, nameAt: (o: number) => string, out: Map<string, number>): void {
    const b = this.b;
    const p = this.at(addr, 'a symbol table node');
    b.signature(p, 'SNOD', 'a symbol table node');
    const count = b.u16(p + 6);
    const O = this.offsetSize;
    const entrySize = 2 * O + 24;
    b.need(p + 8, count * entrySize, 'a symbol table node');
    for (let i = 0; i < count; i++) {
      this.budget.spend();
      const e = p + 8 + i * entrySize;
      const nameOffset = b.uint(e, O, 'a link name offset');
      const objAddr = this.addr(e + O, 'an object address');
      out.set(nameAt(nameOffset), objAddr);
    }
  }

  private parseLink(pos: number, size: number): Link | null {
    const b = this.b;
    b.need(pos, size, 'a link message');
    const end = pos + size;
    if (b.u8(pos) !== 1) throw this.corrupt(`unsupported link message version ${b.u8(pos)}`);
    const flags = b.u8(pos + 1);
    let p = pos + 2;
    let type = 0;
    if (flags & 0x08) type = b.u8(p++);
    if (flags & 0x04) p += 8;
    if (flags & 0x10) p++;
    const lenSize = 1 << (flags & 3);
    const nameLength = b.uint(p, lenSize, 'a link name length');
    p += lenSize;
    if (p + nameLength > end) throw this.corrupt('a link name overruns its message');
    const name = decodeText(b.slice(p, nameLength, 'a link name'));
    p += nameLength;
    if (type !== 0) return null; // soft and external links are not followed
    return { name, address: this.addr(p, 'a link address') };
  }

  /** The object at a '/'-separated path below `from` (default: the root), or null. */
  get(path: string, from: H5Object = this.root): H5Object | null {
    let obj = from;
    for (const part of path.split('/').filter((s) => s.length > 0)) {
      if (!obj.isGroup) return null;
      const addr = this.links(obj).get(part);
      if (addr === undefined || addr === UNDEF) return null;
      obj = this.object(addr);
    }
    return obj;
  }

  // ---- attributes ---------------------------------------------------------------------------

  private rawAttributes(obj: H5Object): AttrRaw[] {
    const cached = this.attrCache.get(obj.address);
    if (cached) return cached;
    const out: AttrRaw[] = [];
    this.attrCache.set(obj.address, out);
    for (const m of obj.messages) {
      if (m.type === MSG.attribute) {
        const a = this.parseAttribute(m.pos, m.size);
        if (a) out.push(a);
      }
    }
    const info = obj.find(MSG.attributeInfo);
    if (info) {
      const flags = this.b.u8(info.pos + 1);
      let p = info.pos + 2 + (flags & 1 ? 2 : 0);
      const heap = this.addr(p, 'an attribute heap address');
      p += this.offsetSize;
      const index = this.addr(p, 'an attribute index address');
      if (heap !== UNDEF && index !== UNDEF) {
        const fh = this.fractalHeap(heap);
        for (const rec of this.btree2Records(index, 8)) {
          const o = fh.object(this.b.slice(rec, 8, 'an attribute heap ID'));
          const a = this.parseAttribute(o.pos, o.size);
          if (a) out.push(a);
        }
      }
    }
    return out;
  }

  private parseAttribute(pos: number, size: number): AttrRaw | null {
    const b = this.b;
    b.need(pos, size, 'an attribute message');
    const end = pos + size;
    const version = b.u8(pos);
    const flags = b.u8(pos + 1);
    const nameSize = b.u16(pos + 2);
    const dtSize = b.u16(pos + 4);
    const dsSize = b.u16(pos + 6);
    let p: number;
    const pad8 = (n: number) => (version === 1 ? Math.ceil(n / 8) * 8 : n);
    if (version === 1) p = pos + 8;
    else if (version === 2) p = pos + 8;
    else if (version === 3) p = pos + 9;
    else throw this.corrupt(`unsupported attribute message version ${version}`);
    if (version > 1 && flags & 0x03) return null; // shared datatype or dataspace: not used by Keras
    const namePos = p;
    p += pad8(nameSize);
    const dtPos = p;
    p += pad8(dtSize);
    const dsPos = p;
    p += pad8(dsSize);
    if (p > end) throw this.corrupt('an attribute message overruns its size');
    let nameEnd = namePos;
    while (nameEnd < namePos + nameSize && b.buf[nameEnd] !== 0) nameEnd++;
    const name = decodeText(b.buf.subarray(namePos, nameEnd));
    const dtype = this.parseDatatype(dtPos);
    const space = this.parseDataspace(dsPos);
    return { name, dtype, space, pos: p, size: end - p };
  }

  /** Attribute names of an object. */
  attributeNames(obj: H5Object): string[] {
    return this.rawAttributes(obj).map((a) => a.name);
  }

  /** One attribute's value (strings decoded, numbers as numbers), or undefined when absent or of a type we skip. */
  attr(obj: H5Object, name: string): AttrValue {
    const a = this.rawAttributes(obj).find((x) => x.name === name);
    return a ? this.decodeAttribute(a) : undefined;
  }

  private decodeAttribute(a: AttrRaw): AttrValue {
    const count = a.space.empty ? 0 : product(a.space.shape);
    const t = a.dtype;
    const elem = t.cls === 9 ? 4 + this.offsetSize + 4 : t.size;
    if (!Number.isSafeInteger(count) || count * elem > a.size) {
      throw this.corrupt(`attribute '${a.name}' claims ${count} values but holds only ${a.size} bytes`);
    }
    const values: (string | number)[] = [];
    const b = this.b;
    for (let i = 0; i < count; i++) {
      const p = a.pos + i * elem;
      if (t.cls === 3) {
        values.push(trimString(b.buf.subarray(p, p + t.size), t.pad));
      } else if (t.cls === 9 && t.vlenType === 1) {
        const length = b.u32(p);
        const heapAddr = this.addr(p + 4, 'a global heap address');
        const index = b.u32(p + 4 + this.offsetSize);
        if (length === 0 || heapAddr === UNDEF) {
          values.push('');
          continue;
        }
        const obj = this.globalHeapObject(heapAddr, index);
        if (length > obj.size) throw this.corrupt(`a string in attribute '${a.name}' is longer than its heap object`);
        values.push(decodeText(b.buf.subarray(obj.pos, obj.pos + length)));
      } else if (t.cls === 0 || t.cls === 1) {
        const v = readNumbers(b, p, t, 1)[0];
        if (v === undefined) return undefined;
        values.push(v);
      } else {
        return undefined;
      }
    }
    return a.space.shape.length === 0 && !a.space.empty ? values[0] : values;
  }

  private globalHeapObject(addr: number, index: number): { pos: number; size: number } {
    let heap = this.globalHeaps.get(addr);
    if (!heap) {
      heap = new Map();
      const b = this.b;
      const p = this.at(addr, 'a global heap');
      b.signature(p, 'GCOL', 'a global heap');
      const size = this.len(p + 8, 'a global heap size');
      b.need(p, size, 'a global heap collection');
      const end = p + size;
      let q = p + 8 + this.lengthSize;
      while (q + 8 + this.lengthSize <= end) {
        this.budget.spend();
        const idx = b.u16(q);
        if (idx === 0) break; // free space runs to the end
        const osize = this.len(q + 8, 'a global heap object size');
        const data = q + 8 + this.lengthSize;
        if (data + osize > end) throw this.corrupt('a global heap object overruns its collection');
        heap.set(idx, { pos: data, size: osize });
        q = data + Math.ceil(osize / 8) * 8;
      }
      this.globalHeaps.set(addr, heap);
    }
    const obj = heap.get(index);
    if (!obj) throw this.corrupt(`global heap object ${index} at ${addr} does not exist`);
    return obj;
  }

  // ---- datatypes and dataspaces ---------------------------------------------------------------

  private parseDatatype(pos: number): Datatype {
    const b = this.b;
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

  private parseDataspace(pos: number): Dataspace {
    const b = this.b;
    const version = b.u8(pos);
    const rank = b.u8(pos + 1);
    if (rank > 32) throw this.corrupt(`a dataspace has rank ${rank}`);
    let p: number;
    let empty = false;
    if (version === 1) p = pos + 8;
    else if (version === 2) {
      p = pos + 4;
      empty = b.u8(pos + 3) === 2;
    } else throw this.corrupt(`unsupported dataspace version ${version}`);
    const shape: number[] = [];
    for (let i = 0; i < rank; i++) shape.push(this.len(p + i * this.lengthSize, 'a dataspace dimension'));
    return { shape, empty };
  }

  // ---- datasets ----------------------------------------------------------------------------

  /** Shape and type of a dataset, without reading its data. */
  datasetInfo(obj: H5Object): { shape: number[]; dtype: Datatype } {
    const ds = obj.find(MSG.dataspace);
    const dt = obj.find(MSG.datatype);
    if (!ds || !dt || !obj.isDataset) throw this.corrupt(`object at ${obj.address} is not a dataset`);
    if (dt.flags & 0x02) throw this.corrupt('shared (committed) datatypes are not supported');
    const space = this.parseDataspace(ds.pos);
    return { shape: space.empty ? [0] : space.shape, dtype: this.parseDatatype(dt.pos) };
  }

  /**
   * A numeric dataset as float32 (f16, bf16, f32, f64 and integers are converted). The caller
   * has checked the element count against its memory limit.
   */
  readFloat32(obj: H5Object, what: string): Float32Array {
    const { shape, dtype } = this.datasetInfo(obj);
    if (!(dtype.cls === 1 && dtype.float) && !(dtype.cls === 0 && [1, 2, 4, 8].includes(dtype.size))) {
      throw this.corrupt(`${what}: dataset of HDF5 type class ${dtype.cls} (size ${dtype.size}) is not a number type upconv reads`);
    }
    const count = product(shape);
    const raw = this.readRaw(obj, shape, dtype.size, what);
    return readNumbersF32(raw, dtype, count);
  }

  private readRaw(obj: H5Object, shape: number[], elem: number, what: string): Uint8Array {
    const b = this.b;
    const count = product(shape);
    const nbytes = count * elem;
    const lm = obj.find(MSG.layout);
    if (!lm) throw this.corrupt(`${what}: no data layout`);
    const version = b.u8(lm.pos);
    if (version < 1 || version > 4) throw this.corrupt(`${what}: unsupported data layout version ${version}`);
    if (version <= 2) {
      const rank = b.u8(lm.pos + 1);
      const cls = b.u8(lm.pos + 2);
      let p = lm.pos + 8;
      if (cls === 0) {
        p += rank * 4;
        const size = b.u32(p);
        if (size < nbytes) throw this.corrupt(`${what}: compact data is shorter than its shape`);
        return b.slice(p + 4, nbytes, `${what} data`);
      }
      const address = this.addr(p, 'a data address');
      p += this.offsetSize;
      if (cls === 1) return this.contiguous(address, nbytes, what);
      const dims: number[] = [];
      for (let i = 0; i < rank - 1; i++) dims.push(b.u32(p + 4 * i));
      return this.chunkedBtree(address, shape, dims, elem, this.filters(obj), what);
    }
    const cls = b.u8(lm.pos + 1);
    if (cls === 0) {
      const size = b.u16(lm.pos + 2);
      if (size < nbytes) throw this.corrupt(`${what}: compact data is shorter than its shape`);
      return b.slice(lm.pos + 4, nbytes, `${what} data`);
    }
    if (cls === 1) {
      const address = this.addr(lm.pos + 2, 'a data address');
      return this.contiguous(address, nbytes, what);
    }
    if (cls !== 2) throw this.corrupt(`${what}: unsupported data layout class ${cls}`);
    const filters = this.filters(obj);
    if (version === 3) {
      const rank = b.u8(lm.pos + 2);
      const address = this.addr(lm.pos + 3, 'a chunk index address');
      const p = lm.pos + 3 + this.offsetSize;
      const dims: number[] = [];
      for (let i = 0; i < rank - 1; i++) dims.push(b.u32(p + 4 * i));
      return this.chunkedBtree(address, shape, dims, elem, filters, what);
    }
    // version 4
    const flags = b.u8(lm.pos + 2);
    const rank = b.u8(lm.pos + 3);
    const enc = b.u8(lm.pos + 4);
    let p = lm.pos + 5;
    const dims: number[] = [];
    for (let i = 0; i < rank; i++) dims.push(b.uint(p + i * enc, enc, 'a chunk dimension'));
    dims.pop(); // the last "dimension" is the element size
    p += rank * enc;
    const indexType = b.u8(p++);
    if (indexType === 1) {
      let filteredSize = -1;
      let mask = 0;
      if (flags & 0x02) {
        filteredSize = this.len(p, 'a filtered chunk size');
        mask = b.u32(p + this.lengthSize);
        p += this.lengthSize + 4;
      }
      const address = this.addr(p, 'a chunk address');
      const out = new Uint8Array(nbytes);
      const chunkBytes = product(dims) * elem;
      const data = filteredSize >= 0 ? this.chunkData(address, filteredSize, what) : this.chunkData(address, chunkBytes, what);
      this.placeChunk(out, this.unfilter(data, filters, mask, chunkBytes, elem, what), new Array(dims.length).fill(0), dims, shape, elem, what);
      return out;
    }
    if (indexType === 2) {
      const address = this.addr(p, 'a chunk address');
      return this.chunkedList(shape, dims, elem, what, (i, chunkBytes) => ({
        data: this.chunkData(address === UNDEF ? UNDEF : address + i * chunkBytes, chunkBytes, what), mask: 0, raw: true,
      }), filters);
    }
    if (indexType === 3) {
      p += 1; // page bits
      const address = this.addr(p, 'a chunk index address');
      return this.chunkedFixedArray(address, shape, dims, elem, filters, what);
    }
    throw this.corrupt(`${what}: chunk index type ${indexType} (extensible array / v2 B-tree) is not supported`);
  }

  private contiguous(address: number, nbytes: number, what: string): Uint8Array {
    if (address === UNDEF) {
      if (nbytes === 0) return new Uint8Array(0);
      throw this.corrupt(`${what}: the dataset has no stored data`);
    }
    const pos = this.base + address;
    this.b.need(pos, nbytes, `${what} data`);
    return this.b.buf.subarray(pos, pos + nbytes);
  }

  private chunkData(address: number, size: number, what: string): Uint8Array {
    if (address === UNDEF) return new Uint8Array(0);
    const pos = this.base + address;
    this.b.need(pos, size, `${what} chunk`);
    return this.b.buf.subarray(pos, pos + size);
  }

  private filters(obj: H5Object): number[] {
    const m = obj.find(MSG.filters);
    if (!m) return [];
    const b = this.b;
    const version = b.u8(m.pos);
    const n = b.u8(m.pos + 1);
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
      if (id !== 1 && id !== 2 && id !== 3) {
        throw this.corrupt(`dataset uses HDF5 filter ${id}${id === 32000 ? ' (lzf)' : id === 4 ? ' (szip)' : ''}; upconv reads deflate, shuffle and fletcher32 only`);
      }
    }
    return ids;
  }

  /** Undoes the filter pipeline (in reverse order, skipping filters masked off for this chunk). */
  private unfilter(data: Uint8Array, filters: number[], mask: number, chunkBytes: number, elem: number, what: string): Uint8Array {
    let d = data;
    for (let i = filters.length - 1; i >= 0; i--) {
      if (mask & (1 << i)) continue;
      const id = filters[i];
      if (id === 3) {
        if (d.length < 4) throw this.corrupt(`${what}: a chunk is too short for its fletcher32 checksum`);
        d = d.subarray(0, d.length - 4);
      } else if (id === 1) {
        let out: Uint8Array;
        try {
          out = unzlibSync(d, { out: new Uint8Array(chunkBytes) });
        } catch (e) {
          throw this.corrupt(`${what}: a compressed chunk does not inflate (${(e as Error).message})`);
        }
        d = out;
      } else if (id === 2) {
        d = unshuffle(d, elem);
      }
    }
    if (d.length !== chunkBytes) {
      throw this.corrupt(`${what}: a chunk holds ${d.length} bytes after decoding, expected ${chunkBytes}`);
    }
    return d;
  }

  private placeChunk(out: Uint8Array, chunk: Uint8Array, offset: number[], dims: number[], shape: number[], elem: number, what: string): void {
    const rank = shape.length;
    if (offset.length !== rank || dims.length !== rank) throw this.corrupt(`${what}: chunk rank does not match the dataset`);
    for (let d = 0; d < rank; d++) {
      if (offset[d] % dims[d] !== 0 || offset[d] >= Math.max(1, shape[d])) throw this.corrupt(`${what}: chunk offset [${offset}] is outside the dataset`);
    }
    if (rank === 0) {
      out.set(chunk.subarray(0, out.length));
      return;
    }
    const last = rank - 1;
    const run = Math.min(dims[last], shape[last] - offset[last]) * elem;
    // strides (in elements) of the dataset and of the chunk
    const ds: number[] = new Array(rank);
    const cs: number[] = new Array(rank);
    ds[last] = 1;
    cs[last] = 1;
    for (let d = last - 1; d >= 0; d--) {
      ds[d] = ds[d + 1] * shape[d + 1];
      cs[d] = cs[d + 1] * dims[d + 1];
    }
    const extent = dims.map((c, d) => Math.min(c, shape[d] - offset[d]));
    const idx = new Array(rank).fill(0);
    for (;;) {
      let src = 0;
      let dst = 0;
      for (let d = 0; d < rank; d++) {
        src += idx[d] * cs[d];
        dst += (offset[d] + idx[d]) * ds[d];
      }
      out.set(chunk.subarray(src * elem, src * elem + run), dst * elem);
      let d = last - 1;
      while (d >= 0) {
        idx[d]++;
        if (idx[d] < extent[d]) break;
        idx[d] = 0;
        d--;
      }
      if (d < 0) break;
    }
  }

  private chunkedBtree(address: number, shape: number[], dims: number[], elem: number, filters: number[], what: string): Uint8Array {
    const nbytes = product(shape) * elem;
    const out = new Uint8Array(nbytes);
    if (address === UNDEF || nbytes === 0) return out;
    if (dims.length !== shape.length || dims.some((d) => d < 1)) throw this.corrupt(`${what}: bad chunk dimensions [${dims}]`);
    const chunkBytes = product(dims) * elem;
    const b = this.b;
    const rank = dims.length + 1;
    const O = this.offsetSize;
    const keySize = 8 + 8 * rank;
    const visited = new Set<number>();
    const maxChunks = shape.reduce((n, s, d) => n * Math.ceil(s / dims[d]), 1);
    let chunks = 0;
    const walk = (addr: number, level: number | null, depth: number): void => {
      if (depth > 64) throw this.corrupt(`${what}: the chunk B-tree is too deep`);
      if (visited.has(addr)) throw this.corrupt(`${what}: the chunk B-tree refers back to itself`);
      visited.add(addr);
      this.budget.spend();
      const p = this.at(addr, 'a chunk B-tree node');
      b.signature(p, 'TREE', 'a chunk B-tree node');
      if (b.u8(p + 4) !== 1) throw this.corrupt(`${what}: a chunk B-tree node has the wrong node type`);
      const nodeLevel = b.u8(p + 5);
      if (level !== null && nodeLevel !== level) throw this.corrupt(`${what}: a chunk B-tree node has the wrong level`);
      const entries = b.u16(p + 6);
      let q = p + 8 + 2 * O;
      b.need(q, entries * (keySize + O) + keySize, 'a chunk B-tree node');
      for (let i = 0; i < entries; i++) {
        const size = b.u32(q);
        const mask = b.u32(q + 4);
        const offset: number[] = [];
        for (let d = 0; d < rank - 1; d++) offset.push(b.uint(q + 8 + 8 * d, 8, 'a chunk offset'));
        const child = this.addr(q + keySize, 'a chunk address');
        q += keySize + O;
        if (nodeLevel > 0) {
          walk(child, nodeLevel - 1, depth + 1);
        } else {
          if (++chunks > maxChunks) throw this.corrupt(`${what}: the chunk index lists more chunks than the dataset has`);
          this.budget.spend();
          const raw = this.chunkData(child, filters.length ? size : chunkBytes, what);
          const data = filters.length ? this.unfilter(raw, filters, mask, chunkBytes, elem, what) : raw;
          if (data.length !== chunkBytes) throw this.corrupt(`${what}: a chunk is truncated`);
          this.placeChunk(out, data, offset, dims, shape, elem, what);
        }
      }
    };
    walk(address, null, 0);
    return out;
  }

  /** Chunks addressed by their linear index in the chunk grid (implicit and fixed-array indexes). */
  private chunkedList(shape: number[], dims: number[], elem: number, what: string,
    chunkAt: (i: number, chunkBytes: number) => { data: Uint8Array; mask: number; raw: boolean }, filters: number[]): Uint8Array {
    const out = new Uint8Array(product(shape) * elem);
    if (dims.length !== shape.length || dims.some((d) => d < 1)) throw this.corrupt(`${what}: bad chunk dimensions [${dims}]`);
    const grid = shape.map((s, d) => Math.ceil(s / dims[d]));
    const total = product(grid);
    const chunkBytes = product(dims) * elem;
    for (let i = 0; i < total; i++) {
      this.budget.spend();
      const { data, mask, raw } = chunkAt(i, chunkBytes);
      if (data.length === 0) continue; // never written: fill value (zero)
      const decoded = raw || !filters.length ? data : this.unfilter(data, filters, mask, chunkBytes, elem, what);
      if (decoded.length !== chunkBytes) throw this.corrupt(`${what}: a chunk is truncated`);
      const offset: number[] = new Array(grid.length);
      let r = i;
      for (let d = grid.length - 1; d >= 0; d--) {
        offset[d] = (r % grid[d]) * dims[d];
        r = Math.floor(r / grid[d]);
      }
      this.placeChunk(out, decoded, offset, dims, shape, elem, what);
    }
    return out;
  }

  private chunkedFixedArray(address: number, shape: number[], dims: number[], elem: number, filters: number[], what: string): Uint8Array {
    if (address === UNDEF) return new Uint8Array(product(shape) * elem);
    const b = this.b;
    const p = this.at(address, 'a fixed array index');
    b.signature(p, 'FAHD', 'a fixed array index');
    const clientId = b.u8(p + 5);
    const entrySize = b.u8(p + 6);
    const pageBits = b.u8(p + 7);
    const maxEntries = this.len(p + 8, 'a fixed array size');
    const dblock = this.addr(p + 8 + this.lengthSize, 'a fixed array data block');
    if (maxEntries > 2 ** pageBits) throw this.corrupt(`${what}: paged fixed-array chunk indexes are not supported`);
    const q = this.at(dblock, 'a fixed array data block');
    b.signature(q, 'FADB', 'a fixed array data block');
    const first = q + 6 + this.offsetSize;
    b.need(first, maxEntries * entrySize, 'a fixed array data block');
    const filtered = clientId === 1;
    const grid = shape.map((s, d) => Math.ceil(s / dims[d]));
    if (product(grid) > maxEntries) throw this.corrupt(`${what}: the fixed array index has fewer entries than chunks`);
    return this.chunkedList(shape, dims, elem, what, (i, chunkBytes) => {
      const e = first + i * entrySize;
      const addr = this.addr(e, 'a chunk address');
      if (!filtered) return { data: this.chunkData(addr, chunkBytes, what), mask: 0, raw: !filters.length };
      const sizeBytes = entrySize - this.offsetSize - 4;
      const size = b.uint(e + this.offsetSize, sizeBytes, 'a chunk size');
      const mask = b.u32(e + this.offsetSize + sizeBytes);
      return { data: this.chunkData(addr, size, what), mask, raw: false };
    }, filters);
  }

  // ---- fractal heaps and v2 B-trees (dense link / attribute storage) -------------------------

  private fractalHeap(address: number): FractalHeap {
    return new FractalHeap(this.b, this.budget, this.at(address, 'a fractal heap'), this.offsetSize, this.lengthSize,
      (a, w) => this.at(a, w), (pos, type, id) => this.hugeObject(pos, type, id));
  }

  private hugeObject(btreeAddr: number, _type: number, id: number): { pos: number; size: number } {
    const O = this.offsetSize;
    const L = this.lengthSize;
    for (const rec of this.btree2Records(btreeAddr, 1)) {
      const recId = this.b.uint(rec + O + L, L, 'a huge object ID');
      if (recId === id) {
        const addr = this.addr(rec, 'a huge object address');
        const size = this.len(rec + O, 'a huge object size');
        const pos = this.at(addr, 'a huge heap object');
        this.b.need(pos, size, 'a huge heap object');
        return { pos, size };
      }
    }
    throw this.corrupt(`huge heap object ${id} not found`);
  }

  /** File positions of every record of a v2 B-tree of the given type. */
  btree2Records(address: number, type: number): number[] {
    const b = this.b;
    const p = this.at(address, 'a v2 B-tree');
    b.signature(p, 'BTHD', 'a v2 B-tree header');
    if (b.u8(p + 5) !== type) throw this.corrupt(`a v2 B-tree has type ${b.u8(p + 5)}, expected ${type}`);
    const nodeSize = b.u32(p + 6);
    const recordSize = b.u16(p + 10);
    const depth = b.u16(p + 12);
    const root = this.addr(p + 16, 'a v2 B-tree root');
    const rootCount = b.u16(p + 16 + this.offsetSize);
    if (recordSize === 0 || nodeSize < 16 || depth > 32) throw this.corrupt('a v2 B-tree header is damaged');
    // node capacities (HDF5's H5B2__hdr_init)
    const maxRec: number[] = [Math.floor((nodeSize - 10) / recordSize)];
    const cumMax: number[] = [maxRec[0]];
    const cumSize: number[] = [0];
    const recSize = limitEncSize(maxRec[0]);
    for (let d = 1; d <= depth; d++) {
      const ptr = this.offsetSize + recSize + cumSize[d - 1];
      maxRec[d] = Math.floor((nodeSize - 10 - ptr) / (recordSize + ptr));
      cumMax[d] = (maxRec[d] + 1) * cumMax[d - 1] + maxRec[d];
      cumSize[d] = limitEncSize(cumMax[d]);
    }
    const out: number[] = [];
    const visited = new Set<number>();
    const walk = (addr: number, count: number, d: number): void => {
      if (addr === UNDEF || count === 0) return;
      if (visited.has(addr)) throw this.corrupt('a v2 B-tree refers back to itself');
      visited.add(addr);
      this.budget.spend();
      const q = this.at(addr, 'a v2 B-tree node');
      b.signature(q, d === 0 ? 'BTLF' : 'BTIN', 'a v2 B-tree node');
      if (count > maxRec[d]) throw this.corrupt('a v2 B-tree node holds more records than fit');
      const recs = q + 6;
      b.need(recs, count * recordSize, 'v2 B-tree records');
      for (let i = 0; i < count; i++) out.push(recs + i * recordSize);
      if (d === 0) return;
      let c = recs + count * recordSize;
      for (let i = 0; i <= count; i++) {
        const child = this.addr(c, 'a v2 B-tree child');
        const n = b.uint(c + this.offsetSize, recSize, 'a v2 B-tree child count');
        c += this.offsetSize + recSize + (d > 1 ? cumSize[d - 1] : 0);
        walk(child, n, d - 1);
      }
    };
    walk(root, rootCount, depth);
    return out;
  }
}

/** A fractal heap: objects addressed by heap IDs (managed, tiny or huge). */
class FractalHeap {
  readonly idLength: number;
  private readonly width: number;
  private readonly startBlock: number;
  private readonly maxDirect: number;
  private readonly offBytes: number;
  private readonly lenBytes: number;
  private readonly rootAddr: number;
  private readonly rootRows: number;
  private readonly filtered: boolean;
  private readonly hugeBtree: number;
  private readonly maxDirectRows: number;

  constructor(private readonly b: Bytes, private readonly budget: Budget, p: number,
    private readonly O: number, private readonly L: number,
    private readonly at: (addr: number, what: string) => number,
    private readonly huge: (btree: number, type: number, id: number) => { pos: number; size: number }) {
    b.signature(p, 'FRHP', 'a fractal heap header');
    this.idLength = b.u16(p + 5);
    const filterLength = b.u16(p + 7);
    const maxManaged = b.u32(p + 10);
    let q = p + 14 + L; // next huge ID
    this.hugeBtree = b.addr(q, O);
    q += O + L + O + L + L + L + L + L + L + L + L; // free space…tiny count
    this.width = b.u16(q);
    this.startBlock = b.uint(q + 2, L);
    this.maxDirect = b.uint(q + 2 + L, L);
    const maxHeapBits = b.u16(q + 2 + 2 * L);
    q += 2 + 2 * L + 2 + 2; // + starting rows
    this.rootAddr = b.addr(q, O);
    this.rootRows = b.u16(q + O);
    this.filtered = filterLength > 0;
    this.offBytes = Math.ceil(maxHeapBits / 8);
    this.lenBytes = Math.min(Math.ceil(Math.log2(this.maxDirect) / 8), limitEncSize(maxManaged));
    if (this.width < 1 || this.width > 65536 || this.startBlock < 1 || this.maxDirect < this.startBlock || maxHeapBits > 64) {
      throw b.corrupt('a fractal heap header is damaged');
    }
    this.maxDirectRows = Math.log2(this.maxDirect) - Math.log2(this.startBlock) + 2;
  }

  private rowSize(r: number): number {
    return r === 0 ? this.startBlock : this.startBlock * 2 ** (r - 1);
  }

  object(id: Uint8Array): { pos: number; size: number } {
    const b = this.b;
    const kind = (id[0] >> 4) & 3;
    if (id[0] >> 6 !== 0) throw b.corrupt('unsupported fractal heap ID version');
    if (kind === 2) {
      // tiny: the object is inside the ID
      const size = (id[0] & 0x0f) + 1;
      if (size > id.length - 1) throw b.corrupt('a tiny heap object overruns its ID');
      const pos = id.byteOffset - b.buf.byteOffset + 1;
      return { pos, size };
    }
    if (kind === 1) {
      if (this.filtered) throw b.corrupt('filtered huge heap objects are not supported');
      if (id.length >= 1 + this.O + this.L) {
        const start = id.byteOffset - b.buf.byteOffset + 1;
        const addr = b.addr(start, this.O);
        const size = b.uint(start + this.O, this.L);
        const pos = this.at(addr, 'a huge heap object');
        b.need(pos, size, 'a huge heap object');
        return { pos, size };
      }
      let key = 0;
      for (let i = id.length - 1; i >= 1; i--) key = key * 256 + id[i];
      return this.huge(this.hugeBtree, 1, key);
    }
    if (kind !== 0) throw b.corrupt('unknown fractal heap ID type');
    if (this.filtered) throw b.corrupt('filtered fractal heaps are not supported');
    let offset = 0;
    for (let i = this.offBytes; i >= 1; i--) offset = offset * 256 + id[i];
    let length = 0;
    for (let i = this.offBytes + this.lenBytes; i > this.offBytes; i--) length = length * 256 + id[i];
    return this.locate(offset, length);
  }

  private locate(offset: number, length: number): { pos: number; size: number } {
    const b = this.b;
    if (this.rootRows === 0) return this.inDirect(this.rootAddr, 0, this.startBlock, offset, length);
    let blockAddr = this.rootAddr;
    let rows = this.rootRows;
    let blockStart = 0;
    for (let depth = 0; depth < 64; depth++) {
      this.budget.spend();
      const p = this.at(blockAddr, 'a fractal heap indirect block');
      b.signature(p, 'FHIB', 'a fractal heap indirect block');
      let e = p + 5 + this.O + this.offBytes;
      if (!(rows >= 0 && rows <= 64)) throw b.corrupt('a fractal heap indirect block has an impossible row count');
      b.need(e, rows * this.width * this.O, 'a fractal heap indirect block');
      let heapOff = blockStart;
      let next: { addr: number; rows: number; start: number } | null = null;
      for (let r = 0; r < rows && !next; r++) {
        const size = this.rowSize(r);
        const direct = r < this.maxDirectRows;
        for (let c = 0; c < this.width; c++) {
          const addr = b.addr(e, this.O);
          e += this.O;
          if (offset >= heapOff && offset < heapOff + size) {
            if (addr === -1) throw b.corrupt('a fractal heap object lies in an unallocated block');
            if (direct) return this.inDirect(addr, heapOff, size, offset, length);
            next = { addr, rows: Math.log2(size) - Math.log2(this.startBlock * this.width) + 1, start: heapOff };
            break;
          }
          heapOff += size;
        }
      }
      if (!next) throw b.corrupt('a fractal heap object offset lies outside the heap');
      blockAddr = next.addr;
      rows = next.rows;
      blockStart = next.start;
    }
    throw b.corrupt('a fractal heap is too deep');
  }

  private inDirect(addr: number, blockStart: number, blockSize: number, offset: number, length: number): { pos: number; size: number } {
    const b = this.b;
    const p = this.at(addr, 'a fractal heap direct block');
    b.signature(p, 'FHDB', 'a fractal heap direct block');
    const rel = offset - blockStart;
    if (rel < 0 || rel + length > blockSize) throw b.corrupt('a fractal heap object overruns its block');
    b.need(p + rel, length, 'a fractal heap object');
    return { pos: p + rel, size: length };
  }
}

function trimString(bytes: Uint8Array, pad: number): string {
  let end = bytes.length;
  if (pad === 0) {
    const z = bytes.indexOf(0);
    if (z >= 0) end = z;
  } else {
    while (end > 0 && (bytes[end - 1] === 0 || (pad === 2 && bytes[end - 1] === 0x20))) end--;
  }
  return decodeText(bytes.subarray(0, end));
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

function readNumbers(b: Bytes, pos: number, t: Datatype, count: number): (number | undefined)[] {
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
    default: return Number(t.signed ? v.getBigInt64(p, le) : v.getBigUint64(p, le));
  }
}

/** Raw dataset bytes → Float32Array (a straight copy for little-endian float32). */
function readNumbersF32(raw: Uint8Array, t: Datatype, count: number): Float32Array {
  if (t.cls === 1 && t.float === 'f32' && !t.bigEndian) {
    const copy = raw.slice(0, count * 4); // aligned copy
    return new Float32Array(copy.buffer, copy.byteOffset, count);
  }
  return Float32Array.from(readNumbersF64(raw, t, count));
}

/**
 * A minimal read-only HDF5 reader: what Keras, h5py and HDF5 1.8–1.14 write for model and weight
 * files, and nothing else. Superblock v0–v3; object headers v1 and v2 (with continuations);
 * groups as symbol tables (v1 B-tree + local heap) or link messages (compact, or dense in a
 * fractal heap indexed by a v2 B-tree); attributes (compact or dense) with fixed-length and
 * variable-length strings (global heap), integers and floats; datasets contiguous, compact or
 * chunked (v1 B-tree, single chunk, implicit, fixed array) with deflate, shuffle and fletcher32.
 *
 * Integrity is checked as libhdf5 checks it: the lookup3 checksum of every v2 metadata structure
 * read (superblock v2/3, object headers v2 and continuation blocks, v2 B-tree headers and nodes,
 * fractal heap headers and blocks, fixed-array indexes), and the fletcher32 and zlib Adler-32 of
 * every chunk decoded; a mismatch is a CorruptFileError naming the structure and its object.
 *
 * Format reference: "HDF5 File Format Specification Version 3.0" (hdfgroup.org). Every offset is
 * bounds-checked (bytes.ts), every loop is bounded by sizes read from the file and by a work
 * budget, and structures that may be shared are visited once, so damaged files fail fast with
 * CorruptFileError instead of hanging or allocating without limit.
 *
 *   file.ts          H5File / H5Object: the public surface, caches, object names for errors
 *   superblock.ts    superblock v0–v3          header.ts     object headers v1/v2
 *   links.ts         group links               attributes.ts attributes, global heaps
 *   btree2.ts        v2 B-trees                fractal_heap.ts fractal heaps
 *   types.ts         datatypes, dataspaces, number decoding
 *   layout.ts        dataset storage and chunk indexes      filters.ts the filter pipeline
 *   checksum.ts      lookup3, fletcher32, Adler-32          bytes.ts / context.ts bounded reads
 */
import { type AttrRaw, type AttrValue, decodeAttribute, GlobalHeaps, readAttributes } from './attributes.js';
import { Budget, Bytes, UNDEF } from './bytes.js';
import { Ctx } from './context.js';
import { type Message, MSG, readHeader } from './header.js';
import { readRaw } from './layout.js';
import { readLinks } from './links.js';
import { readSuperblock } from './superblock.js';
import { type Datatype, parseDataspace, parseDatatype, product, readNumbersF32 } from './types.js';

export { findSuperblock } from './superblock.js';
export type { AttrValue } from './attributes.js';
export type { Dataspace, Datatype } from './types.js';

export interface ReaderLimits {
  /** Most metadata items (messages, B-tree nodes, heap objects) read before giving up. */
  maxMetadataItems?: number;
  /** Largest dataset readFloat32 reads, in stored bytes (default 2 GiB). */
  maxDatasetBytes?: number;
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
  /** The file's bytes up to the end of its allocated space. */
  readonly bytes: Bytes;
  readonly name: string;
  private readonly ctx: Ctx;
  private readonly rootAddress: number;
  private readonly heaps: GlobalHeaps;
  private readonly objects = new Map<number, H5Object>();
  /** Paths by which objects were reached, for error messages. */
  private readonly paths = new Map<number, string>();
  private readonly linkCache = new Map<number, Map<string, number>>();
  private readonly attrCache = new Map<number, AttrRaw[]>();
  private readonly maxDatasetBytes: number;

  constructor(buf: Uint8Array, name: string, limits: ReaderLimits = {}) {
    this.name = name;
    const sb = readSuperblock(new Bytes(buf, name));
    // as libhdf5: nothing past the end of the allocated space the superblock records exists
    this.bytes = new Bytes(sb.eof !== UNDEF && sb.eof < buf.length ? buf.subarray(0, sb.eof) : buf, name);
    this.ctx = new Ctx(this.bytes, new Budget(name, limits.maxMetadataItems ?? 2_000_000), sb.O, sb.L, sb.base);
    this.heaps = new GlobalHeaps(this.ctx);
    this.maxDatasetBytes = limits.maxDatasetBytes ?? 2 ** 31;
    this.rootAddress = sb.rootAddress;
    this.paths.set(sb.rootAddress, '/');
  }

  /** How errors name the object at `address`: its path, when we reached it by one. */
  private label(address: number): string {
    const path = this.paths.get(address);
    return path === undefined ? `the object at address ${address}` : `object '${path}'`;
  }

  get root(): H5Object {
    return this.object(this.rootAddress);
  }

  object(address: number): H5Object {
    const cached = this.objects.get(address);
    if (cached) return cached;
    const obj = new H5Object(this, address, readHeader(this.ctx, address, this.label(address)));
    this.objects.set(address, obj);
    return obj;
  }

  /** Child name → object address, for a group. */
  links(group: H5Object): Map<string, number> {
    let out = this.linkCache.get(group.address);
    if (!out) {
      out = readLinks(this.ctx, group.messages, this.label(group.address));
      this.linkCache.set(group.address, out);
    }
    return out;
  }

  /** The object at a '/'-separated path below `from` (default: the root), or null. */
  get(path: string, from: H5Object = this.root): H5Object | null {
    let obj = from;
    let at = this.paths.get(from.address) ?? '';
    for (const part of path.split('/').filter((s) => s.length > 0)) {
      if (!obj.isGroup) return null;
      const addr = this.links(obj).get(part);
      if (addr === undefined || addr === UNDEF) return null;
      at = `${at === '/' ? '' : at}/${part}`;
      if (!this.paths.has(addr)) this.paths.set(addr, at);
      obj = this.object(addr);
    }
    return obj;
  }

  private rawAttributes(obj: H5Object): AttrRaw[] {
    let raw = this.attrCache.get(obj.address);
    if (!raw) {
      raw = readAttributes(this.ctx, obj.messages, this.label(obj.address));
      this.attrCache.set(obj.address, raw);
    }
    return raw;
  }

  /** Names of an object's attributes, in storage order (the save tests compare trees with it). */
  attributeNames(obj: H5Object): string[] {
    return this.rawAttributes(obj).map((a) => a.name);
  }

  /** One attribute's value (strings decoded, numbers as numbers), or undefined when absent or of a type we skip. */
  attr(obj: H5Object, name: string): AttrValue {
    const a = this.rawAttributes(obj).find((x) => x.name === name);
    return a ? decodeAttribute(this.ctx, this.heaps, a, this.label(obj.address)) : undefined;
  }

  /** Shape and type of a dataset, without reading its data. */
  datasetInfo(obj: H5Object): { shape: number[]; dtype: Datatype } {
    const ds = obj.find(MSG.dataspace);
    const dt = obj.find(MSG.datatype);
    if (!ds || !dt || !obj.isDataset) throw this.ctx.corrupt(`${this.label(obj.address)} is not a dataset`);
    if (dt.flags & 0x02) throw this.ctx.corrupt(`${this.label(obj.address)}: shared (committed) datatypes are not supported`);
    const space = parseDataspace(this.ctx, ds.pos);
    return { shape: space.empty ? [0] : space.shape, dtype: parseDatatype(this.bytes, dt.pos) };
  }

  /**
   * A numeric dataset as float32 (f16, bf16, f32, f64 and integers are converted). Loaders check
   * the element count against their memory limit first; here a dataset past maxDatasetBytes (a
   * damaged dataspace) is refused before anything is allocated.
   */
  readFloat32(obj: H5Object, what: string): Float32Array {
    const { shape, dtype } = this.datasetInfo(obj);
    if (!(dtype.cls === 1 && dtype.float) && !(dtype.cls === 0 && [1, 2, 4, 8].includes(dtype.size))) {
      throw this.ctx.corrupt(`${what}: dataset of HDF5 type class ${dtype.cls} (size ${dtype.size}) is not a number type upconv reads`);
    }
    const count = product(shape);
    if (!(count * dtype.size <= this.maxDatasetBytes)) {
      throw this.ctx.corrupt(`${what}: a dataset of shape [${shape.join(', ')}] would be ${count * dtype.size} bytes, more than the reader's limit of ${this.maxDatasetBytes}`);
    }
    const raw = readRaw(this.ctx, obj.messages, shape, dtype.size, what);
    return readNumbersF32(raw, dtype, count);
  }
}

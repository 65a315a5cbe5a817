/**
 * A small HDF5 writer for model files: groups with hard links, attributes (scalars and 1-D
 * arrays of variable- or fixed-length strings, float64 and int64 numbers) and contiguous
 * little-endian float32 / int64 datasets of any rank. The file is laid out as h5py writes one
 * with its defaults (libver 'earliest'), which every libhdf5 since 1.8 reads: superblock
 * version 0, version-1 object headers, groups as symbol tables (a v1 B-tree of symbol nodes
 * over a local heap of names, group entries caching their B-tree and heap), variable-length
 * strings in global heap collections of at least 4 KiB. Companion of the reader in file.ts.
 *
 *   const root = new H5Group();
 *   root.attr('backend', str('tensorflow'));
 *   root.group('model_weights').dataset('dense/kernel:0', [3, 4], values);
 *   const bytes = writeHdf5(root);
 */
import { ConfigError } from '../../errors.js';
import {
  align8, attribute, ByteWriter, contiguousLayout, dataspace, datatype, type ElementType, elementSize, fillValue, headerSize,
  type Message, MSG, symbolTable, UNDEFINED_ADDRESS, writeHeader,
} from './encode.js';

/** An attribute: its element type, shape ([] = scalar, [n] = 1-D) and values. */
export interface H5Attribute {
  type: ElementType;
  shape: number[];
  values: (string | number)[];
}

/** A variable-length string attribute (a scalar for a string, 1-D for a list), as h5py writes Python str (UTF-8) or bytes (ASCII). */
export function str(value: string | readonly string[], charset: 'ascii' | 'utf8' = 'utf8'): H5Attribute {
  const list = typeof value === 'string' ? [value] : [...value];
  return { type: { kind: 'vlen-string', charset }, shape: typeof value === 'string' ? [] : [list.length], values: list };
}

/** A fixed-length, null-padded string attribute (numpy 'S' arrays): element size = the longest UTF-8 value (at least 1). */
export function fixedStr(value: string | readonly string[]): H5Attribute {
  const list = typeof value === 'string' ? [value] : [...value];
  const size = Math.max(1, ...list.map((s) => utf8.encode(s).length));
  return { type: { kind: 'fixed-string', size, charset: 'ascii' }, shape: typeof value === 'string' ? [] : [list.length], values: list };
}

/** A float64 attribute (a scalar or a 1-D list; `f64([])` is numpy's empty array, as Keras writes for no weights). */
export function f64(value: number | readonly number[]): H5Attribute {
  const list = typeof value === 'number' ? [value] : [...value];
  return { type: { kind: 'float', size: 8 }, shape: typeof value === 'number' ? [] : [list.length], values: list };
}

/** A dataset: shape ([] = scalar) and values, stored contiguous little-endian. */
export interface H5Dataset {
  readonly kind: 'dataset';
  readonly shape: number[];
  readonly dtype: 'float32' | 'int64';
  readonly data: Float32Array | readonly number[];
  readonly attrs: Map<string, H5Attribute>;
}

/** A group: attributes and named children, kept in insertion order (the file sorts links by name). */
export class H5Group {
  readonly kind = 'group';
  readonly attrs = new Map<string, H5Attribute>();
  readonly children = new Map<string, H5Group | H5Dataset>();

  /** Sets an attribute. */
  attr(name: string, value: H5Attribute): this {
    checkName(name, 'attribute');
    this.attrs.set(name, value);
    return this;
  }

  /** The group at a '/'-separated path below this one, created (with its parents) when missing. */
  group(path: string): H5Group {
    let g: H5Group = this;
    for (const part of splitPath(path)) {
      const child = g.children.get(part);
      if (child && child.kind !== 'group') throw new ConfigError(`HDF5 writer: '${part}' is a dataset, not a group`);
      g = child ?? g.add(part, new H5Group());
    }
    return g;
  }

  /** Adds a dataset at a '/'-separated path (parent groups are created). */
  dataset(path: string, shape: readonly number[], data: Float32Array | readonly number[], dtype: 'float32' | 'int64' = 'float32'): H5Dataset {
    const parts = splitPath(path);
    const name = parts.pop()!;
    const parent = parts.length ? this.group(parts.join('/')) : this;
    for (const d of shape) if (!Number.isSafeInteger(d) || d < 0) throw new ConfigError(`HDF5 writer: dataset '${path}' has an invalid shape [${shape.join(', ')}]`);
    const n = shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) throw new ConfigError(`HDF5 writer: dataset '${path}' of shape [${shape.join(', ')}] needs ${n} values, got ${data.length}`);
    const ds: H5Dataset = { kind: 'dataset', shape: [...shape], dtype, data, attrs: new Map() };
    parent.add(name, ds);
    return ds;
  }

  private add<T extends H5Group | H5Dataset>(name: string, child: T): T {
    checkName(name, 'link');
    if (this.children.has(name)) throw new ConfigError(`HDF5 writer: '${name}' exists already`);
    this.children.set(name, child);
    return child;
  }
}

const utf8 = new TextEncoder();

function splitPath(path: string): string[] {
  const parts = path.split('/').filter((s) => s !== '');
  if (!parts.length) throw new ConfigError(`HDF5 writer: empty path '${path}'`);
  return parts;
}

function checkName(name: string, what: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('\0') || (what === 'link' && (name.includes('/') || name === '.'))) {
    throw new ConfigError(`HDF5 writer: invalid ${what} name ${JSON.stringify(name)}`);
  }
}

// ---- layout ---------------------------------------------------------------------------------

/** libhdf5 defaults for superblock v0: symbol nodes hold 2·4 entries, B-tree nodes 2·16 children. */
const LEAF_K = 4;
const NODE_K = 16;
const SNOD_SIZE = 8 + 2 * LEAF_K * 40;
const TREE_SIZE = 8 + 16 + (2 * NODE_K + 1) * 8 + 2 * NODE_K * 8;
const SUPERBLOCK_SIZE = 96;
/** A global heap collection is at least 4 KiB (libhdf5's H5HG_MINSIZE) and holds at most 65535 objects. */
const GCOL_MIN = 4096;
const GCOL_MAX_OBJECTS = 65535;
/** Largest version-1 header message (its size field is 16 bits). */
const MAX_MESSAGE = 65528;

interface Placed {
  node: H5Group | H5Dataset;
  header: number;
  headerBytes: number;
  messages: Message[];
  /** Groups: sorted links, symbol nodes, B-tree nodes (by level), local heap. */
  links?: { name: string; bytes: Uint8Array; offset: number; target: Placed }[];
  snods?: number[];
  trees?: { address: number; level: number; children: number[]; keys: number[] }[];
  rootTree?: number;
  heap?: number;
  heapData?: number;
  /** Datasets: raw data address and size. */
  data?: number;
  dataBytes?: number;
}

/** A global heap collection: its size, address and the strings it holds (object i + 1). */
interface Collection {
  size: number;
  address: number;
  objects: HeapString[];
}

/** A vlen string in a global heap collection. */
interface HeapString {
  bytes: Uint8Array;
  collection: number;
  index: number;
}

/** Serialises a group tree into an HDF5 file. */
export function writeHdf5(root: H5Group): Uint8Array {
  // 1. variable-length strings into global heap collections
  const strings = new Map<H5Attribute, HeapString[]>();
  const collections: Collection[] = [];
  const collect = (attrs: Map<string, H5Attribute>) => {
    for (const a of attrs.values()) {
      if (a.type.kind !== 'vlen-string') continue;
      const list: HeapString[] = [];
      strings.set(a, list);
      for (const v of a.values) {
        const bytes = utf8.encode(String(v));
        let c = collections[collections.length - 1];
        if (!c || c.objects.length === GCOL_MAX_OBJECTS) collections.push(c = { size: 16, address: 0, objects: [] });
        const s: HeapString = { bytes, collection: collections.length - 1, index: c.objects.length + 1 };
        c.objects.push(s);
        c.size += 16 + align8(bytes.length);
        list.push(s);
      }
    }
  };
  const walk = (n: H5Group | H5Dataset, f: (n: H5Group | H5Dataset) => void) => {
    f(n);
    if (n.kind === 'group') for (const c of n.children.values()) walk(c, f);
  };
  walk(root, (n) => collect(n.attrs));
  for (const c of collections) c.size = Math.max(GCOL_MIN, align8(c.size + 16)); // room for the free-space object

  // 2. every object with its messages (attribute data needs heap addresses: encoded after layout)
  const placed: Placed[] = [];
  const byNode = new Map<H5Group | H5Dataset, Placed>();
  walk(root, (n) => {
    const p: Placed = { node: n, header: 0, headerBytes: 0, messages: [] };
    placed.push(p);
    byNode.set(n, p);
  });

  // 3. addresses: superblock, then per object its header (and a group's B-tree, nodes, heap), then heaps, then data
  let end = SUPERBLOCK_SIZE;
  const take = (n: number) => {
    const at = end;
    end += n;
    return at;
  };
  const placeholder = (p: Placed): Message[] => {
    const out: Message[] = [];
    if (p.node.kind === 'group') out.push({ type: MSG.symbolTable, flags: 0, body: new Uint8Array(16) });
    else {
      const ds = p.node;
      out.push({ type: MSG.dataspace, flags: 0, body: dataspace(ds.shape) });
      out.push({ type: MSG.datatype, flags: 1, body: datatype(dsType(ds)) });
      out.push({ type: MSG.fill, flags: 1, body: fillValue() });
      out.push({ type: MSG.layout, flags: 0, body: new Uint8Array(18) });
    }
    for (const [name, a] of p.node.attrs) {
      const body = attribute(utf8.encode(name), a.type, a.shape, new Uint8Array(a.values.length * elementSize(a.type)));
      if (align8(body.length) > MAX_MESSAGE) throw new ConfigError(`HDF5 writer: attribute '${name}' is ${body.length} bytes, more than an object header message holds (64 KiB); split it`);
      out.push({ type: MSG.attribute, flags: 0, body });
    }
    return out;
  };
  for (const p of placed) {
    p.messages = placeholder(p);
    p.headerBytes = headerSize(p.messages);
    p.header = take(p.headerBytes);
    if (p.node.kind === 'group') {
      const names = [...p.node.children.keys()].map((name) => ({ name, bytes: utf8.encode(name) }));
      names.sort((a, b) => compareBytes(a.bytes, b.bytes));
      let offset = 8; // offset 0: the empty string
      p.links = names.map(({ name, bytes }) => {
        const l = { name, bytes, offset, target: byNode.get((p.node as H5Group).children.get(name)!)! };
        offset += align8(bytes.length + 1);
        return l;
      });
      p.snods = [];
      for (let i = 0; i < p.links.length; i += 2 * LEAF_K) p.snods.push(take(SNOD_SIZE));
      // B-tree levels over the symbol nodes, bottom up
      p.trees = [];
      let level = 0;
      let children = p.snods.map((address, i) => ({ address, last: p.links![Math.min(p.links!.length, (i + 1) * 2 * LEAF_K) - 1].offset }));
      do {
        const next: { address: number; last: number }[] = [];
        for (let i = 0; i < Math.max(1, children.length); i += 2 * NODE_K) {
          const group = children.slice(i, i + 2 * NODE_K);
          const address = take(TREE_SIZE);
          p.trees.push({ address, level, children: group.map((c) => c.address), keys: [0, ...group.map((c) => c.last)] });
          next.push({ address, last: group.length ? group[group.length - 1].last : 0 });
        }
        children = next;
        level++;
      } while (children.length > 1);
      p.rootTree = children[0].address;
      const used = offset;
      const data = used + Math.max(16, 88 - used); // a free block at the end, as libhdf5 leaves one
      p.heap = take(32);
      p.heapData = take(data);
    }
  }
  for (const c of collections) c.address = take(c.size);
  for (const p of placed) {
    if (p.node.kind !== 'dataset') continue;
    p.dataBytes = p.node.data.length * (p.node.dtype === 'float32' ? 4 : 8);
    end = align8(end);
    p.data = p.dataBytes ? take(p.dataBytes) : UNDEFINED_ADDRESS;
  }

  // 4. bytes
  const w = new ByteWriter(end);
  writeSuperblock(w, end, byNode.get(root)!);
  for (const p of placed) {
    const final = finalMessages(p, (a) => attributeData(a, strings.get(a) ?? [], collections));
    w.at(p.header);
    writeHeader(w, final);
    if (p.node.kind === 'group') writeGroupIndex(w, p);
    else if (p.dataBytes) writeData(w, p.data!, p.node);
  }
  for (const c of collections) writeCollection(w, c);
  return w.bytes;
}

function dsType(ds: H5Dataset): ElementType {
  return ds.dtype === 'float32' ? { kind: 'float', size: 4 } : { kind: 'int', size: 8, signed: true };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The object's messages with addresses and attribute values filled in. */
function finalMessages(p: Placed, dataOf: (a: H5Attribute) => Uint8Array): Message[] {
  const out = [...p.messages];
  let k = 0;
  if (p.node.kind === 'group') out[k++] = { type: MSG.symbolTable, flags: 0, body: symbolTable(p.rootTree!, p.heap!) };
  else {
    k = 3;
    out[k++] = { type: MSG.layout, flags: 0, body: contiguousLayout(p.data!, p.dataBytes!) };
  }
  for (const [name, a] of p.node.attrs) {
    out[k++] = { type: MSG.attribute, flags: 0, body: attribute(utf8.encode(name), a.type, a.shape, dataOf(a)) };
  }
  return out;
}

/** An attribute's raw values; a vlen string is its length and global heap ID (collection address, object index). */
function attributeData(a: H5Attribute, heapStrings: readonly HeapString[], collections: readonly Collection[]): Uint8Array {
  const size = elementSize(a.type);
  const w = new ByteWriter(a.values.length * size);
  a.values.forEach((v, i) => {
    switch (a.type.kind) {
      case 'vlen-string': {
        const s = heapStrings[i];
        w.u32(s.bytes.length).u64(collections[s.collection].address).u32(s.index);
        break;
      }
      case 'fixed-string': {
        const b = utf8.encode(String(v));
        const start = w.pos;
        w.raw(b).at(start + size);
        break;
      }
      case 'float': {
        const view = new DataView(w.bytes.buffer);
        view.setFloat64(w.pos, Number(v), true);
        w.skip(8);
        break;
      }
      case 'int': {
        new DataView(w.bytes.buffer).setBigInt64(w.pos, BigInt(v), true);
        w.skip(8);
        break;
      }
    }
  });
  return w.bytes;
}

function writeSuperblock(w: ByteWriter, eof: number, root: Placed): void {
  w.at(0).raw(Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a));
  w.u8(0).u8(0).u8(0).u8(0).u8(0).u8(8).u8(8).u8(0);
  w.u16(LEAF_K).u16(NODE_K).u32(0);
  w.u64(0).u64(UNDEFINED_ADDRESS).u64(eof).u64(UNDEFINED_ADDRESS);
  // root group symbol table entry, caching its B-tree and heap
  w.u64(0).u64(root.header).u32(1).u32(0).u64(root.rootTree!).u64(root.heap!);
}

function writeGroupIndex(w: ByteWriter, p: Placed): void {
  const links = p.links!;
  // symbol nodes
  p.snods!.forEach((address, s) => {
    const entries = links.slice(s * 2 * LEAF_K, (s + 1) * 2 * LEAF_K);
    w.at(address).ascii('SNOD').u8(1).u8(0).u16(entries.length);
    for (const l of entries) {
      w.u64(l.offset).u64(l.target.header);
      if (l.target.node.kind === 'group') w.u32(1).u32(0).u64(l.target.rootTree!).u64(l.target.heap!);
      else w.u32(0).u32(0).u64(0).u64(0);
    }
  });
  // B-tree nodes, siblings linked per level
  const trees = p.trees!;
  trees.forEach((t, i) => {
    const left = i > 0 && trees[i - 1].level === t.level ? trees[i - 1].address : UNDEFINED_ADDRESS;
    const right = i + 1 < trees.length && trees[i + 1].level === t.level ? trees[i + 1].address : UNDEFINED_ADDRESS;
    w.at(t.address).ascii('TREE').u8(0).u8(t.level).u16(t.children.length).u64(left).u64(right);
    w.u64(t.keys[0]);
    t.children.forEach((c, j) => w.u64(c).u64(t.keys[j + 1]));
  });
  // local heap: header, then the names, then one free block
  const used = links.length ? links[links.length - 1].offset + align8(links[links.length - 1].bytes.length + 1) : 8;
  const size = used + Math.max(16, 88 - used);
  w.at(p.heap!).ascii('HEAP').u8(0).u8(0).u8(0).u8(0).u64(size).u64(used).u64(p.heapData!);
  for (const l of links) w.at(p.heapData! + l.offset).raw(l.bytes);
  w.at(p.heapData! + used).u64(1).u64(size - used); // free block: next = none (1), its size
}

const LITTLE_ENDIAN = new Uint8Array(Float32Array.of(1).buffer)[3] === 0x3f;

function writeData(w: ByteWriter, address: number, ds: H5Dataset): void {
  const view = new DataView(w.bytes.buffer);
  let at = address;
  if (ds.dtype === 'float32' && ds.data instanceof Float32Array && LITTLE_ENDIAN) {
    w.bytes.set(new Uint8Array(ds.data.buffer, ds.data.byteOffset, ds.data.byteLength), address);
  } else if (ds.dtype === 'float32') {
    for (let i = 0; i < ds.data.length; i++, at += 4) view.setFloat32(at, ds.data[i], true);
  } else {
    for (let i = 0; i < ds.data.length; i++, at += 8) view.setBigInt64(at, BigInt(ds.data[i]), true);
  }
}

function writeCollection(w: ByteWriter, c: Collection): void {
  w.at(c.address).ascii('GCOL').u8(1).u8(0).u8(0).u8(0).u64(c.size);
  for (const s of c.objects) {
    w.u16(s.index).u16(0).u32(0).u64(s.bytes.length);
    const start = w.pos;
    w.raw(s.bytes).at(start + align8(s.bytes.length));
  }
  const free = c.address + c.size - w.pos;
  w.u16(0).u16(0).u32(0).u64(free); // the free-space object: the rest of the collection
}

/**
 * A dataset's stored bytes: compact, contiguous or chunked (v1 B-tree "TREE" index, single
 * chunk, implicit, or fixed array "FAHD"/"FADB" with their lookup3 checksums verified), chunks
 * run through the filter pipeline (filters.ts). The caller has checked the element count
 * against its memory limit; chunk sizes are checked here before anything is allocated.
 */
import { UNDEF } from './bytes.js';
import { checkMetadata } from './checksum.js';
import type { Ctx } from './context.js';
import { readFilters, unfilter } from './filters.js';
import { type Message, MSG } from './header.js';
import { product } from './types.js';

/** Largest chunk accepted beyond the dataset's own size (chunks may overhang a small dataset). */
const CHUNK_SLACK = 64 * 2 ** 20;

interface Chunk {
  data: Uint8Array;
  mask: number;
  /** Stored without filters (nothing to undo). */
  raw: boolean;
}

/** The bytes of a dataset of `shape` with elements of `elem` bytes. */
export function readRaw(ctx: Ctx, messages: Message[], shape: number[], elem: number, what: string): Uint8Array {
  const b = ctx.b;
  const nbytes = product(shape) * elem;
  const lm = messages.find((m) => m.type === MSG.layout);
  if (!lm) throw ctx.corrupt(`${what}: no data layout`);
  const filtersOf = () => readFilters(ctx, messages.find((m) => m.type === MSG.filters), what);
  const version = b.u8(lm.pos);
  if (version < 1 || version > 4) throw ctx.corrupt(`${what}: unsupported data layout version ${version}`);
  if (version <= 2) {
    const rank = b.u8(lm.pos + 1);
    const cls = b.u8(lm.pos + 2);
    let p = lm.pos + 8;
    if (cls === 0) {
      p += rank * 4;
      const size = b.u32(p);
      if (size < nbytes) throw ctx.corrupt(`${what}: compact data is shorter than its shape`);
      return b.slice(p + 4, nbytes, `${what} data`);
    }
    const address = ctx.addr(p, 'a data address');
    p += ctx.O;
    if (cls === 1) return contiguous(ctx, address, nbytes, what);
    const dims: number[] = [];
    for (let i = 0; i < rank - 1; i++) dims.push(b.u32(p + 4 * i));
    return chunkedBtree(ctx, address, shape, dims, elem, filtersOf(), what);
  }
  const cls = b.u8(lm.pos + 1);
  if (cls === 0) {
    const size = b.u16(lm.pos + 2);
    if (size < nbytes) throw ctx.corrupt(`${what}: compact data is shorter than its shape`);
    return b.slice(lm.pos + 4, nbytes, `${what} data`);
  }
  if (cls === 1) {
    // the stored size is not used (libhdf5 reads the dataspace's bytes too), but an impossible
    // one (past 2^53: the "temporary" address space libhdf5 refuses) marks a damaged message
    ctx.len(lm.pos + 2 + ctx.O, `the data size of ${what}`);
    return contiguous(ctx, ctx.addr(lm.pos + 2, 'a data address'), nbytes, what);
  }
  if (cls !== 2) throw ctx.corrupt(`${what}: unsupported data layout class ${cls}`);
  const filters = filtersOf();
  if (version === 3) {
    const rank = b.u8(lm.pos + 2);
    const address = ctx.addr(lm.pos + 3, 'a chunk index address');
    const p = lm.pos + 3 + ctx.O;
    const dims: number[] = [];
    for (let i = 0; i < rank - 1; i++) dims.push(b.u32(p + 4 * i));
    return chunkedBtree(ctx, address, shape, dims, elem, filters, what);
  }
  // version 4
  const flags = b.u8(lm.pos + 2);
  const rank = b.u8(lm.pos + 3);
  const enc = b.u8(lm.pos + 4);
  if (enc < 1 || enc > 8) throw ctx.corrupt(`${what}: a chunk dimension size of ${enc} bytes`);
  let p = lm.pos + 5;
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(b.uint(p + i * enc, enc, 'a chunk dimension'));
  dims.pop(); // the last "dimension" is the element size
  p += rank * enc;
  const indexType = b.u8(p++);
  if (indexType === 1) {
    const chunkBytes = checkChunk(ctx, shape, dims, elem, what);
    let filteredSize = -1;
    let mask = 0;
    if (flags & 0x02) {
      filteredSize = ctx.len(p, 'a filtered chunk size');
      mask = b.u32(p + ctx.L);
      p += ctx.L + 4;
    }
    const address = ctx.addr(p, 'a chunk address');
    const out = new Uint8Array(nbytes);
    const data = chunkData(ctx, address, filteredSize >= 0 ? filteredSize : chunkBytes, what);
    if (data.length === 0) return out; // never written: fill value (zero)
    const decoded = filters.length ? unfilter(ctx, data, filters, mask, chunkBytes, elem, what) : data;
    placeChunk(ctx, out, decoded, new Array(dims.length).fill(0), dims, shape, elem, what);
    return out;
  }
  if (indexType === 2) {
    const address = ctx.addr(p, 'a chunk address');
    return chunkedList(ctx, shape, dims, elem, what, (i, chunkBytes) => ({
      data: chunkData(ctx, address === UNDEF ? UNDEF : address + i * chunkBytes, chunkBytes, what), mask: 0, raw: true,
    }), filters);
  }
  if (indexType === 3) {
    p += 1; // page bits
    return chunkedFixedArray(ctx, ctx.addr(p, 'a chunk index address'), shape, dims, elem, filters, what);
  }
  throw ctx.corrupt(`${what}: chunk index type ${indexType} (extensible array / v2 B-tree) is not supported`);
}

function contiguous(ctx: Ctx, address: number, nbytes: number, what: string): Uint8Array {
  if (address === UNDEF) {
    if (nbytes === 0) return new Uint8Array(0);
    throw ctx.corrupt(`${what}: the dataset has no stored data`);
  }
  const pos = ctx.base + address;
  ctx.b.need(pos, nbytes, `${what} data`);
  return ctx.b.buf.subarray(pos, pos + nbytes);
}

function chunkData(ctx: Ctx, address: number, size: number, what: string): Uint8Array {
  if (address === UNDEF) return new Uint8Array(0);
  const pos = ctx.base + address;
  ctx.b.need(pos, size, `${what} chunk`);
  return ctx.b.buf.subarray(pos, pos + size);
}

/** Validates chunk dimensions against the dataset and returns the bytes of one chunk. */
function checkChunk(ctx: Ctx, shape: number[], dims: number[], elem: number, what: string): number {
  if (dims.length !== shape.length || dims.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw ctx.corrupt(`${what}: bad chunk dimensions [${dims}] for a dataset of shape [${shape}]`);
  }
  const chunkBytes = product(dims) * elem;
  if (!(chunkBytes <= product(shape) * elem + CHUNK_SLACK)) {
    throw ctx.corrupt(`${what}: chunks of [${dims}] are far larger than the dataset [${shape}]`);
  }
  return chunkBytes;
}

function chunkedBtree(ctx: Ctx, address: number, shape: number[], dims: number[], elem: number, filters: number[], what: string): Uint8Array {
  const nbytes = product(shape) * elem;
  const out = new Uint8Array(nbytes);
  if (address === UNDEF || nbytes === 0) return out;
  const chunkBytes = checkChunk(ctx, shape, dims, elem, what);
  const b = ctx.b;
  const rank = dims.length + 1;
  const O = ctx.O;
  const keySize = 8 + 8 * rank;
  const visited = new Set<number>();
  const maxChunks = shape.reduce((n, s, d) => n * Math.ceil(s / dims[d]), 1);
  let chunks = 0;
  const walk = (addr: number, level: number | null, depth: number): void => {
    if (depth > 64) throw ctx.corrupt(`${what}: the chunk B-tree is too deep`);
    if (visited.has(addr)) throw ctx.corrupt(`${what}: the chunk B-tree refers back to itself`);
    visited.add(addr);
    ctx.budget.spend();
    const p = ctx.at(addr, `a chunk B-tree node of ${what}`);
    b.signature(p, 'TREE', `a chunk B-tree node of ${what}`);
    if (b.u8(p + 4) !== 1) throw ctx.corrupt(`${what}: a chunk B-tree node has the wrong node type`);
    const nodeLevel = b.u8(p + 5);
    if (level !== null && nodeLevel !== level) throw ctx.corrupt(`${what}: a chunk B-tree node has the wrong level`);
    const entries = b.u16(p + 6);
    let q = p + 8 + 2 * O;
    b.need(q, entries * (keySize + O) + keySize, `a chunk B-tree node of ${what}`);
    for (let i = 0; i < entries; i++) {
      const size = b.u32(q);
      const mask = b.u32(q + 4);
      const offset: number[] = [];
      for (let d = 0; d < rank - 1; d++) offset.push(b.uint(q + 8 + 8 * d, 8, 'a chunk offset'));
      const child = ctx.addr(q + keySize, 'a chunk address');
      q += keySize + O;
      if (nodeLevel > 0) {
        walk(child, nodeLevel - 1, depth + 1);
      } else {
        if (++chunks > maxChunks) throw ctx.corrupt(`${what}: the chunk index lists more chunks than the dataset has`);
        ctx.budget.spend();
        const raw = chunkData(ctx, child, filters.length ? size : chunkBytes, what);
        const data = filters.length ? unfilter(ctx, raw, filters, mask, chunkBytes, elem, what) : raw;
        if (data.length !== chunkBytes) throw ctx.corrupt(`${what}: a chunk is truncated`);
        placeChunk(ctx, out, data, offset, dims, shape, elem, what);
      }
    }
  };
  walk(address, null, 0);
  return out;
}

/** Chunks addressed by their linear index in the chunk grid (implicit and fixed-array indexes). */
function chunkedList(ctx: Ctx, shape: number[], dims: number[], elem: number, what: string,
  chunkAt: (i: number, chunkBytes: number) => Chunk, filters: number[]): Uint8Array {
  const chunkBytes = checkChunk(ctx, shape, dims, elem, what);
  const out = new Uint8Array(product(shape) * elem);
  const grid = shape.map((s, d) => Math.ceil(s / dims[d]));
  const total = product(grid);
  for (let i = 0; i < total; i++) {
    ctx.budget.spend();
    const { data, mask, raw } = chunkAt(i, chunkBytes);
    if (data.length === 0) continue; // never written: fill value (zero)
    const decoded = raw || !filters.length ? data : unfilter(ctx, data, filters, mask, chunkBytes, elem, what);
    if (decoded.length !== chunkBytes) throw ctx.corrupt(`${what}: a chunk is truncated`);
    const offset: number[] = new Array(grid.length);
    let r = i;
    for (let d = grid.length - 1; d >= 0; d--) {
      offset[d] = (r % grid[d]) * dims[d];
      r = Math.floor(r / grid[d]);
    }
    placeChunk(ctx, out, decoded, offset, dims, shape, elem, what);
  }
  return out;
}

function chunkedFixedArray(ctx: Ctx, address: number, shape: number[], dims: number[], elem: number, filters: number[], what: string): Uint8Array {
  if (address === UNDEF) return new Uint8Array(product(shape) * elem);
  const b = ctx.b;
  const O = ctx.O;
  const p = ctx.at(address, `the chunk index of ${what}`);
  b.signature(p, 'FAHD', `the chunk index of ${what}`);
  // signature, version, client ID, entry size, page bits, entry count (L), data block address
  checkMetadata(b, p, 8 + ctx.L + O, `the chunk index header of ${what}`);
  const clientId = b.u8(p + 5);
  const entrySize = b.u8(p + 6);
  const pageBits = b.u8(p + 7);
  const maxEntries = ctx.len(p + 8, 'a fixed array size');
  const dblock = ctx.addr(p + 8 + ctx.L, 'a fixed array data block');
  if (maxEntries > 2 ** pageBits) throw ctx.corrupt(`${what}: paged fixed-array chunk indexes are not supported`);
  const filtered = clientId === 1;
  if (entrySize < O + (filtered ? 5 : 0)) throw ctx.corrupt(`${what}: the chunk index has ${entrySize}-byte entries`);
  const q = ctx.at(dblock, `the chunk index of ${what}`);
  b.signature(q, 'FADB', `the chunk index data block of ${what}`);
  const first = q + 6 + O;
  b.need(first, maxEntries * entrySize, `the chunk index data block of ${what}`);
  // signature, version, client ID, header address, entries; then the checksum
  checkMetadata(b, q, 6 + O + maxEntries * entrySize, `the chunk index data block of ${what}`);
  const grid = shape.map((s, d) => Math.ceil(s / dims[d]));
  if (product(grid) > maxEntries) throw ctx.corrupt(`${what}: the fixed array index has fewer entries than chunks`);
  return chunkedList(ctx, shape, dims, elem, what, (i, chunkBytes) => {
    const e = first + i * entrySize;
    const addr = ctx.addr(e, 'a chunk address');
    if (!filtered) return { data: chunkData(ctx, addr, chunkBytes, what), mask: 0, raw: !filters.length };
    const sizeBytes = entrySize - O - 4;
    const size = b.uint(e + O, sizeBytes, 'a chunk size');
    const mask = b.u32(e + O + sizeBytes);
    return { data: chunkData(ctx, addr, size, what), mask, raw: false };
  }, filters);
}

function placeChunk(ctx: Ctx, out: Uint8Array, chunk: Uint8Array, offset: number[], dims: number[], shape: number[], elem: number, what: string): void {
  const rank = shape.length;
  if (offset.length !== rank || dims.length !== rank) throw ctx.corrupt(`${what}: chunk rank does not match the dataset`);
  for (let d = 0; d < rank; d++) {
    if (offset[d] % dims[d] !== 0 || offset[d] >= Math.max(1, shape[d])) throw ctx.corrupt(`${what}: chunk offset [${offset}] is outside the dataset`);
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

/**
 * Fractal heaps (dense link and attribute storage): header "FRHP", indirect blocks "FHIB" and
 * direct blocks "FHDB". The header and indirect blocks always carry a lookup3 checksum, direct
 * blocks when the header's flag says so (libhdf5 hashes the whole block with the checksum field
 * zeroed); all are verified before an object in them is used.
 */
import { btree2Records } from './btree2.js';
import { limitEncSize } from './bytes.js';
import { checkMetadata, hex, lookup3 } from './checksum.js';
import type { Ctx } from './context.js';

/** Where a heap object lies in the file. */
export interface Span {
  pos: number;
  size: number;
}

/** A fractal heap: objects addressed by heap IDs (managed, tiny or huge). */
export class FractalHeap {
  readonly idLength: number;
  private readonly width: number;
  private readonly startBlock: number;
  private readonly maxDirect: number;
  private readonly offBytes: number;
  private readonly lenBytes: number;
  private readonly rootAddr: number;
  private readonly rootRows: number;
  private readonly filtered: boolean;
  private readonly checksummedBlocks: boolean;
  private readonly hugeBtree: number;
  private readonly maxDirectRows: number;
  private readonly what: string;
  private readonly checkedBlocks = new Set<number>();
  private hugeIndex: Map<number, number> | null = null;

  /** The heap at `address`; `label` names the object whose links or attributes it holds. */
  constructor(private readonly ctx: Ctx, address: number, private readonly label: string) {
    const b = ctx.b;
    const O = ctx.O;
    const L = ctx.L;
    this.what = `the fractal heap of ${label}`;
    const p = ctx.at(address, this.what);
    b.signature(p, 'FRHP', `the header of ${this.what}`);
    this.idLength = b.u16(p + 5);
    const filterLength = b.u16(p + 7);
    const flags = b.u8(p + 9);
    const maxManaged = b.u32(p + 10);
    let q = p + 14 + L; // next huge ID
    this.hugeBtree = b.addr(q, O);
    q += O + L + O + 8 * L; // free space … tiny object count
    this.width = b.u16(q);
    this.startBlock = b.uint(q + 2, L);
    this.maxDirect = b.uint(q + 2 + L, L);
    const maxHeapBits = b.u16(q + 2 + 2 * L);
    q += 2 + 2 * L + 2 + 2; // + starting rows
    this.rootAddr = b.addr(q, O);
    this.rootRows = b.u16(q + O);
    q += O + 2;
    if (filterLength > 0) q += L + 4 + filterLength; // filtered root block size, mask, pipeline
    checkMetadata(b, p, q - p, `the header of ${this.what}`);
    this.filtered = filterLength > 0;
    this.checksummedBlocks = (flags & 0x02) !== 0;
    this.offBytes = Math.ceil(maxHeapBits / 8);
    this.lenBytes = Math.min(Math.ceil(Math.log2(this.maxDirect) / 8), limitEncSize(maxManaged));
    if (this.width < 1 || this.width > 65536 || this.startBlock < 1 || this.maxDirect < this.startBlock || maxHeapBits > 64 ||
      !Number.isInteger(Math.log2(this.startBlock)) || !Number.isInteger(Math.log2(this.maxDirect))) {
      throw b.corrupt(`the header of ${this.what} is damaged`);
    }
    this.maxDirectRows = Math.log2(this.maxDirect) - Math.log2(this.startBlock) + 2;
  }

  private rowSize(r: number): number {
    return r === 0 ? this.startBlock : this.startBlock * 2 ** (r - 1);
  }

  object(id: Uint8Array): Span {
    const b = this.ctx.b;
    const O = this.ctx.O;
    const L = this.ctx.L;
    const kind = (id[0] >> 4) & 3;
    if (id[0] >> 6 !== 0) throw b.corrupt(`${this.what}: unsupported heap ID version`);
    if (kind === 2) {
      // tiny: the object is inside the ID
      const size = (id[0] & 0x0f) + 1;
      if (size > id.length - 1) throw b.corrupt(`${this.what}: a tiny heap object overruns its ID`);
      const pos = id.byteOffset - b.buf.byteOffset + 1;
      return { pos, size };
    }
    if (kind === 1) {
      if (this.filtered) throw b.corrupt(`${this.what}: filtered huge heap objects are not supported`);
      if (id.length >= 1 + O + L) {
        const start = id.byteOffset - b.buf.byteOffset + 1;
        const addr = b.addr(start, O);
        const size = b.uint(start + O, L);
        const pos = this.ctx.at(addr, `a huge object of ${this.what}`);
        b.need(pos, size, `a huge object of ${this.what}`);
        return { pos, size };
      }
      let key = 0;
      for (let i = id.length - 1; i >= 1; i--) key = key * 256 + id[i];
      return this.hugeObject(key);
    }
    if (kind !== 0) throw b.corrupt(`${this.what}: unknown heap ID type`);
    if (this.filtered) throw b.corrupt(`${this.what}: filtered fractal heaps are not supported`);
    let offset = 0;
    for (let i = this.offBytes; i >= 1; i--) offset = offset * 256 + id[i];
    let length = 0;
    for (let i = this.offBytes + this.lenBytes; i > this.offBytes; i--) length = length * 256 + id[i];
    return this.locate(offset, length);
  }

  /** A huge object found by its key in the heap's v2 B-tree (type 1 records), indexed once. */
  private hugeObject(id: number): Span {
    const { b, O, L } = this.ctx;
    if (!this.hugeIndex) {
      this.hugeIndex = new Map();
      for (const rec of btree2Records(this.ctx, this.hugeBtree, 1, `the huge objects of ${this.label}`)) {
        this.hugeIndex.set(b.uint(rec + O + L, L, 'a huge object ID'), rec);
      }
    }
    const rec = this.hugeIndex.get(id);
    if (rec === undefined) throw b.corrupt(`${this.what}: huge object ${id} not found`);
    const addr = this.ctx.addr(rec, 'a huge object address');
    const size = this.ctx.len(rec + O, 'a huge object size');
    const pos = this.ctx.at(addr, `a huge object of ${this.what}`);
    b.need(pos, size, `a huge object of ${this.what}`);
    return { pos, size };
  }

  private locate(offset: number, length: number): Span {
    const ctx = this.ctx;
    const b = ctx.b;
    const O = ctx.O;
    if (this.rootRows === 0) return this.inDirect(this.rootAddr, 0, this.startBlock, offset, length);
    let blockAddr = this.rootAddr;
    let rows = this.rootRows;
    let blockStart = 0;
    for (let depth = 0; depth < 64; depth++) {
      ctx.budget.spend();
      const p = ctx.at(blockAddr, `an indirect block of ${this.what}`);
      b.signature(p, 'FHIB', `an indirect block of ${this.what}`);
      if (!(rows >= 0 && rows <= 64)) throw b.corrupt(`an indirect block of ${this.what} has an impossible row count`);
      let e = p + 5 + O + this.offBytes;
      // signature, version, heap header address, block offset, child addresses; then the checksum
      if (!this.checkedBlocks.has(p)) {
        checkMetadata(b, p, e - p + rows * this.width * O, `an indirect block of ${this.what}`);
        this.checkedBlocks.add(p);
      }
      let heapOff = blockStart;
      let next: { addr: number; rows: number; start: number } | null = null;
      for (let r = 0; r < rows && !next; r++) {
        const size = this.rowSize(r);
        const direct = r < this.maxDirectRows;
        for (let c = 0; c < this.width; c++) {
          const addr = b.addr(e, O);
          e += O;
          if (offset >= heapOff && offset < heapOff + size) {
            if (addr === -1) throw b.corrupt(`${this.what}: an object lies in an unallocated block`);
            if (direct) return this.inDirect(addr, heapOff, size, offset, length);
            next = { addr, rows: Math.log2(size) - Math.log2(this.startBlock * this.width) + 1, start: heapOff };
            break;
          }
          heapOff += size;
        }
      }
      if (!next) throw b.corrupt(`${this.what}: an object offset lies outside the heap`);
      blockAddr = next.addr;
      rows = next.rows;
      blockStart = next.start;
    }
    throw b.corrupt(`${this.what} is too deep`);
  }

  private inDirect(addr: number, blockStart: number, blockSize: number, offset: number, length: number): Span {
    const ctx = this.ctx;
    const b = ctx.b;
    const p = ctx.at(addr, `a direct block of ${this.what}`);
    b.signature(p, 'FHDB', `a direct block of ${this.what}`);
    if (this.checksummedBlocks && !this.checkedBlocks.has(p)) {
      // the whole block, its checksum field (after the block offset) read as zero
      b.need(p, blockSize, `a direct block of ${this.what}`);
      const at = p + 5 + ctx.O + this.offBytes;
      if (at + 4 > p + blockSize) throw b.corrupt(`a direct block of ${this.what} is too small`);
      const stored = b.u32(at);
      const copy = b.buf.slice(p, p + blockSize);
      copy.fill(0, at - p, at - p + 4);
      const computed = lookup3(copy, 0, blockSize);
      if (stored !== computed) {
        throw b.corrupt(`a direct block of ${this.what} at offset ${p} fails its checksum (stored ${hex(stored)}, computed ${hex(computed)}); the file is damaged`);
      }
      this.checkedBlocks.add(p);
    }
    const rel = offset - blockStart;
    if (rel < 0 || rel + length > blockSize) throw b.corrupt(`${this.what}: an object overruns its block`);
    b.need(p + rel, length, `an object of ${this.what}`);
    return { pos: p + rel, size: length };
  }
}

/**
 * A group's links: a symbol table (v1 B-tree of "SNOD" nodes with names in a local heap), link
 * messages in the object header, or dense storage (a fractal heap of link messages indexed by a
 * v2 B-tree). Names are Map keys, so names like `__proto__` are ordinary names.
 */
import { btree2Records } from './btree2.js';
import { decodeText, UNDEF } from './bytes.js';
import type { Ctx } from './context.js';
import { FractalHeap } from './fractal_heap.js';
import { type Message, MSG } from './header.js';

/** Child name → object address, for a group whose header holds `messages`. */
export function readLinks(ctx: Ctx, messages: Message[], label: string): Map<string, number> {
  const out = new Map<string, number>();
  const st = messages.find((m) => m.type === MSG.symbolTable);
  if (st) {
    const btree = ctx.addr(st.pos, 'a symbol table B-tree address');
    const heap = ctx.addr(st.pos + ctx.O, 'a symbol table heap address');
    readSymbolTable(ctx, btree, heap, out, label);
    return out;
  }
  for (const m of messages) {
    if (m.type === MSG.link) {
      const link = parseLink(ctx, m.pos, m.size, label);
      if (link) out.set(link.name, link.address);
    }
  }
  const info = messages.find((m) => m.type === MSG.linkInfo);
  if (info) {
    const flags = ctx.b.u8(info.pos + 1);
    let p = info.pos + 2 + (flags & 1 ? 8 : 0);
    const heap = ctx.addr(p, 'a link heap address');
    p += ctx.O;
    const index = ctx.addr(p, 'a link index address');
    if (heap !== UNDEF && index !== UNDEF) {
      const fh = new FractalHeap(ctx, heap, `the links of ${label}`);
      for (const rec of btree2Records(ctx, index, 5, `the link names of ${label}`)) {
        const obj = fh.object(ctx.b.slice(rec + 4, fh.idLength, 'a link heap ID'));
        const link = parseLink(ctx, obj.pos, obj.size, label);
        if (link) out.set(link.name, link.address);
      }
    }
  }
  return out;
}

function readSymbolTable(ctx: Ctx, btreeAddr: number, heapAddr: number, out: Map<string, number>, label: string): void {
  const b = ctx.b;
  const O = ctx.O;
  const L = ctx.L;
  const hp = ctx.at(heapAddr, `the local heap of ${label}`);
  b.signature(hp, 'HEAP', `the local heap of ${label}`);
  const dataSize = ctx.len(hp + 8, 'a local heap size');
  const freeList = ctx.len(hp + 8 + L, 'a local heap free list offset');
  const dataAddr = ctx.addr(hp + 8 + 2 * L, 'a local heap data address');
  const heapStart = ctx.at(dataAddr, `the local heap data of ${label}`);
  b.need(heapStart, dataSize, `the local heap data of ${label}`);
  checkFreeList(ctx, heapStart, dataSize, freeList, label);
  const nameAt = (offset: number): string => {
    if (offset >= dataSize) throw ctx.corrupt(`a link name offset ${offset} of ${label} lies outside its local heap`);
    let end = heapStart + offset;
    const limit = heapStart + dataSize;
    while (end < limit && b.buf[end] !== 0) end++;
    return decodeText(b.buf.subarray(heapStart + offset, end));
  };
  const visited = new Set<number>();
  const walk = (addr: number, level: number | null, depth: number): void => {
    if (depth > 64) throw ctx.corrupt(`the group B-tree of ${label} is too deep`);
    if (visited.has(addr)) throw ctx.corrupt(`the group B-tree of ${label} refers back to itself`);
    visited.add(addr);
    ctx.budget.spend();
    const p = ctx.at(addr, `a group B-tree node of ${label}`);
    b.signature(p, 'TREE', `a group B-tree node of ${label}`);
    if (b.u8(p + 4) !== 0) throw ctx.corrupt(`a group B-tree node of ${label} has the wrong node type`);
    const nodeLevel = b.u8(p + 5);
    if (level !== null && nodeLevel !== level) throw ctx.corrupt(`a group B-tree node of ${label} has the wrong level`);
    const entries = b.u16(p + 6);
    let q = p + 8 + 2 * O;
    b.need(q, entries * (L + O) + L, `a group B-tree node of ${label}`);
    // the keys are offsets of names in the local heap (libhdf5 decodes them on every visit)
    for (let i = 0; i <= entries; i++) {
      if (ctx.len(q + i * (L + O), 'a group B-tree key') >= dataSize) throw ctx.corrupt(`a group B-tree key of ${label} lies outside its local heap`);
    }
    for (let i = 0; i < entries; i++) {
      const child = ctx.addr(q + L, 'a group B-tree child');
      q += L + O;
      if (nodeLevel > 0) walk(child, nodeLevel - 1, depth + 1);
      else readSymbolNode(ctx, child, nameAt, out, label);
    }
  };
  walk(btreeAddr, null, 0);
}

/**
 * Walks a local heap's free list as libhdf5 does when it loads the heap (H5HL__fl_deserialize):
 * every block must lie inside the heap, with a non-zero size; 1 ends the list.
 */
function checkFreeList(ctx: Ctx, heapStart: number, dataSize: number, head: number, label: string): void {
  const L = ctx.L;
  const seen = new Set<number>();
  for (let at = head; at !== 1;) {
    ctx.budget.spend();
    if (at >= dataSize || seen.has(at)) throw ctx.corrupt(`the local heap of ${label} has a damaged free list`);
    seen.add(at);
    if (at + 2 * L > dataSize) throw ctx.corrupt(`the local heap of ${label} has a damaged free list`);
    const next = ctx.len(heapStart + at, 'a local heap free block');
    const size = ctx.len(heapStart + at + L, 'a local heap free block size');
    if (next === 0 || at + size > dataSize) throw ctx.corrupt(`the local heap of ${label} has a damaged free list`);
    at = next;
  }
}

function readSymbolNode(ctx: Ctx, addr: number, nameAt: (o: number) => string, out: Map<string, number>, label: string): void {
  const b = ctx.b;
  const O = ctx.O;
  const p = ctx.at(addr, `a symbol table node of ${label}`);
  b.signature(p, 'SNOD', `a symbol table node of ${label}`);
  if (b.u8(p + 4) !== 1) throw ctx.corrupt(`a symbol table node of ${label} has version ${b.u8(p + 4)}`);
  const count = b.u16(p + 6);
  const entrySize = 2 * O + 24;
  b.need(p + 8, count * entrySize, `a symbol table node of ${label}`);
  for (let i = 0; i < count; i++) {
    ctx.budget.spend();
    const e = p + 8 + i * entrySize;
    const nameOffset = b.uint(e, O, 'a link name offset');
    const objAddr = ctx.addr(e + O, 'an object address');
    const cache = b.u32(e + 2 * O);
    if (cache > 2) throw ctx.corrupt(`a symbol table entry of ${label} has unknown cache type ${cache}`);
    out.set(nameAt(nameOffset), objAddr);
  }
}

function parseLink(ctx: Ctx, pos: number, size: number, label: string): { name: string; address: number } | null {
  const b = ctx.b;
  b.need(pos, size, `a link message of ${label}`);
  const end = pos + size;
  if (b.u8(pos) !== 1) throw ctx.corrupt(`unsupported link message version ${b.u8(pos)} in ${label}`);
  const flags = b.u8(pos + 1);
  let p = pos + 2;
  let type = 0;
  if (flags & 0x08) type = b.u8(p++);
  if (flags & 0x04) p += 8;
  if (flags & 0x10) p++;
  const lenSize = 1 << (flags & 3);
  const nameLength = b.uint(p, lenSize, 'a link name length');
  p += lenSize;
  if (p + nameLength > end) throw ctx.corrupt(`a link name in ${label} overruns its message`);
  const name = decodeText(b.slice(p, nameLength, 'a link name'));
  p += nameLength;
  if (type !== 0) return null; // soft and external links are not followed
  return { name, address: ctx.addr(p, 'a link address') };
}

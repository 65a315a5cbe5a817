/**
 * Attributes: compact (attribute messages in the object header) or dense (a fractal heap of
 * attribute messages indexed by a v2 B-tree), with numbers, fixed-length strings and
 * variable-length strings (global heap collections "GCOL").
 */
import { btree2Records } from './btree2.js';
import { decodeText, UNDEF } from './bytes.js';
import type { Ctx } from './context.js';
import { FractalHeap, type Span } from './fractal_heap.js';
import { type Message, MSG } from './header.js';
import { type Dataspace, type Datatype, parseDataspace, parseDatatype, product, readNumbers, trimString } from './types.js';

export interface AttrRaw {
  name: string;
  dtype: Datatype;
  space: Dataspace;
  pos: number;
  size: number;
}

/** Numbers and strings as an attribute holds them (arrays for 1-D and higher, a value for scalars). */
export type AttrValue = string | number | (string | number)[] | undefined;

/** Every attribute of an object whose header holds `messages`, not yet decoded. */
export function readAttributes(ctx: Ctx, messages: Message[], label: string): AttrRaw[] {
  const out: AttrRaw[] = [];
  for (const m of messages) {
    if (m.type === MSG.attribute) {
      const a = parseAttribute(ctx, m.pos, m.size, label);
      if (a) out.push(a);
    }
  }
  const info = messages.find((m) => m.type === MSG.attributeInfo);
  if (info) {
    const flags = ctx.b.u8(info.pos + 1);
    let p = info.pos + 2 + (flags & 1 ? 2 : 0);
    const heap = ctx.addr(p, 'an attribute heap address');
    p += ctx.O;
    const index = ctx.addr(p, 'an attribute index address');
    if (heap !== UNDEF && index !== UNDEF) {
      const fh = new FractalHeap(ctx, heap, `the attributes of ${label}`);
      for (const rec of btree2Records(ctx, index, 8, `the attribute names of ${label}`)) {
        const o = fh.object(ctx.b.slice(rec, 8, 'an attribute heap ID'));
        const a = parseAttribute(ctx, o.pos, o.size, label);
        if (a) out.push(a);
      }
    }
  }
  return out;
}

function parseAttribute(ctx: Ctx, pos: number, size: number, label: string): AttrRaw | null {
  const b = ctx.b;
  b.need(pos, size, `an attribute message of ${label}`);
  const end = pos + size;
  const version = b.u8(pos);
  const flags = b.u8(pos + 1);
  const nameSize = b.u16(pos + 2);
  const dtSize = b.u16(pos + 4);
  const dsSize = b.u16(pos + 6);
  let p: number;
  const pad8 = (n: number) => (version === 1 ? Math.ceil(n / 8) * 8 : n);
  if (version === 1 || version === 2) p = pos + 8;
  else if (version === 3) p = pos + 9;
  else throw ctx.corrupt(`unsupported attribute message version ${version} in ${label}`);
  if (version > 1 && flags & 0x03) return null; // shared datatype or dataspace: not used by Keras
  const namePos = p;
  p += pad8(nameSize);
  const dtPos = p;
  p += pad8(dtSize);
  const dsPos = p;
  p += pad8(dsSize);
  if (p > end) throw ctx.corrupt(`an attribute message of ${label} overruns its size`);
  let nameEnd = namePos;
  while (nameEnd < namePos + nameSize && b.buf[nameEnd] !== 0) nameEnd++;
  const name = decodeText(b.buf.subarray(namePos, nameEnd));
  const dtype = parseDatatype(b, dtPos);
  const space = parseDataspace(ctx, dsPos);
  return { name, dtype, space, pos: p, size: end - p };
}

/** Global heap collections, each parsed once. */
export class GlobalHeaps {
  private readonly heaps = new Map<number, Map<number, Span>>();

  constructor(private readonly ctx: Ctx) {}

  object(addr: number, index: number): Span {
    const ctx = this.ctx;
    let heap = this.heaps.get(addr);
    if (!heap) {
      heap = new Map();
      const b = ctx.b;
      const p = ctx.at(addr, 'a global heap');
      b.signature(p, 'GCOL', 'a global heap');
      const size = ctx.len(p + 8, 'a global heap size');
      b.need(p, size, 'a global heap collection');
      const end = p + size;
      let q = p + 8 + ctx.L;
      while (q + 8 + ctx.L <= end) {
        ctx.budget.spend();
        const idx = b.u16(q);
        if (idx === 0) break; // free space runs to the end
        const osize = ctx.len(q + 8, 'a global heap object size');
        const data = q + 8 + ctx.L;
        if (data + osize > end) throw ctx.corrupt('a global heap object overruns its collection');
        heap.set(idx, { pos: data, size: osize });
        q = data + Math.ceil(osize / 8) * 8;
      }
      this.heaps.set(addr, heap);
    }
    const obj = heap.get(index);
    if (!obj) throw ctx.corrupt(`global heap object ${index} at ${addr} does not exist`);
    return obj;
  }
}

/** One attribute's value (strings decoded, numbers as numbers), or undefined for a type we skip. */
export function decodeAttribute(ctx: Ctx, heaps: GlobalHeaps, a: AttrRaw, label: string): AttrValue {
  const count = a.space.empty ? 0 : product(a.space.shape);
  const t = a.dtype;
  const elem = t.cls === 9 ? 4 + ctx.O + 4 : t.size;
  if (!Number.isSafeInteger(count) || elem < 1 || count * elem > a.size) {
    throw ctx.corrupt(`attribute '${a.name}' of ${label} claims ${count} values but holds only ${a.size} bytes`);
  }
  const values: (string | number)[] = [];
  const b = ctx.b;
  for (let i = 0; i < count; i++) {
    const p = a.pos + i * elem;
    if (t.cls === 3) {
      values.push(trimString(b.buf.subarray(p, p + t.size), t.pad));
    } else if (t.cls === 9 && t.vlenType === 1) {
      const length = b.u32(p);
      const heapAddr = ctx.addr(p + 4, 'a global heap address');
      const index = b.u32(p + 4 + ctx.O);
      if (length === 0 || heapAddr === UNDEF) {
        values.push('');
        continue;
      }
      const obj = heaps.object(heapAddr, index);
      if (length > obj.size) throw ctx.corrupt(`a string in attribute '${a.name}' of ${label} is longer than its heap object`);
      values.push(decodeText(b.buf.subarray(obj.pos, obj.pos + length)));
    } else if (t.cls === 0 || t.cls === 1) {
      values.push(readNumbers(b, p, t, 1)[0]);
    } else {
      return undefined;
    }
  }
  return a.space.shape.length === 0 && !a.space.empty ? values[0] : values;
}

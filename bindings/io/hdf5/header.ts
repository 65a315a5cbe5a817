/**
 * Object headers: version 1 (no checksums) and version 2 ("OHDR", continuation blocks "OCHK",
 * each with a lookup3 checksum that is verified here), with their continuation chains.
 */
import { checkMetadata } from './checksum.js';
import type { Ctx } from './context.js';

export const MSG = {
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

export interface Message {
  type: number;
  flags: number;
  /** File position of the message data. */
  pos: number;
  size: number;
}

/** The messages of the object header at `address`; `label` names the object in errors. */
export function readHeader(ctx: Ctx, address: number, label: string): Message[] {
  const b = ctx.b;
  const pos = ctx.at(address, `the object header of ${label}`);
  const messages: Message[] = [];
  const seen = new Set<number>();
  if (b.u8(pos) === 1) {
    // version 1: version, reserved, #messages (2), refcount (4), header size (4), pad to 8
    const count = b.u16(pos + 2);
    const size = b.u32(pos + 8);
    const blocks: [number, number][] = [[pos + 16, size]];
    while (blocks.length && messages.length < count) {
      const [start, length] = blocks.shift()!;
      if (seen.has(start)) throw ctx.corrupt(`the object header of ${label} continues into itself`);
      seen.add(start);
      b.need(start, length, `the object header of ${label}`);
      let p = start;
      while (p + 8 <= start + length && messages.length < count) {
        ctx.budget.spend();
        const type = b.u16(p);
        const msize = b.u16(p + 2);
        const flags = b.u8(p + 4);
        const data = p + 8;
        if (data + msize > start + length) throw ctx.corrupt(`a message of the object header of ${label} at offset ${p} overruns its block`);
        messages.push({ type, flags, pos: data, size: msize });
        if (type === MSG.continuation) blocks.push(continuation(ctx, data, label));
        p = data + msize;
      }
    }
    return messages.filter((m) => m.type !== MSG.continuation);
  }
  b.signature(pos, 'OHDR', `the object header of ${label}`);
  if (b.u8(pos + 4) !== 2) throw ctx.corrupt(`unsupported object header version ${b.u8(pos + 4)} for ${label}`);
  const flags = b.u8(pos + 5);
  let p = pos + 6;
  if (flags & 0x20) p += 16; // access, modification, change, birth times
  if (flags & 0x10) p += 4; // attribute phase change values
  const sizeBytes = 1 << (flags & 3);
  const chunk0 = b.uint(p, sizeBytes, 'an object header size');
  p += sizeBytes;
  // chunk 0 runs from the signature to the end of its messages; its checksum follows
  checkMetadata(b, pos, p + chunk0 - pos, `the object header of ${label}`);
  const withOrder = (flags & 0x04) !== 0;
  const headerSize = 4 + (withOrder ? 2 : 0);
  const blocks: [number, number][] = [[p, chunk0]];
  let first = true;
  while (blocks.length) {
    const [start, length] = blocks.shift()!;
    if (seen.has(start)) throw ctx.corrupt(`the object header of ${label} continues into itself`);
    seen.add(start);
    let q = start;
    let end = start + length;
    if (!first) {
      // "OCHK", messages, checksum
      b.signature(start, 'OCHK', `an object header continuation block of ${label}`);
      if (length < 8) throw ctx.corrupt(`an object header continuation block of ${label} is too short`);
      checkMetadata(b, start, length - 4, `an object header continuation block of ${label}`);
      q += 4;
      end -= 4;
    }
    first = false;
    while (q + headerSize <= end) {
      ctx.budget.spend();
      const type = b.u8(q);
      const msize = b.u16(q + 1);
      const mflags = b.u8(q + 3);
      const data = q + headerSize;
      if (data + msize > end) throw ctx.corrupt(`a message of the object header of ${label} at offset ${q} overruns its block`);
      messages.push({ type, flags: mflags, pos: data, size: msize });
      if (type === MSG.continuation) blocks.push(continuation(ctx, data, label));
      q = data + msize;
    }
  }
  return messages.filter((m) => m.type !== MSG.continuation);
}

function continuation(ctx: Ctx, pos: number, label: string): [number, number] {
  const addr = ctx.addr(pos, 'a continuation address');
  const length = ctx.len(pos + ctx.O, 'a continuation length');
  const start = ctx.at(addr, `an object header continuation of ${label}`);
  ctx.b.need(start, length, `an object header continuation of ${label}`);
  return [start, length];
}

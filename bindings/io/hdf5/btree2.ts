/**
 * Version 2 B-trees (dense link and attribute indexes, huge heap objects): header "BTHD",
 * internal nodes "BTIN" and leaves "BTLF", each with a lookup3 checksum verified here.
 */
import { limitEncSize, UNDEF } from './bytes.js';
import { checkMetadata } from './checksum.js';
import type { Ctx } from './context.js';

/** File positions of every record of the v2 B-tree of `type` at `address`. */
export function btree2Records(ctx: Ctx, address: number, type: number, label: string): number[] {
  const b = ctx.b;
  const O = ctx.O;
  const what = `the v2 B-tree of ${label}`;
  const p = ctx.at(address, what);
  b.signature(p, 'BTHD', `${what} (header)`);
  // signature, version, type, node size (4), record size (2), depth (2), split and merge
  // percentages, root address, root record count (2), total record count; then the checksum
  checkMetadata(b, p, 16 + O + 2 + ctx.L, `the header of ${what}`);
  if (b.u8(p + 5) !== type) throw ctx.corrupt(`${what} has type ${b.u8(p + 5)}, expected ${type}`);
  const nodeSize = b.u32(p + 6);
  const recordSize = b.u16(p + 10);
  const depth = b.u16(p + 12);
  const root = ctx.addr(p + 16, 'a v2 B-tree root');
  const rootCount = b.u16(p + 16 + O);
  if (recordSize === 0 || nodeSize < 16 || depth > 32) throw ctx.corrupt(`the header of ${what} is damaged`);
  // node capacities (HDF5's H5B2__hdr_init)
  const maxRec: number[] = [Math.floor((nodeSize - 10) / recordSize)];
  const cumMax: number[] = [maxRec[0]];
  const cumSize: number[] = [0];
  const recSize = limitEncSize(maxRec[0]);
  for (let d = 1; d <= depth; d++) {
    const ptr = O + recSize + cumSize[d - 1];
    maxRec[d] = Math.floor((nodeSize - 10 - ptr) / (recordSize + ptr));
    cumMax[d] = (maxRec[d] + 1) * cumMax[d - 1] + maxRec[d];
    cumSize[d] = limitEncSize(cumMax[d]);
  }
  const out: number[] = [];
  const visited = new Set<number>();
  const walk = (addr: number, count: number, d: number): void => {
    if (addr === UNDEF || count === 0) return;
    if (visited.has(addr)) throw ctx.corrupt(`${what} refers back to itself`);
    visited.add(addr);
    ctx.budget.spend();
    const q = ctx.at(addr, `a node of ${what}`);
    b.signature(q, d === 0 ? 'BTLF' : 'BTIN', `a node of ${what}`);
    if (!(count <= maxRec[d])) throw ctx.corrupt(`a node of ${what} holds more records than fit`);
    const recs = q + 6;
    b.need(recs, count * recordSize, `the records of ${what}`);
    if (d === 0) {
      checkMetadata(b, q, 6 + count * recordSize, `a leaf node of ${what}`);
      for (let i = 0; i < count; i++) out.push(recs + i * recordSize);
      return;
    }
    let c = recs + count * recordSize;
    const children: [number, number][] = [];
    for (let i = 0; i <= count; i++) {
      const child = ctx.addr(c, 'a v2 B-tree child');
      const n = b.uint(c + O, recSize, 'a v2 B-tree child count');
      c += O + recSize + (d > 1 ? cumSize[d - 1] : 0);
      children.push([child, n]);
    }
    checkMetadata(b, q, c - q, `an internal node of ${what}`);
    // records in key order: child 0, record 0, child 1, record 1, …
    for (let i = 0; i <= count; i++) {
      walk(children[i][0], children[i][1], d - 1);
      if (i < count) out.push(recs + i * recordSize);
    }
  };
  walk(root, rootCount, depth);
  return out;
}

/**
 * Offsets for buffers with known lifetimes, so that buffers that are never alive at the same
 * time share bytes: a linear scan over time, placing each new buffer in the first gap between
 * the buffers alive at its first step (O(buffers · live buffers)). For a chain of layers this
 * ends up as a ping-pong between two regions; a skip connection keeps its buffer alive.
 */

export interface Lifetime {
  /** Bytes, already rounded as the caller wants. */
  readonly bytes: number;
  /** First and last step (inclusive) at which the buffer is alive. */
  readonly first: number;
  readonly last: number;
}

const ALIGN = 16;

export function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/** Offsets (relative to the region start) and the region's total size. */
export function assignOffsets(buffers: readonly Lifetime[]): { offsets: number[]; size: number } {
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[a].first - buffers[b].first || buffers[b].bytes - buffers[a].bytes || a - b);
  const offsets = new Array<number>(buffers.length).fill(0);
  // live blocks sorted by offset
  let live: { start: number; end: number; last: number }[] = [];
  let size = 0;
  for (const i of order) {
    const b = buffers[i];
    live = live.filter((x) => x.last >= b.first);
    const bytes = align(b.bytes);
    let at = 0;
    let k = 0;
    for (; k < live.length; k++) {
      if (at + bytes <= live[k].start) break;
      at = Math.max(at, live[k].end);
    }
    offsets[i] = at;
    live.splice(k, 0, { start: at, end: at + bytes, last: b.last });
    size = Math.max(size, at + bytes);
  }
  return { offsets, size };
}

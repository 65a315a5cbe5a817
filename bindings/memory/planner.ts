/**
 * Offsets for buffers with known lifetimes, so that buffers that are never alive at the same
 * time share bytes (first fit over live intervals). For a chain of layers this ends up as a
 * ping-pong between two regions.
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
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[b].bytes - buffers[a].bytes || a - b);
  const offsets = new Array<number>(buffers.length).fill(0);
  const placed: number[] = [];
  let size = 0;
  for (const i of order) {
    const b = buffers[i];
    const clashes = placed
      .filter((j) => buffers[j].first <= b.last && b.first <= buffers[j].last)
      .map((j) => [offsets[j], offsets[j] + align(buffers[j].bytes)] as const)
      .sort((x, y) => x[0] - y[0]);
    let at = 0;
    for (const [start, end] of clashes) {
      if (at + align(b.bytes) <= start) break;
      at = Math.max(at, end);
    }
    offsets[i] = at;
    placed.push(i);
    size = Math.max(size, at + align(b.bytes));
  }
  return { offsets, size };
}

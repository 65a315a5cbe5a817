import { getThreads, init } from '../../bindings/index.js';
import type { Pool } from '../../bindings/backend/threads/pool.js';
import { currentPool } from '../../bindings/backend/threads/start.js';

/**
 * The threads build in tests: `useThreads(n)` inits it, `settle` waits until every worker has
 * attached every memory, `forceSplit` makes every splittable call split into as many chunks as
 * its grains allow (so that small test shapes cross chunk boundaries), `workersOnly` makes the
 * workers run every chunk (the calling thread only waits).
 */
export async function useThreads(n = 2): Promise<Pool> {
  await init({ threads: n });
  const t = getThreads();
  if (t.threads !== n) throw new Error(`init({ threads: ${n} }) gave ${JSON.stringify(t)}`);
  return currentPool()!;
}

export async function settle(pool: Pool, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pool.settled) {
    if (Date.now() > end) throw new Error('the workers did not read their messages in time');
    await new Promise((r) => setTimeout(r, 1));
  }
}

export interface Tuning {
  splitNs: number;
  minChunkNs: number;
  chunksPerThread: number;
  callerTakesWork: boolean;
}

const DEFAULTS: Tuning = { splitNs: 30000, minChunkNs: 4000, chunksPerThread: 4, callerTakesWork: true };

export function tune(pool: Pool, t: Partial<Tuning>): void {
  Object.assign(pool, { ...DEFAULTS, ...t });
}

/** Every splittable call split as finely as it goes. */
export function forceSplit(pool: Pool, workersOnly = false): void {
  tune(pool, { splitNs: 0, minChunkNs: 0, chunksPerThread: 64, callerTakesWork: !workersOnly });
}

/** No call split. */
export function noSplit(pool: Pool): void {
  tune(pool, { splitNs: Infinity });
}

export function resetTuning(pool: Pool): void {
  tune(pool, {});
}

/** Bitwise equality of two float arrays (NaN payloads and signed zeros included); null or the first difference. */
export function bitDiff(a: Float32Array, b: Float32Array): string | null {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `[${i}]: ${a[i]} vs ${b[i]}`;
  return null;
}

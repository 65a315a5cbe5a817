/**
 * `init({ threads })` above 1: whether this runtime can run threads, the pool (started once per
 * process, grown when more threads are asked for), the threads build, and a self-test on the
 * first start — a small igemm run by the workers alone over a shared memory must equal the
 * calling thread's, bit for bit (Bun's shared-memory bugs are open; any runtime that fails it
 * runs one thread). Loaded on demand, so that single-thread users do not pay for it.
 */
import type { Backend } from '../kernels.js';
import { KERNEL_NAMES } from '../reference.js';
import type { ThreadsProvider, ThreadsReason, WasmSource } from '../select.js';
import { threadedBackend, threadsFlavour } from './backend.js';
import { Pool } from './pool.js';
import { SPLITS } from './splits.js';

export interface Started {
  backend: Backend | null;
  threads: number;
  reason: ThreadsReason | null;
}

let pool: Pool | null = null;
let poolFailed: ThreadsReason | null = null;
const backends = new Map<WebAssembly.Module, Backend>();
const modules = new Map<string, WebAssembly.Module>();
const tested = new Set<WebAssembly.Module>();

// (module (memory (import "env" "memory") 1 1 shared) (func (result i32) i32.const 0 i32.atomic.load))
const THREADS_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 2, 16, 1, 3, 101, 110, 118, 6,
  109, 101, 109, 111, 114, 121, 2, 3, 1, 1, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 254, 16, 2, 0, 11]);

/** Why this runtime cannot run threads at all, or null. */
export function threadsUnsupported(p: ThreadsProvider | null): ThreadsReason | null {
  if (!p) return 'runtime-has-no-threads';
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (g.crossOriginIsolated === false) return 'not-cross-origin-isolated';
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return 'no-shared-memory';
  try {
    if (!WebAssembly.validate(THREADS_PROBE)) return 'no-shared-memory';
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return 'no-shared-memory';
  }
  return null;
}

async function compile(source: WasmSource | Uint8Array): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  const res = source instanceof Response ? source : await fetch(source as URL | string);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return WebAssembly.compile(await res.arrayBuffer());
}

/** The workers alone run a split igemm over a fresh shared memory; true when it equals one thread's. */
async function selfTest(p: Pool, module: WebAssembly.Module, threads: number): Promise<boolean> {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, (...a: number[]) => number>;
  const id = p.attach(memory, module);
  try {
    const end = Date.now() + 5000;
    while (!p.settled) {
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 1));
    }
    const M = 64, K = 12, N = 16;
    const base = (exports.heapBase() + 15) & ~15;
    const f32 = new Float32Array(memory.buffer);
    const u32 = new Uint32Array(memory.buffer);
    const x = base, w = x + 4 * M * K, inPtrs = w + 4 * 2 * (8 + K * 8), outA = inPtrs + 4 * M, outB = outA + 4 * M * N;
    const ptrsA = outB + 4 * M * N, ptrsB = ptrsA + 4 * M;
    for (let i = 0; i < M * K; i++) f32[(x >>> 2) + i] = Math.sin(i * 0.37) * 3;
    for (let i = 0; i < 2 * (8 + K * 8); i++) f32[(w >>> 2) + i] = Math.cos(i * 0.11);
    for (let m = 0; m < M; m++) {
      u32[(inPtrs >>> 2) + m] = x + 4 * K * m;
      u32[(ptrsA >>> 2) + m] = outA + 4 * N * m;
      u32[(ptrsB >>> 2) + m] = outB + 4 * N * m;
    }
    exports.igemm(M, 1, K, N, inPtrs, ptrsA, w, 4, 0.2);
    const s = SPLITS.get('igemm')!([M, 1, K, N, inPtrs, ptrsB, w, 4, 0.2]);
    if (!s) return false;
    s.ns = 1e9; // as many chunks as the pool cuts
    p.setThreads(threads);
    p.run(id, KERNEL_NAMES.indexOf('igemm'), exports.igemm, s, true);
    if (!(await p.awaitWorkers(p.chunksOf(s), 'igemm', 5000))) return false;
    const a = new Uint8Array(memory.buffer, outA, 4 * M * N);
    const b = new Uint8Array(memory.buffer, outB, 4 * M * N);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  } catch {
    return false;
  } finally {
    p.detach(id);
  }
}

/** Starts (or resizes) the pool for `threads` and returns the threaded backend, or why not. */
export async function startThreads(p: ThreadsProvider | null, threads: number, flavour: 'wasm-relaxed-simd' | 'wasm-simd',
                                   source: WebAssembly.Module | null): Promise<Started> {
  const no = (reason: ThreadsReason): Started => ({ backend: null, threads: 1, reason });
  const unsupported = threadsUnsupported(p);
  if (unsupported) return no(unsupported);
  if (poolFailed) return no(poolFailed);
  let module: WebAssembly.Module;
  try {
    module = source ?? modules.get(flavour) ?? await compile(await p!.module(flavour));
    if (!source) modules.set(flavour, module);
  } catch {
    return no('no-shared-memory');
  }
  if (!pool) {
    const spawn = await p!.spawner().catch(() => null);
    if (!spawn) return no('no-workers');
    try {
      pool = await Pool.start(spawn, KERNEL_NAMES, threads - 1);
    } catch {
      return no('no-workers');
    }
  } else if (pool.workerCount < threads - 1) {
    try {
      await pool.grow(threads - 1);
    } catch {
      // fewer workers than asked: run with those that started
    }
  }
  if (!tested.has(module)) {
    if (!(await selfTest(pool, module, Math.min(threads, pool.workerCount + 1)))) {
      pool.terminate();
      pool = null;
      poolFailed = 'self-test-failed';
      return no('self-test-failed');
    }
    tested.add(module);
  }
  pool.setThreads(threads);
  let backend = backends.get(module);
  if (!backend) {
    backend = threadedBackend(module, pool, source ? threadsFlavour(module) : flavour);
    backends.set(module, backend);
  }
  return { backend, threads: pool.threadCount, reason: null };
}

/** The pool (tests: who worked, what is attached). */
export function currentPool(): Pool | null {
  return pool;
}

/**
 * The threaded backend: the threads build (shared memory, atomics, SIMD) with one shared
 * WebAssembly.Memory per model, instantiated on the calling thread and in every worker of the
 * pool. Its kernels are the build's exports wrapped: a call that `SPLITS` can cut and that is big
 * enough runs through the pool, anything else directly. Plans and executors do not change.
 */
import { BackendError } from '../../errors.js';
import type { Backend, KernelMemory, Kernels } from '../kernels.js';
import { KERNEL_NAMES } from '../reference.js';
import type { WasmFlavour } from '../wasm.js';
import type { Pool } from './pool.js';
import { SPLITS } from './splits.js';

const PAGE = 65536;
const MAX_PAGES = 65536;

interface ThreadsExports {
  heapBase(): number;
  [kernel: string]: unknown;
}

/** What a model's memory and kernels hold on to; when it is collected the workers let go too. */
interface Handle {
  id: number;
  released: boolean;
}

class SharedMemory implements KernelMemory {
  readonly base: number;
  constructor(private readonly memory: WebAssembly.Memory, exports: ThreadsExports, private readonly handle: Handle,
              private readonly pool: Pool, private readonly maxPages: number) {
    this.base = (exports.heapBase() + 15) & ~15;
  }
  get buffer(): ArrayBuffer {
    return this.memory.buffer as unknown as ArrayBuffer;
  }
  ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > this.maxPages) {
      throw new BackendError(`WebAssembly memory cannot grow to ${bytes} bytes (this model's shared memory holds at most ${this.maxPages * PAGE} bytes: its memoryLimit)`);
    }
    try {
      this.memory.grow(pages);
    } catch (e) {
      throw new BackendError(`WebAssembly memory could not grow to ${bytes} bytes: ${(e as Error).message}`);
    }
  }
  release(): void {
    if (this.handle.released) return;
    this.handle.released = true;
    this.pool.detach(this.handle.id);
    finalizer?.unregister(this.handle);
  }
}

let finalizer: FinalizationRegistry<{ pool: Pool; id: number }> | null = null;

function track(handle: Handle, pool: Pool): void {
  if (typeof FinalizationRegistry === 'undefined') return;
  finalizer ??= new FinalizationRegistry(({ pool: p, id }) => p.detach(id));
  finalizer.register(handle, { pool, id: handle.id }, handle);
}

/** The exports wrapped so that big splittable calls run on the pool. */
function wrapKernels(exports: ThreadsExports, handle: Handle, pool: Pool): Kernels {
  const out: Record<string, unknown> = {};
  const index = new Map(KERNEL_NAMES.map((n, i) => [n, i]));
  for (const name of KERNEL_NAMES) {
    const fn = exports[name] as (...a: number[]) => unknown;
    const rule = SPLITS.get(name);
    if (!rule) {
      out[name] = fn;
      continue;
    }
    out[name] = function (this: unknown) {
      // eslint-disable-next-line prefer-rest-params
      const args = arguments as unknown as number[];
      if (pool.threadCount > 1 && !handle.released) {
        const s = rule(args);
        if (s && s.units > s.grain && pool.worthSplitting(s.ns)) {
          const k = s.kernel === name ? fn : (exports[s.kernel] as (...a: number[]) => void);
          pool.run(handle.id, index.get(s.kernel)!, k, s);
          return;
        }
      }
      return fn.apply(null, args);
    };
  }
  return out as unknown as Kernels;
}

/** A backend over the threads build; models made with it share `pool`'s workers. */
export function threadedBackend(module: WebAssembly.Module, pool: Pool, name: WasmFlavour = 'wasm-simd'): Backend {
  const exportNames = WebAssembly.Module.exports(module).map((e) => e.name);
  const missing = ['heapBase', ...KERNEL_NAMES].filter((n) => !exportNames.includes(n));
  if (missing.length) throw new BackendError(`the WebAssembly module is not an upconv threads build: missing exports ${missing.join(', ')}`);
  return {
    name,
    threads: true,
    createMemory(limitBytes?: number) {
      const maxPages = Math.max(2, Math.min(MAX_PAGES, Math.ceil((limitBytes ?? 2 ** 32) / PAGE) + 1));
      let memory: WebAssembly.Memory;
      try {
        memory = new WebAssembly.Memory({ initial: 1, maximum: maxPages, shared: true });
      } catch (e) {
        throw new BackendError(`upconv: could not make a shared WebAssembly memory of up to ${maxPages * PAGE} bytes (${(e as Error).message}); lower memoryLimit or use one thread`);
      }
      const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as ThreadsExports;
      const handle: Handle = { id: pool.attach(memory, module), released: false };
      track(handle, pool);
      return { memory: new SharedMemory(memory, exports, handle, pool, maxPages), kernels: wrapKernels(exports, handle, pool) };
    },
  };
}

/** Whether a module is a threads build (it imports its memory). */
export function isThreadsModule(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === 'memory');
}

/** The SIMD flavour of a threads build, from its `flavour()` export (2 relaxed, 1 SIMD). */
export function threadsFlavour(module: WebAssembly.Module): WasmFlavour {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  try {
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as { flavour?: () => number };
    return exports.flavour?.() === 2 ? 'wasm-relaxed-simd' : 'wasm-simd';
  } catch {
    return 'wasm-simd';
  }
}

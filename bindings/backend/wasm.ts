import { BackendError } from '../errors.js';
import type { Backend, KernelMemory, Kernels } from './kernels.js';
import { KERNEL_NAMES } from './reference.js';
import { warmUpKernels } from './warmup.js';

export type WasmFlavour = 'wasm-relaxed-simd' | 'wasm-simd' | 'wasm-scalar';

interface WasmExports extends Kernels {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  flavour?(): number;
}

const PAGE = 65536;
const MAX_PAGES = 65536;

class WasmMemory implements KernelMemory {
  readonly base: number;
  constructor(private readonly exports: WasmExports) {
    this.base = (exports.heapBase() + 15) & ~15;
  }
  get buffer(): ArrayBuffer {
    return this.exports.memory.buffer as ArrayBuffer;
  }
  ensure(bytes: number): void {
    const have = this.exports.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) throw new BackendError(`WebAssembly memory cannot grow to ${bytes} bytes (4 GiB is the most a wasm32 memory holds)`);
    try {
      this.exports.memory.grow(pages);
    } catch (e) {
      throw new BackendError(`WebAssembly memory could not grow to ${bytes} bytes: ${(e as Error).message}`);
    }
  }
}

const REQUIRED = ['memory', 'heapBase', ...KERNEL_NAMES];

/** A backend over one compiled upconv module; each model gets its own instance and memory. */
export function wasmBackend(module: WebAssembly.Module, flavour: WasmFlavour): Backend {
  const exportNames = WebAssembly.Module.exports(module).map((e) => e.name);
  const missing = REQUIRED.filter((n) => !exportNames.includes(n));
  if (missing.length) throw new BackendError(`the WebAssembly module is not an upconv build: missing exports ${missing.join(', ')}`);
  if (WebAssembly.Module.imports(module).length) throw new BackendError('the WebAssembly module is not an upconv build: it has imports');
  // start the optimising compilation of the generator kernels now, before a model needs them
  warmUpKernels(module);
  return {
    name: flavour,
    createMemory() {
      const instance = new WebAssembly.Instance(module, {});
      const exports = instance.exports as unknown as WasmExports;
      return { memory: new WasmMemory(exports), kernels: exports };
    },
  };
}

/** The flavour a module was built as, from its `flavour()` export (2 relaxed, 1 simd, 0 scalar). */
export function moduleFlavour(module: WebAssembly.Module, fallback: WasmFlavour): WasmFlavour {
  if (!WebAssembly.Module.exports(module).some((e) => e.name === 'flavour')) return fallback;
  const exports = new WebAssembly.Instance(module, {}).exports as unknown as WasmExports;
  const f = exports.flavour!();
  return f === 2 ? 'wasm-relaxed-simd' : f === 1 ? 'wasm-simd' : 'wasm-scalar';
}

// Tiny modules that use one feature each: (func (result v128) ...)
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);
const RELAXED_PROBE = (() => {
  const zero = [253, 12, ...new Array(16).fill(0)];
  const body = [0, ...zero, ...zero, ...zero, 253, 133, 2, 11];
  return new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
    10, body.length + 2, 1, body.length, ...body]);
})();

/** Which builds this engine can run, best first. */
export function supportedFlavours(): WasmFlavour[] {
  if (typeof WebAssembly !== 'object') return [];
  const valid = (bytes: Uint8Array) => {
    try {
      return WebAssembly.validate(bytes as BufferSource);
    } catch {
      return false; // an embedder that forbids even validation: assume the feature is missing
    }
  };
  const out: WasmFlavour[] = [];
  if (valid(RELAXED_PROBE)) out.push('wasm-relaxed-simd');
  if (valid(SIMD_PROBE)) out.push('wasm-simd');
  out.push('wasm-scalar');
  return out;
}

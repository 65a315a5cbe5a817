import { decodeBase64 } from '../../bindings/backend/base64.js';
import type { Backend, KernelMemory, Kernels } from '../../bindings/backend/kernels.js';
import { referenceBackend } from '../../bindings/backend/reference.js';
import { type WasmFlavour, supportedFlavours, wasmBackend } from '../../bindings/backend/wasm.js';
import { WASM_RELAXED_B64, WASM_SCALAR_B64, WASM_SIMD_B64 } from '../../bindings/backend/wasm_inline.js';
import { mulberry32 } from '../../bindings/random.js';

const BYTES: Record<WasmFlavour, string> = {
  'wasm-relaxed-simd': WASM_RELAXED_B64,
  'wasm-simd': WASM_SIMD_B64,
  'wasm-scalar': WASM_SCALAR_B64,
};

/** Every WebAssembly build this process can run (vitest enables relaxed SIMD on Node 20). */
export function wasmBuilds(): Backend[] {
  return supportedFlavours().map((f) => wasmBackend(new WebAssembly.Module(decodeBase64(BYTES[f]) as BufferSource), f));
}

/** A seeded generator: the package's mulberry32. */
export const rng = (seed: number): (() => number) => mulberry32(seed);

const GUARD = 0x7fc0dead; // a NaN pattern no kernel writes

/**
 * Runs one kernel call on a wasm build and on the reference over identical memory contents and
 * compares the output range; also checks that no byte outside the output range changed.
 */
export class KernelTester {
  private readonly sides: { memory: KernelMemory; kernels: Kernels }[];

  constructor(wasm: Backend) {
    this.sides = [wasm.createMemory(), referenceBackend.createMemory()];
  }

  /**
   * `layout(base)` writes inputs into a Float32/Uint32 view starting at `base` and returns the
   * byte range [outStart, outEnd) the kernel may write and the call to make.
   */
  run(bytes: number, fill: (f32: Float32Array, u32: Uint32Array, base: number) => { out: [number, number]; call: (k: Kernels) => void }): { wasm: Float32Array; ref: Float32Array; untouched: boolean } {
    const results: Float32Array[] = [];
    let untouched = true;
    for (const side of this.sides) {
      const base = side.memory.base;
      side.memory.ensure(base + bytes + 64);
      const buf = side.memory.buffer;
      const u32 = new Uint32Array(buf, 0, (base + bytes + 64) >>> 2);
      u32.fill(GUARD, base >>> 2);
      const f32 = new Float32Array(buf, 0, u32.length);
      const { out, call } = fill(f32, u32, base);
      const before = u32.slice(base >>> 2);
      call(side.kernels);
      const after = new Uint32Array(side.memory.buffer, 0, u32.length).slice(base >>> 2);
      for (let i = 0; i < after.length; i++) {
        const byte = base + 4 * i;
        if ((byte < out[0] || byte >= out[1]) && after[i] !== before[i]) untouched = false;
      }
      results.push(new Float32Array(side.memory.buffer).slice(out[0] >>> 2, out[1] >>> 2));
    }
    return { wasm: results[0], ref: results[1], untouched };
  }
}

/**
 * upconv for Node, Deno, Bun and any runtime that may compile WebAssembly from bytes: the three
 * builds are inlined, so this entry needs no file access and works before `init()`.
 */
import { decodeBase64 } from './backend/base64.js';
import { setWasmProvider } from './backend/select.js';
import { WASM_RELAXED_B64, WASM_SCALAR_B64, WASM_SIMD_B64 } from './backend/wasm_inline.js';

setWasmProvider({
  sync: (flavour) =>
    decodeBase64(flavour === 'wasm-relaxed-simd' ? WASM_RELAXED_B64 : flavour === 'wasm-simd' ? WASM_SIMD_B64 : WASM_SCALAR_B64),
});

export * from './api.js';

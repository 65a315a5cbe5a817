/**
 * The inlined builds (Node, Deno, Bun, the default condition): the three .wasm as base64, so the
 * core loads synchronously on first use, with no file access and no `init()`. Imported for its
 * effect by every entry of that condition (upconv, upconv/io, CommonJS, the CLI); bundled once.
 */
import { decodeBase64 } from '../backend/base64.js';
import { setWasmProvider } from '../backend/select.js';
import { WASM_RELAXED_B64, WASM_SCALAR_B64, WASM_SIMD_B64 } from '../backend/wasm_inline.js';

setWasmProvider({
  sync: (flavour) =>
    decodeBase64(flavour === 'wasm-relaxed-simd' ? WASM_RELAXED_B64 : flavour === 'wasm-simd' ? WASM_SIMD_B64 : WASM_SCALAR_B64),
});

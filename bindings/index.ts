/**
 * upconv: Keras-exact GAN generator layers on a WebAssembly SIMD core.
 * This default entry carries the three WebAssembly builds inlined, so it needs no file access.
 */
import { setBytesProvider } from './backend/select.js';
import { WASM_RELAXED_B64, WASM_SCALAR_B64, WASM_SIMD_B64 } from './backend/wasm_inline.js';
import { decodeBase64 } from './backend/base64.js';

setBytesProvider((flavour) =>
  decodeBase64(flavour === 'wasm-relaxed-simd' ? WASM_RELAXED_B64 : flavour === 'wasm-simd' ? WASM_SIMD_B64 : WASM_SCALAR_B64));

export * from './api.js';

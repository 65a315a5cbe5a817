/**
 * upconv for browsers: `init()` fetches the .wasm that sits beside this module
 * (`new URL('./upconv.<flavour>.wasm', import.meta.url)`, which Vite and other bundlers that
 * understand that pattern copy for you; with esbuild, copy `node_modules/upconv/dist/*.wasm` next
 * to your bundle, or pass a URL / Response / Module to `init()`).
 */
import { setWasmProvider } from './backend/select.js';

const FILES = {
  'wasm-relaxed-simd': 'upconv.relaxed.wasm',
  'wasm-simd': 'upconv.simd.wasm',
  'wasm-scalar': 'upconv.scalar.wasm',
} as const;

setWasmProvider({
  load: async (flavour) => new URL(`./${FILES[flavour]}`, import.meta.url),
});

export * from './api.js';

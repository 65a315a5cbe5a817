/**
 * upconv for browsers: `init()` fetches the .wasm that sits beside this module
 * (`new URL('./upconv.<flavour>.wasm', import.meta.url)`, which Vite and other bundlers that
 * understand that pattern copy for you; with esbuild, copy `node_modules/upconv/dist/*.wasm` next
 * to your bundle, or pass a URL / Response / Module to `init()`).
 */
import { setWasmProvider } from './backend/select.js';

// One literal `new URL('./file', import.meta.url)` per build: bundlers (Vite, webpack, Parcel)
// copy exactly these files; a template literal would make Vite glob the whole folder.
setWasmProvider({
  load: async (flavour) =>
    flavour === 'wasm-relaxed-simd' ? new URL('./upconv.relaxed.wasm', import.meta.url)
      : flavour === 'wasm-simd' ? new URL('./upconv.simd.wasm', import.meta.url)
        : new URL('./upconv.scalar.wasm', import.meta.url),
});

export * from './api.js';

/**
 * Browsers: `init()` fetches the .wasm that sits beside the bundled module
 * (`new URL('./upconv.<flavour>.wasm', import.meta.url)`; Vite and other bundlers that understand
 * the pattern copy the files; with esbuild, copy `node_modules/upconv/dist/*.wasm` next to your
 * bundle, or pass a URL / Response / Module to `init()`).
 */
import { setWasmProvider } from '../backend/select.js';

// One literal `new URL('./file', import.meta.url)` per build: bundlers (Vite, webpack, Parcel)
// copy exactly these files; a template literal would make Vite glob the whole folder. The paths
// are relative to dist/, where this code is bundled.
setWasmProvider({
  load: async (flavour) =>
    flavour === 'wasm-relaxed-simd' ? new URL('./upconv.relaxed.wasm', import.meta.url)
      : flavour === 'wasm-simd' ? new URL('./upconv.simd.wasm', import.meta.url)
        : new URL('./upconv.scalar.wasm', import.meta.url),
});

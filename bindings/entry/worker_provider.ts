/**
 * Cloudflare workerd and other edge workers refuse to compile WebAssembly from bytes at run time:
 * the builds are imported as modules, which the worker's bundler (wrangler, workerd's config)
 * compiles at deploy time. The import paths are relative to dist/, where this code is bundled.
 */
import { setWasmProvider } from '../backend/select.js';
// @ts-ignore: resolved by the worker bundler to a WebAssembly.Module
import relaxed from './upconv.relaxed.wasm';
// @ts-ignore: resolved by the worker bundler to a WebAssembly.Module
import simd from './upconv.simd.wasm';

setWasmProvider({
  sync: (flavour) => (flavour === 'wasm-relaxed-simd' ? relaxed : flavour === 'wasm-simd' ? simd : null) as WebAssembly.Module | null,
});

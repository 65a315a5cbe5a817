/**
 * Keras generator layers and models on a WebAssembly SIMD core: `Sequential`, the layers, tensors,
 * the backend switch, seeded latents and images (`sampleLatents`, `toPNG`, `toImageData`,
 * `imageGrid`). This is the entry Node, Deno, Bun and the default condition get: the three builds
 * are inlined, so it needs no file access and works before `init()` (browsers and workers get the
 * same API from entries that find the .wasm their way).
 *
 * @module upconv
 */
import './entry/inline_provider.js';

export * from './api.js';

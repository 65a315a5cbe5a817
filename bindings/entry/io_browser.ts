/** upconv/io for browsers: `await init()` (it fetches the .wasm beside the bundle) before the first `predict`. */
import './browser_provider.js';

export * from '../io/index.js';

/**
 * upconv for browsers: `await init()` fetches the .wasm that sits beside this module before the
 * first predict (see entry/browser_provider.ts for bundlers).
 */
import './entry/browser_provider.js';

export * from './api.js';

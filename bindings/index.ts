/**
 * upconv for Node, Deno, Bun and any runtime that may compile WebAssembly from bytes: the three
 * builds are inlined, so this entry needs no file access and works before `init()`.
 */
import './entry/inline_provider.js';

export * from './api.js';

/** upconv/io for Node, Deno, Bun and the default condition: the inlined builds, so `loadModel` then `predict` needs no `init()`. */
import './inline_provider.js';

export * from '../io/index.js';

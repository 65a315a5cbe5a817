/**
 * Models trained in Python: `loadModel` reads Keras .h5 / .keras files and TensorFlow.js Layers
 * folders (by path, URL, bytes or Blob), `loadWeights` puts weights on a model built in code,
 * `saveModel` writes TensorFlow.js artifacts. In Node, Deno, Bun and the default condition this
 * entry brings the inlined builds, so `loadModel` then `predict` needs no `init()`.
 *
 * @module upconv/io
 */
import './inline_provider.js';

export * from '../io/index.js';

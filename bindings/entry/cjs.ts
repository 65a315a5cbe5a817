/**
 * The one CommonJS bundle (dist/upconv.cjs) behind both `require('upconv')` (dist/index.cjs →
 * `.core`) and `require('upconv/io')` (dist/io.cjs → `.io`): one core, so tensors, models, error
 * classes and the backend state are the same objects whichever was required first.
 */
import './inline_provider.js';

export * as core from '../api.js';
export * as io from '../io/index.js';

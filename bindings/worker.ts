/**
 * upconv for Cloudflare workerd and other edge workers: the builds are imported as modules, which
 * the worker's bundler compiles at deploy time.
 */
import './entry/worker_provider.js';

export * from './api.js';

/** upconv/io for edge workers (workerd): the builds imported as modules. */
import './worker_provider.js';

export * from '../io/index.js';

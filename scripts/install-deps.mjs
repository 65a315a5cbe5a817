// Installs the own dependencies of the folders given (e.g. bench, test/runtimes) when missing.
// Usage: node scripts/install-deps.mjs bench [test/runtimes ...]
import { resolve } from 'node:path';
import { ensureDeps } from './lib/deps.mjs';

for (const dir of process.argv.slice(2)) {
  if (!ensureDeps(resolve(dir), dir)) process.exit(1);
}

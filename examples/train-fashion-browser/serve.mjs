// Serves the browser training page: copies Fashion-MNIST's gz files into ./data/ (from --data,
// default Debian's /usr/share/datasets/fashion-mnist; gitignored), then serves the repository
// (the page imports ../../dist/ and ../fashion/) on 127.0.0.1 with COOP/COEP and prints the URL.
//
//   npm run build && node examples/train-fashion-browser/serve.mjs [--data DIR] [--port 8080]
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { copyFashionData, DEFAULT_DIR } from '../fashion/copy-data.mjs';
import { serveStatic } from '../playground/scripts/static-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const { values: a } = parseArgs({ options: { data: { type: 'string', default: DEFAULT_DIR }, port: { type: 'string', default: '8080' } } });
if (!existsSync(join(repo, 'dist', 'browser.js'))) {
  console.error('dist/browser.js is missing: run `npm run build` first');
  process.exit(1);
}
try {
  const copied = copyFashionData(a.data, join(here, 'data'));
  if (copied.length) console.log(`copied ${copied.join(', ')} into examples/train-fashion-browser/data/`);
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
const server = await serveStatic(repo, { port: Number(a.port) });
console.log(`serving ${repo} with COOP/COEP; open ${server.url}examples/train-fashion-browser/  (Ctrl-C stops)`);

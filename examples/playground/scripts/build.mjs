// Builds the playground into examples/playground/dist/ (Vite; --out elsewhere), then copies
// Fashion-MNIST's gz files into <out>/data/ for the Train tab when a data folder is there (--data,
// default Debian's /usr/share/datasets/fashion-mnist; --no-data skips it: the tab then asks for
// the files).
// Needs the package's dist/ (npm run build) and this folder's dependencies (npm ci here);
// `npm run build:playground` at the repository's root does all three.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { copyFashionData, DEFAULT_DIR } from '../../fashion/copy-data.mjs';

const site = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(site, '..', '..');
const { values: a } = parseArgs({ options: { data: { type: 'string', default: DEFAULT_DIR }, 'no-data': { type: 'boolean', default: false }, out: { type: 'string' }, quiet: { type: 'boolean', default: false } } });

if (!existsSync(join(repo, 'dist', 'browser.js')) || !existsSync(join(repo, 'dist', 'models', 'fashion-dcgan.js'))) {
  console.error('the package is not built (dist/browser.js, dist/models/fashion-dcgan.js): run `npm run build` at the repository root first');
  process.exit(1);
}
const viteEntry = join(site, 'node_modules', 'vite', 'dist', 'node', 'index.js');
if (!existsSync(viteEntry)) {
  console.error('Vite is not installed: run `npm ci` in examples/playground (or `npm run build:playground` at the root)');
  process.exit(1);
}
const { build } = await import(pathToFileURL(viteEntry).href);
const t0 = Date.now();
const out = a.out ? resolve(a.out) : join(site, 'dist');
await build({ root: site, configFile: join(site, 'vite.config.js'), logLevel: a.quiet ? 'warn' : 'info', build: { outDir: out } });
let data = 'no data copied (--no-data)';
if (!a['no-data']) {
  try {
    const copied = copyFashionData(a.data, join(out, 'data'));
    data = `Fashion-MNIST from ${a.data} in data/ (${copied.length} files copied)`;
  } catch (e) {
    data = `no data/ (${e.message.split(':')[0]} missing): the Train tab asks for the IDX files`;
  }
}
console.log(`playground built in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${out}; ${data}`);

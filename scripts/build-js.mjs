// Bundles the TypeScript API into dist/ (one file per entry point) and copies the .wasm builds
// beside it. Declarations come from `tsc --emitDeclarationOnly` (see package.json "build:js").
//   dist/index.js, index.cjs  Node, Deno, Bun, default: the builds inlined (ESM and CommonJS)
//   dist/browser.js           fetches dist/upconv.*.wasm beside itself
//   dist/worker.js            imports dist/upconv.*.wasm as modules (workerd, edge workers)
// Usage: node scripts/build-js.mjs
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
await rm('dist', { recursive: true, force: true });
await mkdir('dist', { recursive: true });

const common = {
  bundle: true,
  platform: 'neutral',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};
await build({ ...common, entryPoints: { index: 'bindings/index.ts', browser: 'bindings/browser.ts' }, outdir: 'dist', format: 'esm' });
await build({ ...common, entryPoints: { worker: 'bindings/worker.ts' }, outdir: 'dist', format: 'esm', external: ['*.wasm'] });
await build({ ...common, entryPoints: ['bindings/index.ts'], outfile: 'dist/index.cjs', format: 'cjs' });
for (const f of ['upconv.relaxed.wasm', 'upconv.simd.wasm', 'upconv.scalar.wasm']) {
  await copyFile(join('build', f), join('dist', f));
}
console.log('dist/ written');

// Bundles the TypeScript API into dist/ (one file per entry point) and copies the .wasm builds
// beside it. Declarations come from `tsc --emitDeclarationOnly` (see package.json "build:js").
//   dist/index.js, index.cjs  Node, Deno, Bun, default: the builds inlined (ESM and CommonJS)
//   dist/browser.js           fetches dist/upconv.*.wasm beside itself
//   dist/worker.js            imports dist/upconv.*.wasm as modules (workerd, edge workers)
//   dist/io.js                upconv/io: Keras .h5 / .keras / tf.js loading (ESM)
//   dist/chunk-*.js           the core, shared by the ESM entries above (one module instance)
//   dist/cli.js               the `upconv` command (Node)
// Usage: node scripts/build-js.mjs
import { chmod, copyFile, mkdir, rm } from 'node:fs/promises';
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
// one build with splitting, so that upconv/io and the entry a runtime picks share one core
await build({
  ...common,
  entryPoints: { index: 'bindings/index.ts', browser: 'bindings/browser.ts', worker: 'bindings/worker.ts', io: 'bindings/io/index.ts' },
  outdir: 'dist',
  format: 'esm',
  splitting: true,
  chunkNames: 'chunk-[hash]',
  external: ['*.wasm'],
});
await build({ ...common, entryPoints: ['bindings/index.ts'], outfile: 'dist/index.cjs', format: 'cjs' });
await build({ ...common, entryPoints: ['bindings/cli/main.ts'], outfile: 'dist/cli.js', format: 'esm', platform: 'node' });
await chmod('dist/cli.js', 0o755);
for (const f of ['upconv.relaxed.wasm', 'upconv.simd.wasm', 'upconv.scalar.wasm']) {
  await copyFile(join('build', f), join('dist', f));
}
console.log('dist/ written');

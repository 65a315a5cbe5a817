// Bundles the TypeScript API into dist/ (ESM, one file per entry) and copies the .wasm builds
// beside it. Declarations come from `tsc --emitDeclarationOnly` (see package.json "build:js").
// Usage: node scripts/build-js.mjs
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
await rm('dist', { recursive: true, force: true });
await mkdir('dist', { recursive: true });

await build({
  entryPoints: { index: 'bindings/index.ts' },
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
for (const f of ['upconv.relaxed.wasm', 'upconv.simd.wasm', 'upconv.scalar.wasm']) {
  await copyFile(join('build', f), join('dist', f));
}
console.log('dist/ written');

// Bundles the TypeScript API into dist/ and copies the .wasm builds beside it. Declarations come
// from `tsc --emitDeclarationOnly` (see package.json "build:js").
//
// ES modules, one build with code splitting, so whichever entries a program imports share one
// core (one Tensor class, one backend state):
//   dist/index.js                  upconv: Node, Deno, Bun, default (the builds inlined)
//   dist/browser.js                upconv in browsers (fetches dist/upconv.*.wasm beside itself)
//   dist/worker.js                 upconv in workerd / edge workers (imports the .wasm as modules)
//   dist/io.js, io.browser.js,     upconv/io under the same three conditions (each with its
//     io.worker.js                 condition's way of finding the builds)
//   dist/cli.js                    the `upconv` command (Node)
//   dist/chunk-*.js                the shared code
// CommonJS, one bundle behind both entries (so require('upconv') and require('upconv/io') share it):
//   dist/upconv.cjs                the core and upconv/io (Node only: not minified, no source map)
//   dist/index.cjs, dist/io.cjs    require('upconv') / require('upconv/io'): one line each
//
// Readable errors within the size budget (scripts/size.mjs): minified, but every class and
// function keeps its name (keepNames: e.constructor.name is 'ShapeError'), no line is longer than
// 160 characters (an uncaught error prints the line it was thrown from, not the whole file), and
// each .js has a source map (.js.map, with the TypeScript sources inside) that
// `node --enable-source-maps`, browsers and bundlers use to show bindings/*.ts.
// Usage: node scripts/build-js.mjs
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
await rm('dist', { recursive: true, force: true });
await mkdir('dist', { recursive: true });

/**
 * fflate is one module, used for deflate by the PNG encoder (the core's toPNG) and for inflate and
 * unzip by upconv/io. With code splitting, one module used by both would land whole in the chunk
 * every entry loads; loading it a second time under its own namespace for bindings/image/ makes
 * the two uses separate modules, each tree-shaken to what it needs (deflate in the core, inflate
 * in io).
 */
const deflateOnly = {
  name: 'fflate-for-png',
  setup(b) {
    b.onResolve({ filter: /^fflate$/ }, async (args) => {
      if (!args.importer.includes(`${join('bindings', 'image')}`)) return undefined;
      const r = await b.resolve('fflate', { kind: args.kind, resolveDir: args.resolveDir });
      return { path: r.path, namespace: 'fflate-for-png' };
    });
    b.onLoad({ filter: /.*/, namespace: 'fflate-for-png' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'js', resolveDir: dirname(args.path) }));
  },
};

const common = {
  bundle: true,
  platform: 'neutral',
  target: 'es2022',
  minify: true,
  keepNames: true,
  lineLimit: 160,
  sourcemap: true,
  sourcesContent: true,
  legalComments: 'none',
  logLevel: 'warning',
  // node:* only in the CLI and in io's file reader (a dynamic import behind a Node check)
  external: ['*.wasm', 'node:*'],
};

await build({
  ...common,
  entryPoints: {
    index: 'bindings/index.ts',
    browser: 'bindings/browser.ts',
    worker: 'bindings/worker.ts',
    io: 'bindings/entry/io.ts',
    'io.browser': 'bindings/entry/io_browser.ts',
    'io.worker': 'bindings/entry/io_worker.ts',
    cli: 'bindings/cli/main.ts',
  },
  outdir: 'dist',
  format: 'esm',
  splitting: true,
  chunkNames: 'chunk-[hash]',
  plugins: [deflateOnly],
});
// Node only (no size budget): not minified, so stack frames name the classes and point at
// readable code without a source map (a map would double the tarball: it carries the inlined builds)
await build({ ...common, minify: false, minifySyntax: true, sourcemap: false, entryPoints: ['bindings/entry/cjs.ts'], outfile: 'dist/upconv.cjs', format: 'cjs' });
const shim = (part, what) => `'use strict';\n// ${what}: the shared CommonJS bundle (dist/upconv.cjs), one core for require('upconv') and require('upconv/io')\nmodule.exports = require('./upconv.cjs').${part};\n`;
await writeFile('dist/index.cjs', shim('core', "require('upconv')"));
await writeFile('dist/io.cjs', shim('io', "require('upconv/io')"));
await chmod('dist/cli.js', 0o755);
for (const f of ['upconv.relaxed.wasm', 'upconv.simd.wasm', 'upconv.scalar.wasm']) {
  await copyFile(join('build', f), join('dist', f));
}
console.log('dist/ written');

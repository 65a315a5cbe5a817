// Bundles the worker the way wrangler does: esbuild with the "workerd"/"worker" export conditions,
// so `import 'upconv'` → upconv/dist/worker.js; the .wasm builds it imports and the weights stay
// separate modules, copied into build/ beside the bundle, which config.capnp then embeds.
// Usage (from anywhere): node examples/worker/build.mjs   (needs upconv's dist/: npm run build)
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'build');
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const r = await build({
  absWorkingDir: here,
  entryPoints: ['worker.mjs'],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  target: 'es2022',
  minify: true,
  outfile: join(out, 'worker.js'),
  external: ['*.wasm', '*.bin'],
  metafile: true,
  logLevel: 'warning',
});
// Each external import is a module workerd must be given under the name the bundle imports.
const modules = [];
for (const [input, info] of Object.entries(r.metafile.inputs)) {
  for (const imp of info.imports) {
    if (!imp.external) continue;
    const file = resolve(here, dirname(input), imp.path);
    if (!existsSync(file)) throw new Error(`${input} imports ${imp.path}, which is not at ${file}`);
    copyFileSync(file, join(out, basename(imp.path)));
    modules.push(basename(imp.path));
  }
}
// config.capnp lists these modules by hand: say so if the package's worker entry changed them.
const listed = new Set([...readFileSync(join(here, 'config.capnp'), 'utf8').matchAll(/embed "build\/([^"]+)"/g)].map((m) => m[1]));
const missing = [...new Set(modules)].filter((m) => !listed.has(m));
if (missing.length) throw new Error(`config.capnp does not list ${missing.join(', ')}: add a module for each (name = "<file>", wasm/data = embed "build/<file>")`);
const upconv = Object.keys(r.metafile.inputs).find((p) => /upconv\/dist\/worker\.js$|^(\.\.\/)+dist\/worker\.js$/.test(p));
console.log(`build/worker.js (${r.metafile.outputs[Object.keys(r.metafile.outputs)[0]].bytes} bytes, from ${upconv ?? 'upconv'}) + ${[...new Set(modules)].join(', ')}`);

// The API reference: TypeDoc (with typedoc-plugin-markdown) from the TSDoc comments of the public
// entry points (bindings/api.ts = 'upconv', bindings/io/index.ts = 'upconv/io') into docs/api/.
// Any TypeDoc warning is an error, so npm test (which builds it into a scratch folder) fails on a
// broken link or a missing export.
// Usage: npm run docs:api            rebuilds docs/api/
//        node scripts/docs-api.mjs --out=/tmp/x   builds elsewhere (the check in npm test)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv.find((a) => a.startsWith('--out='))?.slice('--out='.length) ?? join(root, 'docs', 'api');
if (!existsSync(join(root, 'bindings', 'backend', 'wasm_inline.ts'))) {
  console.error('bindings/backend/wasm_inline.ts is missing: run `npm run build` first');
  process.exit(1);
}
const r = spawnSync(join(root, 'node_modules', '.bin', 'typedoc'), ['--options', join(root, 'typedoc.json'), '--out', out, '--treatWarningsAsErrors', '--logLevel', 'Warn'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);

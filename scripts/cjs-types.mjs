// Copies the declarations into dist/cjs/ under a {"type": "commonjs"} package.json, so that
// TypeScript (moduleResolution node16/nodenext) types `require('upconv')` as the CommonJS module
// it is (dist/index.cjs); package.json's "require" condition points its "types" there.
// Usage: node scripts/cjs-types.mjs (after tsc --emitDeclarationOnly)
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const out = join(dist, 'cjs');
rmSync(out, { recursive: true, force: true });
for (const e of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!e.isFile() || !e.name.endsWith('.d.ts')) continue;
  const from = join(e.parentPath ?? e.path, e.name);
  const to = join(out, relative(dist, from));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
console.log('dist/cjs/ declarations written');

// Runs every tutorial example in its own fresh process (layer names count from 1 in each).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((f) => /^\d\d_.*\.mjs$/.test(f)).sort();
let failed = 0;
for (const f of files) {
  console.log(`\n$ node examples/${f}`);
  const r = spawnSync(process.execPath, [join(here, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
console.log(`\n${files.length - failed} examples ran, ${failed} failed`);
process.exit(failed ? 1 : 0);

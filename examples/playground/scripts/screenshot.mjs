// Refreshes examples/playground/screenshot.png (the picture the README shows): the playground
// check in headless Chromium against the built site (npm run build:playground first), saving the
// Generate tab for seed 1 at the end.
//   node examples/playground/scripts/screenshot.mjs [--out file.png]
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const site = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(site, '..', '..');
const { values: a } = parseArgs({ options: { out: { type: 'string', default: join(site, 'screenshot.png') } } });
const r = spawnSync(process.execPath, [join(repo, 'test', 'playground', 'run.mjs'), '--only=playground', `--screenshot=${resolve(a.out)}`], { stdio: 'inherit' });
process.exit(r.status ?? 1);

// Runs every test suite and ends with one plain line, "N passed, M failed, K skipped", followed by
// one line saying what was skipped and why (nothing is skipped when ../shared, bench/'s and
// test/runtimes/'s dependencies and Chromium are all there).
//   1. vitest (test/**/*.test.ts, through the compiled .wasm; the doc tests run README.md's and
//      docs/*.md's code blocks against dist/)
//   2. as-pect (AssemblyScript helpers the .wasm does not export)
//   3. the API reference builds with TypeDoc without a warning (into a scratch folder)
//   4. the runtime check of the packed package (Node ESM/CJS, Deno, Bun, Chromium, workerd); its
//      dependencies (test/runtimes/package.json) are installed first when missing
// Every child runs with TMPDIR set to one scratch folder, removed at the end: nothing is left in
// the system's temp folder, and anything a test forgot to remove is named.
// Usage: node scripts/test.mjs [vitest file filters...]   (filters run vitest only)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './lib/deps.mjs';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
process.chdir(root);
const filters = process.argv.slice(2);
const full = filters.length === 0;
const bin = (name) => join(root, 'node_modules', '.bin', name);

const scratch = mkdtempSync(join(tmpdir(), 'upconv-test-'));
const childTmp = join(scratch, 'tmp');
mkdirSync(childTmp);
const env = { ...process.env, TMPDIR: childTmp, TMP: childTmp, TEMP: childTmp };
let cleaned = false;
function cleanup() {
  if (cleaned) return;
  cleaned = true;
  rmSync(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

let passed = 0;
let failed = 0;
/** What a skip tag's "needs X" means, for the closing line. */
const WHY = new Map([
  ['../shared', '../shared, the read-only test data (conformance cases, trained models) that is not beside this clone'],
]);
/** reason → { count, where: Set } */
const skipped = new Map();
function skip(reason, where, n = 1) {
  const s = skipped.get(reason) ?? { count: 0, where: new Set() };
  s.count += n;
  if (where) s.where.add(where);
  skipped.set(reason, s);
}

// ---------------------------------------------------------------- 1. vitest

const report = join(scratch, 'vitest.json');
const vitest = spawnSync(bin('vitest'), ['run', '--config', 'test/vitest.config.ts',
  '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...filters], { stdio: 'inherit', env });
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  for (const file of json.testResults) {
    const where = relative(root, file.name);
    if (file.status === 'failed' && !file.assertionResults.some((a) => a.status === 'failed')) failed += 1; // a suite that did not load
    for (const a of file.assertionResults) {
      if (!['skipped', 'pending', 'todo'].includes(a.status)) continue;
      const tag = /\[skipped: needs (.+?)\]/.exec([...a.ancestorTitles, a.title].join(' '));
      skip(tag ? `need ${WHY.get(tag[1]) ?? tag[1]}` : 'are marked skip or todo in the test file', where);
    }
  }
} catch {
  failed += 1; // vitest did not even write its report
}
if (vitest.status !== 0 && failed === 0) failed += 1;

// ---------------------------------------------------------------- 2. as-pect

function step(label, ok, output) {
  if (output) process.stdout.write(output);
  if (ok) passed += 1;
  else {
    failed += 1;
    console.log(`FAIL ${label}`);
  }
}

if (full) {
  const asp = spawnSync(bin('asp'), ['--config', 'test/as-pect.config.js', '--as-config', 'test/as-pect.asconfig.json'], { encoding: 'utf8', env });
  process.stdout.write(asp.stdout);
  process.stderr.write(asp.stderr);
  const m = /\[Tests\]:\s*(?:\x1b\[\d+m)?(\d+)(?:\x1b\[\d+m)?\s*\/\s*(\d+)/.exec(asp.stdout);
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]) - Number(m[1]);
  }
  if (asp.status !== 0 && (!m || Number(m[1]) === Number(m[2]))) failed += 1;
}

// ---------------------------------------------------------------- 3. API reference

if (full) {
  const out = join(scratch, 'api');
  const r = spawnSync(process.execPath, ['scripts/docs-api.mjs', `--out=${out}`], { encoding: 'utf8', env });
  const ok = r.status === 0;
  console.log(`\n${ok ? 'PASS' : 'FAIL'} API reference: TypeDoc builds docs/api from the TSDoc comments with no warning`);
  if (!ok) process.stdout.write(r.stdout + r.stderr);
  step('API reference', ok);
}

// ---------------------------------------------------------------- 4. runtime check

if (full) {
  if (!ensureDeps(join(root, 'test', 'runtimes'), 'test/runtimes', env)) step('installing test/runtimes/ dependencies', false);
  else {
    const rt = spawnSync(process.execPath, ['test/runtimes/run.mjs'], { encoding: 'utf8', timeout: 15 * 60 * 1000, env });
    process.stdout.write(rt.stdout ?? '');
    process.stderr.write(rt.stderr ?? '');
    const m = /^(\d+) passed, (\d+) failed, (\d+) skipped\s*$/m.exec(rt.stdout ?? '');
    if (m) {
      passed += Number(m[1]);
      failed += Number(m[2]);
    }
    for (const s of (rt.stdout ?? '').matchAll(/^SKIP (\S+)\s+(.*)$/gm)) skip(s[2].trim(), `runtime check: ${s[1]}`);
    if ((rt.status !== 0 || !m) && (!m || Number(m[2]) === 0)) failed += 1;
  }
}

// ---------------------------------------------------------------- leftovers, summary

const left = existsSync(childTmp) ? readdirSync(childTmp) : [];
if (left.length) console.log(`\nleft in the temp folder by the tests (now removed): ${left.join(', ')}`);
cleanup();

const total = [...skipped.values()].reduce((n, s) => n + s.count, 0);
console.log(`\n${passed} passed, ${failed} failed, ${total} skipped`);
if (total) {
  console.log(`skipped: ${[...skipped].map(([reason, s]) => `${s.count} ${s.count === 1 ? 'test' : 'tests'} ${s.count === 1 ? reason.replace(/^need /, 'needs ').replace(/^are /, 'is ') : reason} (${[...s.where].join(', ')})`).join('; ')}`);
}
process.exit(failed === 0 ? 0 : 1);


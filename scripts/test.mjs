// Runs every test suite (vitest through the compiled .wasm, as-pect for AssemblyScript helpers,
// then the runtime check of the packed package in Node, Deno, Bun, Chromium and workerd) and ends
// with one plain line: "N passed, M failed".
// Usage: node scripts/test.mjs [vitest file filters...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = (name) => join('node_modules', '.bin', name);
const report = join(mkdtempSync(join(tmpdir(), 'upconv-test-')), 'vitest.json');

const vitest = spawnSync(bin('vitest'), ['run', '--config', 'test/vitest.config.ts',
  '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], { stdio: 'inherit' });
let passed = 0;
let failed = 0;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests;
  failed += json.numFailedTests + (json.numTotalTestSuites && !json.success && json.numFailedTests === 0 ? 1 : 0);
} catch {
  failed += 1; // vitest did not even write its report
}
if (vitest.status !== 0 && failed === 0) failed += 1;

let aspOk = true;
if (process.argv.length <= 2) {
  const asp = spawnSync(bin('asp'), ['--config', 'test/as-pect.config.js', '--as-config', 'test/as-pect.asconfig.json'], { encoding: 'utf8' });
  process.stdout.write(asp.stdout);
  process.stderr.write(asp.stderr);
  const m = /\[Tests\]:\s*(?:\x1b\[\d+m)?(\d+)(?:\x1b\[\d+m)?\s*\/\s*(\d+)/.exec(asp.stdout);
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]) - Number(m[1]);
  }
  aspOk = asp.status === 0 && !!m;
  if (!aspOk && (!m || Number(m[1]) === Number(m[2]))) failed += 1;
}

// every runtime on the packed artifact: Node ESM/CJS, Deno, Bun, Chromium, workerd
let runtimesOk = true;
if (process.argv.length <= 2) {
  const rt = spawnSync(process.execPath, ['test/runtimes/run.mjs'], { encoding: 'utf8', timeout: 15 * 60 * 1000 });
  process.stdout.write(rt.stdout ?? '');
  process.stderr.write(rt.stderr ?? '');
  const m = /^(\d+) passed, (\d+) failed\s*$/m.exec(rt.stdout ?? '');
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  runtimesOk = rt.status === 0 && !!m;
  if (!runtimesOk && (!m || Number(m[2]) === 0)) failed += 1;
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && vitest.status === 0 && aspOk && runtimesOk ? 0 : 1);

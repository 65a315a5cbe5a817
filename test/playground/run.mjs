// The browser checks (part of npm test): headless Chromium (Debian's /usr/bin/chromium through
// playwright-core) on
//   train-page     examples/train-fashion-browser/: a few training steps, the losses move
//   playground     the built playground with COOP/COEP: Generate (grid not blank, differs by seed,
//                  sliders, latent walk), Bring your own (models from ../shared/models/ when that
//                  folder is there), Compare (every backend, outputs equal), Train (steps, pause,
//                  downloads that load back)
//   playground-sw  the same site without the headers: isolated by its service worker; ?coi=0 runs
//                  on one thread and says why
// Any console error, uncaught exception or failed request fails the check. One line per check
// (PASS, FAIL, or SKIP with the reason: Chromium, playwright-core, the dataset or the site missing),
// then "N passed, M failed, K skipped".
//
// Usage: node test/playground/run.mjs [--only=a,b] [--build] [--site=dir] [--data=dir] [--shared=dir] [--screenshot=file.png]
//   --build builds the site into a scratch folder first (else examples/playground/dist/, which
//   `npm run build:playground` makes); --screenshot saves the Generate tab (docs/playground.png).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DIR } from '../../examples/fashion/copy-data.mjs';
import { browserMissing, CHROMIUM, launch } from './browser.mjs';
import { checkIsolated, checkNotIsolated } from './playground.mjs';
import { checkTrainPage } from './train-browser.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
  if (!m) throw new Error(`unknown argument ${a}`);
  return [m[1], m[2] ?? true];
}));
const only = args.only ? new Set(String(args.only).split(',')) : null;
const wanted = (name) => !only || only.has(name);
const dataDir = resolve(String(args.data ?? DEFAULT_DIR));
const hasData = existsSync(join(dataDir, 't10k-images-idx3-ubyte.gz')) || existsSync(join(dataDir, 't10k-images-idx3-ubyte'));
const sharedDir = resolve(String(args.shared ?? join(repo, '..', 'shared', 'models')));
const shared = existsSync(join(sharedDir, 'mnist-gan-dotkeras')) ? sharedDir : null;
const t0 = Date.now();

const tally = { passed: 0, failed: 0, skipped: 0 };
function report(name, ok, text, notes = []) {
  const tag = ok === null ? 'SKIP' : ok ? 'PASS' : 'FAIL';
  tally[ok === null ? 'skipped' : ok ? 'passed' : 'failed']++;
  console.log(`${tag} ${name.padEnd(14)} ${text}`);
  for (const n of notes) console.log(`     ${' '.repeat(14)} ${n}`);
}

let chrome = null;
let scratch = null;
const cleanup = async () => {
  await chrome?.close().catch(() => {});
  chrome = null;
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = null;
};
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => cleanup().finally(() => process.exit(130)));
const LIMIT = Number(process.env.UPCONV_BROWSER_TIMEOUT_MS || 6 * 60_000);
setTimeout(() => {
  console.log(`FAIL browser checks: gave up after ${LIMIT / 1000}s`);
  tally.failed++;
  console.log(`\n${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
  cleanup().finally(() => process.exit(1));
}, LIMIT).unref();

async function check(name, missing, fn) {
  if (!wanted(name)) return;
  if (missing) {
    report(name, null, missing);
    return;
  }
  const started = Date.now();
  try {
    const r = await fn();
    const secs = `${((Date.now() - started) / 1000).toFixed(1)}s`;
    if (typeof r === 'string') report(name, true, `${r} · ${secs}`);
    else {
      report(name, true, secs, r.notes);
      for (const s of r.skipped) report(`${name}`, null, `part skipped: ${s}`);
    }
  } catch (e) {
    report(name, false, `(${((Date.now() - started) / 1000).toFixed(1)}s)`, String(e.message).split('\n'));
  }
}

const noBrowser = browserMissing();
if (!noBrowser && !existsSync(join(repo, 'dist', 'browser.js'))) throw new Error('dist/ is missing: run `npm run build` first');
let site = resolve(String(args.site ?? join(repo, 'examples', 'playground', 'dist')));
let siteMissing = null;
if (!noBrowser && (wanted('playground') || wanted('playground-sw'))) {
  if (args.build && !existsSync(join(repo, 'examples', 'playground', 'node_modules', 'vite', 'package.json'))) {
    siteMissing = 'Vite is not installed in examples/playground/ (npm ci there; npm test does it)';
  } else if (args.build) {
    scratch = mkdtempSync(join(tmpdir(), 'upconv-playground-site-'));
    site = join(scratch, 'site');
    const b = spawnSync(process.execPath, [join(repo, 'examples', 'playground', 'scripts', 'build.mjs'), `--out=${site}`, '--no-data', '--quiet'], { encoding: 'utf8', timeout: 180_000 });
    if (b.status !== 0) {
      siteMissing = null;
      report('playground', false, 'the site did not build', (b.stderr + b.stdout).trim().split('\n').slice(-15));
      site = null;
    } else console.log(b.stdout.trim());
  } else if (!existsSync(join(site, 'index.html'))) siteMissing = `${site} is not built (npm run build:playground, or --build)`;
}

if (!noBrowser) chrome = await launch();
const chromeInfo = chrome ? `Chromium ${chrome.version} (${CHROMIUM})` : '';
if (chrome) console.log(`browser checks on ${chromeInfo}`);
await check('train-page', noBrowser ?? (hasData ? null : `no Fashion-MNIST test split in ${dataDir} (apt-get install dataset-fashion-mnist, or --data)`),
  () => checkTrainPage(chrome, { repo, dataDir }));
if (site) {
  await check('playground', noBrowser ?? siteMissing, () => checkIsolated(chrome, {
    site, repo, shared, dataDir: hasData ? dataDir : null, screenshot: args.screenshot ? resolve(String(args.screenshot)) : null,
  }));
  await check('playground-sw', noBrowser ?? siteMissing, () => checkNotIsolated(chrome, { site }));
}
await cleanup();
console.log(`browser checks took ${((Date.now() - t0) / 1000).toFixed(1)}s`);
console.log(`\n${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
process.exit(tally.failed ? 1 : 0);

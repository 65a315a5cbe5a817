// The runtime check: the packed package, installed by name into a scratch project, runs the
// tutorial generator (fixed weights, fixed input) in every runtime, and each output is compared with
// Node's. One line per runtime (PASS, FAIL, or SKIP with the reason: Chromium or a runtime not
// installed), then "N passed, M failed, K skipped"; exit status 1 on any failure.
//
//   npm pack → <tmp>/project (npm install ./upconv-x.tgz, from the npm cache when it can) →
//     node-esm            node (ESM, import 'upconv' → "import" → dist/index.js)
//     node-esm-relaxed    the same with --experimental-wasm-relaxed-simd (reference for the relaxed build)
//     node-cjs            node (CommonJS, require('upconv') → "require" → dist/index.cjs)
//     node-io-esm         node, import 'upconv/io' alone (→ dist/io.js): loadModel + predict with no
//                         init(), then import 'upconv': the same core (instanceof, tensor(), errors, backend)
//     node-io-cjs         the same with require('upconv/io') (→ dist/io.cjs), then require('upconv')
//     deno                node_modules/.bin/deno (→ "deno" → dist/index.js)
//     bun                 node_modules/.bin/bun (→ "bun" → dist/index.js)
//     chromium-esbuild    /usr/bin/chromium via playwright-core, page bundled by esbuild (→ "browser" → dist/browser.js)
//     chromium-no-coop    the esbuild page served without COOP/COEP (not cross-origin isolated)
//     chromium-vite       the same page bundled by Vite (test/runtimes/node_modules/vite)
//     workerd             node_modules/.bin/workerd, worker bundled by esbuild under the "workerd" condition
//                         (→ dist/worker.js, .wasm as Wasm modules), GET http://127.0.0.1:<port>/run
//     example-worker      examples/worker as its README runs it (build.mjs, then workerd serve
//                         config.capnp on a free 127.0.0.1 port), GET /generate?seed=N → a valid PNG
//
// Threads: each runtime also runs the generator at batch 16 with init({ threads: 1 }), then
// init({ threads: 2 }): the outputs must be bit-identical, and getThreads() must report 2 threads in
// Node, Deno and the Chromium pages served with COOP/COEP, and 1 with its reason elsewhere
// ('not-cross-origin-isolated' without the headers, 'runtime-has-no-threads' in workerd, and in
// Bun 'self-test-failed' if its shared memory fails the start-up self-test, else 2).
//
// Every run is compared, per WebAssembly build, with Node's run of the same build: the SIMD and
// scalar builds (and the 'js' reference) must be bit-identical everywhere; the relaxed-SIMD build is
// compared with node --experimental-wasm-relaxed-simd and reported as "≈" if an engine fuses
// relaxed_madd differently (within 1e-5 relative), which the WebAssembly spec allows.
//
// Usage: node test/runtimes/run.mjs [--only=a,b] [--skip=a,b] [--tarball=path.tgz] [--keep] [--verbose]
// Needs dist/ (npm run build). Chromium: /usr/bin/chromium (apt-get install -y chromium), or
// UPCONV_CHROMIUM=/path. Everything listens on 127.0.0.1 only; every child has a timeout and is
// killed (its whole process group) on exit.
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { systemNpmEnv } from '../../scripts/lib/npm.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const fixtures = join(here, 'fixtures');
// deno, bun, workerd, playwright-core and vite are this folder's own dependencies
// (test/runtimes/package.json; npm test installs them); tsc and esbuild are the repository's.
const bin = (name) => join(here, 'node_modules', '.bin', name);
const repoBin = (name) => join(repo, 'node_modules', '.bin', name);

const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
  if (!m) throw new Error(`unknown argument ${a}`);
  return [m[1], m[2] ?? true];
}));
const only = args.only ? new Set(String(args.only).split(',')) : null;
const skip = new Set(args.skip ? String(args.skip).split(',') : []);
const verbose = !!args.verbose;
// node-esm and node-esm-relaxed are the references every other runtime is compared with: always run.
const wanted = (name) => name.startsWith('node-esm') || ((!only || only.has(name)) && !skip.has(name));

// ---------------------------------------------------------------- process and server hygiene

const children = new Set(); // live child processes (each leads its own process group)
const closers = new Set(); // async cleanups: servers, browsers
let tmp = null;

function killAll() {
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
  // Chromium is started by playwright, which kills it in its own exit handler; one caught mid-launch
  // is found by its profile directory, which lives in our scratch folder.
  if (tmp && existsSync('/proc')) {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`--user-data-dir=${tmp}`)) process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone, or not ours to read */
      }
    }
  }
}
process.on('exit', () => {
  killAll();
  if (tmp && !args.keep) {
    try {
      rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch (e) {
      console.error(`could not remove ${tmp}: ${e.message}`);
    }
  }
});
/** Close browsers and servers (briefly), kill every child, then exit. */
async function shutdown(code) {
  await withTimeout(Promise.allSettled([...closers].map((c) => c())), 5000, 'shutdown').catch(() => {});
  killAll();
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping`);
    shutdown(130);
  });
}
const HARD_LIMIT_MS = Number(process.env.UPCONV_RUNTIMES_TIMEOUT_MS || 8 * 60_000);
setTimeout(() => {
  console.log(`FAIL runtime check: gave up after ${HARD_LIMIT_MS / 1000}s`);
  console.log(`\n${tally(1)}`);
  shutdown(1);
}, HARD_LIMIT_MS).unref();

/** Runs a command to completion (or kills its process group at timeoutMs). */
/** The environment for the machine's own npm (not one a dependency put in node_modules/.bin). */
const SYSTEM_NPM = systemNpmEnv();

function run(cmd, argv, { cwd, env, timeoutMs = 60_000, input } = {}) {
  return new Promise((resolveRun) => {
    const t0 = Date.now();
    const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    const done = (code, error) => {
      clearTimeout(timer);
      children.delete(child);
      resolveRun({ code, stdout, stderr: stderr + (error ? String(error) : '') + (timedOut ? `\n(killed after ${timeoutMs / 1000}s)` : ''), timedOut, ms: Date.now() - t0 });
    };
    child.on('error', (e) => done(-1, e));
    child.on('close', (code) => done(code));
  });
}

/** Starts a long-running command; returns { child, output(), stop() }. */
function start(cmd, argv, { cwd, env } = {}) {
  const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.on('close', r));
  child.on('error', (e) => (out += String(e)));
  return {
    child,
    output: () => out,
    exited,
    async stop() {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      children.delete(child);
    },
  };
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createNetServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: timed out after ${ms / 1000}s`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

async function fetchWithTimeout(url, ms) {
  const res = await fetch(url, { signal: AbortSignal.timeout(ms) });
  return res;
}

/** Polls url until the server answers at all (any status), or the child exits, or ms pass. */
async function waitForHttp(url, server, ms) {
  const t0 = Date.now();
  let exited = false;
  server.exited.then(() => (exited = true));
  while (Date.now() - t0 < ms) {
    if (exited) throw new Error(`server exited before answering:\n${server.output().slice(-2000)}`);
    try {
      await fetchWithTimeout(url, 1000);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`no answer from ${url} after ${ms / 1000}s:\n${server.output().slice(-2000)}`);
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, so threads). */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** A static file server on 127.0.0.1:<ephemeral> for dir (with COOP/COEP when `isolated`); logs requested paths. */
function serveStatic(dir, isolated = false) {
  const requests = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    requests.push(path);
    const file = join(dir, path.endsWith('/') ? path + 'index.html' : path);
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store', ...(isolated ? ISOLATION : {}) });
    res.end(readFileSync(file));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((res, rej) => {
    server.on('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const close = () => new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      });
      closers.add(close);
      res({ url: `http://127.0.0.1:${server.address().port}/`, requests, close: async () => { closers.delete(close); await close(); } });
    });
  });
}

function parseResult(stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('UPCONV_RESULT '));
  if (!line) throw new Error('no UPCONV_RESULT line in the output');
  return JSON.parse(line.slice('UPCONV_RESULT '.length));
}

function tail(s, n = 1500) {
  s = String(s || '').trim();
  return s.length > n ? '…' + s.slice(-n) : s;
}

// ---------------------------------------------------------------- the scratch project

async function prepareProject() {
  tmp = mkdtempSync(join(tmpdir(), 'upconv-runtimes-'));
  let tarball = args.tarball ? resolve(String(args.tarball)) : null;
  if (!tarball) {
    for (const f of ['index.js', 'index.cjs', 'browser.js', 'worker.js', 'upconv.simd.wasm']) {
      if (!existsSync(join(repo, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\` first`);
    }
    const packed = await run('npm', ['pack', '--pack-destination', tmp, '--silent', '--ignore-scripts'], { cwd: repo, env: SYSTEM_NPM, timeoutMs: 180_000 });
    if (packed.code !== 0) throw new Error(`npm pack failed (exit ${packed.code}):\n${tail(packed.stderr + packed.stdout)}`);
    tarball = join(tmp, packed.stdout.trim().split('\n').pop());
  }
  const project = join(tmp, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'upconv-runtime-check', private: true, type: 'module' }, null, 2));
  // The tarball's own dependencies come from the npm cache when they are there (npm ci filled it).
  const installed = await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', '--loglevel=error'], {
    cwd: project,
    timeoutMs: 180_000,
    env: { ...SYSTEM_NPM, npm_config_update_notifier: 'false' },
  });
  if (installed.code !== 0) throw new Error(`npm install ${tarball} failed:\n${tail(installed.stderr)}`);
  const pkgDir = join(project, 'node_modules', 'upconv');
  if (!existsSync(join(pkgDir, 'package.json'))) throw new Error('npm install did not produce node_modules/upconv');
  for (const f of readdirSync(fixtures)) cpSync(join(fixtures, f), join(project, f), { recursive: true });
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  return { project, pkgDir, tarball, version };
}

// ---------------------------------------------------------------- runtimes

async function childRuntime(cmd, argv, project, env, timeoutMs = 60_000) {
  const r = await run(cmd, argv, { cwd: project, env, timeoutMs });
  if (r.code !== 0 || r.timedOut) throw new Error(`${cmd} ${argv.join(' ')} exited with ${r.code}:\n${tail(r.stderr || r.stdout)}`);
  if (verbose && r.stderr.trim()) console.error(tail(r.stderr));
  return parseResult(r.stdout);
}

const denoEnv = (project) => ({ DENO_DIR: join(project, '.deno'), DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', NO_COLOR: '1' });
const bunEnv = (project) => ({ BUN_INSTALL_CACHE_DIR: join(project, '.bun-cache'), DO_NOT_TRACK: '1', BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', NO_COLOR: '1' });

async function bundleBrowserEsbuild(project) {
  const { build } = await import('esbuild');
  const www = join(project, 'www-esbuild');
  mkdirSync(www, { recursive: true });
  const r = await build({
    absWorkingDir: project,
    entryPoints: ['browser.mjs'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outfile: join(www, 'bundle.js'),
    metafile: true,
    logLevel: 'silent',
  });
  // esbuild leaves new URL('./x.wasm', import.meta.url) alone: ship the builds (and the threads
  // worker script) beside the bundle.
  for (const f of readdirSync(join(project, 'node_modules/upconv/dist')).filter((f) => f.endsWith('.wasm') || f === 'upconv.worker.js')) {
    copyFileSync(join(project, 'node_modules/upconv/dist', f), join(www, f));
  }
  writeFileSync(join(www, 'index.html'), '<!doctype html><meta charset="utf-8"><title>upconv</title><script type="module" src="./bundle.js"></script>\n');
  return { www, entry: entryOf(Object.keys(r.metafile.inputs)) };
}

async function bundleBrowserVite(project) {
  let vite;
  try {
    vite = await import('vite');
  } catch (e) {
    return { unavailable: `Vite is not importable from the repository (${e.message})` };
  }
  const src = join(project, 'vite-src');
  mkdirSync(src, { recursive: true });
  copyFileSync(join(project, 'browser.mjs'), join(src, 'browser.mjs'));
  copyFileSync(join(project, 'tutorial.mjs'), join(src, 'tutorial.mjs'));
  writeFileSync(join(src, 'index.html'), '<!doctype html><meta charset="utf-8"><title>upconv</title><script type="module" src="./browser.mjs"></script>\n');
  const www = join(project, 'www-vite');
  const output = await vite.build({
    root: src,
    configFile: false,
    logLevel: 'silent',
    clearScreen: false,
    base: './',
    build: { outDir: www, emptyOutDir: true, target: 'es2022', write: true },
  });
  const items = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output || []);
  const modules = items.flatMap((c) => Object.keys(c.modules || {}));
  // What Vite took from the package: the three .wasm builds (found through
  // new URL('./upconv.*.wasm', import.meta.url)) and nothing else.
  const extra = [
    ...items.filter((i) => i.type === 'asset' && !/\.(wasm|html)$/.test(i.fileName) && !/upconv\.worker[^/]*\.js$/.test(i.fileName)).map((i) => i.fileName),
    ...modules.filter((m) => m.includes('node_modules/upconv/') && /\?url$/.test(m) && !/\.wasm\?url$/.test(m)).map((m) => m.replace(/^.*node_modules\//, '')),
  ];
  const wasmAssets = items.filter((i) => i.type === 'asset' && i.fileName.endsWith('.wasm')).map((i) => i.fileName.replace(/^assets\//, ''));
  // The init(URL / Response / Module) checks fetch the builds by their plain names, as a site would
  // from its own public directory.
  for (const f of readdirSync(join(project, 'node_modules/upconv/dist')).filter((f) => f.endsWith('.wasm'))) {
    copyFileSync(join(project, 'node_modules/upconv/dist', f), join(www, f));
  }
  const entry = modules.find((p) => /node_modules\/upconv\/dist\/[a-z]+\.js$/.test(p));
  return { www, entry, version: vite.version, extra, wasmAssets };
}

async function inChromium(www, { isolated = true } = {}) {
  const executablePath = process.env.UPCONV_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`${executablePath} not found: apt-get install -y chromium (or set UPCONV_CHROMIUM)`);
  const { chromium } = await import('playwright-core');
  const server = await serveStatic(www, isolated);
  const userDataDir = mkdtempSync(join(tmp, 'chromium-profile-'));
  let context = null;
  const closeBrowser = async () => {
    if (context) await withTimeout(context.close(), 10_000, 'closing chromium').catch(() => {});
  };
  closers.add(closeBrowser);
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      timeout: 30_000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    const page = context.pages()[0] || (await context.newPage());
    const logs = [];
    page.on('console', (m) => logs.push(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => logs.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
    // Only the local server: anything else the page asks for is refused.
    await page.route((url) => !url.href.startsWith(server.url), (route) => route.abort());
    await page.goto(server.url, { timeout: 30_000 });
    let result;
    try {
      await page.waitForFunction(() => window.__UPCONV_RESULT !== undefined, null, { timeout: 60_000 });
      result = await page.evaluate(() => window.__UPCONV_RESULT);
    } catch (e) {
      throw new Error(`${e.message}\n${logs.join('\n')}`);
    }
    if (result.fatal) throw new Error(`${result.fatal}\n${logs.join('\n')}`);
    result.runtime = `chromium ${context.browser()?.version() ?? ''} (${executablePath})`.replace('  ', ' ');
    result.requests = server.requests.filter((p) => p.endsWith('.wasm') || p.endsWith('.worker.js'));
    if (verbose && logs.length) console.error(logs.join('\n'));
    return result;
  } finally {
    closers.delete(closeBrowser);
    await closeBrowser();
    await server.close();
  }
}

/** The package entry a bundle started from (not its shared chunks). */
function entryOf(inputs) {
  return inputs.find((p) => /node_modules\/upconv\/dist\/(index|browser|worker)\.c?js$/.test(p)) ?? inputs.find((p) => p.includes('node_modules/upconv/'));
}

function capnpString(s) {
  return JSON.stringify(s);
}

async function bundleWorker(project) {
  const { build } = await import('esbuild');
  const dir = join(project, 'workerd');
  mkdirSync(dir, { recursive: true });
  // As wrangler does: the "workerd"/"worker" conditions, .wasm imports left as module imports.
  const r = await build({
    absWorkingDir: project,
    entryPoints: ['worker.mjs'],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    outfile: join(dir, 'worker.js'),
    external: ['*.wasm', '*.bin'],
    metafile: true,
    logLevel: 'silent',
  });
  // Each external import becomes a module in the config: *.wasm as Wasm (a WebAssembly.Module),
  // *.bin as Data (an ArrayBuffer; the harness's own 'upconv.scalar.bin' is dist/upconv.scalar.wasm).
  const wasm = new Map(); // import specifier as written → file
  for (const [input, info] of Object.entries(r.metafile.inputs)) {
    for (const imp of info.imports) {
      if (!imp.external || !/\.(wasm|bin)$/.test(imp.path)) continue;
      const name = imp.path.replace(/^\.\//, '');
      const file = resolve(project, dirname(input), imp.path);
      wasm.set(name, existsSync(file) ? file : join(project, 'node_modules/upconv/dist', name.replace(/\.bin$/, '.wasm')));
    }
  }
  const modules = [`(name = "worker.js", esModule = embed "worker.js")`];
  for (const [name, file] of wasm) {
    copyFileSync(file, join(dir, name));
    modules.push(`(name = ${capnpString(name)}, ${name.endsWith('.bin') ? 'data' : 'wasm'} = embed ${capnpString(name)})`);
  }
  return { dir, modules, entry: entryOf(Object.keys(r.metafile.inputs)), wasm: [...wasm.keys()] };
}

async function serveWorkerd(dir, modulesCapnp, name = 'main') {
  const port = await freePort();
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "${name}", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "${name}") ],
);
const w :Workerd.Worker = (
  modules = [
    ${modulesCapnp.join(',\n    ')}
  ],
  compatibilityDate = "2025-01-01",
);
`;
  writeFileSync(join(dir, 'config.capnp'), config);
  const server = start(bin('workerd'), ['serve', join(dir, 'config.capnp')], { cwd: dir });
  return { server, base: `http://127.0.0.1:${port}` };
}

async function inWorkerd(project) {
  const b = await bundleWorker(project);
  const { server, base } = await serveWorkerd(b.dir, b.modules);
  try {
    await waitForHttp(`${base}/ping`, server, 30_000);
    const res = await fetchWithTimeout(`${base}/run`, 60_000);
    const text = await res.text();
    if (!res.ok) throw new Error(`GET /run: HTTP ${res.status}\n${tail(text)}\n${tail(server.output())}`);
    const result = JSON.parse(text);
    result.entry = b.entry;
    result.modules = b.wasm;
    return result;
  } finally {
    await server.stop();
  }
}

/** examples/worker exactly as its README runs it (its own config.capnp, the repo's dist/). */
async function exampleWorker() {
  const dir = join(repo, 'examples', 'worker');
  const built = await run(process.execPath, [join(dir, 'build.mjs')], { cwd: repo, timeoutMs: 60_000 });
  if (built.code !== 0) throw new Error(`node examples/worker/build.mjs failed:\n${tail(built.stderr || built.stdout)}`);
  const port = await freePort();
  const server = start(bin('workerd'), ['serve', join(dir, 'config.capnp'), `--socket-addr=http=127.0.0.1:${port}`], { cwd: dir });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/`, server, 30_000);
    const get = async (path) => {
      const res = await fetchWithTimeout(base + path, 30_000);
      const body = new Uint8Array(await res.arrayBuffer());
      if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${new TextDecoder().decode(body).slice(0, 500)}\n${tail(server.output())}`);
      return { res, body };
    };
    const a = await get('/generate?seed=7');
    const b = await get('/generate?seed=7');
    const c = await get('/generate?seed=8');
    const sig = [137, 80, 78, 71, 13, 10, 26, 10];
    if (a.res.headers.get('content-type') !== 'image/png') throw new Error(`content-type ${a.res.headers.get('content-type')}`);
    if (!sig.every((v, i) => a.body[i] === v)) throw new Error('not a PNG (signature)');
    const dv = new DataView(a.body.buffer);
    const width = dv.getUint32(16);
    const height = dv.getUint32(20);
    const same = a.body.length === b.body.length && a.body.every((v, i) => v === b.body[i]);
    const differs = a.body.length !== c.body.length || a.body.some((v, i) => v !== c.body[i]);
    if (!same) throw new Error('two requests for seed=7 gave different PNGs');
    if (!differs) throw new Error('seed=7 and seed=8 gave the same PNG');
    const png = await decodePngGray(a.body);
    return { ok: true, note: `GET /generate?seed=7 → ${a.body.length} B PNG ${width}×${height}, decodes (${png.distinct} grey levels), same bytes on repeat, seed=8 differs · backend ${a.res.headers.get('x-upconv-backend')}` };
  } finally {
    await server.stop();
  }
}

/** Checks the PNG decodes: IHDR, IDAT inflated with Node's zlib, filter bytes, row sizes. */
async function decodePngGray(bytes) {
  const { inflateSync, crc32 } = await import('node:zlib');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat = [];
  while (off < bytes.length) {
    const len = dv.getUint32(off);
    const type = new TextDecoder().decode(bytes.subarray(off + 4, off + 8));
    const data = bytes.subarray(off + 8, off + 8 + len);
    const crc = dv.getUint32(off + 8 + len);
    if (crc32 && crc32(bytes.subarray(off + 4, off + 8 + len)) !== crc) throw new Error(`PNG chunk ${type}: bad CRC`);
    if (type === 'IHDR') {
      width = dv.getUint32(off + 8);
      height = dv.getUint32(off + 12);
      colorType = bytes[off + 17];
      if (bytes[off + 16] !== 8) throw new Error('PNG: bit depth is not 8');
    }
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
    if (type === 'IEND') break;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType];
  if (!channels) throw new Error(`PNG: color type ${colorType}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels + 1;
  if (raw.length !== stride * height) throw new Error(`PNG: ${raw.length} inflated bytes, expected ${stride * height}`);
  const levels = new Set();
  for (let y = 0; y < height; y++) {
    if (raw[y * stride] > 4) throw new Error('PNG: bad filter byte');
    for (let x = 1; x < stride; x++) levels.add(raw[y * stride + x]);
  }
  return { width, height, distinct: levels.size };
}

// ---------------------------------------------------------------- comparison

const FLAVOUR_ORDER = ['wasm-relaxed-simd', 'wasm-simd', 'wasm-scalar'];
const SHORT = { 'wasm-relaxed-simd': 'relaxed', 'wasm-simd': 'simd', 'wasm-scalar': 'scalar', js: 'js' };
const EXPECTED_SHAPE = '2,10,10,1';

function floats(hex) {
  const b = new Uint8Array(hex.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(hex.substr(i * 2, 2), 16);
  return new Float32Array(b.buffer);
}

function diff(aHex, bHex) {
  const a = floats(aHex);
  const b = floats(bHex);
  if (a.length !== b.length) return { maxAbs: Infinity, maxRel: Infinity, differing: Math.max(a.length, b.length) };
  let maxAbs = 0;
  let maxRel = 0;
  let differing = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > 0 || Number.isNaN(d)) differing++;
    maxAbs = Math.max(maxAbs, Number.isNaN(d) ? Infinity : d);
    maxRel = Math.max(maxRel, d / Math.max(1, Math.abs(b[i])));
  }
  return { maxAbs, maxRel, differing };
}

/** Errors that are the right answer in a runtime (label → pattern), not failures. */
function expectedError(name, label, result) {
  if (label === 'relaxed-simd' && /cannot run the wasm-relaxed-simd build/.test(errorOf(result, label))) return 'n/a: engine lacks relaxed SIMD';
  if (name.startsWith('chromium') && label === 'no-init' && /call `await init\(\)` first/.test(errorOf(result, label))) return 'n/a: browser entry needs await init()';
  if (name === 'workerd' && label === 'scalar' && /no built-in wasm-scalar build/.test(errorOf(result, label))) return 'n/a: worker entry ships relaxed + simd';
  if (name === 'workerd' && label === 'init(bytes)' && /disallowed by embedder/.test(errorOf(result, label))) return 'n/a: workerd forbids compiling bytes';
  return null;
}
function errorOf(result, label) {
  return result.runs.find((r) => r.label === label)?.error ?? '';
}

function judge(name, result, refs) {
  const problems = [];
  const notes = [];
  const cells = [];
  const byLabel = Object.fromEntries(result.runs.map((r) => [r.label, r]));
  const best = FLAVOUR_ORDER.find((f) => result.runs.some((r) => r.label === f.slice(5) && r.backend === f));
  for (const r of result.runs) {
    if (r.error) {
      const why = expectedError(name, r.label, result);
      if (why) cells.push(`${r.label} n/a`);
      else {
        cells.push(`${r.label} ✗`);
        problems.push(`${r.label}: ${r.error}`);
      }
      continue;
    }
    if (String(r.shape) !== EXPECTED_SHAPE) problems.push(`${r.label}: output shape [${r.shape}], expected [${EXPECTED_SHAPE}]`);
    if (FLAVOUR_ORDER.includes(`wasm-${r.label}`) && r.backend !== `wasm-${r.label}`) problems.push(`${r.label}: forced flavour, but getBackend() says ${r.backend}`);
    if (r.label === 'js' && r.backend !== 'js') problems.push(`js: setBackend('js'), but getBackend() says ${r.backend}`);
    if ((r.label === 'default' || r.label === 'no-init') && best && r.backend !== best) problems.push(`${r.label}: picked ${r.backend}, but the best build this engine ran is ${best}`);
    const ref = refs.get(r.backend);
    let mark;
    if (!ref) {
      mark = '?';
      problems.push(`${r.label}: no Node reference for ${r.backend}`);
    }
    else if (ref.hex === r.hex) mark = '=';
    else {
      const d = diff(r.hex, ref.hex);
      if (r.backend === 'wasm-relaxed-simd' && d.maxRel <= 1e-5) {
        mark = '≈';
        const note = `relaxed build: ${d.differing} of ${floats(r.hex).length} values differ from ${ref.from.replace(/ \(.*/, '')}, max |Δ| ${d.maxAbs.toExponential(2)} (this engine evaluates relaxed_madd differently from V8; the spec allows fused or unfused)`;
        if (!notes.includes(note)) notes.push(note);
      } else {
        mark = '≠';
        problems.push(`${r.label} (${r.backend}) differs from ${ref.from}: ${d.differing} values, max |Δ| ${d.maxAbs.toExponential(2)}`);
      }
    }
    cells.push(`${r.label}→${SHORT[r.backend] ?? r.backend}${mark}`);
  }
  if (!byLabel.default?.backend) problems.push('init() gave no result');
  judgeThreads(name, result.threads, cells, problems, notes);
  if (result.requests) notes.push(`the page fetched: ${result.requests.map((p) => p.replace(/^.*\//, '')).join(', ')}`);
  notes.push(...(result.extraNotes || []));
  problems.push(...(result.extraProblems || []));
  return { problems, notes, cells };
}

/**
 * What init({ threads: 2 }) must report in each runtime: two threads where the runtime has them
 * (Node, Deno, a cross-origin isolated page), one with the reason elsewhere. Bun runs threads only
 * when its start-up self-test passes, so either answer is right there (the note says which).
 */
function expectedThreads(name) {
  if (name === 'bun') return [{ threads: 2, reason: null }, { threads: 1, reason: 'self-test-failed' }];
  if (name === 'chromium-no-coop') return [{ threads: 1, reason: 'not-cross-origin-isolated' }];
  if (name === 'workerd') return [{ threads: 1, reason: 'runtime-has-no-threads' }];
  return [{ threads: 2, reason: null }];
}

/** Node's threaded outputs by backend (the reference for every other runtime's). */
const threadRefs = new Map();

function judgeThreads(name, t, cells, problems, notes) {
  if (!t) return problems.push('threads: no result');
  if (t.error) return problems.push(`threads: ${t.error}`);
  const want = expectedThreads(name);
  const got = t.info ?? {};
  if (!want.some((w) => w.threads === got.threads && w.reason === got.reason)) {
    problems.push(`threads: init({ threads: 2 }) → getThreads() ${JSON.stringify(got)}, expected ${want.map((w) => JSON.stringify(w)).join(' or ')}`);
  }
  if (t.two !== t.one) problems.push(`threads: ${got.threads} thread(s) (${t.twoBackend}) differ from one thread (${t.oneBackend}) at batch ${t.batch}`);
  if (!t.twoAgain) problems.push('threads: two predicts on the threaded backend differ');
  if (name.startsWith('node-esm') && got.threads === 2 && !threadRefs.has(t.twoBackend)) threadRefs.set(t.twoBackend, { hex: t.two, from: name });
  const ref = got.threads === 2 ? threadRefs.get(t.twoBackend) : null;
  const vsNode = ref ? (ref.hex === t.two ? '=' : '≠') : '';
  if (ref && ref.hex !== t.two && t.twoBackend !== 'wasm-relaxed-simd') problems.push(`threads: output differs from ${ref.from}'s threaded ${t.twoBackend}`);
  cells.push(`threads→${got.threads}${got.reason ? ` (${got.reason})` : ''}${t.two === t.one ? ' =×1' : ' ≠×1'}${vsNode ? ` ${vsNode}node` : ''}`);
  if (name === 'bun') notes.push(`bun: threads ${got.threads === 2 ? 'run (the self-test passed)' : `fall back to one (${got.reason})`}`);
}

// ---------------------------------------------------------------- main

const rows = [];
/** The closing line, plus `extraFailed` failures not in rows. */
function tally(extraFailed = 0) {
  const count = (v) => rows.filter((r) => r.ok === v).length;
  return `${count(true)} passed, ${count(false) + extraFailed} failed, ${count(null)} skipped`;
}
/** ok: true PASS, false FAIL, null SKIP (detail says why). */
function report(name, ok, detail, extra = []) {
  rows.push({ name, ok });
  console.log(`${ok ? 'PASS' : ok === null ? 'SKIP' : 'FAIL'} ${name.padEnd(17)} ${detail}`);
  for (const e of extra) console.log(`     ${' '.repeat(17)} ${e}`);
}

const t0 = Date.now();
let ctx;
try {
  ctx = await prepareProject();
} catch (e) {
  console.log(`FAIL ${'pack + install'.padEnd(17)} ${e.message}`);
  console.log('\n0 passed, 1 failed, 0 skipped');
  process.exit(1);
}
const { project } = ctx;
console.log(`upconv ${ctx.version}: packed ${relative(repo, ctx.tarball).startsWith('..') ? ctx.tarball : relative(repo, ctx.tarball)} → ${project} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);

const runtimes = [
  ['node-esm', () => childRuntime(process.execPath, ['node-esm.mjs'], project)],
  ['node-esm-relaxed', () => childRuntime(process.execPath, ['--experimental-wasm-relaxed-simd', 'node-esm.mjs'], project)],
  ['node-cjs', () => childRuntime(process.execPath, ['node-cjs.cjs'], project)],
  ['deno', () => childRuntime(bin('deno'), ['run', '--allow-read', '--no-prompt', '--node-modules-dir=manual', 'deno.mjs'], project, denoEnv(project))],
  ['bun', () => childRuntime(bin('bun'), ['--no-install', 'bun.mjs'], project, bunEnv(project))],
  ['chromium-esbuild', async () => {
    const b = await bundleBrowserEsbuild(project);
    return { ...(await inChromium(b.www)), entry: b.entry, bundler: 'esbuild' };
  }],
  // the same page without COOP/COEP: threads must fall back to one, saying why
  ['chromium-no-coop', async () => {
    const b = await bundleBrowserEsbuild(project);
    return { ...(await inChromium(b.www, { isolated: false })), entry: b.entry, bundler: 'esbuild, no COOP/COEP' };
  }],
  ['chromium-vite', async () => {
    const b = await bundleBrowserVite(project);
    if (b.unavailable) return { skipped: b.unavailable };
    const result = { ...(await inChromium(b.www)), entry: b.entry, bundler: `vite ${b.version}` };
    result.extraProblems = b.extra.length
      ? [`Vite copied files the page never loads from upconv/dist into the site (${b.extra.join(', ')}): a new URL() with a template literal is globbed over the whole folder`]
      : [];
    result.extraNotes = [`Vite emitted ${b.wasmAssets.join(', ')}`];
    return result;
  }],
  ['workerd', () => inWorkerd(project)],
];

/** Why `name` cannot run on this machine (a runtime or Chromium not installed), or null. */
function unavailable(name) {
  const install = 'not installed (npm ci --prefix test/runtimes; npm test does it)';
  const chromium = process.env.UPCONV_CHROMIUM || '/usr/bin/chromium';
  const need = {
    deno: () => !existsSync(bin('deno')) && `deno ${install}`,
    bun: () => !existsSync(bin('bun')) && `bun ${install}`,
    workerd: () => !existsSync(bin('workerd')) && `workerd ${install}`,
    'example-worker': () => !existsSync(bin('workerd')) && `workerd ${install}`,
    chromium: () => (!existsSync(chromium) ? `no Chromium at ${chromium} (apt-get install chromium, or set UPCONV_CHROMIUM)`
      : !existsSync(join(here, 'node_modules', 'playwright-core')) && `playwright-core ${install}`),
  };
  return (need[name.startsWith('chromium') ? 'chromium' : name]?.() || null);
}

const refs = new Map(); // backend → { hex, from }
const results = [];
for (const [name, fn] of runtimes) {
  if (!wanted(name)) continue;
  const why = unavailable(name);
  if (why) {
    report(name, null, why);
    continue;
  }
  const started = Date.now();
  let result;
  try {
    result = await withTimeout(fn(), 150_000, name);
  } catch (e) {
    report(name, false, `(${((Date.now() - started) / 1000).toFixed(1)}s) ${tail(e.message, 3000)}`);
    continue;
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (result.skipped) {
    report(name, null, result.skipped);
    continue;
  }
  if (name.startsWith('node-esm')) {
    for (const r of result.runs) if (r.hex && !refs.has(r.backend)) refs.set(r.backend, { hex: r.hex, from: `${name} (${r.label})` });
  }
  results.push({ name, result });
  const { problems, notes, cells } = judge(name, result, refs);
  const entry = result.entry ? String(result.entry).replace(/^.*node_modules\//, '') : '?';
  const picked = result.runs.find((r) => r.label === 'default')?.backend ?? 'none';
  const ms = result.runs.find((r) => r.label === 'default')?.ms;
  report(name, problems.length === 0,
    `${result.runtime} · ${entry}${result.bundler ? ` (${result.bundler})` : ''} · init() → ${picked}${ms !== undefined ? ` (${ms} ms incl. first predict)` : ''} · ${secs}s`,
    [cells.join('  '), ...notes, ...problems.map((p) => `✗ ${p}`)]);
}

/**
 * upconv/io loaded first and alone in a fresh Node process (ESM and CommonJS): loadModel then
 * predict with no init(); then the core entry, which must be the same core (instanceof, tensor(),
 * error classes, backend state).
 */
async function ioAlone(fixture) {
  const made = await run(process.execPath, ['make-tiny.mjs'], { cwd: project, timeoutMs: 60_000 });
  if (made.code !== 0) throw new Error(`make-tiny.mjs failed:\n${tail(made.stderr || made.stdout)}`);
  const r = await run(process.execPath, [fixture], { cwd: project, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`node ${fixture} exited with ${r.code}:\n${tail(r.stderr || r.stdout)}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith('UPCONV_IO '));
  if (!line) throw new Error(`no UPCONV_IO line:\n${tail(r.stdout + r.stderr)}`);
  return JSON.parse(line.slice('UPCONV_IO '.length));
}

for (const [name, fixture] of [['node-io-esm', 'node-io-esm.mjs'], ['node-io-cjs', 'node-io-cjs.cjs']]) {
  if (!wanted(name)) continue;
  const started = Date.now();
  try {
    const { entry, checks } = await withTimeout(ioAlone(fixture), 120_000, name);
    const failedChecks = Object.entries(checks).filter(([, ok]) => !ok).map(([k]) => k);
    report(name, failedChecks.length === 0, `node ${process.version} · ${String(entry).replace(/^.*node_modules\//, '')} alone, then the core · ${((Date.now() - started) / 1000).toFixed(1)}s`,
      [Object.keys(checks).map((k) => `${checks[k] ? '✓' : '✗'} ${k}`).join('; ')]);
  } catch (e) {
    report(name, false, tail(e.message, 3000));
  }
}

/** The declarations, as consumers' TypeScript finds them through "exports" (type-checked only). */
async function typesCheck(project) {
  const tsc = repoBin('tsc');
  const common = ['--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];
  const cases = [
    ['ESM, moduleResolution bundler', ['--module', 'esnext', '--moduleResolution', 'bundler', 'types-esm.mts'], true],
    ['ESM, nodenext', ['--module', 'nodenext', '--moduleResolution', 'nodenext', 'types-esm.mts'], true],
    ['CommonJS, nodenext', ['--module', 'nodenext', '--moduleResolution', 'nodenext', 'types-cjs.cts'], true],
    // Node 20 before 20.19 cannot require() ESM; TypeScript's node16 mode models that, so this passes
    // only with CommonJS declarations behind the "require" condition. Reported, not required.
    ['CommonJS, node16', ['--module', 'node16', '--moduleResolution', 'node16', 'types-cjs.cts'], false],
  ];
  const notes = [];
  const problems = [];
  const runs = await Promise.all(cases.map(([, argv]) => run(tsc, [...common, ...argv], { cwd: project, timeoutMs: 120_000 })));
  cases.forEach(([label, , required], i) => {
    const r = runs[i];
    const ok = r.code === 0;
    notes.push(`${label}: ${ok ? 'ok' : 'errors'}`);
    if (!ok) (required ? problems : notes).push(`${required ? '' : '(not required) '}${label}: ${tail(r.stdout || r.stderr, 600).replace(/\s*\n\s*/g, ' ')}`);
  });
  return { notes, problems };
}

if (wanted('types')) {
  const started = Date.now();
  try {
    const r = await withTimeout(typesCheck(project), 200_000, 'types');
    report('types', r.problems.length === 0, `tsc ${JSON.parse(readFileSync(join(repo, 'node_modules/typescript/package.json'), 'utf8')).version} on a consumer's files · ${((Date.now() - started) / 1000).toFixed(1)}s`,
      [r.notes.join('  '), ...r.problems.map((p) => `✗ ${p}`)]);
  } catch (e) {
    report('types', false, tail(e.message, 3000));
  }
}

if (wanted('example-worker') && unavailable('example-worker')) report('example-worker', null, unavailable('example-worker'));
else if (wanted('example-worker')) {
  const started = Date.now();
  try {
    const r = await withTimeout(exampleWorker(), 90_000, 'example-worker');
    report('example-worker', true, `${r.note} · ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } catch (e) {
    report('example-worker', false, tail(e.message, 3000));
  }
}

if (args.json) writeFileSync(String(args.json), JSON.stringify({ version: ctx.version, results }, null, 2));
for (const close of [...closers]) await close().catch(() => {});
const failed = rows.filter((r) => r.ok === false).length;
console.log('\n= bit-identical to Node running the same build; ≈ relaxed build within 1e-5 of V8 (the engine evaluates relaxed_madd differently);');
console.log('n/a: the runtime or entry does not offer it (expected, checked by its error message).');
console.log(`runtime check took ${((Date.now() - t0) / 1000).toFixed(1)}s`);
console.log(`\n${tally()}`);
process.exit(failed ? 1 : 0);

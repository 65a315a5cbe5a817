// Size and cold start, measured on the packed package (what npm users get), printed as markdown.
//  1. npm pack (or --tarball=x.tgz) → extracted; for each export condition, the JS it loads (the entry
//     file and every module it imports statically) and the .wasm it loads, raw / gzip -9 / brotli,
//     each file compressed on its own (as a server or CDN sends them). Beside them, TensorFlow.js
//     (tfjs-core + tfjs-layers + tfjs-backend-wasm, SIMD build) and onnxruntime-web (wasm EP) from
//     bench/node_modules when installed (npm ci --prefix bench).
//  The budget: the browser entry's JS (entry + every module it imports) with one .wasm is at most
//  30 KiB gzip; the script says so in its last line and exits 1 when it is over.
//  2. Cold start: a fresh `node` process, from spawn to the first prediction of the tutorial
//     generator (Dense → Reshape → UpSampling2D → Conv2D), the package installed by name in a
//     scratch project; median of --runs (default 9) runs, with `node -e 0` as the floor.
// Measurements: nothing but the budget is asserted.
// Usage: npm run build && node scripts/size.mjs [--runs=9] [--tarball=path.tgz] [--no-compare]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { systemNpmEnv } from './lib/npm.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
  if (!m) throw new Error(`unknown argument ${a}`);
  return [m[1], m[2] ?? true];
}));
const RUNS = Number(args.runs || 9);

const children = new Set();
let tmp = null;
process.on('exit', () => {
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

function run(cmd, argv, { cwd, timeoutMs = 60_000 } = {}) {
  return new Promise((res) => {
    const t0 = process.hrtime.bigint();
    // the machine's npm, not one a dependency put in node_modules/.bin (on PATH under npm run)
    const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...systemNpmEnv() }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      res({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
    });
  });
}

// ---------------------------------------------------------------- sizes

const sizeCache = new Map();
function sizes(file, brotli = true) {
  if (!sizeCache.has(file)) {
    const b = readFileSync(file);
    sizeCache.set(file, {
      raw: b.length,
      gz: gzipSync(b, { level: 9 }).length,
      // brotli -q 11 takes a minute on onnxruntime's 14 MB .wasm: only for upconv's own files
      br: brotli ? brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length : NaN,
    });
  }
  return sizeCache.get(file);
}
const sum = (files, brotli = true) => files.reduce((t, f) => {
  const s = sizes(f, brotli);
  return { raw: t.raw + s.raw, gz: t.gz + s.gz, br: t.br + s.br };
}, { raw: 0, gz: 0, br: 0 });

/** An ES module and every module it imports statically (relative specifiers), in load order. */
function staticGraph(entry) {
  const seen = [];
  const visit = (file) => {
    if (seen.includes(file)) return;
    seen.push(file);
    const src = readFileSync(file, 'utf8');
    // import x from"./a.js"  import{a}from"./a.js"  import"./a.js"  export*from"./a.js"  export{a}from"./a.js"
    const re = /(?:\bimport|\bexport)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?["'](\.{1,2}\/[^"']+)["']/g;
    for (const m of src.matchAll(re)) {
      const target = resolve(dirname(file), m[1]);
      if (target.endsWith('.wasm')) continue; // counted as the entry's .wasm
      if (existsSync(target)) visit(target);
    }
  };
  visit(entry);
  return seen;
}

/** The .wasm files an ES module imports as modules (the worker entry). */
function wasmImports(files) {
  const out = [];
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\bimport\s*[\w$]*\s*from\s*["'](\.{1,2}\/[^"']+\.wasm)["']/g)) {
      const target = resolve(dirname(f), m[1]);
      if (!out.includes(target)) out.push(target);
    }
  }
  return out;
}

const kib = (n) => (n / 1024).toFixed(1);
const mib = (n) => (n / 1048576).toFixed(2);

async function packed() {
  tmp = mkdtempSync(join(tmpdir(), 'upconv-size-'));
  let tarball = args.tarball ? resolve(String(args.tarball)) : null;
  if (!tarball) {
    if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    const r = await run('npm', ['pack', '--pack-destination', tmp, '--silent', '--ignore-scripts'], { cwd: root });
    if (r.code !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
    tarball = join(tmp, r.stdout.trim().split('\n').pop());
  }
  const project = join(tmp, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'upconv-size', private: true, type: 'module' }));
  const r = await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', '--loglevel=error'], { cwd: project, timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`npm install failed: ${r.stderr}`);
  return { tarball, project, pkg: join(project, 'node_modules', 'upconv') };
}

function entryTable(pkg) {
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  const dot = manifest.exports['.'];
  const target = (cond) => {
    const t = dot[cond];
    return join(pkg, typeof t === 'string' ? t : t.default);
  };
  const rel = (f) => relative(pkg, f);
  const rows = [];
  const add = (label, conditions, js, wasm, note) => {
    rows.push({ label, conditions, js, wasm, note, js$: sum(js), wasm$: sum(wasm), all$: sum([...js, ...wasm]) });
  };
  // node / deno / bun / default: one ES module graph, builds inlined (base64)
  const core = staticGraph(target('import'));
  add('core (ESM)', '`import`, `deno`, `bun`, `default`', core, [], 'all three builds inlined as base64; no file access');
  const cjs = [target('require')];
  for (const m of readFileSync(cjs[0], 'utf8').matchAll(/require\(["'](\.\/[^"']+)["']\)/g)) cjs.push(resolve(dirname(cjs[0]), m[1]));
  add('CommonJS', '`require`', cjs, [], 'one bundle behind require(\'upconv\') and require(\'upconv/io\') (the core and io, not minified), builds inlined');
  const browser = staticGraph(target('browser'));
  const dist = dirname(target('browser'));
  const wasmOf = (name) => join(dist, name);
  add('browser', '`browser`', browser, [wasmOf('upconv.relaxed.wasm')], 'fetches one build: relaxed-SIMD here (the SIMD / scalar builds are the same size or smaller)');
  const worker = staticGraph(target('workerd'));
  add('worker', '`workerd`, `worker`', worker, wasmImports(worker), `imports ${wasmImports(worker).map((f) => rel(f).replace('dist/', '')).join(' + ')} as modules (both uploaded, one instantiated)`);
  const io = manifest.exports['./io'];
  if (io) {
    const ioGraph = staticGraph(join(pkg, io.default.default));
    add('upconv/io', '`./io` (Node, Deno, Bun, default)', ioGraph.filter((f) => !core.includes(f)), [], 'Keras .h5 / .keras / tf.js loaders, on top of the core ESM entry (files it shares with the core not counted again)');
    const ioBrowser = staticGraph(join(pkg, io.browser.default));
    add('upconv/io', '`./io` (`browser`)', ioBrowser.filter((f) => !browser.includes(f)), [], 'the same on top of the browser entry');
  }
  // Every entry together: each file of every entry once, plus all three .wasm builds.
  const wasmAll = ['upconv.relaxed.wasm', 'upconv.simd.wasm', 'upconv.scalar.wasm'].map(wasmOf).filter(existsSync);
  const union = (rs) => sum([...new Set([...rs.flatMap((r) => [...r.js, ...r.wasm]), ...wasmAll])]);
  const runtimeRows = rows.filter((r) => r.label !== 'upconv/io');
  return { rows, allRuntime: union(runtimeRows), allWithIo: rows.length > runtimeRows.length ? union(rows) : null, wasmAll, rel, manifest };
}

function comparisons() {
  const nm = join(root, 'bench', 'node_modules');
  const version = (p) => {
    try {
      return JSON.parse(readFileSync(join(nm, p, 'package.json'), 'utf8')).version;
    } catch {
      return '?';
    }
  };
  const sets = [
    ['TensorFlow.js ' + version('@tensorflow/tfjs-core') + ' (tfjs-core + tfjs-layers + tfjs-backend-wasm, SIMD .wasm)',
      ['@tensorflow/tfjs-core/dist/tf-core.min.js', '@tensorflow/tfjs-layers/dist/tf-layers.min.js', '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js', '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'],
      { raw: 1.2 * 1048576, gz: 0.34 * 1048576 }],
    ['onnxruntime-web ' + version('onnxruntime-web') + ' (ort.wasm.min.mjs + ort-wasm-simd-threaded .mjs/.wasm)',
      ['onnxruntime-web/dist/ort.wasm.min.mjs', 'onnxruntime-web/dist/ort-wasm-simd-threaded.mjs', 'onnxruntime-web/dist/ort-wasm-simd-threaded.wasm'],
      { raw: 13.6 * 1048576, gz: 3.5 * 1048576 }],
  ];
  return sets.map(([label, files, quoted]) => {
    const paths = files.map((f) => join(nm, f));
    if (args['no-compare'] || !paths.every(existsSync)) return { label, quoted, measured: null };
    return { label, quoted, measured: sum(paths, false) };
  });
}

// ---------------------------------------------------------------- cold start

const COLD = `// one fresh process: import → init → build the tutorial generator (example 2: Keras's initial
// weights, from a seeded generator) → first prediction on one latent vector
const t = [performance.now()];
const u = await import('upconv');
t.push(performance.now());
await u.init();
t.push(performance.now());
u.setSeed(1);
const model = new u.Sequential();
model.add(new u.Dense(128 * 5 * 5, { inputDim: 100 }));
model.add(new u.Reshape([5, 5, 128]));
model.add(new u.UpSampling2D());
model.add(new u.Conv2D(1, [3, 3], { padding: 'same' }));
const x = u.tensor(new Float32Array(100).fill(0.5), [1, 100]);
t.push(performance.now());
const y = model.predict(x);
t.push(performance.now());
if (y.shape.join() !== '1,10,10,1') throw new Error('unexpected output shape ' + y.shape);
console.log(JSON.stringify({ backend: u.getBackend(), start: t[0], import: t[1] - t[0], init: t[2] - t[1], build: t[3] - t[2], predict: t[4] - t[3], total: t[4] }));
`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function coldStart(project) {
  writeFileSync(join(project, 'cold.mjs'), COLD);
  const variants = [
    ['`node -e 0` (the floor: Node itself)', ['-e', '0'], false],
    ['ESM `import \'upconv\'`', ['cold.mjs'], true],
    ['ESM, `--experimental-wasm-relaxed-simd`', ['--experimental-wasm-relaxed-simd', 'cold.mjs'], true],
  ];
  const out = [];
  for (const [label, argv, reports] of variants) {
    await run(process.execPath, argv, { cwd: project }); // warm the OS file cache, not V8
    const walls = [];
    const inner = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await run(process.execPath, argv, { cwd: project });
      if (r.code !== 0) throw new Error(`node ${argv.join(' ')} failed: ${r.stderr}`);
      walls.push(r.ms);
      if (reports) inner.push(JSON.parse(r.stdout.trim().split('\n').pop()));
    }
    const m = (k) => median(inner.map((x) => x[k]));
    out.push({ label, wall: median(walls), inner: reports ? { backend: inner[0].backend, start: m('start'), import: m('import'), init: m('init'), build: m('build'), predict: m('predict'), total: m('total') } : null });
  }
  return out;
}

// ---------------------------------------------------------------- report

const { tarball, project, pkg } = await packed();
const t = entryTable(pkg);
const tgz = statSync(tarball).size;
const lines = [];
const p = (s = '') => lines.push(s);
p(`### Size (upconv ${t.manifest.version}, measured from the packed tarball: ${kib(tgz)} KiB .tgz)`);
p();
p('Each entry: the JS it loads (entry file + the modules it imports) and the .wasm it loads; every file compressed on its own. KiB = 1024 bytes.');
p();
p('| entry | export conditions | JS raw | .wasm raw | total raw | total gzip | total brotli | files |');
p('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of t.rows) {
  p(`| ${r.label} | ${r.conditions} | ${kib(r.js$.raw)} | ${kib(r.wasm$.raw)} | ${kib(r.all$.raw)} | **${kib(r.all$.gz)}** | ${kib(r.all$.br)} | ${[...r.js, ...r.wasm].map((f) => '`' + t.rel(f).replace(/^dist\//, '') + '`').join(' + ')} — ${r.note} |`);
}
p(`| every runtime entry together | core, CommonJS, browser, worker: each file once, + all three .wasm | | | ${kib(t.allRuntime.raw)} | **${kib(t.allRuntime.gz)}** | ${kib(t.allRuntime.br)} | |`);
if (t.allWithIo) p(`| … and upconv/io | everything importable from the package | | | ${kib(t.allWithIo.raw)} | **${kib(t.allWithIo.gz)}** | ${kib(t.allWithIo.br)} | |`);
p();
p('| .wasm build | raw | gzip | brotli |');
p('| --- | ---: | ---: | ---: |');
for (const f of t.wasmAll) {
  const s = sizes(f);
  p(`| \`${t.rel(f).replace(/^dist\//, '')}\` | ${kib(s.raw)} KiB | ${kib(s.gz)} KiB | ${kib(s.br)} KiB |`);
}
p();
p('For comparison (what a page loads to run a Keras-style generator):');
p();
p('| library | raw | gzip | source |');
p('| --- | ---: | ---: | --- |');
const coreGz = t.rows.find((r) => r.label === 'browser').all$;
p(`| upconv browser entry + one .wasm | ${kib(coreGz.raw)} KiB | ${kib(coreGz.gz)} KiB | measured |`);
for (const c of comparisons()) {
  if (c.measured) p(`| ${c.label} | ${mib(c.measured.raw)} MiB | ${mib(c.measured.gz)} MiB | measured from node_modules |`);
  else p(`| ${c.label} | ~${mib(c.quoted.raw)} MiB | ~${mib(c.quoted.gz)} MiB | quoted (not installed: npm ci --prefix bench) |`);
}
p();
const BUDGET = 30 * 1024;
const budget = t.rows.find((r) => r.label === 'browser').all$.gz;
const cold = await coldStart(project);
p(`### Cold start (Node ${process.version}, ${process.platform}/${process.arch}; median of ${RUNS} fresh processes)`);
p();
p('A process that imports upconv by name, `init()`s, builds the tutorial generator (example 2: Dense(3200) → Reshape → UpSampling2D → Conv2D(1, 3×3), 324,353 weights from Keras\'s initializers) and predicts once on one latent vector. "spawn → exit" is wall time seen by the parent; the other columns are from Node\'s time origin (process start) inside the child.');
p();
p('| process | backend | spawn → exit | process start → first prediction | Node boot (to first line) | import | init() | build model | first predict |');
p('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
const ms = (v) => (v === undefined ? '' : `${v.toFixed(1)} ms`);
for (const c of cold) {
  const i = c.inner || {};
  p(`| ${c.label} | ${i.backend ?? ''} | ${c.wall.toFixed(0)} ms | ${ms(i.total)} | ${ms(i.start)} | ${ms(i.import)} | ${ms(i.init)} | ${ms(i.build)} | ${ms(i.predict)} |`);
}
p();
p(`Budget: the browser entry's JS with one .wasm is ${kib(budget)} KiB gzip (at most ${kib(BUDGET)}): ${budget <= BUDGET ? 'met' : 'OVER'}`);
console.log(lines.join('\n'));
if (budget > BUDGET) process.exitCode = 1;

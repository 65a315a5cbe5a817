// `npm run bench`: runs bench/suite.mjs twice, one process after the other (never concurrently):
//   1. plain `node`: upconv simd / scalar / js, tfjs cpu and wasm, onnxruntime-web, the peak probes;
//   2. `node --experimental-wasm-relaxed-simd`: upconv's relaxed-SIMD build (Node 20 runs relaxed
//      SIMD only behind that flag), verified against upconv-simd in that process, and the
//      relaxed_madd peak. upconv-simd and onnxruntime-web are timed again in that process, so that
//      the relaxed ratios come from one process (cells tagged `@relaxed`).
//   3. the graph generators (a U-Net, an SR generator: bench/graphs.mjs) in `--graph-runs` fresh
//      processes (default 3, 1 with --quick), upconv relaxed / simd, tfjs-wasm and ORT-web side by
//      side in each (bench/graph_runs.mjs);
// then merges their JSON, prints the tables and writes bench/RESULTS.md.
//
//   node bench/run.mjs [--quick] [--shapes id,id] [--budget ms] [--rounds n] [--max-cell ms]
//                      [--no-relaxed] [--graph-runs n] [--no-threads] [--no-first-call] [--out file.md]
// Options other than --no-relaxed / --graph-runs / --no-threads / --no-first-call / --out go to
// every suite run; --shapes picks layer shapes for runs 1-2 and graph shapes for 3. Then the
// threads bench (bench/threads/run.mjs: threads 1, 2 (4) against onnxruntime-web at equal thread
// counts) and the first-call bench (bench/first_call/run.mjs), each section appended. A run that
// fails is reported as n/a with its reason; the others' results are still written.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderFirstCall, runFirstCall } from './first_call/run.mjs';
import { renderGraphs, runGraphs } from './graph_runs.mjs';
import { analyse, SHAPES } from './shapes.mjs';
import { renderThreads, runThreadsBench } from './threads/run.mjs';
import { cpuModel, TOLERANCE } from './util.mjs';

const SUITE = fileURLToPath(new URL('./suite.mjs', import.meta.url));
const DEFAULT_OUT = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

function parseArgs(argv) {
  const opts = { pass: [], relaxed: true, threads: true, firstCall: true, out: DEFAULT_OUT, graphRuns: null, shapes: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-relaxed') opts.relaxed = false;
    else if (a === '--no-threads') opts.threads = false;
    else if (a === '--no-first-call') opts.firstCall = false;
    else if (a === '--out') opts.out = argv[++i];
    else if (a === '--graph-runs') opts.graphRuns = Math.max(0, Number(argv[++i]) | 0);
    else if (a === '--shapes') opts.shapes = argv[++i].split(',').filter(Boolean);
    else if (['--budget', '--rounds', '--max-cell'].includes(a)) opts.pass.push(a, argv[++i]);
    else if (a === '--quick' || a === '--no-peak') opts.pass.push(a);
    else throw new Error(`unknown argument ${a}`);
  }
  opts.graphRuns ??= opts.pass.includes('--quick') ? 1 : 3;
  if (opts.shapes) {
    const unknown = opts.shapes.filter((id) => !SHAPES.some((s) => s.id === id));
    if (unknown.length) throw new Error(`unknown shape ${unknown.join(', ')}`);
  }
  return opts;
}

function runChild(nodeFlags, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeFlags, SUITE, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (e) => resolve({ code: -1, error: e.message }));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function suite(name, nodeFlags, args, dir) {
  const json = join(dir, `${name}.json`);
  console.error(`\n== ${name}: node ${[...nodeFlags, 'bench/suite.mjs', ...args].join(' ')}`);
  const r = await runChild(nodeFlags, [...args, '--json', json]);
  try {
    return JSON.parse(await readFile(json, 'utf8'));
  } catch {
    return { failed: `exit ${r.code ?? r.signal}${r.error ? ` (${r.error})` : ''}`, cells: [], impls: {} };
  }
}

// --- tables ---------------------------------------------------------------------------------------------

/** Timed in the relaxed run: the relaxed build, and anchors for same-process ratios. */
const RELAXED_RUN = ['upconv-relaxed', 'upconv-relaxed-into', 'upconv-relaxed-io', 'upconv-simd', 'upconv-simd-into', 'upconv-simd-io', 'ort-web'];

const COLUMNS = [
  { id: 'upconv-relaxed', head: 'upconv relaxed' },
  { id: 'upconv-simd', head: 'upconv simd' },
  { id: 'upconv-scalar', head: 'upconv scalar' },
  { id: 'upconv-js', head: 'upconv js' },
  { id: 'tfjs-cpu', head: 'tfjs cpu' },
  { id: 'tfjs-wasm', head: 'tfjs wasm' },
  { id: 'ort-web', head: 'ORT-web' },
];

function fmt(x, digits = 3) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (x >= 1000) return x.toFixed(0);
  if (x >= 100) return x.toFixed(1);
  if (x >= 10) return x.toFixed(2);
  return x.toPrecision(digits);
}

function table(head, rows) {
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/**
 * Rows of the result tables: every shape, plus for the upsampling shapes a predictInto row
 * (reused output tensor) and an ioTensors row (input and output in the model memory, no copies).
 * `sfx` is the suffix of the upconv implementation ids of the row.
 */
function rowsOf(shapes) {
  const rows = [];
  for (const s of shapes) {
    rows.push({ shape: s, into: false, sfx: '', label: s.id });
    if (s.into) {
      rows.push({ shape: s, into: true, sfx: '-into', label: `${s.id} · predictInto` });
      rows.push({ shape: s, into: true, sfx: '-io', label: `${s.id} · ioTensors` });
    }
  }
  return rows;
}

function render(merged, { shapes, command, seconds, graphs }) {
  const { env, peak, impls, cells } = merged;
  const cell = (shapeId, implId) => cells.find((c) => c.shape === shapeId && c.impl === implId);
  const idFor = (col, row) => (row.into ? (col.id.startsWith('upconv-') ? `${col.id}${row.sfx}` : null) : col.id);
  const implState = (id) => impls[id];
  const rows = rowsOf(shapes);
  const naText = (id) => {
    const st = implState(id);
    if (!st) return 'not run';
    return st.status === 'n/a' ? 'n/a' : null;
  };
  const cellText = (row, col, value) => {
    const id = idFor(col, row);
    if (!id) return '';
    const na = naText(id);
    if (na) return na;
    const c = cell(row.shape.id, id);
    if (!c) return 'not run';
    if (c.status === 'error') return 'error';
    if (c.ms === null) return 'untimed';
    const bad = c.verify && c.verify.ok === false ? ' ≠' : '';
    const single = c.samples < 3 ? `<sup>${c.samples}</sup>` : '';
    return value(c) + single + bad;
  };
  // ceiling = the highest median of each FLOP probe over its four measurements (load from
  // elsewhere only ever lowers a measurement)
  const probeValues = (key) => merged.peaks.map(([, p]) => p?.[key]?.gflops ?? null);
  const best = (xs) => (xs.some((x) => x !== null) ? Math.max(...xs.filter((x) => x !== null)) : null);
  const mulAdd = best(probeValues('muladd'));
  const relaxedMadd = best(probeValues('relaxedMadd'));
  const peakOf = (col) => (col.id === 'upconv-relaxed' ? relaxedMadd : col.id === 'upconv-simd' ? mulAdd : null);

  const out = [];
  out.push('# upconv benchmark results', '');
  out.push(`- **Machine:** ${env.cpu} (${env.cpus} vCPU${env.cpus > 1 ? 's' : ''}), ${env.platform}`);
  out.push(`- **Node:** ${env.node} (V8 ${env.v8})`);
  out.push(`- **Date:** ${env.date}; load average before the run ${merged.loadavg.map((x) => x.toFixed(2)).join(' / ')} (1 / 5 / 15 min)`);
  out.push(`- **Command:** \`${command}\` (${seconds.toFixed(0)} s for the whole run)`);
  const versions = [['upconv', 'upconv-simd'], ['@tensorflow/tfjs', 'tfjs-wasm'], ['onnxruntime-web', 'ort-web']]
    .map(([name, id]) => (impls[id]?.version ? `${name} ${impls[id].version}` : null)).filter(Boolean);
  out.push(`- **Versions:** ${versions.join(', ')}`);
  out.push('');
  out.push('One thread everywhere (upconv is single-threaded; tfjs-backend-wasm without its threaded build; onnxruntime-web with',
    '`env.wasm.numThreads = 1`). Each cell is the **median** over repeated timed samples after a warm-up; the implementations',
    'are interleaved in rounds within one process, after a global warm-up that lets V8 tier the code up. A superscript gives',
    'the sample count when it is below 3: slow cells are capped by the time budget, and a first call slower than 5 s is kept',
    'as the only sample. Every output was compared with the reference before timing: upconv-js for the main run, upconv-simd for',
    `the relaxed run; **≠** marks an output that disagrees by more than ${TOLERANCE} of the output's largest magnitude.`,
    'GFLOP/s counts 2 per real multiply-add: Dense in·out, Conv2D only in-bounds taps, Conv2DTranspose the input-side',
    'count N·H·W·Cin·Cout·kh·kw. GB/s counts bytes read + written (input + output, f32). ORT-web runs NCHW models with the',
    'input converted once outside the timing; every timed call includes reading the output back into JS memory.',
    'Other processes may share this machine\'s cores: the load average above and the peak probes taken before and after',
    'each run show how steady it was.', '');

  if (merged.failures.length) {
    out.push('**Runs that failed:** ' + merged.failures.join('; '), '');
  }

  // peak
  out.push('## Peak (one thread, registers only / copy)', '');
  const g = (x) => (x === null ? '—' : fmt(x));
  out.push(table(['probe (median GFLOP/s)', ...merged.peaks.map(([name]) => name), 'ceiling used'], [
    ['f32x4 mul + add, 12 accumulators', ...probeValues('muladd').map(g), g(mulAdd)],
    ['f32x4.relaxed_madd, 12 accumulators', ...probeValues('relaxedMadd').map(g), g(relaxedMadd)],
  ]), '');
  const copyRows = (peak?.copy ?? []).map((c) => [`${c.kind}, ${(c.bytes / 2 ** 20).toFixed(0)} MiB → ${(c.bytes / 2 ** 20).toFixed(0)} MiB`, `${fmt(c.gbps)} GB/s`, `${fmt(c.best)} GB/s`]);
  if (copyRows.length) out.push(table(['copy (main run)', 'median', 'best'], copyRows), '');
  for (const [name, p] of merged.peaks) if (p?.error) out.push(`Peak probe (${name}) failed: ${p.error}`, '');
  out.push('“% peak” below divides a kernel\'s GFLOP/s by the mul+add ceiling (simd build) or the relaxed_madd ceiling (relaxed build).',
    'The probe chains each multiply into its add (a = a·m + c), and V8 11 keeps its 12 accumulators on the stack across the',
    'loop\'s back edge, so it measures V8\'s code rather than the FP ports: a GEMM, whose multiplies are off the accumulator',
    'chain, can reach or pass 100% of the mul+add figure. On a shared machine both numbers also move with the load.', '');

  // times
  out.push('## Median time per call (ms)', '');
  out.push(table(['shape', 'work', ...COLUMNS.map((c) => c.head)], rows.map((row) => {
    const info = analyse(row.shape);
    const work = info.metric === 'GB/s' ? `${fmt(info.bytes / 1e6)} MB` : `${fmt(info.flops / 1e6)} MFLOP`;
    return [row.label, work, ...COLUMNS.map((col) => cellText(row, col, (c) => fmt(c.ms)))];
  })), '');

  // the relaxed process, with its anchors
  if (Object.keys(impls).some((id) => id.endsWith('@relaxed'))) {
    out.push('## Relaxed run: the relaxed build next to upconv simd and ORT-web in the same process (median ms)', '');
    out.push(table(['shape', 'upconv relaxed', 'upconv simd', 'ORT-web'], rows.map((row) => {
      const sfx = row.sfx;
      const v = (id) => {
        const c = cell(row.shape.id, id);
        if (!c) return naText(id) ?? (row.into && id.startsWith('ort') ? '' : 'not run');
        if (c.status === 'error') return 'error';
        return c.ms === null ? 'untimed' : fmt(c.ms) + (c.samples < 3 ? `<sup>${c.samples}</sup>` : '') + (c.verify && c.verify.ok === false ? ' ≠' : '');
      };
      return [row.label, v(`upconv-relaxed${sfx}`), v(`upconv-simd${sfx}@relaxed`), row.into ? '' : v('ort-web@relaxed')];
    })), '');
  }

  // throughput
  out.push('## Throughput (GFLOP/s or GB/s; % of the one-thread peak for the upconv WASM builds)', '');
  out.push(table(['shape', 'unit', ...COLUMNS.map((c) => c.head)], rows.map((row) => {
    const info = analyse(row.shape);
    return [row.label, info.metric, ...COLUMNS.map((col) => cellText(row, col, (c) => {
      const v = info.metric === 'GB/s' ? c.bytes / (c.ms * 1e6) : c.flops / (c.ms * 1e6);
      const p = info.metric === 'GFLOP/s' ? peakOf(col) : null;
      return p ? `${fmt(v)} (${Math.round((100 * v) / p)}%)` : fmt(v);
    }))];
  })), '');

  // ratios
  const ms = (shapeId, id) => {
    const c = cell(shapeId, id);
    return c && c.ms !== null && c.status === 'ok' ? c.ms : null;
  };
  const ratio = (a, b) => (a !== null && b !== null ? b / a : null);
  const rx = (x) => (x === null ? '—' : `${fmt(x, 3)}×`);
  // relaxed vs ORT-web: both timed in the relaxed process when it has ORT-web, else across runs
  const ortForRelaxed = (s) => ms(s, 'ort-web@relaxed') ?? ms(s, 'ort-web');
  out.push('## Speed-up of upconv (peer ms ÷ upconv ms; > 1 means upconv is faster)', '');
  out.push('Each ratio compares timings from one process: simd/js columns from the main run, relaxed columns from the relaxed run',
    '(which times ORT-web and upconv simd again next to the relaxed build). “relaxed vs tfjs-wasm” is the exception: tfjs runs',
    'only in the main process.', '');
  out.push(table(['shape', 'relaxed vs ORT-web', 'relaxed vs simd', 'relaxed vs tfjs-wasm', 'simd vs ORT-web', 'simd vs tfjs-wasm', 'js vs tfjs-cpu'], rows.map((row) => {
    const sfx = row.sfx;
    const s = row.shape.id;
    const rel = ms(s, `upconv-relaxed${sfx}`);
    return [row.label,
      rx(ratio(rel, ortForRelaxed(s))), rx(ratio(rel, ms(s, `upconv-simd${sfx}@relaxed`))), rx(ratio(rel, ms(s, 'tfjs-wasm'))),
      rx(ratio(ms(s, `upconv-simd${sfx}`), ms(s, 'ort-web'))), rx(ratio(ms(s, `upconv-simd${sfx}`), ms(s, 'tfjs-wasm'))),
      rx(ratio(ms(s, `upconv-js${sfx}`), ms(s, 'tfjs-cpu')))];
  })), '');

  // targets
  out.push('## Issue #4 targets (informational; no test asserts a time)', '');
  out.push('The GFLOP/s targets were set on a 2-vCPU AMD EPYC whose one-thread ceiling is ~46 (mul+add) / ~58 (relaxed) GFLOP/s;',
    'compare the % of this machine\'s peak too.', '');
  const targetRows = [];
  const speedTarget = (what, shapeId, min) => {
    for (const fl of ['relaxed', 'simd']) {
      const r = ratio(ms(shapeId, `upconv-${fl}`), fl === 'relaxed' ? ortForRelaxed(shapeId) : ms(shapeId, 'ort-web'));
      targetRows.push([`${what} (${fl}) ≥ ${min}× ORT-web`, rx(r), r === null ? '—' : r >= min ? 'met' : 'not met']);
    }
  };
  speedTarget('generator batch 1', 'generator-b1', 1.5);
  speedTarget('generator batch 64', 'generator-b64', 1.3);
  for (const s of shapes) {
    const info = analyse(s);
    if (!s.layers?.every((l) => l.kind === 'convT') || info.flops < 1e8) continue;
    for (const [fl, min, pk] of [['simd', 35, mulAdd], ['relaxed', 45, relaxedMadd]]) {
      const m = ms(s.id, `upconv-${fl}`);
      const v = m === null ? null : info.flops / (m * 1e6);
      targetRows.push([`${s.id} (${fl}) ≥ ${min} GFLOP/s`, v === null ? '—' : `${fmt(v)} GFLOP/s${pk ? ` (${Math.round((100 * v) / pk)}% peak)` : ''}`, v === null ? '—' : v >= min ? 'met' : 'not met']);
    }
  }
  speedTarget('Conv2D 7×7 1 filter', 'conv-7x7-1f', 3);
  for (const [id, min] of [['nearest-b16', 8], ['bilinear-b16', 5]]) {
    for (const [sfx, how] of [['-into', 'predictInto'], ['-io', 'ioTensors']]) {
      for (const fl of ['relaxed', 'simd']) {
        const c = cell(id, `upconv-${fl}${sfx}`);
        const v = c && c.ms !== null ? c.bytes / (c.ms * 1e6) : null;
        targetRows.push([`${id} ${how} (${fl}) ≥ ${min} GB/s`, v === null ? '—' : `${fmt(v)} GB/s`, v === null ? '—' : v >= min ? 'met' : 'not met']);
      }
    }
  }
  out.push(table(['target', 'measured', ''], targetRows), '');

  // verification
  out.push('## Output agreement before timing (max |Δ| ÷ max |reference|; reference upconv-js, relaxed: upconv-simd)', '');
  const vcols = COLUMNS.filter((c) => c.id !== 'upconv-js');
  out.push(table(['shape', ...vcols.map((c) => c.head)], rows.map((row) => [row.label, ...vcols.map((col) => {
    const id = idFor(col, row);
    if (!id) return '';
    const c = cell(row.shape.id, id);
    if (!c) return naText(id) ?? 'not run';
    if (c.status === 'error') return 'error';
    const v = c.verify;
    if (!v || v.ok === null) return 'unverified';
    return `${v.err === 0 ? '0' : v.err.toExponential(1)}${v.ok ? '' : ' ≠'}`;
  })])), '');

  // problems
  const problems = [];
  for (const [id, st] of Object.entries(impls)) if (st.status === 'n/a' && st.timed) problems.push(`- ${id}: n/a (${st.reason})`);
  for (const c of cells) {
    if (c.status === 'error') problems.push(`- ${c.shape} / ${c.impl}: error (${c.error})`);
    else if (c.verify && c.verify.ok === false) problems.push(`- ${c.shape} / ${c.impl}: output disagrees with ${c.verify.against} (${c.verify.why ?? `error ${c.verify.err.toExponential(2)}`})`);
  }
  if (graphs) {
    out.push(graphs.md, '');
    problems.push(...graphs.problems);
  }

  out.push('## Problems', '', problems.length ? problems.join('\n') : 'None: every implementation ran every shape and every output agreed.', '');

  out.push('## Setup', '',
    '- **upconv** (this package, `dist/` from `npm run build`, imported as `upconv`): `init(undefined, { flavour })` + `setBackend(\'wasm\')` for the',
    '  relaxed-simd / simd / scalar builds, `setBackend(\'js\')` for the TypeScript reference backend (the "pure JS" comparison).',
    '  `predict` (allocates the returned tensor); for upsampling also `predictInto` with a reused output tensor.',
    '- **tfjs cpu / tfjs wasm**: `@tensorflow/tfjs` `tf.sequential()` of `tf.layers` with the same Keras weights (`setWeights`),',
    '  `predict(x, { batchSize: N })` + `dataSync()`; `tf.enableProdMode()`; wasm backend from node_modules via `setWasmPaths`,',
    '  `WASM_HAS_MULTITHREAD_SUPPORT = false`. Upsampling calls `tf.image.resizeNearestNeighbor` / `resizeBilinear(…, false, true)`',
    '  directly, because tfjs-layers\' UpSampling2D bilinear does not use half-pixel centres (Keras does).',
    '- **ORT-web**: `onnxruntime-web` (Node entry), models written as ONNX protobuf by `bench/onnx_model.mjs` (opset 17, NCHW),',
    '  `executionProviders: [\'wasm\']`, `graphOptimizationLevel: \'all\'`, one thread; `session.run` per call.',
    '- **Graph generators** (bench/graphs.mjs): upconv\'s Functional API (`Input`, `layer.apply`, `new Model`; DepthToSpace as',
    '  the `TFOpLambda` TF 2 saves), tfjs `tf.model()` of `tf.layers` (DepthToSpace: a custom layer calling `tf.depthToSpace`),',
    '  ORT-web an NCHW ONNX graph from `bench/onnx_graph.mjs` (BatchNormalization, PRelu, Concat, Add, DepthToSpace DCR nodes).', '');
  return out.join('\n');
}

function printable(md) {
  // the console gets the tables without the prose
  return md.split('\n').filter((l) => l.startsWith('|') || l.startsWith('#') || l.startsWith('- **')).join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const loadavg = os.loadavg();
  const dir = await mkdtemp(join(os.tmpdir(), 'upconv-bench-'));
  const failures = [];
  const picked = opts.shapes ? SHAPES.filter((s) => opts.shapes.includes(s.id)) : SHAPES;
  const layerIds = picked.filter((s) => !s.graph).map((s) => s.id);
  const graphIds = opts.graphRuns > 0 ? picked.filter((s) => s.graph).map((s) => s.id) : [];
  const pass = [...opts.pass, '--shapes', layerIds.join(',')];
  let main1 = { cells: [], impls: {} };
  let relaxed = null;
  let graphRuns = [];
  try {
    if (layerIds.length) {
      main1 = await suite('main', ['--expose-gc'], pass, dir);
      if (main1.failed) failures.push(`main run: ${main1.failed}`);
      if (opts.relaxed) {
        relaxed = await suite('relaxed', ['--expose-gc', '--experimental-wasm-relaxed-simd'],
          [...pass.filter((a) => a !== '--no-peak'), '--only', `${RELAXED_RUN.join(',')}`, '--ref', 'upconv-simd',
            '--peak', opts.pass.includes('--no-peak') ? 'none' : 'flops'], dir);
        if (relaxed.failed) failures.push(`relaxed run: ${relaxed.failed}`);
      }
    }
    if (graphIds.length) graphRuns = await runGraphs((name, flags, args) => suite(name, flags, args, dir), graphIds, opts.pass, opts.graphRuns);
    graphRuns.forEach((r, i) => r.failed && failures.push(`graph run ${i + 1}: ${r.failed}`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const impls = { ...main1.impls };
  // the relaxed run's own timings of the anchors are kept apart as `<id>@relaxed`
  const tag = (id) => (id.startsWith('upconv-relaxed') ? id : `${id}@relaxed`);
  for (const [id, st] of Object.entries(relaxed?.impls ?? {})) if (st.timed) impls[tag(id)] = st;
  const relaxedCells = (relaxed?.cells ?? []).map((c) => ({ ...c, impl: tag(c.impl) }));
  if (!relaxed) {
    impls['upconv-relaxed'] = { status: 'n/a', timed: true, label: 'upconv relaxed', reason: 'relaxed run skipped (--no-relaxed)' };
    impls['upconv-relaxed-into'] = { ...impls['upconv-relaxed'] };
    impls['upconv-relaxed-io'] = { ...impls['upconv-relaxed'] };
  } else if (relaxed.failed) {
    impls['upconv-relaxed'] = { status: 'n/a', timed: true, label: 'upconv relaxed', reason: relaxed.failed };
    impls['upconv-relaxed-into'] = { ...impls['upconv-relaxed'] };
    impls['upconv-relaxed-io'] = { ...impls['upconv-relaxed'] };
  }
  const merged = {
    env: main1.env ?? relaxed?.env ?? { cpu: cpuModel(), cpus: os.cpus().length, platform: `${process.platform} ${process.arch}`, node: process.version, v8: process.versions.v8, date: new Date().toISOString() },
    peak: main1.peak,
    peaks: [['main run, before', main1.peak], ['main run, after', main1.peakEnd],
      ['relaxed run, before', relaxed?.peak], ['relaxed run, after', relaxed?.peakEnd]],
    impls,
    cells: [...(main1.cells ?? []), ...relaxedCells],
    failures,
    loadavg,
  };
  const shapeIds = new Set(merged.cells.map((c) => c.shape));
  const shapes = SHAPES.filter((s) => shapeIds.has(s.id));
  const seconds = (performance.now() - t0) / 1000;
  const command = process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`
    : `node bench/run.mjs${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}`;
  const graphShapes = SHAPES.filter((s) => graphIds.includes(s.id));
  const graphs = graphRuns.length ? renderGraphs(graphRuns, graphShapes, { pass: opts.pass }) : null;
  let md = render(merged, { shapes, command, seconds, graphs });
  const quick = opts.pass.includes('--quick');
  if (opts.threads) {
    console.error('\n== threads: bench/threads/run.mjs');
    const res = await runThreadsBench({ rounds: quick ? 2 : 5, budget: quick ? 600 : 1500 });
    md += '\n\n' + renderThreads(res, command);
    if (res.cells.some((c) => c.impl === 'upconv' && c.hashes.length > 1)) failures.push('threads: upconv outputs differ between thread counts');
  }
  if (opts.firstCall) {
    console.error('\n== first call: bench/first_call/run.mjs');
    md += '\n\n' + renderFirstCall(await runFirstCall({ rounds: quick ? 3 : 7 }), command);
  }
  await writeFile(opts.out, md + '\n');
  console.log('\n' + printable(md));
  console.log(`\nwritten to ${opts.out} (${seconds.toFixed(0)} s)`);
  if (failures.length) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});

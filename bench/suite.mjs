// Runs bench shapes × implementations in this one process and writes the results as JSON.
// bench/run.mjs starts it twice (once as is, once with --experimental-wasm-relaxed-simd for the
// relaxed build); it can also be run alone:
//
//   node --expose-gc bench/suite.mjs [--only id,id] [--ref id] [--shapes id,id] [--budget ms]
//        [--rounds n] [--max-cell ms] [--peak all|flops|none] [--no-peak] [--json file] [--quick]
//
// The peak probes (bench/peak.mjs) run before the shapes and their FLOP probes again after them,
// so that a ceiling measured during a burst of load from elsewhere can be told apart.
//
// Per shape: every implementation builds its model, runs once, and its output is compared with the
// reference implementation's (--ref, default upconv-js) before anything is timed. Then `rounds`
// rounds interleave the implementations (the order rotates each round); in each round an
// implementation is activated, warmed up, and timed for budget/rounds ms (at least one sample).
// A sample is k back-to-back calls (k chosen so that a sample lasts ≥ 1 ms) divided by k; the result
// is the median sample. A cell stops once it has `budget` ms and ≥ 3 samples, or `max-cell` ms.
// A cell whose first call takes over 5 s (the JS baselines at batch 64) keeps that first call as a
// sample instead of repeating it.
//
// Graph shapes (graphs.mjs: the U-Net and SR generators, ~12 GFLOP a call) may set `ref` (a map
// from the run's reference to the one used for this shape: upconv-js → upconv-scalar, since the JS
// backend would take a minute per call), `timed` (the implementations timed on the shape; the
// others do not run it, the reference only once for the check), `minSamples` (the rounds are at
// least this many, and a cell needs this many samples; --quick keeps 3) and `maxCellMs`. Their
// first call is never kept as a sample, and the first timed block starts with a warm-up call
// however long a call takes.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { implById } from './impls.mjs';
import { relaxedSupported, runPeak } from './peak.mjs';
import { makeData, SHAPES } from './shapes.mjs';
import { compare, cpuModel, median, quantile } from './util.mjs';

const MAIN_IMPLS = ['upconv-simd', 'upconv-scalar', 'upconv-js', 'tfjs-cpu', 'tfjs-wasm', 'ort-web',
  'upconv-simd-into', 'upconv-scalar-into', 'upconv-js-into', 'upconv-simd-io', 'upconv-scalar-io', 'upconv-js-io'];

function parseArgs(argv) {
  const opts = { only: MAIN_IMPLS, ref: 'upconv-js', shapes: null, budget: 1200, rounds: 3, maxCell: 12000, peak: 'all', json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--only') opts.only = next().split(',').filter(Boolean);
    else if (a === '--ref') opts.ref = next();
    else if (a === '--shapes') opts.shapes = next().split(',').filter(Boolean);
    else if (a === '--budget') opts.budget = Number(next());
    else if (a === '--rounds') opts.rounds = Math.max(1, Number(next()) | 0);
    else if (a === '--max-cell') opts.maxCell = Number(next());
    else if (a === '--no-peak') opts.peak = 'none';
    else if (a === '--peak') opts.peak = next(); // all | flops | none
    else if (a === '--json') opts.json = next();
    else if (a === '--quick') Object.assign(opts, { budget: 300, rounds: 2, maxCell: 3000, quick: true });
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/** A first call slower than this is kept as a timed sample (see below). */
const SLOW_CALL_MS = 5000;

const log = (s) => process.stderr.write(s + '\n');
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};

async function call(cell) {
  if (cell.isAsync) await cell.run();
  else cell.run();
}

/** One timed sample of k calls; returns ms per call. */
async function sample(cell, k) {
  if (cell.isAsync) {
    const t0 = performance.now();
    for (let i = 0; i < k; i++) await cell.run();
    return (performance.now() - t0) / k;
  }
  const t0 = performance.now();
  for (let i = 0; i < k; i++) cell.run();
  return (performance.now() - t0) / k;
}

/** A block of calls for one cell in one round: warm-up, then samples for `roundBudget` ms. */
async function timeBlock(st, roundBudget, opts) {
  const { cell } = st;
  // warm-up: the first block ≥ 250 ms and ≥ 3 calls, or fewer calls once it has lasted 1.5 s (tier-up
  // of shape-specific code paths); later blocks one call (upconv re-plans after a backend switch).
  // A call slower than 2 s is its own warm-up.
  if (st.callMs < 2000 || (st.blocks === 0 && st.warmFirst)) {
    const t0 = performance.now();
    let n = 0;
    do {
      const t = performance.now();
      await call(cell);
      st.callMs = performance.now() - t;
      n++;
    } while (st.blocks === 0 && ((n < 3 && performance.now() - t0 < 1500) || performance.now() - t0 < 250) && st.callMs < 2000);
  }
  st.blocks++;
  const k = Math.max(1, Math.min(256, Math.ceil(1 / Math.max(st.callMs, 1e-3))));
  let spent = 0;
  do {
    const ms = await sample(cell, k);
    st.samples.push(ms);
    st.calls += k;
    spent += ms * k;
    st.spentMs += ms * k;
    if (done(st, opts)) break;
  } while (spent < roundBudget);
}

function done(st, opts) {
  return (st.spentMs >= opts.budget && st.samples.length >= st.minSamples) || (st.spentMs >= st.maxCell && st.samples.length >= 1);
}

/** The reference of a shape in this run (a graph shape may name a substitute, see above). */
function refOf(shape, opts) {
  return shape.ref?.[opts.ref] ?? opts.ref;
}

/** Whether implementation `id` is timed on `shape` (graph shapes list theirs, without -into / -io). */
function timedOn(shape, id) {
  return !shape.timed || shape.timed.includes(id);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const shapes = opts.shapes ? opts.shapes.map((id) => {
    const s = SHAPES.find((x) => x.id === id);
    if (!s) throw new Error(`unknown shape '${id}' (known: ${SHAPES.map((x) => x.id).join(', ')})`);
    return s;
  }) : SHAPES;
  const timedIds = opts.only;
  // the references: the run's and the substitutes its shapes name
  const refIds = [...new Set([opts.ref, ...shapes.map((s) => refOf(s, opts))])];
  const ids = [...refIds, ...timedIds.filter((id) => !refIds.includes(id))];
  const result = {
    env: {
      node: process.version,
      v8: process.versions.v8,
      execArgv: process.execArgv,
      platform: `${process.platform} ${process.arch}`,
      cpu: cpuModel(),
      cpus: os.cpus().length,
      relaxedSimd: relaxedSupported(),
      date: new Date().toISOString(),
    },
    options: { ...opts },
    impls: {},
    peak: null,
    cells: [],
  };

  // load every implementation; one that cannot run here is recorded with the reason
  const loaded = [];
  for (const id of ids) {
    let impl;
    try {
      impl = implById(id);
    } catch (e) {
      result.impls[id] = { status: 'n/a', label: id, timed: timedIds.includes(id), reason: e.message };
      log(`n/a    ${id.padEnd(20)} ${e.message}`);
      continue;
    }
    try {
      const info = await impl.load();
      result.impls[id] = { status: 'ok', label: impl.label, timed: timedIds.includes(id), ...info };
      loaded.push(impl);
      log(`loaded ${id.padEnd(20)} ${info.backend} ${info.version}`);
    } catch (e) {
      result.impls[id] = { status: 'n/a', label: impl.label, timed: timedIds.includes(id), reason: String(e?.message ?? e).split('\n')[0] };
      log(`n/a    ${id.padEnd(20)} ${result.impls[id].reason}`);
    }
  }
  for (const id of refIds) if (!loaded.some((i) => i.id === id)) log(`reference ${id} is not available: outputs of the shapes it checks are not verified`);

  if (opts.peak !== 'none') {
    try {
      result.peak = await runPeak({ relaxed: relaxedSupported(), only: opts.peak === 'flops' ? 'flops' : null });
      const g = (p) => (!p ? '—' : p.na ? 'n/a' : `${p.gflops.toFixed(1)} GFLOP/s`);
      log(`peak   mul+add ${g(result.peak.muladd)}, relaxed_madd ${g(result.peak.relaxedMadd)}`);
    } catch (e) {
      result.peak = { error: String(e?.message ?? e) };
      log(`peak probe failed: ${result.peak.error}`);
    }
  }

  // Warm-up: V8 runs new WASM code in its baseline tier (Liftoff) and can take a second or more to
  // tier hot functions up to TurboFan (JS similarly). Each implementation runs a generator and the
  // two resizes round-robin for WARM_MS before any shape is timed, so that the kernels shared by all
  // shapes are optimised; each cell then gets its own short warm-up (timeBlock).
  const WARM_MS = opts.budget >= 1000 ? 1500 : 400;
  const warmShapes = ['generator-b1', 'nearest-b1', 'bilinear-b1'].map((id) => SHAPES.find((x) => x.id === id));
  for (const impl of loaded) {
    const t0 = performance.now();
    try {
      await impl.activate();
      const cells = [];
      for (const s of warmShapes) if (impl.applies(s)) cells.push(await impl.prepare(s, makeData(s)));
      let n = 0;
      while (performance.now() - t0 < WARM_MS || n < 2) {
        for (const c of cells) await call(c);
        n++;
      }
      for (const c of cells) c.dispose();
      log(`warmed ${impl.id.padEnd(20)} ${n} rounds in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      log(`warm-up of ${impl.id} failed: ${String(e?.message ?? e).split('\n')[0]}`);
    }
  }
  gc();

  for (const [si, shape] of shapes.entries()) {
    const t0 = performance.now();
    const data = makeData(shape);
    const states = [];
    let refOut = null;
    const refId = refOf(shape, opts);
    const ref = loaded.find((i) => i.id === refId) ?? null;
    const minSamples = opts.quick ? 3 : Math.max(3, shape.minSamples ?? 3);
    const maxCell = opts.quick ? opts.maxCell : Math.max(opts.maxCell, shape.maxCellMs ?? 0);
    const rounds = Math.max(opts.rounds, opts.quick ? 0 : shape.minSamples ?? 0);
    // build, run once, verify (the reference first)
    for (const impl of [...(ref ? [ref] : []), ...loaded.filter((i) => i !== ref)]) {
      if (!impl.applies(shape)) continue;
      const isTimed = timedIds.includes(impl.id) && timedOn(shape, impl.id.replace(/-(into|io)$/, ''));
      if (!isTimed && impl !== ref) {
        if (timedIds.includes(impl.id)) result.cells.push({ shape: shape.id, impl: impl.id, status: 'skipped', ms: null, samples: 0 });
        continue;
      }
      // a graph's first call packs ~50 M weights and grows the memory (seconds, ~8× a later call):
      // never a sample, and its first block always warms up with one more call
      const warmFirst = !!shape.graph;
      const st = { impl, isTimed, cell: null, samples: [], calls: 0, spentMs: 0, blocks: 0, callMs: 0, firstMs: null, verify: null, error: null, minSamples, maxCell, warmFirst };
      try {
        await impl.activate();
        st.cell = await impl.prepare(shape, data);
        const t = performance.now();
        await call(st.cell);
        st.firstMs = performance.now() - t;
        st.callMs = st.firstMs;
        if (st.isTimed && st.firstMs > SLOW_CALL_MS && !st.warmFirst) {
          // too slow to repeat within the time budget: the first call (after the global warm-up)
          // is kept as a sample; the table marks cells with fewer than 3 samples
          st.samples.push(st.firstMs);
          st.calls = 1;
          st.spentMs = st.firstMs;
          st.firstCallSampled = true;
        }
        const out = st.cell.output();
        if (impl === ref) {
          refOut = Float32Array.from(out);
          st.verify = { ok: true, err: 0, against: 'self' };
        } else if (refOut) {
          st.verify = { ...compare(out, refOut), against: ref.id };
        } else {
          st.verify = { ok: null, against: null, why: 'no reference output' };
        }
      } catch (e) {
        st.error = String(e?.message ?? e).split('\n')[0];
        if (st.cell) {
          try {
            st.cell.dispose();
          } catch {
            // ignore
          }
        }
        st.cell = null;
      }
      states.push(st);
    }
    // timing: rounds interleave the implementations, rotating the order
    const runnable = states.filter((s) => s.cell && s.isTimed);
    for (let r = 0; r < rounds; r++) {
      const order = runnable.map((_, i) => runnable[(i + r) % runnable.length]);
      for (const st of order) {
        if (st.error || done(st, opts)) continue;
        try {
          await st.impl.activate();
          gc();
          await timeBlock(st, opts.budget / rounds, opts);
        } catch (e) {
          st.error = String(e?.message ?? e).split('\n')[0];
        }
      }
    }
    for (const st of states) {
      try {
        st.cell?.dispose();
      } catch {
        // ignore
      }
      if (!st.isTimed) {
        // the substitute reference of a graph shape: run once for the check, not timed
        if (timedIds.includes(st.impl.id)) result.cells.push({ shape: shape.id, impl: st.impl.id, status: 'skipped', ms: null, samples: 0, reference: true, error: st.error, firstMs: st.firstMs });
        continue;
      }
      const ok = !st.error && st.samples.length > 0;
      result.cells.push({
        shape: shape.id,
        impl: st.impl.id,
        status: st.error ? 'error' : ok ? 'ok' : 'untimed',
        error: st.error,
        ms: ok ? median(st.samples) : null,
        q1: ok ? quantile(st.samples, 0.25) : null,
        q3: ok ? quantile(st.samples, 0.75) : null,
        min: ok ? Math.min(...st.samples) : null,
        samples: st.samples.length,
        calls: st.calls,
        firstMs: st.firstMs,
        firstCallSampled: !!st.firstCallSampled,
        verify: st.verify,
        flops: data.info.flops,
        bytes: data.info.bytes,
        metric: data.info.metric,
      });
    }
    gc();
    const line = result.cells.filter((c) => c.shape === shape.id && c.status !== 'skipped').map((c) => {
      const v = c.verify && c.verify.ok === false ? '≠' : '';
      return `${c.impl} ${c.ms !== null ? c.ms.toFixed(c.ms < 10 ? 3 : 1) + 'ms' : c.status}${v}`;
    }).join(', ');
    log(`[${si + 1}/${shapes.length}] ${shape.id} (${((performance.now() - t0) / 1000).toFixed(1)} s): ${line}`);
  }
  if (opts.peak !== 'none') {
    try {
      result.peakEnd = await runPeak({ relaxed: relaxedSupported(), only: 'flops' });
    } catch (e) {
      result.peakEnd = { error: String(e?.message ?? e) };
    }
  }
  result.seconds = (performance.now() - started) / 1000;
  const json = JSON.stringify(result, null, 1);
  if (opts.json) await writeFile(opts.json, json);
  else process.stdout.write(json + '\n');
}

main().catch((e) => {
  log(`suite failed: ${e?.stack ?? e}`);
  process.exit(1);
});

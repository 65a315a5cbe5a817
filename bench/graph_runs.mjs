// The graph generators of the bench (graphs.mjs: the pix2pix U-Net and the SRResNet generator,
// issue #10 item 7) in `runs` fresh processes, and their tables for bench/RESULTS.md.
//
// Each process is `node --expose-gc --experimental-wasm-relaxed-simd bench/suite.mjs` on the graph
// shapes only, with upconv relaxed, upconv simd, tfjs-wasm and onnxruntime-web timed side by side
// (interleaved rounds, ≥ 5 samples a cell, see suite.mjs) and upconv's scalar build run once per
// shape as the reference of the output check (the JS backend would take about a minute a call).
// A cell's figure is the median over the processes of each process's median; a ratio is the
// median over the processes of the ratio within one process, so that both sides of every ratio
// ran in the same process at the same time.
import os from 'node:os';
import { analyse } from './shapes.mjs';
import { median, TOLERANCE } from './util.mjs';

export const GRAPH_IMPLS = [
  { id: 'upconv-relaxed', head: 'upconv relaxed' },
  { id: 'upconv-simd', head: 'upconv simd' },
  { id: 'tfjs-wasm', head: 'tfjs wasm' },
  { id: 'ort-web', head: 'ORT-web' },
];
const GRAPH_REF = 'upconv-scalar';

/** Node flags and suite arguments of one graph process. */
export function graphSuiteCommand(shapeIds, pass) {
  const keep = [];
  for (let i = 0; i < pass.length; i++) {
    if (pass[i] === '--shapes') i++;
    else if (pass[i] !== '--no-peak') keep.push(pass[i]);
  }
  return {
    flags: ['--expose-gc', '--experimental-wasm-relaxed-simd'],
    args: [...keep, '--shapes', shapeIds.join(','), '--only', [...GRAPH_IMPLS.map((c) => c.id), GRAPH_REF].join(','),
      '--ref', GRAPH_REF, '--no-peak'],
  };
}

/** Runs the graph processes one after the other; `suite(name, flags, args)` → its JSON result. */
export async function runGraphs(suite, shapeIds, pass, runs) {
  const { flags, args } = graphSuiteCommand(shapeIds, pass);
  const results = [];
  for (let r = 0; r < runs; r++) {
    const loadavg = os.loadavg();
    const res = await suite(`graphs-${r + 1}`, flags, args);
    results.push({ ...res, loadavg });
  }
  return results;
}

function fmt(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  if (x >= 1000) return x.toFixed(0);
  if (x >= 100) return x.toFixed(1);
  if (x >= 10) return x.toFixed(2);
  return x.toPrecision(3);
}

function table(head, rows) {
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

const ok = (c) => c && c.status === 'ok' && c.ms !== null;

/** The per-process cells of (shape, impl), in process order (null where a process has none). */
function cellsOf(runs, shapeId, implId) {
  return runs.map((r) => (r.cells ?? []).find((c) => c.shape === shapeId && c.impl === implId) ?? null);
}

/** median over processes of the per-process ms; also min / max of them and the sample total. */
export function graphCell(runs, shapeId, implId) {
  const cs = cellsOf(runs, shapeId, implId);
  const ms = cs.filter(ok).map((c) => c.ms);
  return {
    ms: ms.length ? median(ms) : null,
    lo: ms.length ? Math.min(...ms) : null,
    hi: ms.length ? Math.max(...ms) : null,
    processes: ms.length,
    samples: cs.filter(ok).reduce((a, c) => a + c.samples, 0),
    cells: cs,
  };
}

/** median over processes of peer ms ÷ upconv ms, each ratio from one process. */
export function graphRatio(runs, shapeId, upconvId, peerId) {
  const u = cellsOf(runs, shapeId, upconvId);
  const p = cellsOf(runs, shapeId, peerId);
  const rs = [];
  for (let i = 0; i < runs.length; i++) if (ok(u[i]) && ok(p[i])) rs.push(p[i].ms / u[i].ms);
  return rs.length ? { median: median(rs), lo: Math.min(...rs), hi: Math.max(...rs), n: rs.length } : null;
}

/** Markdown section of the graph runs (plus the problems found), for RESULTS.md. */
export function renderGraphs(runs, shapes, { pass }) {
  const out = [];
  const n = runs.length;
  const { flags, args } = graphSuiteCommand(shapes.map((s) => s.id), pass);
  out.push('## Graph generators (issue #10): U-Net and super-resolution, in fresh processes', '');
  out.push(`${n} process${n === 1 ? '' : 'es'}, one after the other, each \`node ${[...flags, 'bench/suite.mjs', ...args].join(' ')}\`:`,
    'the four implementations below timed side by side in each (interleaved rounds, ≥ 5 samples a cell unless --quick), after',
    `their outputs were checked against upconv's scalar WebAssembly build (run once a shape, within ${TOLERANCE} of the output's`,
    'largest magnitude). Every implementation builds the same graph from the same weights (upconv: `Input` → `layer.apply` →',
    '`new Model`; tfjs: `tf.input` → `tf.layers` → `tf.model`; ORT-web: an NCHW ONNX graph written by `bench/onnx_graph.mjs`).',
    'A time is the median over the processes of each process\'s median (the range of the process medians in brackets); a',
    'ratio is the median over the processes of the ratio within one process. A superscript gives the samples in each process',
    'when one has fewer than 5 (a cell stops after 60 s). Load average (1 min) when each process started:',
    `${runs.map((r) => r.loadavg?.[0]?.toFixed(2) ?? '—').join(', ')} on ${os.cpus().length} vCPUs.`, '');
  const failed = runs.map((r, i) => (r.failed ? `process ${i + 1}: ${r.failed}` : null)).filter(Boolean);
  if (failed.length) out.push(`**Processes that failed:** ${failed.join('; ')}`, '');

  out.push(table(['graph', 'work', ...GRAPH_IMPLS.map((c) => `${c.head} (ms)`)], shapes.map((s) => {
    const info = analyse(s);
    return [s.id, `${fmt(info.flops / 1e9)} GFLOP`, ...GRAPH_IMPLS.map((c) => {
      const g = graphCell(runs, s.id, c.id);
      if (g.ms === null) return g.cells.find((x) => x?.status === 'error') ? 'error' : 'not run';
      const range = g.processes > 1 ? ` [${fmt(g.lo)}–${fmt(g.hi)}]` : '';
      const bad = g.cells.some((x) => x?.verify?.ok === false) ? ' ≠' : '';
      // samples per process, when a process has fewer than 5 (a cell capped by its time budget)
      const few = g.cells.filter(ok).some((x) => x.samples < 5) ? `<sup>${g.cells.filter(ok).map((x) => x.samples).join('/')}</sup>` : '';
      return `${fmt(g.ms)}${few}${range}${bad}`;
    })];
  })), '');

  out.push(table(['graph', ...GRAPH_IMPLS.map((c) => `${c.head} GFLOP/s`)], shapes.map((s) => {
    const info = analyse(s);
    return [s.id, ...GRAPH_IMPLS.map((c) => {
      const g = graphCell(runs, s.id, c.id);
      return g.ms === null ? '—' : fmt(info.flops / (g.ms * 1e6));
    })];
  })), '');

  const rx = (r) => (r ? `${fmt(r.median)}×${r.n > 1 ? ` [${fmt(r.lo)}–${fmt(r.hi)}]` : ''}` : '—');
  const pairs = [['upconv-relaxed', 'ort-web'], ['upconv-simd', 'ort-web'], ['upconv-relaxed', 'tfjs-wasm'], ['upconv-simd', 'tfjs-wasm']];
  const head = (id) => GRAPH_IMPLS.find((c) => c.id === id).head;
  out.push('Speed-up of upconv (peer ms ÷ upconv ms, > 1 means upconv is faster; range over the processes in brackets):', '');
  out.push(table(['graph', ...pairs.map(([a, b]) => `${head(a).replace('upconv ', '')} vs ${head(b)}`)],
    shapes.map((s) => [s.id, ...pairs.map(([a, b]) => rx(graphRatio(runs, s.id, a, b)))])), '');

  const targets = [];
  for (const s of shapes) {
    for (const [peer, min] of [['ort-web', 1.5], ['tfjs-wasm', 5]]) {
      for (const fl of ['upconv-relaxed', 'upconv-simd']) {
        const r = graphRatio(runs, s.id, fl, peer);
        targets.push([`${s.id} (${fl.replace('upconv-', '')}) ≥ ${min}× ${head(peer)}`, rx(r), r === null ? '—' : r.median >= min ? 'met' : 'not met']);
      }
    }
  }
  out.push('Issue #10 targets (informational; no test asserts a time):', '');
  out.push(table(['target', 'measured', ''], targets), '');

  out.push(`Output agreement with ${GRAPH_REF} before timing (worst max |Δ| ÷ max |reference| over the processes):`, '');
  out.push(table(['graph', ...GRAPH_IMPLS.map((c) => c.head)], shapes.map((s) => [s.id, ...GRAPH_IMPLS.map((c) => {
    const vs = graphCell(runs, s.id, c.id).cells.map((x) => x?.verify).filter((v) => v && v.ok !== null && v.err !== undefined);
    if (!vs.length) return 'unverified';
    const worst = Math.max(...vs.map((v) => v.err));
    return `${worst === 0 ? '0' : worst.toExponential(1)}${vs.some((v) => !v.ok) ? ' ≠' : ''}`;
  })])), '');

  const problems = [];
  runs.forEach((r, i) => {
    for (const [id, st] of Object.entries(r.impls ?? {})) if (st.status === 'n/a') problems.push(`- graph process ${i + 1}, ${id}: n/a (${st.reason})`);
    for (const c of r.cells ?? []) {
      if (c.status === 'error' || c.error) problems.push(`- graph process ${i + 1}, ${c.shape} / ${c.impl}: error (${c.error})`);
      else if (c.verify && c.verify.ok === false) problems.push(`- graph process ${i + 1}, ${c.shape} / ${c.impl}: output disagrees with ${c.verify.against} (${c.verify.why ?? `error ${c.verify.err.toExponential(2)}`})`);
    }
  });
  return { md: out.join('\n'), problems };
}

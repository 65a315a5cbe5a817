// The threads bench: upconv with init({ threads: n }) against onnxruntime-web with numThreads = n,
// n = 1, 2 (and 4 where the machine has 4 cores), on the MNIST generator at batch 1 and 64, the
// big transposed convolutions and the pix2pix U-Net (bench/graphs.mjs). Every measurement is a fresh process (bench/threads/child.mjs);
// the cells of one round run one after the other in a rotating order (interleaved), and each cell's
// figure is the median over rounds of its per-process medians. Ratios: upconv ×n against upconv ×1,
// and upconv ×n against onnxruntime-web ×n. upconv's outputs must be bit-identical at every n
// (a hash of the output bits per process).
//
//   node bench/threads/run.mjs [--rounds n] [--budget ms] [--shapes id,id] [--threads 1,2] [--impls upconv,ort]
//                              [--out file.md]
// bench/run.mjs (npm run bench) runs it after the suite and appends its section to RESULTS.md.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { median } from '../util.mjs';

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url));
export const THREAD_SHAPES = ['generator-b1', 'generator-b64', 'convT-14x14-b16', 'convT-7x7-b16', 'convT-5x5-16x16', 'unet-256'];

function one(args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop();
      try {
        resolve(JSON.parse(line));
      } catch {
        resolve({ error: `exit ${code ?? signal}: ${(err || out).trim().split('\n').slice(-1)[0] ?? ''}` });
      }
    });
  });
}

/** Runs the bench; returns { cells, env } (cells: one per shape × impl × threads, with every round's result). */
export async function runThreadsBench({ rounds = 5, budget = 1500, shapes = THREAD_SHAPES, threads = null, impls = ['upconv', 'ort'], log = console.error } = {}) {
  const cores = os.cpus().length;
  threads ??= cores >= 4 ? [1, 2, 4] : [1, 2];
  const plan = [];
  for (const shape of shapes) for (const impl of impls) for (const n of threads) plan.push({ shape, impl, threads: n, runs: [] });
  const loadBefore = os.loadavg();
  for (let r = 0; r < rounds; r++) {
    // rotate the order every round so that no cell always follows the same neighbour
    const order = plan.map((_, i) => plan[(i + r * 3) % plan.length]);
    for (const c of order) {
      const res = await one(['--impl', c.impl, '--threads', String(c.threads), '--shape', c.shape, '--budget', String(budget)], 120_000 + 20 * budget);
      c.runs.push(res);
      log(`round ${r + 1}/${rounds} ${c.shape} ${c.impl} ×${c.threads}: ${res.error ? `error ${res.error}` : `${res.ms.toFixed(2)} ms (${res.samples} calls, CPU ${res.cpuPerCall.toFixed(2)} ms/call)`}`);
    }
  }
  for (const c of plan) {
    const ok = c.runs.filter((x) => !x.error);
    c.ms = ok.length ? median(ok.map((x) => x.ms)) : null;
    c.cpu = ok.length ? median(ok.map((x) => x.cpuPerCall)) : null;
    c.error = ok.length ? null : c.runs[0]?.error ?? 'not run';
    c.backend = ok[0]?.backend ?? null;
    c.hashes = [...new Set(ok.map((x) => x.hash))];
  }
  return { cells: plan, threads, cores, rounds, budget, loadBefore, loadAfter: os.loadavg() };
}

const f = (x, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x >= 100 ? x.toFixed(1) : x.toFixed(d));

/** The section of RESULTS.md. */
export function renderThreads(res, command) {
  const { cells, threads } = res;
  const get = (shape, impl, n) => cells.find((c) => c.shape === shape && c.impl === impl && c.threads === n);
  const shapes = [...new Set(cells.map((c) => c.shape))];
  const out = [];
  out.push('## Threads', '');
  out.push(`\`${command}\`: ${res.rounds} rounds, each cell a fresh process per round (warm-up, then calls for ${res.budget} ms; its median), `
    + 'cells interleaved in a rotating order; the figure is the median over rounds. upconv: `init({ threads: n })`; '
    + 'ORT-web: `env.wasm.numThreads = n`, `intraOpNumThreads = n`. '
    + `${res.cores} logical cores; load average ${res.loadBefore.map((x) => x.toFixed(2)).join(' / ')} before, `
    + `${res.loadAfter.map((x) => x.toFixed(2)).join(' / ')} after (1 / 5 / 15 min). `
    + 'CPU = process CPU time per call, every thread (spinning included). A load above the core count makes the ×n ratios meaningless: '
    + 'the threads then share cores with other processes.', '');
  const head = ['shape'];
  for (const n of threads) head.push(`upconv ×${n} ms`, `CPU ms`);
  for (const n of threads) head.push(`ORT ×${n} ms`);
  for (const n of threads.slice(1)) head.push(`upconv ×${n} / ×1`);
  for (const n of threads) head.push(`ORT ×${n} / upconv ×${n}`);
  head.push('bits ×1 = ×n');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? ' ---: ' : ' --- ')).join('|')}|`];
  for (const s of shapes) {
    const row = [s];
    for (const n of threads) {
      const c = get(s, 'upconv', n);
      row.push(c?.error ? 'error' : f(c?.ms), f(c?.cpu));
    }
    for (const n of threads) {
      const c = get(s, 'ort', n);
      row.push(c?.error ? 'error' : f(c?.ms));
    }
    const u1 = get(s, 'upconv', 1);
    for (const n of threads.slice(1)) {
      const c = get(s, 'upconv', n);
      row.push(u1?.ms && c?.ms ? `${(u1.ms / c.ms).toFixed(2)}×` : '—');
    }
    for (const n of threads) {
      const u = get(s, 'upconv', n);
      const o = get(s, 'ort', n);
      row.push(u?.ms && o?.ms ? `${(o.ms / u.ms).toFixed(2)}×` : '—');
    }
    const hashes = new Set(threads.flatMap((n) => get(s, 'upconv', n)?.hashes ?? []));
    row.push(hashes.size === 1 ? 'yes' : hashes.size === 0 ? '—' : `**no** (${hashes.size} outputs)`);
    lines.push(`| ${row.join(' | ')} |`);
  }
  out.push(lines.join('\n'));
  const errors = cells.filter((c) => c.error);
  if (errors.length) out.push('', ...errors.map((c) => `- ${c.shape} ${c.impl} ×${c.threads}: ${c.error}`));
  return out.join('\n');
}

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (x) => (x === undefined ? undefined : x.split(','));
  const res = await runThreadsBench({
    rounds: opt('rounds') ? Number(opt('rounds')) : undefined,
    budget: opt('budget') ? Number(opt('budget')) : undefined,
    shapes: list(opt('shapes')),
    threads: list(opt('threads'))?.map(Number),
    impls: list(opt('impls')),
  });
  const md = renderThreads(res, `node bench/threads/run.mjs${argv.length ? ' ' + argv.join(' ') : ''}`);
  console.log(md);
  if (opt('out')) await writeFile(opt('out'), md + '\n');
  if (res.cells.some((c) => c.impl === 'upconv' && c.hashes.length > 1)) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main().catch((e) => { console.error(e?.stack ?? e); process.exit(1); });

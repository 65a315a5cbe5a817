// The first-call bench: process start → first prediction for a generator loaded from a file,
// against bare `node -e 0`, and a model's load + first predict against a warm predict. Every
// measurement is a fresh process; bare node and the cold start alternate (interleaved), medians.
//   node bench/first_call/run.mjs [--model file.h5] [--rounds n] [--batch 1] [--threads 1] [--compare dir] [--out file.md]
// --compare: another build's dist/ folder (e.g. main's) measured in the same rounds, one more row.
// Default model: the MNIST generator of the test data (../shared), skipped with a message when absent.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { median } from '../util.mjs';

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url));
export const DEFAULT_MODEL = fileURLToPath(new URL('../../../shared/models/wgan-mnist3-convtranspose/generator_model.h5', import.meta.url));

/** Wall ms from spawn to the line `first` (or to exit), and the child's JSON line. */
function timed(args) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let firstAt = null;
    child.stdout.on('data', (d) => {
      out += d;
      if (firstAt === null && out.includes('first\n')) firstAt = performance.now() - t0;
    });
    child.on('exit', () => {
      const wall = performance.now() - t0;
      const line = out.trim().split('\n').pop();
      let json = null;
      try {
        json = JSON.parse(line);
      } catch { /* bare node */ }
      resolve({ wall, firstAt: firstAt ?? wall, json });
    });
  });
}

function summarise(cold) {
  const ok = cold.filter((c) => c.json);
  const m = (f) => median(ok.map(f));
  return {
    backend: ok[0]?.json.backend, start: m((c) => c.firstAt), imported: m((c) => c.json.imported),
    load: m((c) => c.json.loaded - c.json.imported), call1: m((c) => c.json.call1), call2: m((c) => c.json.call2),
    warm: m((c) => c.json.warm), loadFirstOverWarm: m((c) => (c.json.loaded - c.json.imported + c.json.call1) / c.json.warm),
    firstOverWarm: m((c) => c.json.call1 / c.json.warm),
    cpu: {
      imported: m((c) => c.json.cpu.imported), load: m((c) => c.json.cpu.load), call1: m((c) => c.json.cpu.call1),
      warm: m((c) => c.json.cpu.warm), loadFirstOverWarm: m((c) => (c.json.cpu.load + c.json.cpu.call1) / c.json.cpu.warm),
    },
  };
}

export async function runFirstCall({ model = DEFAULT_MODEL, rounds = 7, batch = 1, threads = 1, compare = null, log = console.error } = {}) {
  if (!existsSync(model)) return { skipped: `no model file at ${model}` };
  const bare = [];
  const builds = [{ label: 'this build', dist: null, cold: [] }];
  if (compare) builds.push({ label: compare, dist: compare, cold: [] });
  const loadBefore = os.loadavg();
  for (let r = 0; r < rounds; r++) {
    const runs = [() => timed(['-e', '0']).then((x) => bare.push(x.wall)),
      ...builds.map((b) => () => timed([CHILD, '--model', model, '--batch', String(batch), '--threads', String(threads), ...(b.dist ? ['--dist', b.dist] : [])])
        .then((x) => b.cold.push(x)))];
    // interleaved, the order rotated every round
    for (let i = 0; i < runs.length; i++) await runs[(i + r) % runs.length]();
    for (const b of builds) {
      const c = b.cold[b.cold.length - 1];
      log(`round ${r + 1}/${rounds} ${b.label}: node -e 0 ${bare[bare.length - 1].toFixed(1)} ms; start → first prediction ${c.firstAt.toFixed(1)} ms`
        + (c.json ? ` (load ${(c.json.loaded - c.json.imported).toFixed(1)}, first call ${c.json.call1.toFixed(2)}, second ${c.json.call2.toFixed(2)}, warm ${c.json.warm.toFixed(2)} ms)` : ' (failed)'));
    }
  }
  const [main, ...others] = builds.map((b) => ({ label: b.label, ...summarise(b.cold) }));
  return { model, batch, threads, rounds, loadBefore, loadAfter: os.loadavg(), bare: median(bare), ...main, others };
}

const f = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(2)) : '—');

export function renderFirstCall(r, command) {
  const out = ['## First call', ''];
  if (r.skipped) return [...out, `Skipped: ${r.skipped}.`].join('\n');
  out.push(`\`${command}\`: ${r.rounds} rounds of a fresh \`node -e 0\` and a fresh process that imports upconv and upconv/io, `
    + `loads \`${r.model.split('/').slice(-2).join('/')}\` from its file (loadModel of the bytes), predicts batch ${r.batch} `
    + `(${r.backend}, threads ${r.threads}), then 30 more calls (warm = their median); interleaved, medians over rounds. `
    + `Load average ${r.loadBefore.map((x) => x.toFixed(2)).join(' / ')} before, ${r.loadAfter.map((x) => x.toFixed(2)).join(' / ')} after.`, '');
  const several = r.others?.length > 0;
  out.push(`${several ? '| build ' : ''}| node -e 0 | start → first prediction | import | loadModel | first predict | second | warm | (load + first) / warm | first / warm |`);
  out.push(`${several ? '| --- ' : ''}| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const b of [r, ...(r.others ?? [])]) {
    const c = b.cpu;
    const name = several ? `| ${b.label} ` : '';
    out.push(`${name}| ${f(r.bare)} ms | ${f(b.start)} ms | ${f(b.imported)} ms | ${f(b.load)} ms | ${f(b.call1)} ms | ${f(b.call2)} ms | ${f(b.warm)} ms | ${b.loadFirstOverWarm.toFixed(2)}× | ${b.firstOverWarm.toFixed(2)}× |`);
    out.push(`${name}| CPU time (every thread of the process) | | ${f(c.imported)} ms | ${f(c.load)} ms | ${f(c.call1)} ms | | ${f(c.warm)} ms | ${c.loadFirstOverWarm.toFixed(2)}× | ${(c.call1 / c.warm).toFixed(2)}× |`);
  }
  out.push('', 'Wall times include waiting for a core when the machine is loaded; the CPU row does not (it does include V8\'s background compilation).');
  return out.join('\n');
}

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (x) => (x === undefined ? undefined : Number(x));
  const r = await runFirstCall({ model: opt('model'), rounds: num(opt('rounds')), batch: num(opt('batch')), threads: num(opt('threads')), compare: opt('compare') });
  const md = renderFirstCall(r, `node bench/first_call/run.mjs${argv.length ? ' ' + argv.join(' ') : ''}`);
  console.log(md);
  if (opt('out')) await writeFile(opt('out'), md + '\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main().catch((e) => { console.error(e?.stack ?? e); process.exit(1); });

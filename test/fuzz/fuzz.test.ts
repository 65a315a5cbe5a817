/**
 * Seeded mutation fuzzing of everything upconv/io reads (issue #9 item 10). Each batch of
 * mutants runs in its own Node process with a time bound (no mutant may run longer than
 * MUTANT_MS) and memory bounds (--max-old-space-size and a peak-RSS check in the child, 1 GiB
 * for the whole process); every outcome must be a named
 * UpconvError subclass or a correct load (the output shape the model declares, the wasm and
 * js backends agreeing), and the process must stay alive. The hostile configs of hostile.ts
 * (huge sizes, prototype names, in every format) run the same way, every case every run, and
 * must end in the errors each allows (or the unedited model's outputs).
 *
 *   UPCONV_FUZZ=20000            mutants in total (default 2500, about a minute on 2 cores)
 *   UPCONV_FUZZ_SEED=7           another run seed (default 1: the same mutants every run)
 *   UPCONV_FUZZ_ONLY=<id>:<n>    one mutant, e.g. 'keras2_v0.h5:123'
 *   UPCONV_FUZZ_DUMP=<file>      with UPCONV_FUZZ_ONLY: write the mutant's bytes there
 *   UPCONV_FUZZ_JOBS=1           child processes at a time (default 2)
 *   UPCONV_FUZZ_H5PY=1           also ask libhdf5 (h5py, /usr/bin/python3) about every HDF5
 *                                mutant upconv loaded: one it refuses is a violation
 * e.g. UPCONV_FUZZ=20000 node scripts/test.mjs test/fuzz
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasShared, itShared, MODELS } from '../util/shared.js';
import { corpus, type Item } from './corpus.js';
import { hostileCount } from './hostile.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOTAL = Number(process.env.UPCONV_FUZZ ?? 2500);
const BASE = Number(process.env.UPCONV_FUZZ_SEED ?? 1);
const ONLY = process.env.UPCONV_FUZZ_ONLY;
const JOBS = Math.max(1, Number(process.env.UPCONV_FUZZ_JOBS ?? 2));
const H5PY = !!process.env.UPCONV_FUZZ_H5PY;
/**
 * Time bound of one mutant (and of a child's start): a child without progress for this long is
 * killed. Items may set a longer one (corpus.ts: the real models).
 */
const MUTANT_MS = 10_000;
const HEAP_MB = 512;

interface Line {
  i: number;
  start?: boolean;
  outcome?: string;
  detail?: string;
  how?: string[];
  ms?: number;
  rss?: number;
  fatal?: string;
}

interface Violation {
  kind: string;
  item: string;
  index: number;
  detail: string;
  how?: string[];
}

interface Tally {
  mutants: number;
  outcomes: Map<string, number>;
  errors: Map<string, number>;
  slowest: { i: number; ms: number }[];
  /** The first loads with non-finite outputs, and why they are right. */
  nonFinite: string[];
}

let dir = '';
let child = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upconv-fuzz-harness-'));
  child = join(dir, 'child.mjs');
  await build({
    entryPoints: [join(ROOT, 'test', 'fuzz', 'child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: child,
    logLevel: 'warning',
    // package.json's sideEffects list is for consumers' bundlers; here every import counts
    // (bindings/index.ts registers the inlined .wasm builds by a side-effect import)
    ignoreAnnotations: true,
  });
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs mutants [start, end) of item `index` in children, restarting after a crash or hang. */
async function runItem(index: number, item: Item, start: number, end: number, tally: Tally, violations: Violation[], dump?: string): Promise<void> {
  let next = start;
  let restarts = 0;
  while (next < end && restarts < 20) {
    const keepLoaded = H5PY ? join(dir, 'loaded') : undefined;
    if (keepLoaded) mkdirSync(keepLoaded, { recursive: true });
    const job = JSON.stringify({ root: ROOT, shared: MODELS, tmp: join(dir, 'tmp'), item: index, start: next, end, base: BASE, dump, keepLoaded });
    const lines: Line[] = [];
    let stderr = '';
    let buffered = '';
    const proc = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, child, job], { stdio: ['ignore', 'pipe', 'pipe'] });
    let timedOut = false;
    const bound = item.mutantMs ?? MUTANT_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        proc.kill('SIGKILL');
      }, bound);
    };
    arm();
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (s: string) => {
      buffered += s;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const p of parts) {
        if (!p) continue;
        lines.push(JSON.parse(p) as Line);
        arm(); // progress: a mutant started or ended
      }
    });
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (s: string) => { stderr = (stderr + s).slice(-2000); });
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => proc.on('close', (c, s) => resolve([c, s])));
    clearTimeout(timer);
    let last = next - 1;
    let finished = next - 1;
    let lastHow: string[] | undefined;
    for (const l of lines) {
      if (l.fatal) violations.push({ kind: 'harness', item: item.id, index: last, detail: l.fatal });
      if (l.start) {
        last = l.i;
        lastHow = undefined;
        continue;
      }
      if (l.outcome === undefined) {
        if (l.how) lastHow = l.how;
        continue;
      }
      finished = l.i;
      if (l.outcome === 'memory') {
        violations.push({ kind: 'memory', item: item.id, index: l.i, detail: l.detail!, how: l.how });
        continue;
      }
      tally.mutants++;
      tally.outcomes.set(l.outcome, (tally.outcomes.get(l.outcome) ?? 0) + 1);
      if (l.outcome === 'named') tally.errors.set(l.detail!, (tally.errors.get(l.detail!) ?? 0) + 1);
      if (l.outcome.startsWith('ok-') && tally.nonFinite.length < 3) tally.nonFinite.push(`#${l.i} ${l.detail}`);
      if (l.outcome === 'raw' || l.outcome === 'output' || l.outcome === 'unexpected') violations.push({ kind: l.outcome, item: item.id, index: l.i, detail: l.detail!, how: l.how });
      tally.slowest.push({ i: l.i, ms: l.ms! });
    }
    tally.slowest.sort((a, b) => b.ms - a.ms).splice(5);
    const memoryStop = lines.some((l) => l.outcome === 'memory');
    if (timedOut || code !== 0 || memoryStop) {
      const culprit = memoryStop ? finished : last;
      if (timedOut) violations.push({ kind: 'hang', item: item.id, index: culprit, detail: `no result within ${bound} ms (the child was killed)`, how: lastHow });
      else if (!memoryStop) {
        const said = stderr.trim().split('\n').filter((x) => /error|fatal|abort/i.test(x)).slice(0, 2).join(' | ') || stderr.trim().split('\n').slice(-2).join(' | ');
        violations.push({ kind: 'crash', item: item.id, index: culprit, detail: `the process ended with ${signal ?? `exit code ${code}`}: ${said.slice(0, 300)}`, how: lastHow });
      }
      next = Math.max(culprit, finished) + 1;
      restarts++;
    } else {
      next = end;
    }
  }
}

async function pool(tasks: (() => Promise<void>)[], n: number): Promise<void> {
  let k = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (k < tasks.length) await tasks[k++]();
  }));
}

async function fuzz(items: { index: number; item: Item }[], total: number): Promise<{ report: string; violations: Violation[] }> {
  const weight = items.reduce((n, x) => n + x.item.weight, 0);
  const tallies = new Map<string, Tally>();
  const violations: Violation[] = [];
  const tasks: (() => Promise<void>)[] = [];
  for (const { index, item } of items) {
    const count = Math.max(1, Math.round((total * item.weight) / weight));
    const tally: Tally = { mutants: 0, outcomes: new Map(), errors: new Map(), slowest: [], nonFinite: [] };
    tallies.set(item.id, tally);
    for (let s = 0; s < count; s += item.batch) {
      const e = Math.min(count, s + item.batch);
      tasks.push(() => runItem(index, item, s, e, tally, violations));
    }
  }
  await pool(tasks, JOBS);
  if (H5PY) violations.push(...h5pyDisagreements(items.map((x) => x.item)));
  const rows = [...tallies].map(([id, t]) => {
    const o = [...t.outcomes].map(([k, v]) => `${k} ${v}`).join(', ');
    const e = [...t.errors].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    const nf = t.nonFinite.length ? `; non-finite outputs: ${t.nonFinite.join('; ')}` : '';
    return `  ${id}: ${t.mutants} mutants (${o}); errors: ${e}; slowest: ${t.slowest.map((s) => `#${s.i} ${s.ms} ms`).join(', ')}${nf}`;
  });
  const mutants = [...tallies.values()].reduce((n, t) => n + t.mutants, 0);
  const report = `fuzz (seed ${BASE}): ${mutants} mutants, ${violations.length} violations\n${rows.join('\n')}`;
  return { report, violations };
}

/** HDF5 mutants upconv loaded that libhdf5 refuses (UPCONV_FUZZ_H5PY). */
function h5pyDisagreements(items: Item[]): Violation[] {
  const folder = join(dir, 'loaded');
  if (!existsSync(folder)) return [];
  const files = readdirSync(folder).map((f) => join(folder, f));
  const r = spawnSync('/usr/bin/python3', [join(ROOT, 'test', 'fuzz', 'h5_oracle.py')], { input: files.join('\n'), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) return [{ kind: 'harness', item: 'h5py', index: -1, detail: `the libhdf5 oracle failed: ${r.stderr.slice(-500)}` }];
  const out: Violation[] = [];
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const { file, ok, why } = JSON.parse(line) as { file: string; ok: boolean; why?: string };
    rmSync(file);
    if (ok) continue;
    const [itemIndex, i] = file.split('/').pop()!.replace('.h5', '').split('-').map(Number);
    const id = corpus(ROOT, MODELS).items[itemIndex].id;
    if (!items.some((x) => x.id === id)) continue;
    out.push({ kind: 'libhdf5 refuses', item: id, index: i, detail: `upconv loaded it; libhdf5: ${why}` });
  }
  return out;
}

function describeViolations(vs: Violation[]): string {
  return vs.map((v) => `${v.kind}: ${v.item} #${v.index}: ${v.detail}${v.how ? `\n      mutation: ${v.how.join('; ').slice(0, 300)}` : ''}\n      reproduce: UPCONV_FUZZ_SEED=${BASE} UPCONV_FUZZ_ONLY='${v.item}:${v.index}' node scripts/test.mjs test/fuzz`).join('\n  ');
}

const all = corpus(ROOT, MODELS).items.map((item, index) => ({ index, item }));
const local = all.filter(({ item }) => !item.id.startsWith('shared:') && item.kind !== 'hostile');
const hostile = all.find(({ item }) => item.kind === 'hostile')!;
const shared = all.filter(({ item }) => item.id.startsWith('shared:'));
const sharedMissing = !hasShared || !existsSync(MODELS);

/** The real models are larger and slower (about 100 ms a mutant): a tenth of the mutants. */
const SHARED_SHARE = 0.1;

if (!ONLY) describe('mutation fuzzing (every outcome a named error or a correct load, the process alive)', () => {
  it(`fixtures and synthetic tf.js models: ${Math.round(TOTAL * (sharedMissing ? 1 : 1 - SHARED_SHARE))} mutants`, async () => {
    const { report, violations } = await fuzz(local, Math.round(TOTAL * (sharedMissing ? 1 : 1 - SHARED_SHARE)));
    console.log(report);
    expect(violations, `\n  ${describeViolations(violations)}`).toEqual([]);
  }, 30 * 60_000);

  it(`hostile configs (huge sizes, prototype names) in tf.js, .keras and .h5: ${hostileCount()} cases, each an allowed named error or the unedited model's outputs`, async () => {
    const tally: Tally = { mutants: 0, outcomes: new Map(), errors: new Map(), slowest: [], nonFinite: [] };
    const violations: Violation[] = [];
    await runItem(hostile.index, hostile.item, 0, hostileCount(), tally, violations);
    console.log(`hostile configs: ${tally.mutants} cases (${[...tally.outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}); errors: ${[...tally.errors].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    expect(violations, `\n  ${describeViolations(violations)}`).toEqual([]);
    expect(tally.mutants).toBe(hostileCount());
  }, 10 * 60_000);

  itShared(`the real models in ../shared: ${Math.round(TOTAL * SHARED_SHARE)} mutants`, async () => {
    const { report, violations } = await fuzz(shared, Math.round(TOTAL * SHARED_SHARE));
    console.log(report);
    expect(violations, `\n  ${describeViolations(violations)}`).toEqual([]);
  }, 30 * 60_000);
});

if (ONLY) describe('one mutant (UPCONV_FUZZ_ONLY)', () => {
  it(`${ONLY}`, async () => {
    const cut = ONLY!.lastIndexOf(':');
    const id = ONLY!.slice(0, cut);
    const n = Number(ONLY!.slice(cut + 1));
    const found = all.find(({ item }) => item.id === id);
    if (!found) throw new Error(`no corpus item '${id}' (items: ${all.map(({ item }) => item.id).join(', ')})`);
    const dump = process.env.UPCONV_FUZZ_DUMP;
    const tally: Tally = { mutants: 0, outcomes: new Map(), errors: new Map(), slowest: [], nonFinite: [] };
    const violations: Violation[] = [];
    await runItem(found.index, found.item, n, n + 1, tally, violations, dump);
    console.log(`${id} #${n} (seed ${BASE}): ${[...tally.outcomes.keys()].join(', ') || 'no outcome'} ${[...tally.errors.keys()].join(', ')}${dump ? `; the mutant's bytes: ${dump}` : ' (UPCONV_FUZZ_DUMP=<file> writes its bytes)'}`);
    expect(violations, `\n  ${describeViolations(violations)}`).toEqual([]);
  }, 120_000);
});

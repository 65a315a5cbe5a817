// `npm run bench:train`: one full GAN step of the tutorial DCGAN (bench/train/dcgan.mjs) in
// upconv (relaxed SIMD and SIMD builds), PyTorch on the CPU with one thread (Debian python3-torch;
// install libopenblas0 so torch uses OpenBLAS, not the reference BLAS), and TensorFlow.js (cpu; its
// wasm backend's error recorded). Every measurement is a fresh process; the peers alternate within
// each round so load changes hit them alike; reports medians and ratios, writes bench/train/RESULTS.md.
//   node bench/train/run.mjs [--rounds 3] [--steps 4] [--tfjs-batch 4] [--no-tfjs] [--no-torch] [--out file]
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { cpuModel, median } from '../util.mjs';
import { stepFlops } from './dcgan.mjs';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const rounds = Number(opt('rounds', 3));
const steps = Number(opt('steps', 4));
const tfjsBatch = Number(opt('tfjs-batch', 4));
const out = opt('out', here('./RESULTS.md'));

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => { text += d; });
    child.on('error', (e) => resolve({ error: e.message }));
    child.on('exit', (code) => {
      const line = text.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      try {
        resolve(line ? JSON.parse(line) : { error: `exit ${code}` });
      } catch {
        resolve({ error: `exit ${code}: ${text.slice(-200)}` });
      }
    });
  });
}

const impls = [
  { id: 'upconv-relaxed', run: () => run(process.execPath, ['--experimental-wasm-relaxed-simd', here('./upconv_step.mjs'), '--flavour', 'relaxed-simd', '--steps', String(steps)]) },
  { id: 'upconv-simd', run: () => run(process.execPath, [here('./upconv_step.mjs'), '--flavour', 'simd', '--steps', String(steps)]) },
];
if (!argv.includes('--no-torch')) {
  impls.push({ id: 'pytorch', run: () => run('/usr/bin/python3', [here('./torch_step.py'), '--steps', String(steps)], { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }) });
}
const results = new Map(impls.map((i) => [i.id, []]));
const notes = new Map();
for (let r = 0; r < rounds; r++) {
  for (const impl of impls) {
    process.stderr.write(`round ${r + 1}/${rounds}: ${impl.id}\n`);
    const res = await impl.run();
    if (res.error) notes.set(impl.id, res.error);
    else {
      results.get(impl.id).push(median(res.ms.map((row) => row[3])));
      if (res.version) notes.set(`${impl.id} version`, res.version);
    }
  }
}
let tfjs = null;
let tfjsWasm = null;
if (!argv.includes('--no-tfjs')) {
  process.stderr.write(`tfjs-cpu at batch scale ${tfjsBatch}/128 (one step)\n`);
  tfjs = await run(process.execPath, [here('./tfjs_step.mjs'), '--backend', 'cpu', '--batch', String(tfjsBatch), '--warmup', '0', '--steps', '1']);
  tfjsWasm = await run(process.execPath, [here('./tfjs_step.mjs'), '--backend', 'wasm', '--batch', '2', '--warmup', '0', '--steps', '1']);
}

const flops = stepFlops();
const med = (id) => median(results.get(id) ?? []);
const torch = med('pytorch');
const lines = [];
const p = (s = '') => lines.push(s);
p('# Training bench: one GAN step of the tutorial DCGAN');
p();
p(`\`node bench/train/run.mjs --rounds ${rounds} --steps ${steps}\` on ${cpuModel()} (${os.cpus().length} logical CPUs), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}.`);
p(`A step: g.predict on 64 latents, d.trainOnBatch on 64 real + 64 fake, gan.trainOnBatch on 128 latents; ${(flops / 1e9).toFixed(1)} GFLOP (a multiply-add = 2). Each figure is the median over ${rounds} fresh processes of the median of ${steps} timed steps (after warm-up steps); one thread everywhere.`);
p();
p('| implementation | step ms | GFLOP/s | speed vs PyTorch |');
p('| --- | ---: | ---: | ---: |');
for (const impl of impls) {
  const m = med(impl.id);
  const note = notes.get(impl.id);
  if (!Number.isFinite(m)) p(`| ${impl.id} | n/a (${note ?? 'no result'}) | | |`);
  else p(`| ${impl.id}${notes.get(`${impl.id} version`) ? ` ${notes.get(`${impl.id} version`)}` : ''} | ${m.toFixed(0)} | ${(flops / m / 1e6).toFixed(1)} | ${Number.isFinite(torch) ? (torch / m).toFixed(2) : ''}× |`);
}
if (tfjs) {
  if (tfjs.error) p(`| tfjs-cpu | n/a (${tfjs.error}) | | |`);
  else {
    const ms = tfjs.ms[0][3] / tfjs.batchScale;
    p(`| tfjs-cpu ${tfjs.version} (extrapolated ×${(1 / tfjs.batchScale).toFixed(0)} from one step at batch ${tfjsBatch}/128) | ${ms.toFixed(0)} | ${(flops / ms / 1e6).toFixed(2)} | ${Number.isFinite(torch) ? (torch / ms).toFixed(3) : ''}× |`);
  }
  p(`| tfjs-wasm | n/a: ${tfjsWasm?.error ?? 'ran?'} | | |`);
}
p();
p('Ratios: upconv relaxed vs PyTorch ' + (Number.isFinite(torch) ? `${(torch / med('upconv-relaxed')).toFixed(2)}×` : 'n/a') +
  (tfjs && !tfjs.error ? `; vs tfjs-cpu ${((tfjs.ms[0][3] / tfjs.batchScale) / med('upconv-relaxed')).toFixed(0)}×` : '') + '.');
p('Per-layer times and GFLOP/s of the backward kernels: `node --experimental-wasm-relaxed-simd bench/train/profile.mjs --flavour relaxed-simd`.');
const text = lines.join('\n') + '\n';
console.log(text);
await writeFile(out, text);

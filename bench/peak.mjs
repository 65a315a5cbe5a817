// Peak probes: compiles bench/peak.ts with AssemblyScript (in memory, no files written) and
// measures the registers-only f32x4 mul+add and relaxed_madd ceilings (GFLOP/s, one thread) and
// the copy bandwidth (GB/s, bytes read + written) of this engine.
// Usage: node bench/peak.mjs   (add --experimental-wasm-relaxed-simd for the relaxed probe)
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { median } from './util.mjs';

const SOURCE = fileURLToPath(new URL('./peak.ts', import.meta.url));

/** Compiles peak.ts; `relaxed` adds the relaxed-simd feature (only Node ≥ 20 with the flag runs it). */
export async function compilePeak(relaxed) {
  const { default: asc } = await import('assemblyscript/asc'); // a devDependency, loaded only here
  const text = await readFile(SOURCE, 'utf8');
  const { error, binary, stderr } = await asc.compileString({ 'peak.ts': text }, {
    enable: relaxed ? ['simd', 'relaxed-simd'] : ['simd'],
    runtime: 'stub',
    use: ['abort='],
    optimizeLevel: 3,
    shrinkLevel: 0,
    noAssert: true,
    initialMemory: 1,
  });
  if (error) throw new Error(`peak.ts did not compile: ${error.message}\n${stderr.toString()}`);
  return binary;
}

/** Whether this engine validates a module that uses relaxed SIMD. */
export function relaxedSupported() {
  // (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0)))
  const zero = [253, 12, ...new Array(16).fill(0)];
  const body = [0, ...zero, ...zero, ...zero, 253, 133, 2, 11];
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
    10, body.length + 2, 1, body.length, ...body]);
  return WebAssembly.validate(bytes);
}

const FLOPS_PER_ITER = 12 * 4 * 2; // 12 accumulators × 4 lanes × (mul + add)

/**
 * Calls `once` until V8 has tiered the module up from Liftoff to TurboFan, which can take over a
 * second on the first module of a process: until the best call time has not improved by 2% for
 * 400 ms (at least 600 ms, at most 6 s).
 */
export function warmUp(once) {
  const t0 = performance.now();
  let best = Infinity;
  let bestAt = t0;
  for (;;) {
    const t = performance.now();
    once();
    const now = performance.now();
    if (now - t < best * 0.98) {
      best = now - t;
      bestAt = now;
    }
    if ((now - t0 > 600 && now - bestAt > 400) || now - t0 > 6000) return;
  }
}

function timeFlops(fn, iters) {
  warmUp(() => fn(100_000, 1, 0.99999, 1e-6)); // a → c / (1 - m) = 0.1: no denormals, no overflow
  const times = [];
  for (let r = 0; r < 15; r++) {
    const t0 = performance.now();
    fn(iters, 1 + r * 1e-3, 0.99999, 1e-6);
    times.push(performance.now() - t0);
  }
  const gflops = (ms) => (iters * FLOPS_PER_ITER) / (ms * 1e6);
  return { gflops: gflops(median(times)), best: gflops(Math.min(...times)) };
}

function timeCopy(fn, exports, bytes) {
  const PAGE = 65536;
  const base = 1 << 16; // above peak.ts's (empty) static data
  const need = base + 2 * bytes + PAGE;
  const have = exports.memory.buffer.byteLength;
  if (need > have) exports.memory.grow(Math.ceil((need - have) / PAGE));
  new Uint8Array(exports.memory.buffer, base, bytes).fill(7); // touch the pages
  const reps = Math.max(1, Math.round(128e6 / bytes));
  warmUp(() => fn(base + bytes, base, Math.min(bytes, 1 << 20), 1));
  const times = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    fn(base + bytes, base, bytes, reps);
    times.push(performance.now() - t0);
  }
  const gbps = (ms) => (2 * bytes * reps) / (ms * 1e6);
  return { bytes, gbps: gbps(median(times)), best: gbps(Math.min(...times)) };
}

/**
 * Runs the probes this engine supports (`only: 'flops'`: no copy probes). Returns
 * { muladd: {gflops, best}, relaxedMadd: {gflops, best} | {na}, copy: [{kind, bytes, gbps, best}] }.
 */
export async function runPeak({ relaxed = relaxedSupported(), only = null, iters = 8_000_000 } = {}) {
  const out = {};
  const simdBytes = await compilePeak(false);
  const simd = new WebAssembly.Instance(new WebAssembly.Module(simdBytes), {}).exports;
  out.muladd = timeFlops(simd.f32x4_muladd_12acc, iters);
  if (relaxed) {
    const rel = new WebAssembly.Instance(new WebAssembly.Module(await compilePeak(true)), {}).exports;
    out.relaxedMadd = timeFlops(rel.f32x4_relaxed_madd_12acc, iters);
  } else {
    out.relaxedMadd = { na: 'this engine does not validate relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)' };
  }
  out.copy = [];
  if (only === 'flops') return out;
  for (const bytes of [1 << 20, 8 << 20, 32 << 20]) {
    out.copy.push({ kind: 'memory.copy', ...timeCopy(simd.memory_copy, simd, bytes) });
    out.copy.push({ kind: 'v128 loop', ...timeCopy(simd.v128_copy, simd, bytes) });
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await runPeak();
  const f = (x) => `${x.gflops.toFixed(1)} GFLOP/s median, ${x.best.toFixed(1)} best`;
  console.log(`f32x4 mul+add       ${f(r.muladd)}`);
  console.log(`f32x4 relaxed_madd  ${r.relaxedMadd.na ? `n/a (${r.relaxedMadd.na})` : f(r.relaxedMadd)}`);
  for (const c of r.copy) {
    console.log(`copy ${c.kind.padEnd(12)} ${(c.bytes / 2 ** 20).toFixed(0).padStart(3)} MiB  ${c.gbps.toFixed(1)} GB/s median, ${c.best.toFixed(1)} best`);
  }
}

// Smoke check of build/upconv.{relaxed,simd,scalar}.wasm against naive loops written straight
// from the contract in bindings/backend/kernels.ts, over shapes that hit every tail.
// Usage: node --experimental-wasm-relaxed-simd scripts/check-wasm.mjs   (relaxed is skipped without the flag)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILDS = [
  { name: 'relaxed', file: 'build/upconv.relaxed.wasm', tol: 1e-5 },
  { name: 'simd', file: 'build/upconv.simd.wasm', tol: 0 },
  { name: 'scalar', file: 'build/upconv.scalar.wasm', tol: 0 },
];
/** sigmoid/tanh use the AS std exp/tanh: a few ulps from the f64 JS reference in every build. */
const TRANSCENDENTAL_TOL = 1e-6;
/**
 * Fused vs unfused madd differ by roundings that add up like a random walk over the reduction, so
 * the relaxed tolerance grows with sqrt(T·K) beyond 1024 terms (exact builds stay at 0).
 */
const reductionTol = (tol, terms) => tol * Math.max(1, Math.sqrt(terms / 1024));
const SENTINEL = 12345.5; // written around every output; must survive each kernel
const f = Math.fround;

// Deterministic PRNG (mulberry32), so a failure is reproducible.
let seed = 0x9e3779b9;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const uniform = (lo, hi) => f(lo + (hi - lo) * rand());

/** Scalar epilogues exactly as the contract states them. */
function act(x, code, alpha, fusableOnly) {
  if (code === 1) return x < 0 ? 0 : x;
  if (code === 4) return x >= 0 ? x : f(f(alpha) * x); // alpha reaches wasm as f32
  if (fusableOnly) return x; // igemm / scaleShift: any other code behaves as linear
  if (code === 2) return f(1 / (1 + Math.exp(-x)));
  if (code === 3) return f(Math.tanh(x));
  return x;
}

/** |got - want| / max(|want|, 1): relative for |want| ≥ 1, absolute below (data is O(1)). */
function relErr(got, want) {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got) ? 0 : Infinity;
  if (got === want) return 0;
  return Math.abs(got - want) / Math.max(Math.abs(want), 1);
}

class Harness {
  constructor(bytes) {
    const module = new WebAssembly.Module(bytes);
    this.imports = WebAssembly.Module.imports(module);
    this.exportsMemory = WebAssembly.Module.exports(module).some((e) => e.kind === 'memory' && e.name === 'memory');
    this.exports = new WebAssembly.Instance(module, {}).exports;
    this.memory = this.exports.memory;
    this.base = this.exports.heapBase() >>> 0;
    this.reset();
  }
  reset() { this.top = this.base; }
  get f32() { return new Float32Array(this.memory.buffer); }
  get u32() { return new Uint32Array(this.memory.buffer); }
  get i32() { return new Int32Array(this.memory.buffer); }
  /** Reserves `n` 4-byte slots, 16-aligned, with a sentinel-filled guard of 8 slots after them. */
  alloc(n) {
    const ptr = this.top;
    this.top = (ptr + 4 * (n + 8) + 15) & ~15;
    const need = this.top - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
    this.f32.fill(SENTINEL, ptr >> 2, this.top >> 2);
    return ptr;
  }
  put(data) {
    const ptr = this.alloc(data.length);
    this.f32.set(data, ptr >> 2);
    return ptr;
  }
  read(ptr, n) { return this.f32.slice(ptr >> 2, (ptr >> 2) + n); }
  /** True if the 8 guard slots after [ptr, ptr + 4n) still hold the sentinel. */
  guardOk(ptr, n) {
    const g = this.f32.subarray((ptr >> 2) + n, (ptr >> 2) + n + 8);
    return g.every((v) => v === SENTINEL);
  }
}

const randArray = (n, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => uniform(lo, hi));

/** Max elementwise error of got against want (the caller checks the guards). */
function compare(got, want) {
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, relErr(got[i], want[i]));
  return m;
}

function checkIgemm(h, M, T, K, N, code, alpha) {
  h.reset();
  const zero = h.put(new Float32Array(K));
  const R = Math.max(1, M); // distinct input rows
  const rows = Array.from({ length: R }, () => randArray(K));
  const rowPtrs = rows.map((r) => h.put(r));
  const taps = Array.from({ length: M * T }, () => (rand() < 0.2 ? -1 : Math.floor(rand() * R)));
  const inPtrs = h.alloc(M * T);
  taps.forEach((r, i) => { h.u32[(inPtrs >> 2) + i] = r < 0 ? zero : rowPtrs[r]; });
  // packed weights: per panel 8 bias lanes, then [t][k][lane]; lanes ≥ N zero
  const bias = randArray(N);
  const W = randArray(T * K * N); // W[(t*K + k)*N + n]
  const panels = Math.ceil(N / 8);
  const pf = 8 + T * K * 8;
  const packed = new Float32Array(panels * pf);
  for (let p = 0; p < panels; p++) {
    for (let l = 0; l < 8; l++) {
      const n = p * 8 + l;
      if (n >= N) continue;
      packed[p * pf + l] = bias[n];
      for (let tk = 0; tk < T * K; tk++) packed[p * pf + 8 + tk * 8 + l] = W[tk * N + n];
    }
  }
  const wPtr = h.put(packed);
  const outRows = Array.from({ length: M }, () => h.alloc(N));
  const outPtrs = h.alloc(M);
  outRows.forEach((p, m) => { h.u32[(outPtrs >> 2) + m] = p; });
  h.exports.igemm(M, T, K, N, inPtrs, outPtrs, wPtr, code, alpha);
  let err = 0;
  for (let m = 0; m < M; m++) {
    const want = new Float32Array(N);
    for (let n = 0; n < N; n++) {
      let acc = bias[n];
      for (let t = 0; t < T; t++) {
        const r = taps[m * T + t];
        for (let k = 0; k < K; k++) {
          const x = r < 0 ? 0 : rows[r][k];
          acc = f(acc + f(x * W[(t * K + k) * N + n]));
        }
      }
      want[n] = act(acc, code, alpha, true);
    }
    if (!h.guardOk(outRows[m], N)) return Infinity;
    err = Math.max(err, compare(h.read(outRows[m], N), want));
  }
  return err;
}

function checkScaleShift(h, rows, C, code, alpha, inPlace) {
  h.reset();
  const x = randArray(rows * C, -3, 3);
  const scale = randArray(C, -2, 2);
  const shift = randArray(C);
  const xp = h.put(x), sp = h.put(scale), bp = h.put(shift);
  const op = inPlace ? xp : h.alloc(rows * C);
  h.exports.scaleShift(xp, op, rows, C, sp, bp, code, alpha);
  const want = x.map((v, i) => act(f(f(v * scale[i % C]) + shift[i % C]), code, alpha, true));
  if (!h.guardOk(op, rows * C)) return Infinity;
  return compare(h.read(op, rows * C), want);
}

const SPECIALS = [0, -0, 100, -100, 1e4, -1e4, 88, -88, 89, -89, 20, -20, 1e-8, -1e-8];

function checkActivation(h, count, code, alpha, inPlace) {
  h.reset();
  const x = randArray(count, -6, 6);
  for (let i = 0; i < Math.min(count, SPECIALS.length); i++) x[i] = SPECIALS[i];
  const xp = h.put(x);
  const op = inPlace ? xp : h.alloc(count);
  h.exports.activation(xp, op, count, code, alpha);
  const want = x.map((v) => act(v, code, alpha, false));
  if (!h.guardOk(op, count)) return Infinity;
  return compare(h.read(op, count), want);
}

function checkNearest(h, N, H, W, C, fh, fw) {
  h.reset();
  const x = randArray(N * H * W * C);
  const xp = h.put(x);
  const OH = H * fh, OW = W * fw, size = N * OH * OW * C;
  const op = h.alloc(size);
  h.exports.resizeNearest(xp, op, N, H, W, C, fh, fw);
  const want = new Float32Array(size);
  for (let n = 0; n < N; n++) for (let y = 0; y < OH; y++) for (let xo = 0; xo < OW; xo++) {
    for (let c = 0; c < C; c++) {
      want[((n * OH + y) * OW + xo) * C + c] =
        x[((n * H + Math.floor(y / fh)) * W + Math.floor(xo / fw)) * C + c];
    }
  }
  if (!h.guardOk(op, size)) return Infinity;
  return compare(h.read(op, size), want);
}

/** Keras/TF half-pixel taps: src = max((j+0.5)/f - 0.5, 0), i0 = min(floor(src), n-1). */
function taps(n, out) {
  const scale = out / n;
  return Array.from({ length: out }, (_, j) => {
    const src = Math.max((j + 0.5) / scale - 0.5, 0);
    const i0 = Math.min(Math.floor(src), n - 1);
    return { i0, i1: Math.min(i0 + 1, n - 1), w: f(src - i0) };
  });
}

function putTaps(h, tab) {
  const p = h.alloc(tab.length * 3);
  tab.forEach((e, j) => {
    h.i32[(p >> 2) + 3 * j] = e.i0;
    h.i32[(p >> 2) + 3 * j + 1] = e.i1;
    h.f32[(p >> 2) + 3 * j + 2] = e.w;
  });
  return p;
}

function checkBilinear(h, N, H, W, C, OH, OW) {
  h.reset();
  const x = randArray(N * H * W * C);
  const xp = h.put(x);
  const yt = taps(H, OH), xt = taps(W, OW);
  const yp = putTaps(h, yt), xtp = putTaps(h, xt);
  const size = N * OH * OW * C;
  const op = h.alloc(size);
  h.exports.resizeBilinear(xp, op, N, H, W, C, OH, OW, yp, xtp);
  const at = (n, y, xi, c) => x[((n * H + y) * W + xi) * C + c];
  const want = new Float32Array(size);
  for (let n = 0; n < N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    const ty = yt[oy], tx = xt[ox];
    for (let c = 0; c < C; c++) {
      const tl = at(n, ty.i0, tx.i0, c), tr = at(n, ty.i0, tx.i1, c);
      const bl = at(n, ty.i1, tx.i0, c), br = at(n, ty.i1, tx.i1, c);
      const top = f(tl + f(f(tr - tl) * tx.w));
      const bottom = f(bl + f(f(br - bl) * tx.w));
      want[((n * OH + oy) * OW + ox) * C + c] = f(top + f(f(bottom - top) * ty.w));
    }
  }
  if (!h.guardOk(op, size)) return Infinity;
  return compare(h.read(op, size), want);
}

function* product(...lists) {
  if (lists.length === 0) { yield []; return; }
  const [head, ...rest] = lists;
  for (const v of head) for (const tail of product(...rest)) yield [v, ...tail];
}

/** Runs one kernel's case table; returns { cases, maxErr, failures }. */
function run(label, cases, fn, tol) {
  let maxErr = 0, failures = 0;
  for (const args of cases) {
    const { err, tol: caseTol = tol } = fn(...args);
    maxErr = Math.max(maxErr, err);
    if (!(err <= caseTol)) {
      failures++;
      if (failures <= 3) console.log(`  FAIL ${label}(${args.join(', ')}): err ${err}`);
    }
  }
  return { label, cases: cases.length, maxErr, failures };
}

function checkBuild(build) {
  const bytes = readFileSync(join(root, build.file));
  if (!WebAssembly.validate(bytes)) {
    console.log(`${build.name}: skipped (engine cannot run it; relaxed needs node --experimental-wasm-relaxed-simd)`);
    return true;
  }
  const h = new Harness(bytes);
  const problems = [];
  if (h.imports.length !== 0) problems.push(`imports ${JSON.stringify(h.imports)}`);
  if (!h.exportsMemory) problems.push('no exported memory');
  if (h.base % 16 !== 0 || h.base === 0) problems.push(`heapBase ${h.base}`);
  if (h.memory.buffer instanceof SharedArrayBuffer) problems.push('memory is shared');
  const tol = build.tol;
  const results = [
    run('igemm', [
      ...product([1, 3, 4, 5, 9], [0, 1, 3], [1, 3, 4, 5, 17], [1, 3, 8, 9, 13, 17], [0, 1, 4]),
      [37, 9, 64, 70, 1], [64, 9, 128, 64, 4], [5, 9, 512, 20, 4], // panel blocks (block = 7, 1 panel)
      [6, 2, 3, 11, 2], [7, 1, 5, 9, 3], // acts 2/3 behave as linear in igemm
    ], (M, T, K, N, a) => ({ err: checkIgemm(h, M, T, K, N, a, 0.3), tol: reductionTol(tol, T * K) }), tol),
    run('scaleShift', [...product([1, 2, 7], [1, 3, 4, 5, 13], [0, 1, 4, 2], [false, true])],
      (rows, C, a, inPlace) => ({ err: checkScaleShift(h, rows, C, a, 0.2, inPlace) }), tol),
    run('activation', [...product([1, 3, 4, 5, 17, 1000], [0, 1, 2, 3, 4], [false, true])],
      (count, a, inPlace) => ({
        err: checkActivation(h, count, a, 0.1, inPlace),
        tol: a === 2 || a === 3 ? TRANSCENDENTAL_TOL : tol,
      }), tol),
    run('resizeNearest', [...product([1, 2], [1, 2, 3], [1, 2, 3], [1, 3, 4, 5, 8, 13, 17], [1, 2, 3], [1, 2, 3])],
      (N, H, W, C, fh, fw) => ({ err: checkNearest(h, N, H, W, C, fh, fw) }), 0),
    run('resizeBilinear', [...product([1, 2], [1, 2, 3, 5], [1, 2, 3, 5], [1, 3, 4, 5, 8, 13, 17], [1, 2, 3], [1, 2, 3])]
      .map(([N, H, W, C, fh, fw]) => [N, H, W, C, H * fh, W * fw]),
    (N, H, W, C, OH, OW) => ({ err: checkBilinear(h, N, H, W, C, OH, OW) }), tol),
  ];
  const ok = problems.length === 0 && results.every((r) => r.failures === 0);
  console.log(`${build.name}: ${ok ? 'PASS' : 'FAIL'}  (imports ${h.imports.length}, heapBase ${h.base}, ${bytes.length} bytes)`);
  for (const p of problems) console.log(`  problem: ${p}`);
  for (const r of results) {
    console.log(`  ${r.label.padEnd(15)} ${String(r.cases).padStart(5)} cases  max err ${r.maxErr.toExponential(2)}` +
      (r.failures ? `  ${r.failures} FAILED` : ''));
  }
  return ok;
}

let allOk = true;
for (const build of BUILDS) allOk = checkBuild(build) && allOk;
console.log(allOk ? 'check-wasm: all runnable builds pass' : 'check-wasm: FAILURES');
process.exit(allOk ? 0 : 1);

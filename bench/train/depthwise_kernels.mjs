// Depthwise backward kernels on a Fast-SRGAN-sized layer: DepthwiseConv2D 3×3 'same', strides 1,
// multiplier 1 on 96×96×192, batch 4 (36,864 pixels; 127 MFLOP per pass). Calls the exported
// kernels of a build directly with the tables the ops write: the forward (reference point), the
// weight gradient over the forward's table, and the input gradient both ways the op can compute
// it — gathered on the forward kernel over a transposed table (strides 1, multiplier 1) and the
// transposed scatter. Prints median ms and GFLOP/s per kernel (fresh process, one thread).
// bench/train/norm_grads.mjs times the ops (which pick the gather for strides 1, multiplier 1);
// this file compares the kernels under them on one shape, both input gradients side by side.
//   node bench/train/depthwise_kernels.mjs [simd|relaxed|scalar] [H W C batch]   (needs `npm run build:wasm`;
//   relaxed needs --experimental-wasm-relaxed-simd on Node 20)
import { readFileSync } from 'node:fs';
import { cpuModel, median } from '../util.mjs';

const [flavour = 'simd', ...dims] = process.argv.slice(2);
const [H, W, C, N] = dims.length ? dims.map(Number) : [96, 96, 192, 4];
const KH = 3, KW = 3, T = KH * KW;
const src = readFileSync(new URL('../../bindings/backend/wasm_inline.ts', import.meta.url), 'utf8');
const name = { simd: 'WASM_SIMD_B64', relaxed: 'WASM_RELAXED_B64', scalar: 'WASM_SCALAR_B64' }[flavour];
const b64 = new RegExp(`${name} = '([^']+)'`).exec(src)[1];
const ex = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(b64, 'base64')), {}).exports;

const M = N * H * W; // output pixels = input pixels ('same', strides 1)
const rowFloats = Math.ceil(C / 4) * 4;
const packed = (T + 1) * rowFloats;
let at = (ex.heapBase() + 15) & ~15;
const alloc = (floats) => { const p = at; at += Math.ceil(floats / 4) * 16; return p; };
const zero = alloc(rowFloats), sink = alloc(rowFloats);
const x = alloc(M * C), dy = alloc(M * C), out = alloc(M * C), dx = alloc(M * C);
const w = alloc(packed), wZeroBias = alloc(packed), dW = alloc(T * C);
const fwdTable = alloc(M * T), gatherTable = alloc(M * T), scatterTable = alloc(M * T);
const have = ex.memory.buffer.byteLength;
if (at > have) ex.memory.grow(Math.ceil((at - have) / 65536));
const f32 = new Float32Array(ex.memory.buffer);
const u32 = new Uint32Array(ex.memory.buffer);
let s = 12345;
const rand = () => { s = (s * 1103515245 + 12345) >>> 0; return s / 4294967296 * 2 - 1; };
for (let i = 0; i < M * C; i++) { f32[(x >> 2) + i] = rand(); f32[(dy >> 2) + i] = rand(); }
for (let i = 0; i < packed; i++) f32[(w >> 2) + i] = f32[(wZeroBias >> 2) + i] = rand() * 0.3;
f32.fill(0, wZeroBias >> 2, (wZeroBias >> 2) + rowFloats);
f32.fill(0, zero >> 2, (zero >> 2) + rowFloats);
// the forward's table (into x; padding → zero row), the scatter's (into dx; padding → sink), the gather's (into dy)
let e = 0;
for (let b = 0; b < N; b++) for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
  for (let a = 0; a < KH; a++) for (let c = 0; c < KW; c++, e++) {
    const iy = y + a - 1, ix = xx + c - 1;
    const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
    const off = 4 * (((b * H + iy) * W + ix) * C);
    u32[(fwdTable >> 2) + e] = inside ? x + off : zero;
    u32[(scatterTable >> 2) + e] = inside ? dx + off : sink;
    const oy = y + 1 - a, ox = xx + 1 - c;
    u32[(gatherTable >> 2) + e] = oy >= 0 && oy < H && ox >= 0 && ox < W ? dy + 4 * (((b * H + oy) * W + ox) * C) : zero;
  }
}

const flop = 2 * M * T * C;
const kernels = [
  ['forward (depthwise)', () => ex.depthwise(M, T, C, 1, fwdTable, out, w, 0, 0)],
  ['dW (depthwiseWeightGrad)', () => { f32.fill(0, dW >> 2, (dW >> 2) + T * C); ex.depthwiseWeightGrad(M, T, C, 1, fwdTable, dy, dW); }],
  ['dx gather (depthwise over the transposed table)', () => ex.depthwise(M, T, C, 1, gatherTable, dx, wZeroBias, 0, 0)],
  ['dx scatter (depthwiseInputGrad)', () => ex.depthwiseInputGrad(dx, M * C, M, T, C, 1, scatterTable, dy, w)],
];
// rounds of one call each, so that a change in the machine's load hits every kernel alike
const ROUNDS = 21;
const times = kernels.map(() => []);
for (let r = -2; r < ROUNDS; r++) {
  kernels.forEach(([, g], i) => {
    const t0 = performance.now();
    g();
    if (r >= 0) times[i].push(performance.now() - t0);
  });
}
const ms = times.map(median);
console.log(`DepthwiseConv2D 3×3 same, ${H}×${W}×${C}, batch ${N}, ${flavour} build, ${cpuModel()}; ${(flop / 1e6).toFixed(0)} MFLOP per kernel, medians of ${ROUNDS} interleaved rounds`);
console.log('| kernel | median ms | GFLOP/s |');
console.log('|---|---|---|');
kernels.forEach(([label], i) => console.log(`| ${label} | ${ms[i].toFixed(1)} | ${(flop / ms[i] / 1e6).toFixed(2)} |`));
// the two input gradients agree
kernels[2][1]();
const gathered = f32.slice(dx >> 2, (dx >> 2) + M * C);
kernels[3][1]();
let worst = 0;
for (let i = 0; i < M * C; i++) worst = Math.max(worst, Math.abs(gathered[i] - f32[(dx >> 2) + i]));
console.log(`backward (dW + dx): with the gather ${(ms[1] + ms[2]).toFixed(1)} ms, with the scatter ${(ms[1] + ms[3]).toFixed(1)} ms; the two dx agree to ${worst.toExponential(1)}`);

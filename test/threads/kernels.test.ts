import { beforeAll, describe, expect, it } from 'vitest';
import { Act, type KernelMemory, type Kernels, packedFloats, dotPackedFloats } from '../../bindings/backend/kernels.js';
import { currentBackend } from '../../bindings/backend/select.js';
import type { Pool } from '../../bindings/backend/threads/pool.js';
import { SPLITS } from '../../bindings/backend/threads/splits.js';
import { depthwisePackedFloats } from '../../bindings/backend/kernels/depthwise.js';
import { BinaryOp } from '../../bindings/backend/kernels/broadcast.js';
import { rng } from '../util/kernel_tester.js';
import { forceSplit, noSplit, resetTuning, settle, useThreads } from '../util/threads.js';

/**
 * Every kernel the threads split (backend/threads/splits.ts), on shapes whose units do not divide
 * into the chunks evenly: the split call must leave the whole memory exactly as the unsplit call
 * does (outputs bit for bit, nothing else touched), with the calling thread taking chunks and with
 * the workers running all of them.
 */
let pool: Pool;
let memory: KernelMemory;
let kernels: Kernels;
const BYTES = 4 << 20;

beforeAll(async () => {
  pool = await useThreads(2);
  ({ memory, kernels } = currentBackend().createMemory(16 << 20));
  memory.ensure(memory.base + BYTES);
  await settle(pool);
});

/** A bump allocator over the test memory, filled with seeded values in [-2, 2). */
class Arena {
  at: number;
  readonly f32: Float32Array;
  readonly u32: Uint32Array;
  private readonly r: () => number;
  constructor(seed: number) {
    this.at = memory.base;
    this.f32 = new Float32Array(memory.buffer);
    this.u32 = new Uint32Array(memory.buffer);
    this.r = rng(seed);
    this.f32.fill(0, memory.base >>> 2, (memory.base + BYTES) >>> 2);
  }
  floats(n: number, lo = -2, hi = 2): number {
    const p = this.at;
    for (let i = 0; i < n; i++) this.f32[(p >>> 2) + i] = lo + (hi - lo) * this.r();
    this.at += 4 * Math.ceil(n / 4) * 4 + 64;
    return p;
  }
  zeros(n: number): number {
    const p = this.at;
    this.at += 4 * Math.ceil(n / 4) * 4 + 64;
    return p;
  }
  words(values: number[]): number {
    const p = this.at;
    values.forEach((v, i) => { this.u32[(p >>> 2) + i] = v; });
    this.at += 4 * Math.ceil(values.length / 4) * 4 + 64;
    return p;
  }
  pick(n: number): number {
    return Math.floor(this.r() * n);
  }
}

/** Indirection rows: M·T pointers into `rows` rows of K floats (some at the zero row). */
function table(a: Arena, M: number, T: number, K: number, rows = 7): number {
  const data = a.floats(rows * K);
  const zero = a.zeros(K);
  const ptrs: number[] = [];
  for (let i = 0; i < M * T; i++) ptrs.push(a.pick(5) === 0 ? zero : data + 4 * K * a.pick(rows));
  return a.words(ptrs);
}

/** Output row pointers in reverse order. */
function outRows(a: Arena, M: number, N: number): number {
  const out = a.zeros(M * N);
  return a.words(Array.from({ length: M }, (_, m) => out + 4 * N * (M - 1 - m)));
}

/** Bilinear tap table: per output index {i0, i1, w}. */
function taps(a: Arena, outLen: number, inLen: number): number {
  const p = a.at;
  for (let o = 0; o < outLen; o++) {
    const i0 = a.pick(inLen);
    a.u32[(p >>> 2) + 3 * o] = i0;
    a.u32[(p >>> 2) + 3 * o + 1] = Math.min(inLen - 1, i0 + 1);
    a.f32[(p >>> 2) + 3 * o + 2] = a.pick(1000) / 1000;
  }
  a.at += 12 * outLen + 64;
  return p;
}

type Case = [name: string, kernel: string, make: (a: Arena) => (k: Kernels) => void];

const CASES: Case[] = [
  ['igemm 4x8 tiles, row and column tails', 'igemm', (a) => {
    const [M, T, K, N] = [37, 3, 13, 21];
    const i = table(a, M, T, K), o = outRows(a, M, N), w = a.floats(packedFloats(T, K, N));
    return (k) => k.igemm(M, T, K, N, i, o, w, Act.LeakyRelu, 0.2);
  }],
  ['igemm one tap (Dense)', 'igemm', (a) => {
    const [M, K, N] = [29, 40, 64];
    const i = table(a, M, 1, K), o = outRows(a, M, N), w = a.floats(packedFloats(1, K, N));
    return (k) => k.igemm(M, 1, K, N, i, o, w, Act.Relu, 0);
  }],
  // idot's 2- and 3-row channel tiles do not line up with the 4-row chunks
  ...[1, 2, 3].map((N): Case => [`idot N=${N}`, 'idot', (a) => {
    const [M, T, K] = [43, 9, 11];
    const i = table(a, M, T, K), o = outRows(a, M, N), w = a.floats(dotPackedFloats(T, K, N));
    return (k) => k.idot(M, T, K, N, i, o, w, Act.Linear, 0);
  }]),
  ...[1, 2, 3].map((mult): Case => [`depthwise mult ${mult}`, 'depthwise', (a) => {
    const [M, T, C] = [33, 5, 7];
    const i = table(a, M, T, C), o = a.zeros(M * C * mult), w = a.floats(depthwisePackedFloats(T, C, mult));
    return (k) => k.depthwise(M, T, C, mult, i, o, w, Act.LeakyRelu, 0.3);
  }]),
  ['scaleShift', 'scaleShift', (a) => {
    const x = a.floats(50 * 13), s = a.floats(13), b = a.floats(13);
    return (k) => k.scaleShift(x, x, 50, 13, s, b, Act.Relu, 0);
  }],
  ...[Act.LeakyRelu, Act.Tanh, Act.Gelu].map((act): Case => [`activation ${act}`, 'activation', (a) => {
    const x = a.floats(1003), o = a.zeros(1003);
    return (k) => k.activation(x, o, 1003, act, 0.1);
  }]),
  ['softmax', 'softmax', (a) => {
    const x = a.floats(40 * 9);
    return (k) => k.softmax(x, x, 40, 9);
  }],
  ['softmaxStrided', 'softmaxStrided', (a) => {
    const x = a.floats(10 * 5 * 7), o = a.zeros(350);
    return (k) => k.softmaxStrided(x, o, 10, 5, 7);
  }],
  ['reluClip', 'reluClip', (a) => {
    const x = a.floats(999);
    return (k) => k.reluClip(x, x, 999, 0.1, 1.5, 0.2);
  }],
  ['resizeNearest', 'resizeNearest', (a) => {
    const x = a.floats(2 * 5 * 6 * 5), o = a.zeros(2 * 10 * 18 * 5);
    return (k) => k.resizeNearest(x, o, 2, 5, 6, 5, 2, 3);
  }],
  ...[1, 3].map((N): Case => [`resizeBilinear N=${N}`, 'resizeBilinear', (a) => {
    const x = a.floats(N * 5 * 6 * 5), o = a.zeros(N * 11 * 13 * 5), ty = taps(a, 11, 5), tx = taps(a, 13, 6);
    return (k) => k.resizeBilinear(x, o, N, 5, 6, 5, 11, 13, ty, tx);
  }]),
  ['normApply', 'normApply', (a) => {
    const x = a.floats(40 * 9), c = a.floats(9), lo = a.floats(9, -1e-3, 1e-3), s = a.floats(9), b = a.floats(9);
    return (k) => k.normApply(x, x, 40, 9, c, lo, s, b, Act.LeakyRelu, 0.2);
  }],
  ['layerNormApply', 'layerNormApply', (a) => {
    const [rows, R, B] = [6, 5, 7];
    const x = a.floats(rows * R * B), o = a.zeros(rows * R * B), m = a.floats(rows * B), lo = a.floats(rows * B, -1e-3, 1e-3);
    const rs = a.floats(rows * B, 0.5, 2), g = a.floats(R), b = a.floats(R);
    return (k) => k.layerNormApply(x, o, rows, R, B, m, lo, rs, g, b, Act.Relu, 0);
  }],
  ['pixelNorm', 'pixelNorm', (a) => {
    const x = a.floats(40 * 9), o = a.zeros(360);
    return (k) => k.pixelNorm(x, o, 40, 9, 1e-8);
  }],
  ['broadcast over n0', 'broadcast', (a) => {
    const [n0, n1, n2, inner] = [5, 4, 3, 6];
    const x = a.floats(n0 * n1 * n2 * inner), y = a.floats(n1 * inner), o = a.zeros(n0 * n1 * n2 * inner);
    return (k) => k.broadcast(BinaryOp.Mul, Act.LeakyRelu, 0.2, x, y, o, n0, n1, n2, inner,
      n1 * n2 * inner, n2 * inner, inner, 1, 0, inner, 0, 1);
  }],
  ['broadcast over n2', 'broadcast', (a) => {
    const [n2, inner] = [9, 5];
    const x = a.floats(n2 * inner), y = a.floats(n2), o = a.zeros(n2 * inner);
    return (k) => k.broadcast(BinaryOp.PRelu, Act.Linear, 0, x, y, o, 1, 1, n2, inner, 0, 0, inner, 1, 0, 0, 1, 0);
  }],
  ['broadcast flat', 'broadcast', (a) => {
    const x = a.floats(1001), y = a.floats(1001);
    return (k) => k.broadcast(BinaryOp.Max, Act.Linear, 0, x, y, x, 1, 1, 1, 1001, 0, 0, 0, 1, 0, 0, 0, 1);
  }],
  ['copyStrided', 'copyStrided', (a) => {
    const s = a.floats(7 * 6 * 5), d = a.zeros(7 * 6 * 8);
    return (k) => k.copyStrided(s, d, 7, 6, 5, 30, 5, 48, 8);
  }],
  ['copyStrided one outer block', 'copyStrided', (a) => {
    const s = a.floats(9 * 5), d = a.zeros(9 * 8);
    return (k) => k.copyStrided(s, d, 1, 9, 5, 0, 5, 0, 8);
  }],
  ['pad2d', 'pad2d', (a) => {
    const x = a.floats(3 * 4 * 5 * 3), o = a.zeros(3 * 7 * 8 * 3);
    return (k) => k.pad2d(x, o, 3, 4, 5, 3, 1, 2, 2, 1, 1);
  }],
  ...([[5, 3, 70, 10], [40, 9, 5, 12], [30, 2, 100, 3]] as const).map(([M, T, K, N]): Case => [
    `igemmWeightGrad T=${T} K=${K} N=${N}`, 'igemmWeightGrad', (a) => {
      const i = table(a, M, T, K), dy = outRows(a, M, N);
      // the dy rows hold values: fill the rows the table points at
      for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) a.f32[(a.u32[(dy >>> 2) + m] >>> 2) + n] = Math.sin(m * 7 + n);
      const dW = a.floats(T * K * N), tapTable = a.words(Array.from({ length: T }, (_, t) => 4 * (T - 1 - t) * K * N));
      return (k) => k.igemmWeightGrad(M, T, K, N, i, dy, dW, tapTable, N, 1);
    }]),
  ...[Act.Relu, Act.Sigmoid, Act.Elu].map((act): Case => [`activationGrad ${act}`, 'activationGrad', (a) => {
    const s = a.floats(1001, 0, 1), g = a.floats(1001), d = a.zeros(1001);
    return (k) => k.activationGrad(s, g, d, 1001, act, 0.5);
  }]),
  ['softmaxGrad', 'softmaxGrad', (a) => {
    const y = a.floats(30 * 7, 0, 1), g = a.floats(210), d = a.zeros(210);
    return (k) => k.softmaxGrad(y, g, d, 30, 7);
  }],
  ['reluClipGrad', 'reluClipGrad', (a) => {
    const y = a.floats(777), g = a.floats(777), d = a.zeros(777);
    return (k) => k.reluClipGrad(y, g, d, 777, 0.1, 1.5);
  }],
  ['resizeNearestGrad', 'resizeNearestGrad', (a) => {
    const dy = a.floats(2 * 10 * 18 * 5), dx = a.zeros(2 * 5 * 6 * 5);
    return (k) => k.resizeNearestGrad(dy, dx, 2, 5, 6, 5, 2, 3);
  }],
  ['resizeBilinearGrad', 'resizeBilinearGrad', (a) => {
    const dy = a.floats(3 * 11 * 13 * 5), dx = a.zeros(3 * 5 * 6 * 5), ty = taps(a, 11, 5), tx = taps(a, 13, 6);
    return (k) => k.resizeBilinearGrad(dy, dx, 3, 5, 6, 5, 11, 13, ty, tx);
  }],
  ['accumulate', 'accumulate', (a) => {
    const s = a.floats(1001), d = a.floats(1001);
    return (k) => k.accumulate(s, d, 1001);
  }],
  ['mulMask', 'mulMask', (a) => {
    const x = a.floats(1001), m = a.floats(1001, 0, 1), o = a.zeros(1001);
    return (k) => k.mulMask(x, m, o, 1001, 2);
  }],
  ...[0, 1].map((ams): Case => [`adamUpdate amsgrad=${ams}`, 'adamUpdate', (a) => {
    const w = a.floats(1001), g = a.floats(1001), m = a.floats(1001), v = a.floats(1001, 0, 1), vh = a.floats(1001, 0, 1);
    return (k) => k.adamUpdate(w, g, m, v, ams ? vh : v, 1001, 1e-3, 0.9, 0.999, 1e-7, ams);
  }]),
  ['sgdUpdate nesterov', 'sgdUpdate', (a) => {
    const w = a.floats(1001), g = a.floats(1001), m = a.floats(1001);
    return (k) => k.sgdUpdate(w, g, m, 1001, 0.01, 0.9, 1);
  }],
  ['rmspropUpdate centered', 'rmspropUpdate', (a) => {
    const w = a.floats(1001), g = a.floats(1001), v = a.floats(1001, 1, 2), av = a.floats(1001, -0.1, 0.1), mo = a.floats(1001);
    return (k) => k.rmspropUpdate(w, g, v, av, mo, 1001, 1e-3, 0.9, 0.5, 1e-7, 1);
  }],
];

describe('split kernel calls equal whole calls bit for bit', () => {
  it('covers every kernel with a split rule', () => {
    expect(new Set(CASES.map((c) => c[1]))).toEqual(new Set(SPLITS.keys()));
  });

  for (const workersOnly of [false, true]) {
    it.each(CASES.map((c, i) => [c[0], i] as const))(`%s (${workersOnly ? 'workers run every chunk' : 'the calling thread takes a share'})`, (_name, i) => {
      const [, , make] = CASES[i];
      const a = new Arena(1000 + i);
      const call = make(a);
      const end = a.at;
      const u8 = () => new Uint8Array(memory.buffer, memory.base, end - memory.base);
      const start = u8().slice();
      noSplit(pool);
      call(kernels);
      const whole = u8().slice();
      u8().set(start);
      forceSplit(pool, workersOnly);
      const tasks = pool.tasks;
      const worked = pool.worked().reduce((x, y) => x + y, 0);
      try {
        call(kernels);
      } finally {
        resetTuning(pool);
      }
      expect(pool.tasks).toBe(tasks + 1);
      if (workersOnly) expect(pool.worked().reduce((x, y) => x + y, 0)).toBeGreaterThan(worked);
      const split = u8();
      let first = -1;
      for (let b = 0; b < whole.length; b++) {
        if (whole[b] !== split[b]) {
          first = b;
          break;
        }
      }
      expect(first, `first differing byte at ${first}`).toBe(-1);
    });
  }
});

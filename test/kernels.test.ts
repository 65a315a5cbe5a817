import { describe, expect, it } from 'vitest';
import { Act, dotPackedFloats, packedFloats } from '../bindings/backend/kernels.js';
import { bilinearTap } from '../bindings/shape_rules.js';
import { maxRelError } from './util/close.js';
import { KernelTester, rng, wasmBuilds } from './util/kernel_tester.js';

/**
 * Each WebAssembly build's kernels against the TypeScript reference, over shape tables that hit
 * the SIMD tails (C or N mod 4/8 ≠ 0, M mod 4 ≠ 0, T = 0, padding taps) and check that nothing
 * outside the output range is written.
 */

const TOL = 1e-5;
const builds = wasmBuilds();

it('runs all three builds (relaxed SIMD is enabled for tests)', () => {
  expect(builds.map((b) => b.name)).toEqual(['wasm-relaxed-simd', 'wasm-simd', 'wasm-scalar']);
});

for (const backend of builds) {
  describe(`${backend.name} kernels vs reference`, () => {
    const tester = new KernelTester(backend);
    // f32 sums drift from the reference's f64 sums like sqrt(terms); relaxed_madd may fuse too
    const tol = (terms: number) => TOL * Math.max(1, Math.sqrt(terms / 256)) * (backend.name === 'wasm-relaxed-simd' ? 2 : 1);

    /**
     * One indirect-GEMM-shaped call (igemm or idot) over random rows, with 20% of the taps on the
     * zero row and the outputs in reverse order with a guard row between them, so the pointer
     * tables matter; checks the written rows against the reference and that the gaps stay untouched.
     */
    const checkIndirect = (kernel: 'igemm' | 'idot', M: number, T: number, K: number, N: number, act: Act) => {
      const rows = 6;
      const wFloats = kernel === 'igemm' ? packedFloats(T, K, N) : dotPackedFloats(T, K, N);
      const bytes = 4 * (K + rows * K + wFloats + M * T + M + M * N * 2);
      const { wasm, ref, untouched } = tester.run(bytes, (f32, u32, base) => {
        const r2 = rng(M * 1000 + T * 100 + K * 10 + N + act);
        const zero = base;
        const xs = zero + 4 * K;
        const w = xs + 4 * rows * K;
        const inPtrs = w + 4 * wFloats;
        const outPtrs = inPtrs + 4 * M * T;
        const out = outPtrs + 4 * M;
        f32.fill(0, zero >>> 2, (zero >>> 2) + K);
        for (let i = 0; i < rows * K; i++) f32[(xs >>> 2) + i] = r2() * 2 - 1;
        for (let i = 0; i < wFloats; i++) f32[(w >>> 2) + i] = r2() * 2 - 1;
        for (let i = 0; i < M * T; i++) u32[(inPtrs >>> 2) + i] = r2() < 0.2 ? zero : xs + 4 * K * Math.floor(r2() * rows);
        for (let m = 0; m < M; m++) u32[(outPtrs >>> 2) + m] = out + 4 * N * 2 * (M - 1 - m);
        return { out: [out, out + 4 * M * N * 2], call: (k) => k[kernel](M, T, K, N, inPtrs, outPtrs, w, act, 0.3) };
      });
      const what = `${kernel} M=${M} T=${T} K=${K} N=${N} act=${act}`;
      expect(untouched, what).toBe(true);
      const written = (a: Float32Array) => Array.from({ length: M }, (_, m) => Array.from(a.subarray(2 * N * m, 2 * N * m + N))).flat();
      expect(maxRelError(written(wasm), written(ref)), what).toBeLessThanOrEqual(tol(T * K));
      for (let m = 0; m < M; m++) {
        const gap = new Uint32Array(wasm.buffer, wasm.byteOffset + 4 * (2 * N * m + N), N);
        expect(gap.every((v) => v === 0x7fc0dead), `${what}: gap row ${m} written`).toBe(true);
      }
    };
    const ACTS = [Act.Linear, Act.Relu, Act.LeakyRelu];

    it('igemm over M, T, K, N tails with padding taps and scattered outputs', () => {
      for (const M of [1, 3, 4, 5, 9]) for (const T of [0, 1, 3]) for (const K of [1, 3, 4, 5, 17]) {
        for (const N of [1, 3, 4, 5, 8, 9, 13, 17]) for (const act of ACTS) checkIndirect('igemm', M, T, K, N, act);
      }
    });

    it('idot over M, T, K tails for N = 1..3', () => {
      for (const M of [1, 3, 4, 5, 9]) for (const T of [0, 1, 3, 49]) for (const K of [1, 3, 4, 5, 17, 128]) {
        for (const N of [1, 2, 3]) for (const act of ACTS) checkIndirect('idot', M, T, K, N, act);
      }
    });

    it('igemm on a large reduction (K = 256, T = 9)', () => {
      const M = 13, T = 9, K = 256, N = 21;
      const wFloats = packedFloats(T, K, N);
      const { wasm, ref } = tester.run(4 * (8 * K + wFloats + M * T + M + M * N), (f32, u32, base) => {
        const r2 = rng(7);
        const xs = base;
        const w = xs + 4 * 8 * K;
        const inPtrs = w + 4 * wFloats;
        const outPtrs = inPtrs + 4 * M * T;
        const out = outPtrs + 4 * M;
        for (let i = 0; i < 8 * K; i++) f32[(xs >>> 2) + i] = r2() * 2 - 1;
        for (let i = 0; i < wFloats; i++) f32[(w >>> 2) + i] = r2() * 2 - 1;
        for (let i = 0; i < M * T; i++) u32[(inPtrs >>> 2) + i] = xs + 4 * K * Math.floor(r2() * 8);
        for (let m = 0; m < M; m++) u32[(outPtrs >>> 2) + m] = out + 4 * N * m;
        return { out: [out, out + 4 * M * N], call: (k) => k.igemm(M, T, K, N, inPtrs, outPtrs, w, Act.Linear, 0) };
      });
      expect(maxRelError(wasm, ref)).toBeLessThanOrEqual(tol(T * K));
    });

    it('scaleShift over channel tails, in place and not', () => {
      for (const rows of [1, 2, 7]) for (const C of [1, 3, 4, 5, 8, 13, 17]) {
        for (const act of [Act.Linear, Act.Relu, Act.LeakyRelu]) for (const inPlace of [false, true]) {
          const n = rows * C;
          const { wasm, ref, untouched } = tester.run(4 * (2 * n + 2 * C), (f32, _u32, base) => {
            const r2 = rng(rows * 100 + C + act);
            const x = base;
            const out = inPlace ? x : x + 4 * n;
            const scale = x + 8 * n;
            const shift = scale + 4 * C;
            for (let i = 0; i < n; i++) f32[(x >>> 2) + i] = r2() * 4 - 2;
            for (let c = 0; c < C; c++) {
              f32[(scale >>> 2) + c] = r2() * 2 - 1;
              f32[(shift >>> 2) + c] = r2() * 2 - 1;
            }
            return { out: [out, out + 4 * n], call: (k) => k.scaleShift(x, out, rows, C, scale, shift, act, 0.2) };
          });
          expect(untouched).toBe(true);
          expect(maxRelError(wasm, ref), `rows=${rows} C=${C} act=${act}`).toBeLessThanOrEqual(TOL);
        }
      }
    });

    it('activation for every code, including large |x|', () => {
      for (const count of [1, 3, 4, 5, 17, 33]) for (const act of Object.values(Act) as Act[]) {
        const { wasm, ref, untouched } = tester.run(8 * count, (f32, _u32, base) => {
          const r2 = rng(count * 10 + act);
          // ±100 probes saturation; exp(100) overflows f32 by definition, so exponential gets ±20
          const big = act === Act.Exponential ? 20 : 100;
          for (let i = 0; i < count; i++) f32[(base >>> 2) + i] = i % 7 === 0 ? (r2() < 0.5 ? -big : big) : r2() * 10 - 5;
          const out = base + 4 * count;
          return { out: [out, out + 4 * count], call: (k) => k.activation(base, out, count, act, 0.2) };
        });
        expect(untouched).toBe(true);
        expect(maxRelError(wasm, ref), `count=${count} act=${act}`).toBeLessThanOrEqual(TOL);
      }
    });

    it('firstNonFinite finds the first NaN or ±Infinity, or -1', () => {
      const { memory, kernels } = backend.createMemory();
      memory.ensure(memory.base + 4 * 300);
      for (const count of [0, 1, 3, 4, 15, 16, 17, 64, 65, 257]) {
        for (const bad of [null, NaN, Infinity, -Infinity]) for (const seed of [1, 2, 3]) {
          const f32 = new Float32Array(memory.buffer, memory.base, count + 8);
          const r = rng(count * 10 + seed);
          for (let i = 0; i < count; i++) f32[i] = (r() - 0.5) * 3.4e38;
          f32[count] = NaN; // past the end: must not be seen
          let want = -1;
          if (bad !== null && count > 0) {
            want = Math.floor(r() * count);
            f32[want] = bad;
            if (want + 1 < count) f32[want + 1] = NaN; // a later bad value must not win
          }
          expect(kernels.firstNonFinite(memory.base, count), `count=${count} bad=${bad}`).toBe(want);
        }
      }
    });

    it('softmax over rows, in place and not', () => {
      for (const rows of [1, 3]) for (const C of [1, 2, 5, 10, 33]) for (const inPlace of [false, true]) {
        const n = rows * C;
        const { wasm, ref, untouched } = tester.run(8 * n, (f32, _u32, base) => {
          const r2 = rng(rows * 100 + C);
          for (let i = 0; i < n; i++) f32[(base >>> 2) + i] = r2() * 40 - 20;
          const out = inPlace ? base : base + 4 * n;
          return { out: [out, out + 4 * n], call: (k) => k.softmax(base, out, rows, C) };
        });
        expect(untouched).toBe(true);
        expect(maxRelError(wasm, ref), `rows=${rows} C=${C}`).toBeLessThanOrEqual(TOL);
      }
    });

    const resizeShapes: [number, number, number, number, number, number][] = [];
    for (const N of [1, 2]) for (const H of [1, 2, 3]) for (const W of [1, 3]) for (const C of [1, 3, 4, 5, 8, 13, 17]) {
      for (const [fh, fw] of [[1, 1], [2, 2], [3, 2], [1, 3], [4, 4]]) resizeShapes.push([N, H, W, C, fh, fw]);
    }

    it('resizeNearest over channel tails and factors', () => {
      for (const [N, H, W, C, fh, fw] of resizeShapes) {
        const inN = N * H * W * C;
        const outN = inN * fh * fw;
        const { wasm, ref, untouched } = tester.run(4 * (inN + outN), (f32, _u32, base) => {
          const r2 = rng(inN);
          for (let i = 0; i < inN; i++) f32[(base >>> 2) + i] = r2();
          const out = base + 4 * inN;
          return { out: [out, out + 4 * outN], call: (k) => k.resizeNearest(base, out, N, H, W, C, fh, fw) };
        });
        expect(untouched).toBe(true);
        expect(maxRelError(wasm, ref), `${[N, H, W, C, fh, fw]}`).toBe(0);
      }
    });

    it('resizeBilinear with Keras half-pixel tap tables', () => {
      for (const [N, H, W, C, fh, fw] of resizeShapes) {
        const OH = H * fh, OW = W * fw;
        const inN = N * H * W * C;
        const outN = N * OH * OW * C;
        const { wasm, ref, untouched } = tester.run(4 * (inN + outN + 3 * (OH + OW)), (f32, u32, base) => {
          const r2 = rng(inN + 1);
          for (let i = 0; i < inN; i++) f32[(base >>> 2) + i] = r2() * 2 - 1;
          const yTab = base + 4 * inN;
          const xTab = yTab + 12 * OH;
          const write = (at: number, count: number, f: number, n: number) => {
            for (let j = 0; j < count; j++) {
              const t = bilinearTap(j, f, n);
              u32[(at >>> 2) + 3 * j] = t.i0;
              u32[(at >>> 2) + 3 * j + 1] = t.i1;
              f32[(at >>> 2) + 3 * j + 2] = t.w;
            }
          };
          write(yTab, OH, fh, H);
          write(xTab, OW, fw, W);
          const out = xTab + 12 * OW;
          return { out: [out, out + 4 * outN], call: (k) => k.resizeBilinear(base, out, N, H, W, C, OH, OW, yTab, xTab) };
        });
        expect(untouched).toBe(true);
        expect(maxRelError(wasm, ref), `${[N, H, W, C, fh, fw]}`).toBeLessThanOrEqual(TOL);
      }
    });
  });
}

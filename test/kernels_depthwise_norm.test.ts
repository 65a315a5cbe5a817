import { describe, expect, it } from 'vitest';
import { Act } from '../bindings/backend/kernels.js';
import { depthwisePackedFloats } from '../bindings/backend/kernels/depthwise.js';
import { momentsScratchFloats } from '../bindings/backend/kernels/norm.js';
import { maxRelError } from './util/close.js';
import { KernelTester, rng, wasmBuilds } from './util/kernel_tester.js';

/**
 * The depthwise and normalisation kernels of each WebAssembly build against the TypeScript
 * reference, over shapes that hit the SIMD tails (C·mult mod 8 and mod 4, pixel counts mod 4,
 * the multiplier paths 1, 2 and generic, P = 1 segments and per-channel rows, blocks of 64),
 * checking that nothing outside the output range is written. Moments are also checked against
 * float64 on large inputs with a large mean (the accumulation's accuracy).
 */

const TOL = 1e-5;
const builds = wasmBuilds();
const ACTS = [Act.Linear, Act.Relu, Act.LeakyRelu];

for (const backend of builds) {
  describe(`${backend.name} depthwise and norm kernels vs reference`, () => {
    const tester = new KernelTester(backend);
    const relaxed = backend.name === 'wasm-relaxed-simd' ? 2 : 1;

    it('depthwise over pixels, taps, channels and multipliers, padding taps on the zero row', () => {
      for (const M of [1, 3, 4, 5, 9]) for (const T of [1, 4, 9]) for (const C of [1, 2, 3, 4, 5, 8, 9, 13, 17]) {
        for (const mult of [1, 2, 3, 4, 5]) for (const act of ACTS) {
          if ((M + T + C + mult + act) % 3 !== 0 && C !== 17) continue; // a third of the grid, all of C = 17
          const rows = 6;
          const J = C * mult;
          const wFloats = depthwisePackedFloats(T, C, mult);
          const bytes = 4 * (C + rows * C + wFloats + M * T + M * J);
          const { wasm, ref, untouched } = tester.run(bytes, (f32, u32, base) => {
            const r = rng(M * 1000 + T * 100 + C * 10 + mult + act);
            const zero = base;
            const xs = zero + 4 * C;
            const w = xs + 4 * rows * C;
            const ptrs = w + 4 * wFloats;
            const out = ptrs + 4 * M * T;
            f32.fill(0, zero >>> 2, (zero >>> 2) + C);
            for (let i = 0; i < rows * C; i++) f32[(xs >>> 2) + i] = r() * 2 - 1;
            for (let i = 0; i < wFloats; i++) f32[(w >>> 2) + i] = r() * 2 - 1;
            for (let i = 0; i < M * T; i++) u32[(ptrs >>> 2) + i] = r() < 0.2 ? zero : xs + 4 * C * Math.floor(r() * rows);
            return { out: [out, out + 4 * M * J], call: (k) => k.depthwise(M, T, C, mult, ptrs, out, w, act, 0.3) };
          });
          const what = `depthwise M=${M} T=${T} C=${C} mult=${mult} act=${act}`;
          expect(untouched, what).toBe(true);
          expect(maxRelError(wasm, ref), what).toBeLessThanOrEqual(TOL * relaxed);
        }
      }
    });

    /** Runs moments on both sides (fill(i) must not depend on the call order); mean (hi + lo) and rstd per (n, g). */
    const runMoments = (N: number, P: number, G: number, K: number, mode: number, eps: number, fill: (i: number) => number) => {
      const count = N * P * G * K;
      const S = N * G;
      const scratch = momentsScratchFloats(P, G, K);
      const { wasm, ref, untouched } = tester.run(4 * (count + 3 * S + scratch), (f32, _u32, base) => {
        for (let i = 0; i < count; i++) f32[(base >>> 2) + i] = fill(i);
        const mean = base + 4 * count;
        const lo = mean + 4 * S;
        const rstd = lo + 4 * S;
        const sc = rstd + 4 * S;
        return { out: [mean, sc + 4 * scratch], call: (k) => k.moments(base, N, P, G, K, eps, mode, mean, lo, rstd, sc) };
      });
      const stats = (a: Float32Array) => ({
        mean: Array.from({ length: S }, (_, s) => a[s] + a[S + s]),
        rstd: Array.from(a.subarray(2 * S, 3 * S)),
      });
      return { wasm: stats(wasm), ref: stats(ref), untouched };
    };

    it('moments over segments (P = 1) and per-channel rows, groups, both modes', () => {
      for (const N of [1, 3]) for (const P of [1, 2, 7, 64, 65, 130]) for (const [G, K] of [[1, 1], [1, 5], [3, 1], [4, 1], [5, 1], [2, 3], [4, 4], [3, 17], [1, 300], [17, 1]]) {
        for (const mode of [0, 1]) {
          const r = rng(N * 7 + P * 31 + G * 5 + K + mode);
          const data = Float32Array.from({ length: N * P * G * K }, () => 2 + r() * 3 - 1.5);
          const { wasm, ref, untouched } = runMoments(N, P, G, K, mode, 1e-3, (i) => data[i]);
          const what = `moments N=${N} P=${P} G=${G} K=${K} mode=${mode}`;
          expect(untouched, what).toBe(true);
          expect(maxRelError(wasm.mean, ref.mean), what).toBeLessThanOrEqual(TOL);
          expect(maxRelError(wasm.rstd, ref.rstd), what).toBeLessThanOrEqual(TOL);
        }
      }
    });

    it('moments of a constant group: variance 0, mean exact', () => {
      for (const [P, G, K] of [[1, 1, 9], [9, 3, 1], [70, 2, 2]]) {
        const { wasm } = runMoments(2, P, G, K, 0, 0.25, () => 1234.5);
        expect(wasm.mean.every((m) => m === 1234.5)).toBe(true);
        expect(wasm.rstd.every((s) => s === 2)).toBe(true); // 1/sqrt(0 + 0.25)
      }
    });

    it('moments on 2^20 values with mean 1000 and std 1 agree with float64', () => {
      for (const [P, G, K] of [[1, 1, 1 << 20], [1 << 17, 8, 1], [1 << 15, 4, 8]]) {
        const count = P * G * K;
        const r = rng(count + G);
        const xs = new Float32Array(count);
        for (let i = 0; i < count; i++) xs[i] = 1000 + (r() + r() + r() - 1.5) * 2;
        const { wasm } = runMoments(1, P, G, K, 0, 0, (i) => xs[i]);
        const C = G * K;
        for (let g = 0; g < G; g++) {
          let sum = 0;
          let n = 0;
          for (let i = 0; i < count; i++) if (Math.floor((i % C) / K) === g) { sum += xs[i]; n++; }
          const mu = sum / n;
          let sq = 0;
          for (let i = 0; i < count; i++) if (Math.floor((i % C) / K) === g) sq += (xs[i] - mu) ** 2;
          const variance = sq / n;
          const what = `P=${P} G=${G} K=${K} g=${g}`;
          // measured: mean (hi + lo) equal to the float64 mean, variance to a relative 1.3e-7; a one-pass
          // float32 E[x²] − E[x]² is off by 1.9e-3..9.6 in the mean and 140..27000× in the variance
          expect(Math.abs(wasm.mean[g] - mu), what).toBeLessThan(1e-6);
          expect(Math.abs(1 / wasm.rstd[g] ** 2 / variance - 1), what).toBeLessThan(1e-6);
        }
      }
    });

    it('normFold, normApply over channel tails, in place and not', () => {
      for (const N of [1, 2]) for (const [G, K] of [[1, 1], [3, 1], [1, 5], [2, 3], [4, 4], [17, 1]]) {
        const C = G * K;
        const S = N * G;
        const { wasm, ref, untouched } = tester.run(4 * (6 * S + 3 * C + 3 * N * C), (f32, _u32, base) => {
          const r = rng(N * 10 + G * 3 + K);
          const at = (i: number) => base + 4 * i;
          for (let i = 0; i < 3 * S + C; i++) f32[(base >>> 2) + i] = r() * 2 + (i >= 2 * S && i < 3 * S ? 0.1 : -1);
          const [mean, lo, rstd, gamma] = [at(0), at(S), at(2 * S), at(3 * S)];
          const out = at(3 * S + C);
          return { out: [out, out + 12 * N * C], call: (k) => k.normFold(mean, lo, rstd, N, G, K, gamma, out, out + 4 * N * C, out + 8 * N * C) };
        });
        expect(untouched).toBe(true);
        expect(maxRelError(wasm, ref), `normFold N=${N} G=${G} K=${K}`).toBe(0);
      }
      for (const rows of [1, 2, 7]) for (const C of [1, 3, 4, 5, 8, 13, 17]) for (const act of ACTS) for (const inPlace of [false, true]) {
        const n = rows * C;
        const { wasm, ref, untouched } = tester.run(4 * (2 * n + 4 * C), (f32, _u32, base) => {
          const r = rng(rows * 100 + C + act);
          const x = base;
          const out = inPlace ? x : x + 4 * n;
          const p = x + 8 * n;
          for (let i = 0; i < n; i++) f32[(x >>> 2) + i] = 50 + r() * 4 - 2;
          for (let c = 0; c < 4 * C; c++) f32[(p >>> 2) + c] = c < C ? 50 + r() : c < 2 * C ? r() * 1e-5 : r() * 2 - 1;
          return { out: [out, out + 4 * n], call: (k) => k.normApply(x, out, rows, C, p, p + 4 * C, p + 8 * C, p + 12 * C, act, 0.2) };
        });
        expect(untouched).toBe(true);
        expect(maxRelError(wasm, ref), `normApply rows=${rows} C=${C} act=${act}`).toBeLessThanOrEqual(TOL * relaxed);
      }
    });

    it('layerNormApply for rows (B = 1) and along the row (B > 1), tails', () => {
      for (const rows of [1, 3]) for (const R of [1, 3, 4, 5, 13]) for (const B of [1, 2, 4, 5, 9]) for (const act of ACTS) {
        const n = rows * R * B;
        const S = rows * B;
        const { wasm, ref, untouched } = tester.run(4 * (2 * n + 3 * S + 2 * R), (f32, _u32, base) => {
          const r = rng(rows * 1000 + R * 10 + B + act);
          const x = base;
          const st = x + 4 * n;
          const gb = st + 12 * S;
          const out = gb + 8 * R;
          for (let i = 0; i < n; i++) f32[(x >>> 2) + i] = r() * 4 - 2;
          for (let i = 0; i < 3 * S; i++) f32[(st >>> 2) + i] = i < S ? r() - 0.5 : i < 2 * S ? r() * 1e-6 : 0.5 + r();
          for (let i = 0; i < 2 * R; i++) f32[(gb >>> 2) + i] = r() * 2 - 1;
          return { out: [out, out + 4 * n], call: (k) => k.layerNormApply(x, out, rows, R, B, st, st + 4 * S, st + 8 * S, gb, gb + 4 * R, act, 0.2) };
        });
        expect(untouched).toBe(true);
        expect(maxRelError(wasm, ref), `layerNormApply rows=${rows} R=${R} B=${B} act=${act}`).toBeLessThanOrEqual(TOL * relaxed);
      }
    });

    it('pixelNorm over channel tails', () => {
      for (const rows of [1, 4]) for (const C of [1, 3, 4, 5, 8, 13, 17, 512]) {
        const n = rows * C;
        const { wasm, ref, untouched } = tester.run(8 * n, (f32, _u32, base) => {
          const r = rng(rows * 1000 + C);
          for (let i = 0; i < n; i++) f32[(base >>> 2) + i] = r() * 6 - 3;
          const out = base + 4 * n;
          return { out: [out, out + 4 * n], call: (k) => k.pixelNorm(base, out, rows, C, 1e-8) };
        });
        expect(untouched).toBe(true);
        expect(maxRelError(wasm, ref), `pixelNorm rows=${rows} C=${C}`).toBeLessThanOrEqual(TOL);
      }
    });
  });
}

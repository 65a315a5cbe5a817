import { describe, expect, it } from 'vitest';
import { depthwisePackedFloats, depthwiseRowFloats } from '../bindings/backend/kernels/depthwise.js';
import { layerNormGradScratchFloats } from '../bindings/backend/kernels/norm_grad.js';
import { maxRelError } from './util/close.js';
import { KernelTester, rng, wasmBuilds } from './util/kernel_tester.js';

/**
 * The depthwise and normalisation backward kernels (and reluClipGrad) of each WebAssembly build
 * against the TypeScript reference — and the depthwise weight gradient against a float64 sum
 * written here — over shapes that hit the SIMD tails: J = C·mult mod 8 and mod 4, multipliers 1,
 * 2 (tiled) and 3 … 5, pixel counts across the 64-pixel blocks, tap counts 1 … 25 (the tap
 * groups), rows across the 64-row blocks, C mod 8 / mod 4, layer norm rows (B = 1) and strided
 * statistics (B > 1); padding taps on the zero row (weight gradient) or a sink row (scatter);
 * nothing outside the outputs may change.
 */
const builds = wasmBuilds();

for (const backend of builds) {
  describe(`${backend.name} backward kernels of depthwise and normalisation vs reference`, () => {
    const tester = new KernelTester(backend);
    const relaxed = backend.name === 'wasm-relaxed-simd' ? 2 : 1;
    const tol = (terms: number) => 2e-6 * Math.max(1, Math.sqrt(terms)) * relaxed;

    it('depthwiseWeightGrad over pixels, taps, channels and multipliers (accumulating)', () => {
      for (const M of [1, 5, 64, 65, 130]) for (const T of [1, 2, 3, 4, 5, 9, 25]) for (const C of [1, 3, 4, 5, 8, 9, 12, 13, 17]) {
        for (const mult of [1, 2, 3, 4, 5]) {
          if ((M + T * 3 + C + mult) % 4 !== 0 && !(mult === 1 && (C === 12 || C === 13))) continue; // a quarter, all of mult 1 at 8+4(+1) channels
          const rows = 7;
          const J = C * mult;
          const bytes = 4 * (C + rows * C + M * J + M * T + T * J);
          let expected: Float64Array | null = null;
          const { wasm, ref, untouched } = tester.run(bytes, (f32, u32, base) => {
            const r = rng(M * 977 + T * 131 + C * 17 + mult);
            const zero = base;
            const xs = zero + 4 * C;
            const dy = xs + 4 * rows * C;
            const ptrs = dy + 4 * M * J;
            const dW = ptrs + 4 * M * T;
            f32.fill(0, zero >>> 2, (zero >>> 2) + C);
            for (let i = 0; i < rows * C; i++) f32[(xs >>> 2) + i] = r() * 2 - 1;
            for (let i = 0; i < M * J; i++) f32[(dy >>> 2) + i] = r() * 2 - 1;
            for (let i = 0; i < M * T; i++) u32[(ptrs >>> 2) + i] = r() < 0.2 ? zero : xs + 4 * C * Math.floor(r() * rows);
            for (let i = 0; i < T * J; i++) f32[(dW >>> 2) + i] = 0.25;
            if (!expected) {
              expected = new Float64Array(T * J).fill(0.25);
              for (let t = 0; t < T; t++) for (let j = 0; j < J; j++) {
                let s = 0;
                for (let m = 0; m < M; m++) s += f32[(u32[(ptrs >>> 2) + m * T + t] >>> 2) + Math.floor(j / mult)] * f32[(dy >>> 2) + m * J + j];
                expected[t * J + j] += s;
              }
            }
            return { out: [dW, dW + 4 * T * J], call: (k) => k.depthwiseWeightGrad(M, T, C, mult, ptrs, dy, dW) };
          });
          const what = `depthwiseWeightGrad M=${M} T=${T} C=${C} mult=${mult}`;
          expect(untouched, what).toBe(true);
          expect(maxRelError(wasm, ref), what).toBeLessThanOrEqual(tol(M));
          expect(maxRelError(ref, expected!), `${what} (reference vs float64)`).toBeLessThanOrEqual(1e-6);
        }
      }
    });

    it('depthwiseInputGrad: zeroes dx, scatters into input rows (repeated) and the sink row', () => {
      for (const M of [1, 4, 9, 70]) for (const T of [1, 4, 9]) for (const C of [1, 2, 3, 4, 5, 8, 9, 13, 17]) {
        for (const mult of [1, 2, 3, 4]) {
          if ((M + T + C + mult) % 3 !== 0 && C !== 13) continue;
          const rows = 6; // dx pixels
          const J = C * mult;
          const wFloats = depthwisePackedFloats(T, C, mult);
          const bytes = 4 * (wFloats + M * J + M * T + rows * C + C);
          const { wasm, ref, untouched } = tester.run(bytes, (f32, u32, base) => {
            const r = rng(M * 1009 + T * 101 + C * 11 + mult);
            const w = base;
            const dy = w + 4 * wFloats;
            const ptrs = dy + 4 * M * J;
            const dx = ptrs + 4 * M * T;
            const sink = dx + 4 * rows * C;
            for (let i = 0; i < wFloats; i++) f32[(w >>> 2) + i] = r() * 2 - 1;
            for (let i = 0; i < M * J; i++) f32[(dy >>> 2) + i] = r() * 2 - 1;
            for (let i = 0; i < M * T; i++) u32[(ptrs >>> 2) + i] = r() < 0.2 ? sink : dx + 4 * C * Math.floor(r() * rows);
            for (let i = 0; i < rows * C + C; i++) f32[(dx >>> 2) + i] = 7; // overwritten (dx) or garbage (sink)
            return { out: [dx, sink + 4 * C], call: (k) => k.depthwiseInputGrad(dx, rows * C, M, T, C, mult, ptrs, dy, w) };
          });
          const what = `depthwiseInputGrad M=${M} T=${T} C=${C} mult=${mult}`;
          expect(untouched, what).toBe(true);
          // dx only (the sink's garbage may differ)
          expect(maxRelError(wasm.subarray(0, rows * C), ref.subarray(0, rows * C)), what).toBeLessThanOrEqual(tol(M * T * mult));
          expect(depthwiseRowFloats(C, mult)).toBeGreaterThanOrEqual(J);
        }
      }
    });

    it('normGradReduce and normGradApply over samples, rows (64-row blocks) and channel tails', () => {
      for (const N of [1, 3]) for (const rows of [1, 7, 64, 65, 130]) for (const C of [1, 3, 4, 5, 8, 9, 12, 13, 17, 33]) {
        if ((N + rows + C) % 2 !== 0 && C !== 13) continue;
        const count = N * rows * C;
        const S = N * C;
        const reduce = tester.run(4 * (2 * count + 5 * S), (f32, _u32, base) => {
          const r = rng(N * 31 + rows * 7 + C);
          const x = base;
          const dy = x + 4 * count;
          const st = dy + 4 * count;
          for (let i = 0; i < count; i++) {
            f32[(x >>> 2) + i] = 3 + r() * 2 - 1;
            f32[(dy >>> 2) + i] = r() * 2 - 1;
          }
          for (let i = 0; i < S; i++) {
            f32[(st >>> 2) + i] = 3 + (r() - 0.5) * 0.2; // center near the mean
            f32[(st >>> 2) + S + i] = (r() - 0.5) * 1e-6; // centerLo
          }
          const out = st + 8 * S;
          return { out: [out, out + 12 * S], call: (k) => k.normGradReduce(x, dy, N, rows, C, st, st + 4 * S, out, out + 4 * S, out + 8 * S) };
        });
        const what = `normGradReduce N=${N} rows=${rows} C=${C}`;
        expect(reduce.untouched, what).toBe(true);
        expect(maxRelError(reduce.wasm, reduce.ref), what).toBeLessThanOrEqual(tol(rows));
        const apply = tester.run(4 * (3 * count + 5 * S), (f32, _u32, base) => {
          const r = rng(N * 37 + rows * 11 + C);
          for (let i = 0; i < 2 * count + 5 * S; i++) f32[(base >>> 2) + i] = r() * 2 - 1;
          const x = base;
          const dy = x + 4 * count;
          const st = dy + 4 * count;
          const dx = st + 20 * S;
          return { out: [dx, dx + 4 * count], call: (k) => k.normGradApply(x, dy, dx, N, rows, C, st, st + 4 * S, st + 8 * S, st + 12 * S, st + 16 * S) };
        });
        expect(apply.untouched, `normGradApply N=${N} rows=${rows} C=${C}`).toBe(true);
        expect(maxRelError(apply.wasm, apply.ref), `normGradApply N=${N} rows=${rows} C=${C}`).toBeLessThanOrEqual(4e-6 * relaxed);
      }
    });

    /** layerNormGrad with its statistics computed here (f64 → f32); dx, dGamma, dBeta each on or off. */
    const layerNorm = (rows: number, R: number, B: number, flags: number) => {
      const count = rows * R * B;
      const S = rows * B;
      const scratch = layerNormGradScratchFloats(R, B);
      return tester.run(4 * (2 * count + 3 * S + R + 2 * R + scratch + count), (f32, _u32, base) => {
        const r = rng(rows * 13 + R * 7 + B * 3 + flags);
        const x = base;
        const dy = x + 4 * count;
        const mean = dy + 4 * count;
        const lo = mean + 4 * S;
        const rstd = lo + 4 * S;
        const gamma = rstd + 4 * S;
        const dG = gamma + 4 * R;
        const dB = dG + 4 * R;
        const sc = dB + 4 * R;
        const dx = sc + 4 * scratch;
        for (let i = 0; i < count; i++) {
          f32[(x >>> 2) + i] = 1 + r() * 2 - 1;
          f32[(dy >>> 2) + i] = r() * 2 - 1;
        }
        for (let i = 0; i < rows; i++) for (let b = 0; b < B; b++) {
          let m = 0;
          let v = 0;
          for (let k = 0; k < R; k++) m += f32[(x >>> 2) + (i * R + k) * B + b] / R;
          for (let k = 0; k < R; k++) v += (f32[(x >>> 2) + (i * R + k) * B + b] - m) ** 2 / R;
          const s = i * B + b;
          f32[(mean >>> 2) + s] = m;
          f32[(lo >>> 2) + s] = m - Math.fround(m);
          f32[(rstd >>> 2) + s] = 1 / Math.sqrt(v + 1e-3);
        }
        for (let k = 0; k < R; k++) {
          f32[(gamma >>> 2) + k] = 0.5 + r();
          f32[(dG >>> 2) + k] = 0.25;
          f32[(dB >>> 2) + k] = -0.25;
        }
        return {
          out: [dG, dx + 4 * count],
          call: (k) => k.layerNormGrad(x, dy, flags & 1 ? dx : 0, rows, R, B, mean, lo, rstd, gamma, flags & 2 ? dG : 0, flags & 4 ? dB : 0, sc),
        };
      });
    };

    it('layerNormGrad: rows (B = 1) across 64-row blocks, strided statistics (B > 1), each output on or off', () => {
      const shapes: [number, number, number][] = [];
      for (const rows of [1, 5, 64, 65, 130]) for (const R of [1, 3, 4, 5, 8, 13, 17, 33]) shapes.push([rows, R, 1]);
      for (const rows of [1, 3]) for (const R of [1, 2, 5]) for (const B of [2, 3, 4, 5, 8, 13]) shapes.push([rows, R, B]);
      for (const [rows, R, B] of shapes) {
        for (const flags of [7, 1, 6, 2]) {
          if (flags !== 7 && (rows + R + B) % 3 !== 0) continue;
          const { wasm, ref, untouched } = layerNorm(rows, R, B, flags);
          const what = `layerNormGrad rows=${rows} R=${R} B=${B} flags=${flags}`;
          expect(untouched, what).toBe(true);
          // compare dGamma, dBeta and dx (the scratch between them is the kernels' own)
          const scratch = layerNormGradScratchFloats(R, B);
          const parts = (a: Float32Array) => [a.subarray(0, 2 * R), a.subarray(2 * R + scratch)];
          const [wa, wb] = parts(wasm);
          const [ra, rb] = parts(ref);
          expect(maxRelError(wa, ra), `${what} dGamma/dBeta`).toBeLessThanOrEqual(tol(rows * B));
          if (flags & 1) expect(maxRelError(wb, rb), `${what} dx`).toBeLessThanOrEqual(tol(R));
          else expect(Array.from(wb), `${what} dx untouched`).toEqual(Array.from(rb)); // both still the guard pattern
        }
      }
    });

    it('pixelNormGrad over rows and channel tails', () => {
      for (const rows of [1, 3, 10]) for (const C of [1, 2, 3, 4, 5, 8, 9, 13, 17, 64]) {
        const count = rows * C;
        const { wasm, ref, untouched } = tester.run(4 * 3 * count, (f32, _u32, base) => {
          const r = rng(rows * 17 + C);
          for (let i = 0; i < 2 * count; i++) f32[(base >>> 2) + i] = r() * 2 - 1;
          const out = base + 8 * count;
          return { out: [out, out + 4 * count], call: (k) => k.pixelNormGrad(base, base + 4 * count, out, rows, C, 1e-3) };
        });
        const what = `pixelNormGrad rows=${rows} C=${C}`;
        expect(untouched, what).toBe(true);
        expect(maxRelError(wasm, ref), what).toBeLessThanOrEqual(tol(C) * 4);
      }
    });

    it('reluClipGrad from the input (closed max) and from the output, values on the threshold and the max', () => {
      for (const count of [1, 5, 17]) for (const [slope, max, threshold] of [[0, 2, 0], [0.1, 2, 0.5], [0.2, 6, 0], [0, Infinity, 0.5]]) {
        for (const fromInput of [0, 1]) {
          const { wasm, ref, untouched } = tester.run(4 * 3 * count, (f32, _u32, base) => {
            const r = rng(count * 7 + fromInput);
            const picks = [threshold, max, -1, 0, 1, 3, 7];
            for (let i = 0; i < count; i++) {
              f32[(base >>> 2) + i] = Number.isFinite(picks[i % picks.length]) ? picks[i % picks.length] : 8;
              f32[(base >>> 2) + count + i] = r() * 2 - 1;
            }
            const out = base + 8 * count;
            return { out: [out, out + 4 * count], call: (k) => k.reluClipGrad(base, base + 4 * count, out, count, slope, max, threshold, fromInput) };
          });
          const what = `reluClipGrad n=${count} slope=${slope} max=${max} threshold=${threshold} fromInput=${fromInput}`;
          expect(untouched, what).toBe(true);
          expect(Array.from(wasm), what).toEqual(Array.from(ref));
        }
      }
    });
  });
}

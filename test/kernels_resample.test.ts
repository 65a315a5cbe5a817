import { describe, expect, it } from 'vitest';
import { maxRelError } from './util/close.js';
import { KernelTester, rng, wasmBuilds } from './util/kernel_tester.js';

/**
 * The `resample` kernel of each WebAssembly build against the TypeScript reference, over random
 * tap tables (K = 1 … 11 per axis, windows anywhere inside the input), channel tails (C mod 4,
 * C mod 16), row tails (W·C mod 16), batches, rows whose taps are one weight-1 tap (read in
 * place) and runs of rows with equal taps (row buffer reused); nothing but the output and the
 * row buffer may be written.
 */

const builds = wasmBuilds();

interface Shape { N: number; H: number; W: number; C: number; OH: number; OW: number; Ky: number; Kx: number }

function shapes(): Shape[] {
  const out: Shape[] = [];
  const r = rng(31);
  for (const C of [1, 2, 3, 4, 5, 8, 13, 16, 17, 20, 33]) for (const Ky of [1, 2, 4, 7, 11]) {
    const Kx = [1, 3, 4, 6, 10, 11][Math.floor(r() * 6)];
    const H = Ky + Math.floor(r() * 4);
    const W = Kx + Math.floor(r() * 5);
    out.push({ N: 1 + Math.floor(r() * 3), H, W, C, OH: 1 + Math.floor(r() * 9), OW: 1 + Math.floor(r() * 9), Ky, Kx });
  }
  return out;
}

for (const backend of builds) {
  describe(`${backend.name} resample vs reference`, () => {
    const tester = new KernelTester(backend);

    it('random tap tables over channel and row tails, unit rows and repeated rows', () => {
      for (const s of shapes()) {
        const { N, H, W, C, OH, OW, Ky, Kx } = s;
        const inF = N * H * W * C;
        const outF = N * OH * OW * C;
        const yF = OH * (1 + Ky);
        const xF = OW * (1 + Kx);
        const bytes = 4 * (inF + yF + xF + outF + W * C);
        const { wasm, ref, untouched } = tester.run(bytes, (f32, u32, base) => {
          const r = rng(N * 7 + H * 131 + W * 17 + C * 3 + Ky * 1009 + Kx);
          const x = base;
          const yTab = x + 4 * inF;
          const xTab = yTab + 4 * yF;
          const out = xTab + 4 * xF;
          const rowBuf = out + 4 * outF; // right after the output: both are the written range
          for (let i = 0; i < inF; i++) f32[(x >>> 2) + i] = r() * 4 - 2;
          const fill = (tab: number, count: number, K: number, n: number, unitChance: number) => {
            let prev = -1;
            for (let j = 0; j < count; j++) {
              const e = (tab >>> 2) + j * (1 + K);
              if (prev >= 0 && r() < 0.3) { // same taps as the previous entry
                for (let k = 0; k <= K; k++) u32[e + k] = u32[prev + k];
              } else {
                u32[e] = Math.floor(r() * (n - K + 1));
                const unit = K === 1 && r() < unitChance;
                for (let k = 0; k < K; k++) f32[e + 1 + k] = unit ? 1 : r() * 2 - 0.5;
              }
              prev = e;
            }
          };
          fill(yTab, OH, Ky, H, 0.5);
          fill(xTab, OW, Kx, W, 0.5);
          return { out: [out, out + 4 * (outF + W * C)], call: (k) => k.resample(x, out, N, H, W, C, OH, OW, yTab, Ky, xTab, Kx, rowBuf) };
        });
        const what = JSON.stringify(s);
        expect(untouched, what).toBe(true);
        // compare the output only (the row buffer may legitimately differ after unit rows)
        expect(maxRelError(wasm.subarray(0, outF), ref.subarray(0, outF)), what).toBeLessThanOrEqual(2e-6 * Math.max(Ky, Kx));
      }
    });
  });
}

it('runs all three builds', () => {
  expect(builds.map((b) => b.name)).toEqual(['wasm-relaxed-simd', 'wasm-simd', 'wasm-scalar']);
});

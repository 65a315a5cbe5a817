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

/** Writes random tap tables (windows inside [0, n), 30% of entries equal to the previous one, unit taps when K = 1). */
function fillTable(f32: Float32Array, u32: Uint32Array, tab: number, count: number, K: number, n: number, r: () => number): void {
  let prev = -1;
  for (let j = 0; j < count; j++) {
    const e = (tab >>> 2) + j * (1 + K);
    if (prev >= 0 && r() < 0.3) {
      for (let k = 0; k <= K; k++) u32[e + k] = u32[prev + k];
    } else {
      u32[e] = Math.floor(r() * (n - K + 1));
      const unit = K === 1 && r() < 0.5;
      for (let k = 0; k < K; k++) f32[e + 1 + k] = unit ? 1 : r() * 2 - 0.5;
    }
    prev = e;
  }
}

/** Memory layout of one call: x | yTab | xTab | out | rowBuf (out and rowBuf are the written range). */
function layout(s: Shape, base: number) {
  const { N, H, W, C, OH, OW, Ky, Kx } = s;
  const inF = N * H * W * C;
  const outF = N * OH * OW * C;
  const x = base;
  const yTab = x + 4 * inF;
  const xTab = yTab + 4 * OH * (1 + Ky);
  const out = xTab + 4 * OW * (1 + Kx);
  const rowBuf = out + 4 * outF;
  return { inF, outF, x, yTab, xTab, out, rowBuf, bytes: rowBuf + 4 * W * C - base };
}

for (const backend of builds) {
  describe(`${backend.name} resample vs reference`, () => {
    const tester = new KernelTester(backend);
    const seed = (s: Shape) => s.N * 7 + s.H * 131 + s.W * 17 + s.C * 3 + s.Ky * 1009 + s.Kx;

    it('random tap tables over channel and row tails, unit rows and repeated rows', () => {
      for (const s of shapes()) {
        const { N, H, W, C, OH, OW, Ky, Kx } = s;
        const L = layout(s, 0);
        const { wasm, ref, untouched } = tester.run(L.bytes, (f32, u32, base) => {
          const r = rng(seed(s));
          const { inF, x, yTab, xTab, out, rowBuf } = layout(s, base);
          for (let i = 0; i < inF; i++) f32[(x >>> 2) + i] = r() * 4 - 2;
          fillTable(f32, u32, yTab, OH, Ky, H, r);
          fillTable(f32, u32, xTab, OW, Kx, W, r);
          return { out: [out, rowBuf + 4 * W * C], call: (k) => k.resample(x, out, N, H, W, C, OH, OW, yTab, Ky, xTab, Kx, rowBuf) };
        });
        const what = JSON.stringify(s);
        expect(untouched, what).toBe(true);
        // compare the output only (the row buffer may legitimately differ after unit rows)
        expect(maxRelError(wasm.subarray(0, L.outF), ref.subarray(0, L.outF)), what).toBeLessThanOrEqual(2e-6 * Math.max(Ky, Kx));
      }
    });

    it('resampleGrad: the adjoint over the same tables (dx overwritten, scratch in the row buffer)', () => {
      for (const s of shapes()) {
        const { N, H, W, C, OH, OW, Ky, Kx } = s;
        // x | yTab | xTab | dy (outF) | dx (inF) | rowBuf
        const L = layout(s, 0);
        const bytes = L.bytes + 4 * L.inF;
        const { wasm, ref, untouched } = tester.run(bytes, (f32, u32, base) => {
          const r = rng(seed(s) + 1);
          const { inF, outF, yTab, xTab, out: dy } = layout(s, base);
          const dx = dy + 4 * outF;
          const rowBuf = dx + 4 * inF;
          for (let i = 0; i < outF; i++) f32[(dy >>> 2) + i] = r() * 4 - 2;
          f32.fill(7, dx >>> 2, (dx >>> 2) + inF); // stale values: must be overwritten
          fillTable(f32, u32, yTab, OH, Ky, H, r);
          fillTable(f32, u32, xTab, OW, Kx, W, r);
          return { out: [dx, rowBuf + 4 * W * C], call: (k) => k.resampleGrad(dy, dx, N, H, W, C, OH, OW, yTab, Ky, xTab, Kx, rowBuf) };
        });
        const what = JSON.stringify(s);
        expect(untouched, what).toBe(true);
        // each dx value sums up to Ky·Kx·(OH·OW)/(H·W) terms, in another order than the reference
        expect(maxRelError(wasm.subarray(0, L.inF), ref.subarray(0, L.inF)), what)
          .toBeLessThanOrEqual(1e-6 * Ky * Kx * Math.max(1, (OH * OW) / (H * W)));
      }
    });
  });
}

describe('resample and resampleGrad are adjoint: <A x, g> = <x, Aᵀ g> (js reference)', () => {
  it('on random tables', async () => {
    const { referenceBackend } = await import('../bindings/backend/reference.js');
    for (const s of shapes().slice(0, 20)) {
      const { memory, kernels } = referenceBackend.createMemory();
      const L = layout(s, memory.base);
      const g = L.rowBuf + 4 * s.W * s.C;
      const ag = g + 4 * L.outF;
      memory.ensure(ag + 4 * L.inF);
      const f32 = new Float32Array(memory.buffer);
      const u32 = new Uint32Array(memory.buffer);
      const r = rng(seed2(s));
      for (let i = 0; i < L.inF; i++) f32[(L.x >>> 2) + i] = r() * 2 - 1;
      for (let i = 0; i < L.outF; i++) f32[(g >>> 2) + i] = r() * 2 - 1;
      fillTable(f32, u32, L.yTab, s.OH, s.Ky, s.H, r);
      fillTable(f32, u32, L.xTab, s.OW, s.Kx, s.W, r);
      kernels.resample(L.x, L.out, s.N, s.H, s.W, s.C, s.OH, s.OW, L.yTab, s.Ky, L.xTab, s.Kx, L.rowBuf);
      kernels.resampleGrad(g, ag, s.N, s.H, s.W, s.C, s.OH, s.OW, L.yTab, s.Ky, L.xTab, s.Kx, L.rowBuf);
      let lhs = 0;
      let rhs = 0;
      let scale = 0;
      for (let i = 0; i < L.outF; i++) { lhs += f32[(L.out >>> 2) + i] * f32[(g >>> 2) + i]; scale += Math.abs(f32[(L.out >>> 2) + i]); }
      for (let i = 0; i < L.inF; i++) rhs += f32[(L.x >>> 2) + i] * f32[(ag >>> 2) + i];
      expect(Math.abs(lhs - rhs), JSON.stringify(s)).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
    }
  });
});

const seed2 = (s: Shape) => s.C * 11 + s.Ky * 101 + s.Kx;

it('runs all three builds', () => {
  expect(builds.map((b) => b.name)).toEqual(['wasm-relaxed-simd', 'wasm-simd', 'wasm-scalar']);
});

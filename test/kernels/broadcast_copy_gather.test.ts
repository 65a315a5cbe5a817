import { describe, expect, it } from 'vitest';
import { Act } from '../../bindings/backend/kernels.js';
import { BinaryOp } from '../../bindings/backend/kernels/broadcast.js';
import { PadMode } from '../../bindings/backend/kernels/copy.js';
import { KernelTester, rng, wasmBuilds } from '../util/kernel_tester.js';

/**
 * The broadcast, copy and gather kernels of each WebAssembly build against the TypeScript
 * reference, over index spaces that hit the SIMD tails (inner 1, 3, 4, 5, 8, 13, 17, 64, 65:
 * below, at and past memory.copy's threshold), every contiguity mode, in place, and a check that
 * nothing outside the output range is written. The reference itself is checked against the
 * layers' float64 oracles in test/layers/.
 */

const builds = wasmBuilds();
const OPS = Object.values(BinaryOp) as BinaryOp[];
const ACTS = [Act.Linear, Act.Relu, Act.LeakyRelu];
const INNER = [1, 3, 4, 5, 8, 13, 17, 64, 65];

for (const backend of builds) {
  describe(`${backend.name}: broadcast, copy and gather kernels vs reference`, () => {
    const tester = new KernelTester(backend);

    it('broadcast: every op and fusable act over contiguity modes and tails, exactly', () => {
      // [n0, n1, n2] with (a strides, b strides) per mode: both dense, b per row, a per row, both per row
      const outer: [number, number, number][] = [[1, 1, 1], [2, 3, 1], [1, 2, 5], [3, 1, 2]];
      for (const [n0, n1, n2] of outer) for (const inner of INNER) for (const mode of [0, 1, 2, 3]) {
        const aIn = mode === 0 || mode === 1 ? 1 : 0;
        const bIn = mode === 0 || mode === 2 ? 1 : 0;
        // a dense over everything; b broadcast over n1 (a per-channel vector) when bIn
        const aRow = aIn ? inner : 1;
        const a2 = aRow, a1 = n2 * a2, a0 = n1 * a1;
        const bRow = bIn ? inner : 1;
        const b2 = bRow, b1 = 0, b0 = n2 * b2;
        const aN = n0 * a0, bN = n0 * b0;
        const outN = n0 * n1 * n2 * inner;
        for (const op of OPS) for (const act of ACTS) {
          const { wasm, ref, untouched } = tester.run(4 * (aN + bN + outN), (f32, _u32, base) => {
            const r = rng(op * 1000 + act * 100 + inner + mode * 7 + n1);
            const a = base, b = a + 4 * aN, out = b + 4 * bN;
            // signed zeros, NaN and ±Infinity (intermediate values can hold them) must agree too; not
            // through relu: the reference's relu maps NaN to 0, the wasm builds keep it (reference/acts.ts)
            const special = act === Act.Linear ? [0, -0, NaN, Infinity, -Infinity, 1, -1] : [0, -0, 0, 1, -1, 2, -2];
            for (let i = 0; i < aN; i++) f32[(a >>> 2) + i] = i % 5 === 3 ? special[i % 7] : r() * 4 - 2;
            // Div: keep the divisor away from 0
            for (let i = 0; i < bN; i++) f32[(b >>> 2) + i] = op === BinaryOp.Div ? 0.5 + r() : i % 4 === 1 ? special[(i + 2) % 7] : r() * 4 - 2;
            return {
              out: [out, out + 4 * outN],
              call: (k) => k.broadcast(op, act, 0.3, a, b, out, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn),
            };
          });
          const what = `op=${op} act=${act} dims=${[n0, n1, n2, inner]} aIn=${aIn} bIn=${bIn}`;
          expect(untouched, what).toBe(true);
          // signed zeros are compared exactly without an act (PReLU's +0); relu(−0) is −0 in wasm, +0 in the reference
          const z = (v: number) => (act === Act.Linear || v !== 0 ? v : 0);
          expect(Array.from(wasm, z), what).toEqual(Array.from(ref, z));
        }
      }
    });

    it('broadcast in place (out = a) equals the out-of-place result', () => {
      for (const inner of INNER) for (const op of OPS) {
        const n = 3 * inner;
        const { wasm, ref } = tester.run(4 * (2 * n + inner), (f32, _u32, base) => {
          const r = rng(inner * 10 + op);
          const a = base, b = a + 4 * n;
          for (let i = 0; i < n; i++) f32[(a >>> 2) + i] = r() * 4 - 2;
          for (let i = 0; i < inner; i++) f32[(b >>> 2) + i] = 0.5 + r();
          return { out: [a, a + 4 * n], call: (k) => k.broadcast(op, Act.Linear, 0, a, b, a, 1, 3, 1, inner, 0, inner, 0, 1, 0, 0, 0, 1) };
        });
        expect(Array.from(wasm), `op=${op} inner=${inner}`).toEqual(Array.from(ref));
      }
    });

    it('copyStrided over run lengths and strides, gaps untouched', () => {
      for (const len of INNER) for (const [n1, n0] of [[1, 1], [1, 4], [3, 2], [2, 5]]) {
        const s0 = len + 2, s1 = n0 * s0 + 1, d0 = len + 3, d1 = n0 * d0 + 2;
        const srcN = n1 * s1, dstN = n1 * d1;
        const { wasm, ref, untouched } = tester.run(4 * (srcN + dstN), (f32, _u32, base) => {
          const r = rng(len * 100 + n1 * 10 + n0);
          for (let i = 0; i < srcN; i++) f32[(base >>> 2) + i] = r();
          const dst = base + 4 * srcN;
          return { out: [dst, dst + 4 * dstN], call: (k) => k.copyStrided(base, dst, n1, n0, len, s1, s0, d1, d0) };
        });
        const what = `len=${len} n1=${n1} n0=${n0}`;
        expect(untouched, what).toBe(true);
        // the gaps between blocks keep the guard pattern on both sides
        expect(new Uint32Array(wasm.buffer, wasm.byteOffset, wasm.length), what).toEqual(new Uint32Array(ref.buffer, ref.byteOffset, ref.length));
      }
    });

    it('pad2d zeros / reflect / symmetric over sizes, pads and channel tails', () => {
      for (const C of [1, 3, 4, 5, 8, 13, 17, 70]) for (const [H, W] of [[1, 1], [2, 3], [4, 5]]) {
        for (const mode of [PadMode.Zeros, PadMode.Reflect, PadMode.Symmetric]) {
          const maxPad = mode === PadMode.Reflect ? Math.min(H, W) - 1 : mode === PadMode.Symmetric ? Math.min(H, W) : 3;
          for (const [t, b, l, rr] of [[0, 0, 0, 0], [1, 0, 0, 1], [maxPad, maxPad, maxPad, maxPad], [0, maxPad, maxPad, 0]]) {
            const N = 2;
            const inN = N * H * W * C;
            const outN = N * (H + t + b) * (W + l + rr) * C;
            const { wasm, ref, untouched } = tester.run(4 * (inN + outN), (f32, _u32, base) => {
              const r = rng(C * 100 + H * 10 + W + mode);
              for (let i = 0; i < inN; i++) f32[(base >>> 2) + i] = r() * 2 - 1;
              const out = base + 4 * inN;
              return { out: [out, out + 4 * outN], call: (k) => k.pad2d(base, out, N, H, W, C, t, b, l, rr, mode) };
            });
            const what = `C=${C} H=${H} W=${W} mode=${mode} pads=${[t, b, l, rr]}`;
            expect(untouched, what).toBe(true);
            expect(Array.from(wasm), what).toEqual(Array.from(ref));
          }
        }
      }
    });

    it('pad2d mirror indices beyond the image are clamped, never read outside x', () => {
      // pads larger than tf.pad allows: the kernel must still stay inside x (the op refuses them)
      const N = 1, H = 2, W = 2, C = 3, p = 5;
      const inN = N * H * W * C;
      const outN = N * (H + 2 * p) * (W + 2 * p) * C;
      for (const mode of [PadMode.Reflect, PadMode.Symmetric]) {
        const { wasm, ref, untouched } = tester.run(4 * (inN + outN), (f32, _u32, base) => {
          for (let i = 0; i < inN; i++) f32[(base >>> 2) + i] = i + 1;
          const out = base + 4 * inN;
          return { out: [out, out + 4 * outN], call: (k) => k.pad2d(base, out, N, H, W, C, p, p, p, p, mode) };
        });
        expect(untouched).toBe(true);
        expect(Array.from(wasm)).toEqual(Array.from(ref));
        expect(wasm.every((v) => v >= 1 && v <= inN)).toBe(true);
      }
    });

    it('gatherRows copies rows for in-range ids and reports the first bad id, writing nothing', () => {
      for (const D of INNER) for (const V of [1, 7]) {
        const count = 9;
        for (const bad of [null, -1, V, V + 0.5, -3, NaN, Infinity]) {
          const badAt = 4;
          const { wasm, ref, untouched } = tester.run(4 * (count + V * D + count * D) + 16, (f32, _u32, base) => {
            const r = rng(D * 10 + V);
            const ids = base, table = ids + 4 * count, out = table + 4 * V * D;
            // ids as floats, including the truncation cases (-0.5 → 0, V - 0.5 → V - 1)
            for (let k = 0; k < count; k++) f32[(ids >>> 2) + k] = k === 0 ? -0.5 : k === 1 ? V - 0.5 : Math.floor(r() * V) + r() * 0.99;
            if (bad !== null) f32[(ids >>> 2) + badAt] = bad;
            for (let i = 0; i < V * D; i++) f32[(table >>> 2) + i] = r() * 2 - 1;
            return {
              out: [out, out + 4 * count * D],
              call: (k) => {
                const got = k.gatherRows(ids, table, out, count, V, D);
                expect(got, `D=${D} V=${V} bad=${bad}`).toBe(bad === null ? -1 : badAt);
              },
            };
          });
          expect(untouched).toBe(true);
          expect(Array.from(wasm)).toEqual(Array.from(ref));
          // a bad id: the output keeps its guard pattern (nothing written)
          if (bad !== null) expect(new Uint32Array(wasm.buffer, wasm.byteOffset, wasm.length).every((u) => u === 0x7fc0dead)).toBe(true);
        }
      }
    });
  });
}

it('runs on all three builds', () => {
  expect(builds.map((b) => b.name)).toEqual(['wasm-relaxed-simd', 'wasm-simd', 'wasm-scalar']);
});

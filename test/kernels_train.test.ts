import { describe, expect, it } from 'vitest';
import { Act } from '../bindings/backend/kernels.js';
import { maxRelError } from './util/close.js';
import { KernelTester, rng, wasmBuilds } from './util/kernel_tester.js';

/**
 * The training kernels of each WebAssembly build against the TypeScript reference (and, for the
 * weight gradient, a float64 sum written here), over shapes that hit the SIMD tails: K and N not
 * multiples of 4 / 8 / 32, N < 8 (the per-channel path), M across the 64-row blocks, padding taps
 * on the zero row, strided dW layouts (Conv2D's and Conv2DTranspose's); nothing outside the
 * output range may change.
 */
const builds = wasmBuilds();

for (const backend of builds) {
  describe(`${backend.name} training kernels vs reference`, () => {
    const tester = new KernelTester(backend);
    const tol = (terms: number) => 1e-5 * Math.max(1, Math.sqrt(terms / 64)) * (backend.name === 'wasm-relaxed-simd' ? 2 : 1);

    const weightGrad = (M: number, T: number, K: number, N: number, layout: 'conv' | 'convT') => {
      const rows = 5;
      const dW = T * K * N;
      const bytes = 4 * (K + rows * K + M * N + M * T + M + T + dW);
      const sk = layout === 'conv' ? N : 1;
      const sn = layout === 'conv' ? 1 : K;
      let expected: Float64Array | null = null;
      const { wasm, ref, untouched } = tester.run(bytes, (f32, u32, base) => {
        const r = rng(M * 7 + T * 131 + K * 17 + N);
        const zero = base;
        const xs = zero + 4 * K;
        const dy = xs + 4 * rows * K;
        const inPtrs = dy + 4 * M * N;
        const dyPtrs = inPtrs + 4 * M * T;
        const taps = dyPtrs + 4 * M;
        const out = taps + 4 * T;
        f32.fill(0, zero >>> 2, (zero >>> 2) + K);
        for (let i = 0; i < rows * K; i++) f32[(xs >>> 2) + i] = r() * 2 - 1;
        for (let i = 0; i < M * N; i++) f32[(dy >>> 2) + i] = r() * 2 - 1;
        for (let i = 0; i < M * T; i++) u32[(inPtrs >>> 2) + i] = r() < 0.2 ? zero : xs + 4 * K * Math.floor(r() * rows);
        // dy rows in reverse order so the table matters
        for (let m = 0; m < M; m++) u32[(dyPtrs >>> 2) + m] = dy + 4 * N * (M - 1 - m);
        // taps in reverse order of their blocks
        for (let t = 0; t < T; t++) u32[(taps >>> 2) + t] = 4 * (T - 1 - t) * K * N;
        for (let i = 0; i < dW; i++) f32[(out >>> 2) + i] = 0.25; // accumulates onto what is there
        if (!expected) {
          expected = new Float64Array(dW).fill(0.25);
          for (let t = 0; t < T; t++) {
            for (let k = 0; k < K; k++) {
              for (let n = 0; n < N; n++) {
                let s = 0;
                for (let m = 0; m < M; m++) s += f32[(u32[(inPtrs >>> 2) + m * T + t] >>> 2) + k] * f32[(u32[(dyPtrs >>> 2) + m] >>> 2) + n];
                expected[(T - 1 - t) * K * N + k * sk + n * sn] += s;
              }
            }
          }
        }
        return { out: [out, out + 4 * dW], call: (k) => k.igemmWeightGrad(M, T, K, N, inPtrs, dyPtrs, out, taps, sk, sn) };
      });
      const what = `igemmWeightGrad M=${M} T=${T} K=${K} N=${N} ${layout}`;
      expect(untouched, what).toBe(true);
      expect(maxRelError(wasm, ref), what).toBeLessThanOrEqual(tol(M));
      expect(maxRelError(ref, expected!), `${what} (reference vs float64)`).toBeLessThanOrEqual(1e-6);
    };

    it('igemmWeightGrad over SIMD tails, blocks and both dW layouts', () => {
      for (const [M, T, K, N] of [[1, 1, 1, 1], [3, 2, 5, 8], [64, 1, 4, 8], [65, 3, 13, 17], [130, 2, 33, 1], [70, 4, 64, 3], [17, 9, 1, 64], [200, 1, 100, 9], [5, 2, 32, 7]]) {
        weightGrad(M, T, K, N, 'conv');
        weightGrad(M, T, K, N, 'convT');
      }
    });

    const elementwise = (name: string, count: number, call: (k: Parameters<Parameters<KernelTester['run']>[1]>[0] extends never ? never : import('../bindings/backend/kernels.js').Kernels, a: number, b: number, out: number) => void, init?: (i: number, r: () => number) => number) => {
      const bytes = 4 * 3 * count;
      const { wasm, ref, untouched } = tester.run(bytes, (f32, _u32, base) => {
        const r = rng(count + name.length);
        for (let i = 0; i < 3 * count; i++) f32[(base >>> 2) + i] = init && i < 2 * count ? init(i, r) : r() * 4 - 2;
        const out = base + 8 * count;
        return { out: [out, out + 4 * count], call: (k) => call(k, base, base + 4 * count, out) };
      });
      expect(untouched, name).toBe(true);
      expect(maxRelError(wasm, ref), name).toBeLessThanOrEqual(2e-6);
    };

    it('activation gradients (from outputs in their ranges), accumulate, masks', () => {
      const ranges: [Act, (v: number) => number][] = [
        [Act.Relu, (v) => v], [Act.LeakyRelu, (v) => v], [Act.Sigmoid, (v) => 1 / (1 + Math.exp(-v))], [Act.Tanh, Math.tanh],
        [Act.Elu, (v) => (v > 0 ? v : Math.expm1(v))], [Act.Selu, (v) => v], [Act.Softplus, (v) => Math.log1p(Math.exp(v))],
        [Act.Softsign, (v) => v / (1 + Math.abs(v))], [Act.Swish, (v) => v], [Act.Gelu, (v) => v], [Act.HardSigmoid, (v) => Math.min(1, Math.max(0, v / 6 + 0.5))],
        [Act.Relu6, (v) => Math.min(6, Math.max(0, v * 4))], [Act.Exponential, Math.exp], [Act.Linear, (v) => v],
      ];
      for (const count of [1, 3, 4, 17, 64]) {
        for (const [act, f] of ranges) {
          elementwise(`activationGrad act=${act} n=${count}`, count, (k, a, b, out) => k.activationGrad(a, b, out, count, act, 0.3), (i, r) => (i < count ? f(r() * 4 - 2) : r() * 2 - 1));
        }
        elementwise(`accumulate n=${count}`, count, (k, a, _b, out) => k.accumulate(a, out, count));
        elementwise(`mulMask n=${count}`, count, (k, a, b, out) => k.mulMask(a, b, out, count, 1.25), (i, r) => (i < count ? r() : r() < 0.5 ? 0 : 1));
      }
    });

    it('dropoutMask draws the same bits as the reference, about 1 − rate ones', () => {
      const n = 4099;
      const { wasm, ref } = tester.run(4 * n, (_f32, _u32, base) => ({ out: [base, base + 4 * n], call: (k) => k.dropoutMask(base, n, 0.4, 123456789) }));
      expect(Array.from(wasm)).toEqual(Array.from(ref));
      const ones = wasm.reduce((s, v) => s + v, 0);
      expect(Math.abs(ones / n - 0.6)).toBeLessThan(0.03);
      expect(wasm.every((v) => v === 0 || v === 1)).toBe(true);
    });

    it('optimizer updates (Adam, amsgrad, SGD momentum / nesterov, RMSprop centered + momentum)', () => {
      for (const count of [1, 5, 33]) {
        const run = (name: string, call: (k: import('../bindings/backend/kernels.js').Kernels, p: number) => void) => {
          const bytes = 4 * 6 * count;
          const { wasm, ref, untouched } = tester.run(bytes, (f32, _u32, base) => {
            const r = rng(count * 3 + name.length);
            // w, g in [-1, 1); slots: the first (v) in [0.5, 1), the others small, so a centered denominator stays positive
            for (let i = 0; i < 6 * count; i++) f32[(base >>> 2) + i] = i < 2 * count ? r() * 2 - 1 : i < 3 * count ? 0.5 + 0.5 * r() : r() * 0.1;
            return { out: [base, base + 4 * 6 * count], call: (k) => call(k, base) };
          });
          expect(untouched, name).toBe(true);
          expect(maxRelError(wasm, ref), name).toBeLessThanOrEqual(1e-6);
        };
        const at = (p: number, i: number) => p + 4 * i * count;
        run(`adam ${count}`, (k, p) => k.adamUpdate(at(p, 0), at(p, 1), at(p, 3), at(p, 2), at(p, 4), count, 1e-3, 0.9, 0.999, 1e-7, 0));
        run(`amsgrad ${count}`, (k, p) => k.adamUpdate(at(p, 0), at(p, 1), at(p, 3), at(p, 2), at(p, 4), count, 1e-3, 0.5, 0.99, 1e-7, 1));
        run(`sgd ${count}`, (k, p) => k.sgdUpdate(at(p, 0), at(p, 1), at(p, 2), count, 0.1, 0, 0));
        run(`nesterov ${count}`, (k, p) => k.sgdUpdate(at(p, 0), at(p, 1), at(p, 2), count, 0.1, 0.9, 1));
        run(`rmsprop ${count}`, (k, p) => k.rmspropUpdate(at(p, 0), at(p, 1), at(p, 2), at(p, 3), at(p, 4), count, 1e-3, 0.9, 0.5, 1e-7, 1));
      }
    });
  });
}

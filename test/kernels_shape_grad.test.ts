import { describe, expect, it } from 'vitest';
import type { Backend, Kernels } from '../bindings/backend/kernels.js';
import { GradKind } from '../bindings/backend/kernels/shape_grad.js';
import { maxRelError } from './util/close.js';
import { KernelTester, rng, wasmBuilds } from './util/kernel_tester.js';

/**
 * The merge / padding / Embedding backward kernels and the noise generator of each WebAssembly
 * build against the TypeScript reference and a float64 sum written here: broadcastGrad for every
 * kind over 4-d spaces with broadcast (zero-stride) axes on each side — dst revisited along
 * outer axes, reduced along the inner axis, acc 0 and 1, inner lengths on the SIMD tails, ties
 * and zeros in the compared values —, pad2dGrad in its three modes with pads up to each mode's
 * limit, scatterAddRows with repeated and refused ids, fillZero, normalNoise. Nothing outside
 * the output may change, and the three builds must agree bit for bit (no build sums in another
 * order).
 */
const builds = wasmBuilds();

type Fill = (f32: Float32Array, u32: Uint32Array, base: number) => { out: [number, number]; call: (k: Kernels) => void };

interface KernelCase {
  name: string;
  bytes: number;
  fill: Fill;
  /** The float64 expectation of the output range (from the memory `fill` wrote). */
  expect?: (f32: Float32Array, base: number) => Float64Array;
  tol?: number;
}

const GK = Object.values(GradKind);

/** A view over the 4-d space [n0, n1, n2, inner] broadcast along the flagged axes: its strides and extent (floats). */
function view(n: readonly number[], bc: readonly boolean[]): { s: number[]; extent: number } {
  const dims = n.map((d, k) => (bc[k] ? 1 : d));
  const s = [0, 0, 0, 0];
  let acc = 1;
  for (let k = 3; k >= 0; k--) {
    s[k] = bc[k] || n[k] === 1 ? 0 : acc;
    acc *= dims[k];
  }
  return { s, extent: acc };
}

function contribution(kind: number, g: number, x: number, y: number): number {
  switch (kind) {
    case GradKind.Pass: return g;
    case GradKind.Neg: return -g;
    case GradKind.Mul: return g * y;
    case GradKind.Ge: return x >= y ? g : 0;
    case GradKind.Lt: return x >= y ? 0 : g;
    case GradKind.Le: return x <= y ? g : 0;
    case GradKind.Gt: return x <= y ? 0 : g;
    case GradKind.Eq: return x === y ? g : 0;
    case GradKind.Ne: return x === y ? 0 : g;
    case GradKind.PReluX: return x > 0 ? g : x < 0 ? g * y : 0;
    default: return x < 0 ? g * x : 0;
  }
}

function broadcastGradCase(kind: number, acc: number, n: [number, number, number, number], bcA: boolean[], bcB: boolean[], bcD: boolean[]): KernelCase {
  const A = view(n, bcA), B = view(n, bcB), D = view(n, bcD);
  const count = n[0] * n[1] * n[2] * n[3];
  const bytes = 4 * (count + A.extent + B.extent + D.extent);
  const ptrs = (base: number) => {
    const g = base, a = g + 4 * count, b = a + 4 * A.extent, d = b + 4 * B.extent;
    return { g, a, b, d };
  };
  const levels = [-1, -0.5, 0, 0.5, 1];
  return {
    name: `broadcastGrad kind=${kind} acc=${acc} n=[${n}] a=${bcA.map(Number).join('')} b=${bcB.map(Number).join('')} d=${bcD.map(Number).join('')}`,
    bytes,
    fill(f32, _u32, base) {
      const r = rng(kind * 1009 + acc * 17 + n.reduce((p, v) => p * 31 + v, 7) + bcD.filter(Boolean).length * 3);
      const { g, a, b, d } = ptrs(base);
      for (let i = 0; i < count; i++) f32[(g >>> 2) + i] = r() * 2 - 1;
      // a few levels: ties, zeros and both signs in the compared values
      for (let i = 0; i < A.extent; i++) f32[(a >>> 2) + i] = levels[Math.floor(r() * 5)];
      for (let i = 0; i < B.extent; i++) f32[(b >>> 2) + i] = levels[Math.floor(r() * 5)];
      for (let i = 0; i < D.extent; i++) f32[(d >>> 2) + i] = r() * 2 - 1;
      return {
        out: [d, d + 4 * D.extent],
        call: (k) => k.broadcastGrad(kind as GradKind, acc, g, a, b, d, n[0], n[1], n[2], n[3],
          A.s[0], A.s[1], A.s[2], A.s[3], B.s[0], B.s[1], B.s[2], B.s[3], D.s[0], D.s[1], D.s[2], D.s[3]),
      };
    },
    expect(f32, base) {
      const { g, a, b, d } = ptrs(base);
      const out = acc ? Float64Array.from(f32.subarray(d >>> 2, (d >>> 2) + D.extent)) : new Float64Array(D.extent);
      let p = 0;
      for (let i0 = 0; i0 < n[0]; i0++) for (let i1 = 0; i1 < n[1]; i1++) for (let i2 = 0; i2 < n[2]; i2++) for (let j = 0; j < n[3]; j++) {
        const at = (s: number[]) => i0 * s[0] + i1 * s[1] + i2 * s[2] + j * s[3];
        out[at(D.s)] += contribution(kind, f32[(g >>> 2) + p++], f32[(a >>> 2) + at(A.s)], f32[(b >>> 2) + at(B.s)]);
      }
      return out;
    },
  };
}

function pad2dGradCase(N: number, H: number, W: number, C: number, pads: [number, number, number, number], mode: number): KernelCase {
  const [t, bo, l, ri] = pads;
  const OH = H + t + bo, OW = W + l + ri;
  const dyN = N * OH * OW * C, dxN = N * H * W * C;
  const src = (i: number, n: number) => {
    if (i >= 0 && i < n) return i;
    if (mode === 0) return -1;
    return mode === 1 ? (i < 0 ? -i : 2 * (n - 1) - i) : (i < 0 ? -i - 1 : 2 * n - 1 - i);
  };
  return {
    name: `pad2dGrad mode=${mode} ${N}×${H}×${W}×${C} pads ${pads}`,
    bytes: 4 * (dyN + dxN),
    fill(f32, _u32, base) {
      const r = rng(N * 7 + H * 131 + W * 17 + C + mode * 1000 + t);
      for (let i = 0; i < dyN; i++) f32[(base >>> 2) + i] = r() * 2 - 1;
      const dx = base + 4 * dyN;
      return { out: [dx, dx + 4 * dxN], call: (k) => k.pad2dGrad(base, dx, N, H, W, C, t, bo, l, ri, mode) };
    },
    expect(f32, base) {
      const out = new Float64Array(dxN);
      for (let n = 0; n < N; n++) for (let Y = 0; Y < OH; Y++) for (let X = 0; X < OW; X++) {
        const sy = src(Y - t, H), sx = src(X - l, W);
        if (sy < 0 || sx < 0) continue;
        for (let c = 0; c < C; c++) out[((n * H + sy) * W + sx) * C + c] += f32[(base >>> 2) + ((n * OH + Y) * OW + X) * C + c];
      }
      return out;
    },
  };
}

function scatterCase(count: number, V: number, D: number, bad = -1): KernelCase {
  return {
    name: `scatterAddRows count=${count} V=${V} D=${D}${bad >= 0 ? ` bad id at ${bad}` : ''}`,
    bytes: 4 * (count + count * D + V * D),
    fill(f32, _u32, base) {
      const r = rng(count * 13 + V * 7 + D + bad);
      // ids from half the table (repeats, untouched rows), with fractions to truncate
      for (let k = 0; k < count; k++) f32[(base >>> 2) + k] = Math.floor(r() * Math.ceil(V / 2)) + (k % 3 === 0 ? 0.75 : 0);
      if (bad >= 0) f32[(base >>> 2) + bad] = V;
      const dy = base + 4 * count;
      const dW = dy + 4 * count * D;
      for (let i = 0; i < count * D; i++) f32[(dy >>> 2) + i] = r() * 2 - 1;
      for (let i = 0; i < V * D; i++) f32[(dW >>> 2) + i] = r() - 0.5;
      return {
        out: bad >= 0 ? [dW, dW] : [dW, dW + 4 * V * D],
        call: (k) => expect(k.scatterAddRows(base, dy, dW, count, V, D)).toBe(bad),
      };
    },
    expect: bad >= 0 ? undefined : (f32, base) => {
      const dy = base + 4 * count;
      const dW = dy + 4 * count * D;
      const out = Float64Array.from(f32.subarray(dW >>> 2, (dW >>> 2) + V * D));
      for (let k = 0; k < count; k++) {
        const row = Math.trunc(f32[(base >>> 2) + k]);
        for (let d = 0; d < D; d++) out[row * D + d] += f32[(dy >>> 2) + k * D + d];
      }
      return out;
    },
  };
}

function cases(): KernelCase[] {
  const out: KernelCase[] = [];
  const f = false, T = true;
  const configs: [[number, number, number, number], boolean[], boolean[], boolean[]][] = [
    [[1, 1, 1, 17], [f, f, f, f], [f, f, f, f], [f, f, f, f]], // equal shapes: one dense row
    [[1, 3, 5, 13], [f, f, f, f], [f, T, T, f], [f, T, T, f]], // per-channel vector: dst revisited along n1, n2
    [[2, 3, 2, 5], [f, f, f, f], [T, f, T, T], [f, f, f, T]], // inner reduced into dst
    [[1, 4, 3, 1], [f, f, f, f], [T, T, f, f], [T, T, f, f]],
    [[2, 2, 3, 8], [f, T, f, f], [f, f, T, f], [f, T, f, f]],
    [[3, 1, 2, 3], [f, f, f, T], [f, f, f, f], [f, f, f, T]],
    [[1, 2, 2, 4], [T, T, T, T], [f, f, f, f], [T, T, T, T]], // everything into one float
    [[2, 3, 1, 37], [f, f, f, f], [f, f, f, f], [f, T, f, f]],
    [[1, 1, 5, 70], [f, f, f, f], [f, f, f, T], [f, f, T, T]], // 17 vectors + a tail per reduced row
  ];
  for (const kind of GK) for (const [n, a, b, d] of configs) for (const acc of [0, 1]) out.push(broadcastGradCase(kind, acc, n, a, b, d));
  for (const mode of [0, 1, 2]) {
    for (const [N, H, W, C, pads] of [[1, 3, 3, 1, [1, 1, 1, 1]], [2, 3, 4, 3, [2, 2, 3, 3]], [1, 4, 2, 5, [0, 3, 1, 0]], [2, 2, 3, 8, [1, 0, 2, 1]], [1, 5, 3, 13, [4, 1, 0, 2]], [2, 3, 2, 17, [2, 1, 1, 1]]] as const) {
      out.push(pad2dGradCase(N, H, W, C, [...pads], mode));
    }
  }
  out.push(pad2dGradCase(2, 2, 3, 5, [2, 2, 3, 3], 2)); // symmetric at the full size
  for (const [count, V, D] of [[1, 1, 1], [7, 5, 3], [12, 4, 4], [20, 9, 5], [9, 3, 8], [30, 10, 13], [6, 4, 17], [40, 8, 33]] as const) out.push(scatterCase(count, V, D));
  out.push(scatterCase(10, 6, 5, 7), scatterCase(10, 6, 5, 0));
  for (const count of [1, 3, 4, 5, 17, 1031]) {
    out.push({
      name: `fillZero ${count}`, bytes: 4 * count,
      fill: (f32, _u32, base) => {
        f32.fill(1.5, base >>> 2, (base >>> 2) + count);
        return { out: [base, base + 4 * count], call: (k) => k.fillZero(base, count) };
      },
      expect: () => new Float64Array(count),
    });
  }
  return out;
}

for (const backend of builds) {
  describe(`${backend.name} shape-gradient kernels vs reference`, () => {
    const tester = new KernelTester(backend);
    it('broadcastGrad, pad2dGrad, scatterAddRows, fillZero', () => {
      for (const c of cases()) {
        let want: Float64Array | undefined;
        const { wasm, ref, untouched } = tester.run(c.bytes, (f32, u32, base) => {
          const r = c.fill(f32, u32, base);
          if (c.expect && !want) want = c.expect(f32, base);
          return r;
        });
        expect(untouched, c.name).toBe(true);
        expect(maxRelError(wasm, ref), c.name).toBeLessThanOrEqual(c.tol ?? 2e-6);
        if (want) expect(maxRelError(ref, want), `${c.name} (reference vs float64)`).toBeLessThanOrEqual(2e-6);
      }
    });

    it('normalNoise: the reference\'s numbers, mean and stddev as asked, a new seed a new draw', () => {
      const n = 20001;
      const { wasm, ref, untouched } = tester.run(4 * n, (_f32, _u32, base) => ({ out: [base, base + 4 * n], call: (k) => k.normalNoise(base, n, 0.25, 1.5, 987654321) }));
      expect(untouched).toBe(true);
      expect(maxRelError(wasm, ref)).toBeLessThanOrEqual(1e-6);
      const mean = wasm.reduce((s, v) => s + v, 0) / n;
      const variance = wasm.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
      expect(Math.abs(mean - 0.25)).toBeLessThan((5 * 1.5) / Math.sqrt(n));
      expect(Math.abs(Math.sqrt(variance) - 1.5)).toBeLessThan(5 * 1.5 / Math.sqrt(2 * n));
      // the tails: about 0.27% beyond 3 sigma
      const tail = wasm.filter((v) => Math.abs(v - 0.25) > 4.5).length / n;
      expect(tail).toBeGreaterThan(0.0005);
      expect(tail).toBeLessThan(0.006);
      const other = tester.run(4 * n, (_f32, _u32, base) => ({ out: [base, base + 4 * n], call: (k) => k.normalNoise(base, n, 0.25, 1.5, 987654322) })).wasm;
      expect(other.filter((v, i) => v === wasm[i]).length).toBeLessThan(10);
    });
  });
}

/** Every case's output on one build (fresh memory). */
function outputs(backend: Backend): Map<string, Uint32Array> {
  const side = backend.createMemory();
  const out = new Map<string, Uint32Array>();
  const all: KernelCase[] = [...cases(), {
    name: 'normalNoise', bytes: 4 * 4099,
    fill: (_f32, _u32, base) => ({ out: [base, base + 4 * 4099], call: (k) => k.normalNoise(base, 4099, -1, 0.5, 42) }),
  }];
  for (const c of all) {
    const base = side.memory.base;
    side.memory.ensure(base + c.bytes + 64);
    const buf = side.memory.buffer;
    new Uint32Array(buf, base, (c.bytes >>> 2) + 16).fill(0);
    const { out: range, call } = c.fill(new Float32Array(buf), new Uint32Array(buf), base);
    call(side.kernels);
    out.set(c.name, new Uint32Array(side.memory.buffer).slice(range[0] >>> 2, range[1] >>> 2));
  }
  return out;
}

describe('every WebAssembly build sums in the same order', () => {
  it(`bit-identical outputs on ${builds.map((b) => b.name).join(', ')}`, () => {
    expect(builds.length).toBeGreaterThanOrEqual(2);
    const [first, ...rest] = builds.map(outputs);
    for (const other of rest) {
      for (const [name, bits] of first) expect(Array.from(other.get(name)!), name).toEqual(Array.from(bits));
    }
  });
});

import type { Kernels } from '../kernels.js';
import { GradKind } from '../kernels/shape_grad.js';
import type { RefViews } from './views.js';

/** One contribution of broadcastGrad on float32 values (the product rounded to float32). */
function contribution(kind: GradKind, g: number, x: number, y: number): number {
  switch (kind) {
    case GradKind.Pass: return g;
    case GradKind.Neg: return -g;
    case GradKind.Mul: return Math.fround(g * y);
    case GradKind.Ge: return x >= y ? g : 0;
    case GradKind.Lt: return x >= y ? 0 : g;
    case GradKind.Le: return x <= y ? g : 0;
    case GradKind.Gt: return x <= y ? 0 : g;
    case GradKind.Eq: return x === y ? g : 0;
    case GradKind.Ne: return x === y ? 0 : g;
    case GradKind.PReluX: return x > 0 ? g : x < 0 ? Math.fround(g * y) : 0;
    case GradKind.PReluAlpha: return x < 0 ? Math.fround(g * x) : 0;
    default: throw new Error(`broadcastGrad: unknown kind ${kind as number}`);
  }
}

/** Source index of padded position i along an axis of n (tf.pad REFLECT 1 / SYMMETRIC 2), clamped. */
function mirror(i: number, n: number, mode: number): number {
  let s = i;
  if (mode === 1) s = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
  else s = i < 0 ? -i - 1 : i >= n ? 2 * n - 1 - i : i;
  return Math.min(Math.max(s, 0), n - 1);
}

/** The counter-based hash of dropoutMask. */
function hash(seed: number, k: number): number {
  let t = (seed + Math.imul(k + 1, 0x6d2b79f5)) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

type Keys = 'broadcastGrad' | 'pad2dGrad' | 'scatterAddRows' | 'fillZero' | 'normalNoise';

/**
 * The backward kernels of the merge, PReLU, padding and Embedding layers as plain loops: every
 * contribution added onto its float32 destination in index order (the wasm builds keep four
 * partial sums along a reduced inner axis, so the two agree to rounding, not bit for bit).
 */
export function shapeGradKernels(v: RefViews): Pick<Kernels, Keys> {
  return {
    broadcastGrad(kind, acc, g, a, b, dst, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn, d0, d1, d2, dIn) {
      v.refresh();
      const { f32 } = v;
      const at = (base: number, s0: number, s1: number, s2: number, sIn: number, i0: number, i1: number, i2: number, j: number) =>
        (base >>> 2) + i0 * s0 + i1 * s1 + i2 * s2 + j * sIn;
      if (!acc) {
        for (let i0 = 0; i0 < n0; i0++) for (let i1 = 0; i1 < n1; i1++) for (let i2 = 0; i2 < n2; i2++) {
          for (let j = 0; j < inner; j++) f32[at(dst, d0, d1, d2, dIn, i0, i1, i2, j)] = 0;
        }
      }
      let o = g >>> 2;
      for (let i0 = 0; i0 < n0; i0++) for (let i1 = 0; i1 < n1; i1++) for (let i2 = 0; i2 < n2; i2++) {
        for (let j = 0; j < inner; j++) {
          const x = f32[at(a, a0, a1, a2, aIn, i0, i1, i2, j)];
          const y = f32[at(b, b0, b1, b2, bIn, i0, i1, i2, j)];
          f32[at(dst, d0, d1, d2, dIn, i0, i1, i2, j)] += contribution(kind, f32[o++], x, y);
        }
      }
    },

    pad2dGrad(dy, dx, N, H, W, C, top, bottom, left, right, mode) {
      v.refresh();
      const { f32 } = v;
      const OH = H + top + bottom;
      const OW = W + left + right;
      for (let n = 0; n < N; n++) {
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            for (let c = 0; c < C; c++) f32[(dx >>> 2) + ((n * H + y) * W + x) * C + c] = f32[(dy >>> 2) + ((n * OH + y + top) * OW + x + left) * C + c];
          }
        }
        if (mode === 0) continue;
        for (let Y = 0; Y < OH; Y++) {
          for (let X = 0; X < OW; X++) {
            const sy = Y - top;
            const sx = X - left;
            if (sy >= 0 && sy < H && sx >= 0 && sx < W) continue;
            const to = (dx >>> 2) + ((n * H + mirror(sy, H, mode)) * W + mirror(sx, W, mode)) * C;
            const from = (dy >>> 2) + ((n * OH + Y) * OW + X) * C;
            for (let c = 0; c < C; c++) f32[to + c] += f32[from + c];
          }
        }
      }
    },

    scatterAddRows(ids, dy, dW, count, V, D) {
      v.refresh();
      const { f32 } = v;
      for (let k = 0; k < count; k++) {
        const id = f32[(ids >>> 2) + k];
        if (!(id > -1 && id < V)) return k;
      }
      for (let k = 0; k < count; k++) {
        const row = Math.trunc(f32[(ids >>> 2) + k]);
        for (let d = 0; d < D; d++) f32[(dW >>> 2) + row * D + d] += f32[(dy >>> 2) + k * D + d];
      }
      return -1;
    },

    fillZero(out, count) {
      v.refresh();
      v.f32.fill(0, out >>> 2, (out >>> 2) + count);
    },

    normalNoise(out, count, mean, stddev, seed) {
      v.refresh();
      const { f32 } = v;
      const m = Math.fround(mean);
      const s = Math.fround(stddev);
      for (let i = 0; i < count; i++) {
        const u1 = (hash(seed, 2 * i) + 1) / 4294967296;
        const u2 = hash(seed, 2 * i + 1) / 4294967296;
        const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(6.283185307179586 * u2);
        f32[(out >>> 2) + i] = m + s * z;
      }
    },
  };
}

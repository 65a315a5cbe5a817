import type { Kernels } from '../kernels.js';
import { PadMode } from '../kernels/copy.js';
import type { RefViews } from './views.js';

/** Source index of padded position i (−pad ≤ i < n + pad) along an axis of n, per tf.pad mode. */
function mirror(i: number, n: number, mode: number): number {
  let s = i;
  if (mode === PadMode.Reflect) s = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
  else s = i < 0 ? -i - 1 : i >= n ? 2 * n - 1 - i : i;
  return Math.min(Math.max(s, 0), n - 1);
}

/** Strided block copies and 2-D padding. */
export function copyKernels(v: RefViews): Pick<Kernels, 'copyStrided' | 'pad2d'> {
  return {
    copyStrided(src, dst, n1, n0, len, s1, s0, d1, d0) {
      v.refresh();
      const { f32 } = v;
      for (let i1 = 0; i1 < n1; i1++) {
        for (let i0 = 0; i0 < n0; i0++) {
          const from = (src >>> 2) + i1 * s1 + i0 * s0;
          const to = (dst >>> 2) + i1 * d1 + i0 * d0;
          for (let k = 0; k < len; k++) f32[to + k] = f32[from + k];
        }
      }
    },

    pad2d(x, out, N, H, W, C, top, bottom, left, right, mode) {
      v.refresh();
      const { f32 } = v;
      const OH = H + top + bottom;
      const OW = W + left + right;
      for (let n = 0; n < N; n++) {
        for (let y = 0; y < OH; y++) {
          for (let xx = 0; xx < OW; xx++) {
            const dst = (out >>> 2) + ((n * OH + y) * OW + xx) * C;
            const sy = y - top;
            const sx = xx - left;
            const inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
            if (mode === PadMode.Zeros && !inside) {
              for (let c = 0; c < C; c++) f32[dst + c] = 0;
              continue;
            }
            const src = (x >>> 2) + ((n * H + mirror(sy, H, mode)) * W + mirror(sx, W, mode)) * C;
            for (let c = 0; c < C; c++) f32[dst + c] = f32[src + c];
          }
        }
      }
    },
  };
}

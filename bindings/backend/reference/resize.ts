import type { Kernels } from '../kernels.js';
import type { RefViews } from './views.js';

/** Nearest and bilinear upsampling. */
export function resizeKernels(v: RefViews): Pick<Kernels, 'resizeNearest' | 'resizeBilinear'> {
  return {
    resizeNearest(x, out, N, H, W, C, fh, fw) {
      v.refresh();
      const { f32, u32 } = v;
      const OH = H * fh;
      const OW = W * fw;
      for (let n = 0; n < N; n++) {
        for (let y = 0; y < OH; y++) {
          for (let xx = 0; xx < OW; xx++) {
            const src = (x >>> 2) + ((n * H + Math.floor(y / fh)) * W + Math.floor(xx / fw)) * C;
            const dst = (out >>> 2) + ((n * OH + y) * OW + xx) * C;
            for (let c = 0; c < C; c++) f32[dst + c] = f32[src + c];
          }
        }
      }
    },

    resizeBilinear(x, out, N, H, W, C, OH, OW, yTab, xTab) {
      v.refresh();
      const { f32, u32 } = v;
      for (let n = 0; n < N; n++) {
        for (let y = 0; y < OH; y++) {
          const ye = (yTab >>> 2) + 3 * y;
          const y0 = u32[ye];
          const y1 = u32[ye + 1];
          const wy = f32[ye + 2];
          for (let xx = 0; xx < OW; xx++) {
            const xe = (xTab >>> 2) + 3 * xx;
            const x0 = u32[xe];
            const x1 = u32[xe + 1];
            const wx = f32[xe + 2];
            const row0 = (x >>> 2) + (n * H + y0) * W * C;
            const row1 = (x >>> 2) + (n * H + y1) * W * C;
            const dst = (out >>> 2) + ((n * OH + y) * OW + xx) * C;
            for (let c = 0; c < C; c++) {
              const tl = f32[row0 + x0 * C + c];
              const tr = f32[row0 + x1 * C + c];
              const bl = f32[row1 + x0 * C + c];
              const br = f32[row1 + x1 * C + c];
              const top = tl + (tr - tl) * wx;
              const bottom = bl + (br - bl) * wx;
              f32[dst + c] = top + (bottom - top) * wy;
            }
          }
        }
      }
    },
  };
}

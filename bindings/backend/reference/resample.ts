import type { ResampleKernels } from '../kernels/resample.js';
import type { RefViews } from './views.js';

/** The tap-table resample: the contract of ResampleKernels.resample, as plain loops. */
export function resampleKernels(v: RefViews): ResampleKernels {
  return {
    resample(x, out, N, H, W, C, OH, OW, yTab, Ky, xTab, Kx, rowBuf) {
      v.refresh();
      const { f32, u32 } = v;
      const rowLen = W * C;
      const buf = rowBuf >>> 2;
      for (let n = 0; n < N; n++) {
        const img = (x >>> 2) + n * H * rowLen;
        for (let oy = 0; oy < OH; oy++) {
          const ty = (yTab >>> 2) + oy * (Ky + 1);
          const src = img + (u32[ty] | 0) * rowLen;
          for (let i = 0; i < rowLen; i++) {
            let a = 0;
            for (let k = 0; k < Ky; k++) a += f32[ty + 1 + k] * f32[src + k * rowLen + i];
            f32[buf + i] = a;
          }
          const dst = (out >>> 2) + (n * OH + oy) * OW * C;
          for (let ox = 0; ox < OW; ox++) {
            const tx = (xTab >>> 2) + ox * (Kx + 1);
            const from = buf + (u32[tx] | 0) * C;
            for (let c = 0; c < C; c++) {
              let a = 0;
              for (let k = 0; k < Kx; k++) a += f32[tx + 1 + k] * f32[from + k * C + c];
              f32[dst + ox * C + c] = a;
            }
          }
        }
      }
    },

    resampleGrad(dy, dx, N, H, W, C, OH, OW, yTab, Ky, xTab, Kx) {
      v.refresh();
      const { f32, u32 } = v;
      const rowLen = W * C;
      f32.fill(0, dx >>> 2, (dx >>> 2) + N * H * rowLen);
      for (let n = 0; n < N; n++) {
        for (let oy = 0; oy < OH; oy++) {
          const ty = (yTab >>> 2) + oy * (Ky + 1);
          const sy = u32[ty] | 0;
          for (let ox = 0; ox < OW; ox++) {
            const tx = (xTab >>> 2) + ox * (Kx + 1);
            const sx = u32[tx] | 0;
            const g = (dy >>> 2) + ((n * OH + oy) * OW + ox) * C;
            for (let ky = 0; ky < Ky; ky++) {
              for (let kx = 0; kx < Kx; kx++) {
                const w = f32[ty + 1 + ky] * f32[tx + 1 + kx];
                const d = (dx >>> 2) + ((n * H + sy + ky) * W + sx + kx) * C;
                for (let c = 0; c < C; c++) f32[d + c] += w * f32[g + c];
              }
            }
          }
        }
      }
    },
  };
}

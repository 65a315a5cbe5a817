import type { Kernels } from '../kernels.js';
import type { RefViews } from './views.js';

type Names = 'normGradReduce' | 'normGradApply' | 'layerNormGrad' | 'pixelNormGrad';

/** Normalisation backward kernels, scalar loops in f64 (kernels/norm_grad.ts has the contracts). */
export function normGradKernels(v: RefViews): Pick<Kernels, Names> {
  return {
    normGradReduce(x, dy, N, rows, C, center, centerLo, sumDy, sumDyXc, sumXc2) {
      v.refresh();
      const { f32 } = v;
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
          const at = n * C + c;
          const m = f32[(center >>> 2) + at];
          const lo = f32[(centerLo >>> 2) + at];
          let a = 0;
          let b = 0;
          let q = 0;
          for (let r = 0; r < rows; r++) {
            const i = (n * rows + r) * C + c;
            const g = f32[(dy >>> 2) + i];
            const d = f32[(x >>> 2) + i] - m - lo;
            a += g;
            b += g * d;
            q += d * d;
          }
          f32[(sumDy >>> 2) + at] = a;
          f32[(sumDyXc >>> 2) + at] = b;
          f32[(sumXc2 >>> 2) + at] = q;
        }
      }
    },

    normGradApply(x, dy, dx, N, rows, C, center, centerLo, s1, s2, s3) {
      v.refresh();
      const { f32 } = v;
      for (let n = 0; n < N; n++) {
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < C; c++) {
            const at = n * C + c;
            const i = (n * rows + r) * C + c;
            const d = f32[(x >>> 2) + i] - f32[(center >>> 2) + at] - f32[(centerLo >>> 2) + at];
            f32[(dx >>> 2) + i] = f32[(dy >>> 2) + i] * f32[(s1 >>> 2) + at] + d * f32[(s2 >>> 2) + at] + f32[(s3 >>> 2) + at];
          }
        }
      }
    },

    layerNormGrad(x, dy, dx, rows, R, B, mean, meanLo, rstd, gamma, dGamma, dBeta) {
      v.refresh();
      const { f32 } = v;
      const xc = (k: number, s: number) => f32[(x >>> 2) + k] - f32[(mean >>> 2) + s] - f32[(meanLo >>> 2) + s];
      for (let r = 0; r < R; r++) {
        let a = 0;
        let b2 = 0;
        for (let i = 0; i < rows; i++) {
          for (let b = 0; b < B; b++) {
            const k = (i * R + r) * B + b;
            const g0 = f32[(dy >>> 2) + k];
            a += g0 * xc(k, i * B + b) * f32[(rstd >>> 2) + i * B + b];
            b2 += g0;
          }
        }
        if (dGamma) f32[(dGamma >>> 2) + r] += a;
        if (dBeta) f32[(dBeta >>> 2) + r] += b2;
      }
      if (!dx) return;
      for (let i = 0; i < rows; i++) {
        for (let b = 0; b < B; b++) {
          const s = i * B + b;
          const rs = f32[(rstd >>> 2) + s];
          let s1 = 0;
          let s2 = 0;
          for (let r = 0; r < R; r++) {
            const k = (i * R + r) * B + b;
            const g = f32[(dy >>> 2) + k] * f32[(gamma >>> 2) + r];
            s1 += g;
            s2 += g * xc(k, s);
          }
          for (let r = 0; r < R; r++) {
            const k = (i * R + r) * B + b;
            const g = f32[(dy >>> 2) + k] * f32[(gamma >>> 2) + r];
            f32[(dx >>> 2) + k] = rs * (g - s1 / R) - rs * rs * rs * xc(k, s) * (s2 / R);
          }
        }
      }
    },

    pixelNormGrad(x, dy, dx, rows, C, eps) {
      v.refresh();
      const { f32 } = v;
      for (let i = 0; i < rows; i++) {
        const base = i * C;
        let sq = 0;
        let dot = 0;
        for (let c = 0; c < C; c++) {
          const xv = f32[(x >>> 2) + base + c];
          sq += xv * xv;
          dot += f32[(dy >>> 2) + base + c] * xv;
        }
        const inv = 1 / Math.sqrt(sq / C + Math.fround(eps));
        const k = (-inv * inv * inv * dot) / C;
        for (let c = 0; c < C; c++) f32[(dx >>> 2) + base + c] = f32[(dy >>> 2) + base + c] * inv + f32[(x >>> 2) + base + c] * k;
      }
    },
  };
}

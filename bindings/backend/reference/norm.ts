import type { Kernels } from '../kernels.js';
import { applyAct, fusable } from './acts.js';
import type { RefViews } from './views.js';

/** Normalisation kernels, scalar loops in f64 (two-pass moments: exact enough to be the oracle). */
export function normKernels(v: RefViews): Pick<Kernels, 'moments' | 'normFold' | 'layerNormApply' | 'pixelNorm'> {
  return {
    moments(x, N, P, G, K, eps, mode, mean, rstd) {
      v.refresh();
      const { f32 } = v;
      const C = G * K;
      const n = P * K;
      const e = Math.fround(eps);
      for (let s = 0; s < N; s++) {
        const base = (x >>> 2) + s * P * C;
        for (let g = 0; g < G; g++) {
          let sum = 0;
          for (let p = 0; p < P; p++) for (let k = 0; k < K; k++) sum += f32[base + p * C + g * K + k];
          const mu = sum / n;
          let sq = 0;
          for (let p = 0; p < P; p++) {
            for (let k = 0; k < K; k++) {
              const d = f32[base + p * C + g * K + k] - mu;
              sq += d * d;
            }
          }
          const variance = sq / n;
          f32[(mean >>> 2) + s * G + g] = mu;
          f32[(rstd >>> 2) + s * G + g] = mode === 1 ? 1 / (Math.sqrt(variance) + e) : 1 / Math.sqrt(variance + e);
        }
      }
    },

    normFold(mean, rstd, N, G, K, gamma, beta, scale, shift) {
      v.refresh();
      const { f32 } = v;
      const C = G * K;
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
          const s = n * G + Math.floor(c / K);
          const sc = Math.fround(f32[(gamma >>> 2) + c] * f32[(rstd >>> 2) + s]);
          f32[(scale >>> 2) + n * C + c] = sc;
          f32[(shift >>> 2) + n * C + c] = f32[(beta >>> 2) + c] - f32[(mean >>> 2) + s] * sc;
        }
      }
    },

    layerNormApply(x, out, rows, R, B, mean, rstd, gamma, beta, act, alpha) {
      v.refresh();
      const { f32 } = v;
      const a = fusable(act);
      for (let i = 0; i < rows; i++) {
        for (let r = 0; r < R; r++) {
          for (let b = 0; b < B; b++) {
            const at = (i * R + r) * B + b;
            const st = i * B + b;
            const s = f32[(rstd >>> 2) + st] * f32[(gamma >>> 2) + r];
            const t = f32[(beta >>> 2) + r] - f32[(mean >>> 2) + st] * s;
            f32[(out >>> 2) + at] = applyAct(f32[(x >>> 2) + at] * s + t, a, alpha);
          }
        }
      }
    },

    pixelNorm(x, out, rows, C, eps) {
      v.refresh();
      const { f32 } = v;
      const e = Math.fround(eps);
      for (let i = 0; i < rows; i++) {
        const base = i * C;
        let sq = 0;
        for (let c = 0; c < C; c++) sq += f32[(x >>> 2) + base + c] ** 2;
        const inv = 1 / Math.sqrt(sq / C + e);
        for (let c = 0; c < C; c++) f32[(out >>> 2) + base + c] = f32[(x >>> 2) + base + c] * inv;
      }
    },
  };
}

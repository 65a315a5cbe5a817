import type { Kernels } from '../kernels.js';
import { applyAct, fusable } from './acts.js';
import type { RefViews } from './views.js';

type NormNames = 'moments' | 'normFold' | 'normApply' | 'layerNormApply' | 'pixelNorm';

/** Normalisation kernels, scalar loops in f64 (two-pass moments: exact enough to be the oracle). */
export function normKernels(v: RefViews): Pick<Kernels, NormNames> {
  return {
    moments(x, N, P, G, K, eps, mode, mean, meanLo, rstd) {
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
          const at = s * G + g;
          const hi = Math.fround(mu);
          f32[(mean >>> 2) + at] = hi;
          f32[(meanLo >>> 2) + at] = mu - hi;
          f32[(rstd >>> 2) + at] = mode === 1 ? 1 / (Math.sqrt(variance) + e) : 1 / Math.sqrt(variance + e);
        }
      }
    },

    normFold(mean, meanLo, rstd, N, G, K, gamma, center, centerLo, scale) {
      v.refresh();
      const { f32 } = v;
      const C = G * K;
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
          const s = n * G + Math.floor(c / K);
          f32[(center >>> 2) + n * C + c] = f32[(mean >>> 2) + s];
          f32[(centerLo >>> 2) + n * C + c] = f32[(meanLo >>> 2) + s];
          f32[(scale >>> 2) + n * C + c] = f32[(gamma >>> 2) + c] * f32[(rstd >>> 2) + s];
        }
      }
    },

    normApply(x, out, rows, C, center, centerLo, scale, shift, act, alpha) {
      v.refresh();
      const { f32 } = v;
      const a = fusable(act);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < C; c++) {
          const i = r * C + c;
          const d = f32[(x >>> 2) + i] - f32[(center >>> 2) + c] - f32[(centerLo >>> 2) + c];
          f32[(out >>> 2) + i] = applyAct(d * f32[(scale >>> 2) + c] + f32[(shift >>> 2) + c], a, alpha);
        }
      }
    },

    layerNormApply(x, out, rows, R, B, mean, meanLo, rstd, gamma, beta, act, alpha) {
      v.refresh();
      const { f32 } = v;
      const a = fusable(act);
      for (let i = 0; i < rows; i++) {
        for (let r = 0; r < R; r++) {
          for (let b = 0; b < B; b++) {
            const at = (i * R + r) * B + b;
            const st = i * B + b;
            const d = f32[(x >>> 2) + at] - f32[(mean >>> 2) + st] - f32[(meanLo >>> 2) + st];
            const y = d * f32[(rstd >>> 2) + st] * f32[(gamma >>> 2) + r] + f32[(beta >>> 2) + r];
            f32[(out >>> 2) + at] = applyAct(y, a, alpha);
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

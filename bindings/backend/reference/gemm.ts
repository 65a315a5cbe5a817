import { type Kernels, PANEL, panelFloats } from '../kernels.js';
import { applyAct, fusable } from './acts.js';
import type { RefViews } from './views.js';

/** igemm and idot: the indirect GEMM family, scalar loops in f64. */
export function gemmKernels(v: RefViews): Pick<Kernels, 'igemm' | 'idot'> {
  return {
    igemm(M, T, K, N, inPtrs, outPtrs, packedW, act, alpha) {
      v.refresh();
      const { f32, u32 } = v;
      const a = fusable(act);
      const stride = panelFloats(T, K);
      for (let m = 0; m < M; m++) {
        const out = u32[(outPtrs >>> 2) + m] >>> 2;
        for (let n = 0; n < N; n++) {
          const panel = (packedW >>> 2) + Math.floor(n / PANEL) * stride;
          const lane = n % PANEL;
          let acc = f32[panel + lane];
          for (let t = 0; t < T; t++) {
            const row = u32[(inPtrs >>> 2) + m * T + t] >>> 2;
            const w = panel + PANEL + t * K * PANEL + lane;
            for (let k = 0; k < K; k++) acc += f32[row + k] * f32[w + k * PANEL];
          }
          f32[out + n] = applyAct(acc, a, alpha);
        }
      }
    },

    idot(M, T, K, N, inPtrs, outPtrs, packedW, act, alpha) {
      v.refresh();
      const { f32, u32 } = v;
      const a = fusable(act);
      const chan = 4 + T * K;
      for (let m = 0; m < M; m++) {
        const out = u32[(outPtrs >>> 2) + m] >>> 2;
        for (let n = 0; n < N; n++) {
          const w = (packedW >>> 2) + n * chan;
          let acc = f32[w];
          for (let t = 0; t < T; t++) {
            const row = u32[(inPtrs >>> 2) + m * T + t] >>> 2;
            for (let k = 0; k < K; k++) acc += f32[row + k] * f32[w + 4 + t * K + k];
          }
          f32[out + n] = applyAct(acc, a, alpha);
        }
      }
    },
  };
}

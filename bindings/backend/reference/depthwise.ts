import type { Kernels } from '../kernels.js';
import { depthwiseRowFloats } from '../kernels/depthwise.js';
import { applyAct, fusable } from './acts.js';
import type { RefViews } from './views.js';

/** Depthwise convolution and its backward through the pointer tables, scalar loops in f64. */
export function depthwiseKernels(v: RefViews): Pick<Kernels, 'depthwise' | 'depthwiseWeightGrad' | 'depthwiseInputGrad'> {
  return {
    depthwise(M, T, C, mult, inPtrs, out, packedW, act, alpha) {
      v.refresh();
      const { f32, u32 } = v;
      const a = fusable(act);
      const J = C * mult;
      const stride = depthwiseRowFloats(C, mult);
      const w = packedW >>> 2;
      for (let m = 0; m < M; m++) {
        const o = (out >>> 2) + m * J;
        for (let j = 0; j < J; j++) {
          const c = Math.floor(j / mult);
          let acc = f32[w + j];
          for (let t = 0; t < T; t++) acc += f32[(u32[(inPtrs >>> 2) + m * T + t] >>> 2) + c] * f32[w + (t + 1) * stride + j];
          f32[o + j] = applyAct(acc, a, alpha);
        }
      }
    },

    depthwiseWeightGrad(M, T, C, mult, inPtrs, dy, dW) {
      v.refresh();
      const { f32, u32 } = v;
      const J = C * mult;
      for (let t = 0; t < T; t++) {
        for (let j = 0; j < J; j++) {
          const c = Math.floor(j / mult);
          let s = 0;
          for (let m = 0; m < M; m++) s += f32[(u32[(inPtrs >>> 2) + m * T + t] >>> 2) + c] * f32[(dy >>> 2) + m * J + j];
          f32[(dW >>> 2) + t * J + j] += s;
        }
      }
    },

    depthwiseInputGrad(dx, count, M, T, C, mult, dxPtrs, dy, packedW) {
      v.refresh();
      const { f32, u32 } = v;
      f32.fill(0, dx >>> 2, (dx >>> 2) + count);
      const J = C * mult;
      const stride = depthwiseRowFloats(C, mult);
      const w = (packedW >>> 2) + stride;
      for (let m = 0; m < M; m++) {
        for (let t = 0; t < T; t++) {
          const r = u32[(dxPtrs >>> 2) + m * T + t] >>> 2;
          for (let c = 0; c < C; c++) {
            let s = 0;
            for (let k = 0; k < mult; k++) s += f32[(dy >>> 2) + m * J + c * mult + k] * f32[w + t * stride + c * mult + k];
            f32[r + c] += s;
          }
        }
      }
    },
  };
}

import type { Kernels } from '../kernels.js';
import { depthwiseRowFloats } from '../kernels/depthwise.js';
import { applyAct, fusable } from './acts.js';
import type { RefViews } from './views.js';

/** Depthwise convolution through the pointer table, scalar loops in f64. */
export function depthwiseKernels(v: RefViews): Pick<Kernels, 'depthwise'> {
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
  };
}

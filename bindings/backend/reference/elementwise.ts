import type { Kernels } from '../kernels.js';
import { applyAct, fusable } from './acts.js';
import type { RefViews } from './views.js';

/** Per-channel affine, activations, softmax and the input scan. */
export function elementwiseKernels(v: RefViews): Pick<Kernels, 'scaleShift' | 'activation' | 'firstNonFinite' | 'softmax' | 'softmaxStrided' | 'reluClip'> {
  return {
    scaleShift(x, out, rows, C, scale, shift, act, alpha) {
      v.refresh();
      const { f32, u32 } = v;
      const a = fusable(act);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < C; c++) {
          const i = r * C + c;
          f32[(out >>> 2) + i] = applyAct(f32[(x >>> 2) + i] * f32[(scale >>> 2) + c] + f32[(shift >>> 2) + c], a, alpha);
        }
      }
    },

    activation(x, out, count, act, alpha) {
      v.refresh();
      const { f32, u32 } = v;
      for (let i = 0; i < count; i++) f32[(out >>> 2) + i] = applyAct(f32[(x >>> 2) + i], act, alpha);
    },

    firstNonFinite(x, count) {
      v.refresh();
      const { f32, u32 } = v;
      for (let i = 0; i < count; i++) if (!Number.isFinite(f32[(x >>> 2) + i])) return i;
      return -1;
    },

    softmax(x, out, rows, C) {
      v.refresh();
      const { f32, u32 } = v;
      for (let r = 0; r < rows; r++) {
        const a = (x >>> 2) + r * C;
        const b = (out >>> 2) + r * C;
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, f32[a + c]);
        let sum = 0;
        for (let c = 0; c < C; c++) {
          const e = Math.exp(f32[a + c] - max);
          f32[b + c] = e;
          sum += e;
        }
        for (let c = 0; c < C; c++) f32[b + c] /= sum;
      }
    },

    softmaxStrided(x, out, outer, C, inner) {
      v.refresh();
      const { f32, u32 } = v;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const a = (x >>> 2) + o * C * inner + i;
          const b = (out >>> 2) + o * C * inner + i;
          let max = -Infinity;
          for (let c = 0; c < C; c++) max = Math.max(max, f32[a + c * inner]);
          let sum = 0;
          for (let c = 0; c < C; c++) {
            const e = Math.fround(Math.exp(f32[a + c * inner] - max));
            f32[b + c * inner] = e;
            sum = Math.fround(sum + e);
          }
          for (let c = 0; c < C; c++) f32[b + c * inner] /= sum;
        }
      }
    },

    reluClip(x, out, count, slope, maxValue, threshold) {
      v.refresh();
      const { f32, u32 } = v;
      const s = Math.fround(slope);
      const m = Math.fround(maxValue);
      const t = Math.fround(threshold);
      for (let i = 0; i < count; i++) {
        const v = f32[(x >>> 2) + i];
        f32[(out >>> 2) + i] = v > t ? Math.min(v, m) : s * Math.fround(v - t);
      }
    },
  };
}

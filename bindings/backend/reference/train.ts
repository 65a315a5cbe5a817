import { Act, type Kernels } from '../kernels.js';
import type { RefViews } from './views.js';

const SELU_SCALE = 1.0507009873554805;
const SELU_SA = 1.0507009873554805 * 1.6732632423543772;

/** erf (f64): Maclaurin series near 0, erfc continued fraction further out. */
function erf(x: number): number {
  const z = Math.abs(x);
  let r: number;
  if (z < 2.5) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 60; n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    r = 1.1283791670955126 * sum;
  } else {
    let f = 0;
    for (let n = 60; n >= 1; n--) f = (n / 2) / (z + f);
    r = 1 - Math.exp(-z * z) / 1.7724538509055159 / (z + f);
  }
  return x < 0 ? -r : r;
}

/** f'(·) · g for an activation code, from its output (or input for swish / gelu), in f64. */
function actGrad(s: number, g: number, act: number, alpha: number): number {
  switch (act) {
    case Act.Relu: return s > 0 ? g : 0;
    case Act.LeakyRelu: return s > 0 ? g : alpha * g;
    case Act.Sigmoid: return g * s * (1 - s);
    case Act.Tanh: return g * (1 - s * s);
    case Act.Elu: return s > 0 ? g : g * (s + alpha);
    case Act.Selu: return s >= 0 ? g * SELU_SCALE : g * (s + SELU_SA); // TF's SeluGrad: the negative branch where the output is < 0
    case Act.Softplus: return g * -Math.expm1(-s);
    case Act.Softsign: return g * (1 - Math.abs(s)) ** 2;
    case Act.Swish: {
      const sg = 1 / (1 + Math.exp(-s));
      return g * (sg + s * sg * (1 - sg));
    }
    case Act.Gelu: return g * (0.5 * (1 + erf(s * Math.SQRT1_2)) + s * Math.exp(-0.5 * s * s) * 0.3989422804014327);
    case Act.HardSigmoid: return s > 0 && s < 1 ? g * alpha : 0;
    case Act.Relu6: return s > 0 && s < 6 ? g : 0;
    case Act.Exponential: return g * s;
    default: return g;
  }
}

type TrainKeys = 'igemmWeightGrad' | 'columnSum' | 'activationGrad' | 'softmaxGrad' | 'reluClipGrad' | 'resizeNearestGrad' |
  'resizeBilinearGrad' | 'channelMoments' | 'bnGradReduce' | 'bnGradApply' | 'accumulate' | 'mulMask' | 'adamUpdate' |
  'sgdUpdate' | 'rmspropUpdate' | 'dropoutMask';

/** Backward passes and optimizer updates as readable scalar loops (f64 sums, float32 storage). */
export function trainKernels(v: RefViews): Pick<Kernels, TrainKeys> {
  return {
    igemmWeightGrad(M, T, K, N, inPtrs, dyPtrs, dW, tapOffsets, sk, sn) {
      v.refresh();
      const { f32, u32 } = v;
      for (let t = 0; t < T; t++) {
        const base = (dW + u32[(tapOffsets >>> 2) + t]) >>> 2;
        for (let k = 0; k < K; k++) {
          for (let n = 0; n < N; n++) {
            let s = 0;
            for (let m = 0; m < M; m++) {
              s += f32[(u32[(inPtrs >>> 2) + m * T + t] >>> 2) + k] * f32[(u32[(dyPtrs >>> 2) + m] >>> 2) + n];
            }
            f32[base + k * sk + n * sn] += s;
          }
        }
      }
    },

    columnSum(x, rows, C, out) {
      v.refresh();
      const { f32 } = v;
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += f32[(x >>> 2) + r * C + c];
        f32[(out >>> 2) + c] += s;
      }
    },

    activationGrad(src, dy, dx, count, act, alpha) {
      v.refresh();
      const { f32 } = v;
      const a = Math.fround(alpha);
      for (let i = 0; i < count; i++) f32[(dx >>> 2) + i] = actGrad(f32[(src >>> 2) + i], f32[(dy >>> 2) + i], act, a);
    },

    softmaxGrad(y, dy, dx, rows, C) {
      v.refresh();
      const { f32 } = v;
      for (let r = 0; r < rows; r++) {
        const o = r * C;
        let dot = 0;
        for (let c = 0; c < C; c++) dot += f32[(dy >>> 2) + o + c] * f32[(y >>> 2) + o + c];
        for (let c = 0; c < C; c++) f32[(dx >>> 2) + o + c] = f32[(y >>> 2) + o + c] * (f32[(dy >>> 2) + o + c] - dot);
      }
    },

    reluClipGrad(y, dy, dx, count, slope, maxValue) {
      v.refresh();
      const { f32 } = v;
      const s = Math.fround(slope);
      const m = Math.fround(maxValue);
      for (let i = 0; i < count; i++) {
        const yi = f32[(y >>> 2) + i];
        const g = f32[(dy >>> 2) + i];
        f32[(dx >>> 2) + i] = yi < 0 ? s * g : yi > 0 && yi < m ? g : 0; // y = 0: x at the threshold, no gradient
      }
    },

    resizeNearestGrad(dy, dx, N, H, W, C, fh, fw) {
      v.refresh();
      const { f32 } = v;
      const OH = H * fh;
      const OW = W * fw;
      for (let n = 0; n < N; n++) {
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            for (let c = 0; c < C; c++) {
              let s = 0;
              for (let a = 0; a < fh; a++) for (let b = 0; b < fw; b++) s += f32[(dy >>> 2) + ((n * OH + y * fh + a) * OW + x * fw + b) * C + c];
              f32[(dx >>> 2) + ((n * H + y) * W + x) * C + c] = s;
            }
          }
        }
      }
    },

    resizeBilinearGrad(dy, dx, N, H, W, C, OH, OW, yTab, xTab) {
      v.refresh();
      const { f32, u32 } = v;
      const acc = new Float64Array(N * H * W * C);
      for (let n = 0; n < N; n++) {
        for (let oy = 0; oy < OH; oy++) {
          const ye = (yTab >>> 2) + 3 * oy;
          const [y0, y1, wy] = [u32[ye], u32[ye + 1], f32[ye + 2]];
          for (let ox = 0; ox < OW; ox++) {
            const xe = (xTab >>> 2) + 3 * ox;
            const [x0, x1, wx] = [u32[xe], u32[xe + 1], f32[xe + 2]];
            for (let c = 0; c < C; c++) {
              const g = f32[(dy >>> 2) + ((n * OH + oy) * OW + ox) * C + c];
              const at = (yy: number, xx: number) => ((n * H + yy) * W + xx) * C + c;
              acc[at(y0, x0)] += g * (1 - wy) * (1 - wx);
              acc[at(y0, x1)] += g * (1 - wy) * wx;
              acc[at(y1, x0)] += g * wy * (1 - wx);
              acc[at(y1, x1)] += g * wy * wx;
            }
          }
        }
      }
      f32.set(acc, dx >>> 2);
    },

    channelMoments(x, rows, C, mean, variance) {
      v.refresh();
      const { f32 } = v;
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += f32[(x >>> 2) + r * C + c];
        const m = s / rows;
        let q = 0;
        for (let r = 0; r < rows; r++) q += (f32[(x >>> 2) + r * C + c] - m) ** 2;
        f32[(mean >>> 2) + c] = m;
        f32[(variance >>> 2) + c] = q / rows;
      }
    },

    bnGradReduce(x, dy, rows, C, mean, invStd, sumDy, sumDyXhat) {
      v.refresh();
      const { f32 } = v;
      for (let c = 0; c < C; c++) {
        const m = f32[(mean >>> 2) + c];
        const is = f32[(invStd >>> 2) + c];
        let a = 0;
        let b = 0;
        for (let r = 0; r < rows; r++) {
          const g = f32[(dy >>> 2) + r * C + c];
          a += g;
          b += g * (f32[(x >>> 2) + r * C + c] - m) * is;
        }
        f32[(sumDy >>> 2) + c] = a;
        f32[(sumDyXhat >>> 2) + c] = b;
      }
    },

    bnGradApply(x, dy, dx, rows, C, mean, invStd, gamma, sumDy, sumDyXhat) {
      v.refresh();
      const { f32 } = v;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < C; c++) {
          const is = f32[(invStd >>> 2) + c];
          const xhat = (f32[(x >>> 2) + r * C + c] - f32[(mean >>> 2) + c]) * is;
          f32[(dx >>> 2) + r * C + c] = f32[(gamma >>> 2) + c] * is *
            (f32[(dy >>> 2) + r * C + c] - f32[(sumDy >>> 2) + c] / rows - xhat * f32[(sumDyXhat >>> 2) + c] / rows);
        }
      }
    },

    accumulate(src, dst, count) {
      v.refresh();
      const { f32 } = v;
      for (let i = 0; i < count; i++) f32[(dst >>> 2) + i] += f32[(src >>> 2) + i];
    },

    dropoutMask(mask, count, rate, seed) {
      v.refresh();
      const { f32 } = v;
      const threshold = Math.fround(rate) * 4294967296;
      for (let i = 0; i < count; i++) {
        let t = (seed + Math.imul(i + 1, 0x6d2b79f5)) >>> 0;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        t = (t ^ (t >>> 14)) >>> 0;
        f32[(mask >>> 2) + i] = t >= threshold ? 1 : 0;
      }
    },

    mulMask(x, mask, out, count, scale) {
      v.refresh();
      const { f32 } = v;
      const s = Math.fround(scale);
      for (let i = 0; i < count; i++) f32[(out >>> 2) + i] = f32[(x >>> 2) + i] * f32[(mask >>> 2) + i] * s;
    },

    // the optimizers follow assembly/optim.ts step by step, rounding to float32 where it stores
    adamUpdate(w, g, m, vv, vhat, count, alpha, beta1, beta2, eps, amsgrad) {
      v.refresh();
      const { f32 } = v;
      const f = Math.fround;
      const a1 = f(1 - f(beta1));
      const a2 = f(1 - f(beta2));
      for (let i = 0; i < count; i++) {
        const gi = f32[(g >>> 2) + i];
        const mi = f(f32[(m >>> 2) + i] + f(f(gi - f32[(m >>> 2) + i]) * a1));
        let vi = f(f32[(vv >>> 2) + i] + f(f(f(gi * gi) - f32[(vv >>> 2) + i]) * a2));
        f32[(m >>> 2) + i] = mi;
        f32[(vv >>> 2) + i] = vi;
        if (amsgrad) {
          vi = Math.max(f32[(vhat >>> 2) + i], vi);
          f32[(vhat >>> 2) + i] = vi;
        }
        f32[(w >>> 2) + i] = f(f32[(w >>> 2) + i] - f(f(mi * f(alpha)) / f(f(Math.sqrt(vi)) + f(eps))));
      }
    },

    sgdUpdate(w, g, m, count, lr, momentum, nesterov) {
      v.refresh();
      const { f32 } = v;
      const f = Math.fround;
      const l = f(lr);
      const mu = f(momentum);
      for (let i = 0; i < count; i++) {
        const gi = f32[(g >>> 2) + i];
        if (mu === 0) {
          f32[(w >>> 2) + i] = f(f32[(w >>> 2) + i] - f(gi * l));
          continue;
        }
        const mi = f(f(f32[(m >>> 2) + i] * mu) - f(gi * l));
        f32[(m >>> 2) + i] = mi;
        f32[(w >>> 2) + i] = f(f32[(w >>> 2) + i] + (nesterov ? f(f(mi * mu) - f(gi * l)) : mi));
      }
    },

    rmspropUpdate(w, g, vv, a, mom, count, lr, rho, momentum, eps, centered) {
      v.refresh();
      const { f32 } = v;
      const f = Math.fround;
      const r = f(rho);
      const r1 = f(1 - r);
      for (let i = 0; i < count; i++) {
        const gi = f32[(g >>> 2) + i];
        const vi = f(f(r * f32[(vv >>> 2) + i]) + f(f(r1 * gi) * gi));
        f32[(vv >>> 2) + i] = vi;
        let den: number;
        if (centered) {
          const ai = f(f(r * f32[(a >>> 2) + i]) + f(r1 * gi));
          f32[(a >>> 2) + i] = ai;
          den = f(f(vi - f(ai * ai)) + f(eps));
        } else {
          den = f(vi + f(eps));
        }
        const inc = f(f(f(lr) * gi) / f(Math.sqrt(den)));
        if (momentum > 0) {
          const mi = f(f(f(momentum) * f32[(mom >>> 2) + i]) + inc);
          f32[(mom >>> 2) + i] = mi;
          f32[(w >>> 2) + i] = f(f32[(w >>> 2) + i] - mi);
        } else {
          f32[(w >>> 2) + i] = f(f32[(w >>> 2) + i] - inc);
        }
      }
    },
  };
}

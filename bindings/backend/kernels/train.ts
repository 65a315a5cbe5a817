import type { Act } from '../kernels.js';

/** Backward passes and optimizer updates (assembly/grad.ts, optim.ts; reference/train.ts). */
export interface TrainKernels {
  /**
   * dW[t][k][n] += Σ_m in[m·T+t][k] · dy[m][n] over an indirect GEMM's pointer tables (inPtrs:
   * M·T row pointers, dyPtrs: M row pointers to N floats); element (t, k, n) at
   * dW + tapOffsets[t] + 4·(k·sk + n·sn) (tapOffsets: T u32 byte offsets).
   */
  igemmWeightGrad(M: number, T: number, K: number, N: number, inPtrs: number, dyPtrs: number,
                  dW: number, tapOffsets: number, sk: number, sn: number): void;
  /** out[c] += Σ_r x[r·C + c]. */
  columnSum(x: number, rows: number, C: number, out: number): void;
  /** dx = dy · f'(src): src is the activation's output y, or its input x for swish and gelu. */
  activationGrad(src: number, dy: number, dx: number, count: number, act: Act, alpha: number): void;
  /** Softmax backward over rows of C: dx = y·(dy − Σ dy·y). */
  softmaxGrad(y: number, dy: number, dx: number, rows: number, C: number): void;
  /** reluClip backward from its output y: slope where y ≤ 0, 1 on (0, max), 0 at and above max. */
  reluClipGrad(y: number, dy: number, dx: number, count: number, slope: number, maxValue: number): void;
  /** Nearest upsampling backward: sums each input pixel's fh·fw copies (overwrites dx). */
  resizeNearestGrad(dy: number, dx: number, N: number, H: number, W: number, C: number, fh: number, fw: number): void;
  /** Bilinear upsampling backward with the forward's tap tables (zeroes dx, then scatters). */
  resizeBilinearGrad(dy: number, dx: number, N: number, H: number, W: number, C: number,
                     OH: number, OW: number, yTab: number, xTab: number): void;
  /** Per-channel mean and biased variance over rows. */
  channelMoments(x: number, rows: number, C: number, mean: number, variance: number): void;
  /** Per channel Σ dy and Σ dy·(x − mean)·invStd. */
  bnGradReduce(x: number, dy: number, rows: number, C: number, mean: number, invStd: number, sumDy: number, sumDyXhat: number): void;
  /** dx = gamma·invStd·(dy − sumDy/rows − xhat·sumDyXhat/rows). */
  bnGradApply(x: number, dy: number, dx: number, rows: number, C: number, mean: number, invStd: number,
              gamma: number, sumDy: number, sumDyXhat: number): void;
  /** dst += src. */
  accumulate(src: number, dst: number, count: number): void;
  /** mask[i] = 1 where a counter-based hash u(seed, i) ∈ [0, 1) is ≥ rate, else 0 (Dropout). */
  dropoutMask(mask: number, count: number, rate: number, seed: number): void;
  /** out = x · mask · scale. */
  mulMask(x: number, mask: number, out: number, count: number, scale: number): void;
  adamUpdate(w: number, g: number, m: number, v: number, vhat: number, count: number,
             alpha: number, beta1: number, beta2: number, eps: number, amsgrad: number): void;
  sgdUpdate(w: number, g: number, m: number, count: number, lr: number, momentum: number, nesterov: number): void;
  rmspropUpdate(w: number, g: number, v: number, a: number, mom: number, count: number,
                lr: number, rho: number, momentum: number, eps: number, centered: number): void;
}

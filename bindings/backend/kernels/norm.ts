import type { Act } from '../kernels.js';

/**
 * Normalisation statistics and their application (assembly/moments.ts, norm.ts; reference/norm.ts).
 *
 * Layout: a sample of P·G·K floats is P rows of C = G·K channels; group g is the contiguous
 * channel block [g·K, (g+1)·K) of every row (Keras's GroupNormalization groups, instance norm
 * with K = 1, layer norm rows with P = 1).
 */
export interface NormKernels {
  /**
   * Per sample n < N and group g < G, over the P·K values x[((n·P + p)·G + g)·K + k], at
   * s = n·G + g: the mean as two floats, mean[s] + meanLo[s] (a first-pass mean and its
   * correction, so x − mean keeps float32 precision however large the mean), and with var the
   * population variance, rstd[s] = mode 0: 1/sqrt(var + eps); mode 1: 1/(sqrt(var) + eps)
   * (keras_contrib). `scratch` holds `momentsScratchFloats(P, G, K)` floats it may overwrite.
   */
  moments(x: number, N: number, P: number, G: number, K: number, eps: number, mode: number,
          mean: number, meanLo: number, rstd: number, scratch: number): void;

  /**
   * Spreads statistics over channels, per sample: for n < N, c < C = G·K, s = n·G + ⌊c / K⌋:
   *   center[n·C + c] = mean[s];  centerLo[n·C + c] = meanLo[s];  scale[n·C + c] = gamma[c]·rstd[s]
   */
  normFold(mean: number, meanLo: number, rstd: number, N: number, G: number, K: number, gamma: number,
           center: number, centerLo: number, scale: number): void;

  /**
   * Applies per-channel statistics to rows of C floats (one sample's, from `normFold`):
   *   out[r·C + c] = act(((x − center[c]) − centerLo[c])·scale[c] + shift[c]); fusable act; x may equal out.
   */
  normApply(x: number, out: number, rows: number, C: number, center: number, centerLo: number,
            scale: number, shift: number, act: Act, alpha: number): void;

  /**
   * LayerNormalization over the middle axis of x viewed as (rows, R, B), statistics per
   * (row i, b) at s = i·B + b (from `moments` with P = R, G = B, K = 1, or P = 1, G = 1, K = R
   * when B = 1), gamma and beta per r:
   *   out[(i·R + r)·B + b] = act(((x − mean[s]) − meanLo[s])·rstd[s]·gamma[r] + beta[r]); x may equal out.
   */
  layerNormApply(x: number, out: number, rows: number, R: number, B: number, mean: number, meanLo: number,
                 rstd: number, gamma: number, beta: number, act: Act, alpha: number): void;

  /** PixelNormalization: out = x / sqrt(mean(x², over each row of C) + eps); x may equal out. */
  pixelNorm(x: number, out: number, rows: number, C: number, eps: number): void;
}

/** Scratch floats `moments` needs: none for P = 1, else 6 per channel (channels rounded up to 4). */
export function momentsScratchFloats(P: number, G: number, K: number): number {
  return P === 1 ? 0 : 6 * Math.ceil((G * K) / 4) * 4;
}

/** `moments` modes: how the divisor is made from the variance. */
export const RstdMode = {
  /** 1/sqrt(var + eps): Keras BatchNormalization, LayerNormalization, GroupNormalization, tfa. */
  SqrtVarEps: 0,
  /** 1/(sqrt(var) + eps): keras_contrib InstanceNormalization. */
  StdPlusEps: 1,
} as const;
export type RstdMode = (typeof RstdMode)[keyof typeof RstdMode];

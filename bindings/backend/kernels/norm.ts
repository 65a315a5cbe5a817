import type { Act } from '../kernels.js';

/**
 * Normalisation statistics and their application (assembly/norm.ts; reference/norm.ts).
 *
 * Layout: a sample of P·G·K floats is P rows of C = G·K channels; group g is the contiguous
 * channel block [g·K, (g+1)·K) of every row (Keras's GroupNormalization groups, instance norm
 * with K = 1, layer norm rows with P = 1).
 */
export interface NormKernels {
  /**
   * Per sample n < N and group g < G, over the P·K values x[((n·P + p)·G + g)·K + k]:
   *   mean[n·G + g] = their mean, and with var = the population variance,
   *   rstd[n·G + g] = mode 0: 1/sqrt(var + eps); mode 1: 1/(sqrt(var) + eps) (keras_contrib).
   * `scratch` holds `momentsScratchFloats(P, G, K)` floats the kernel may overwrite.
   */
  moments(x: number, N: number, P: number, G: number, K: number, eps: number, mode: number,
          mean: number, rstd: number, scratch: number): void;

  /**
   * Folds statistics and per-channel gamma/beta (C = G·K floats each) into a scale-shift per
   * sample: for n < N, c < C, with s = n·G + ⌊c / K⌋:
   *   scale[n·C + c] = gamma[c]·rstd[s];  shift[n·C + c] = beta[c] − mean[s]·scale[n·C + c]
   * (then `scaleShift` over each sample's rows gives x·scale + shift, Keras's `x·inv + res`).
   */
  normFold(mean: number, rstd: number, N: number, G: number, K: number, gamma: number, beta: number,
           scale: number, shift: number): void;

  /**
   * LayerNormalization over the middle axis of x viewed as (rows, R, B), statistics per
   * (row i, b) at i·B + b (from `moments` with P = R, G = B, K = 1, or P = 1, G = 1, K = R when
   * B = 1), gamma and beta per r: with s = rstd·gamma[r],
   *   out[(i·R + r)·B + b] = act(x·s + (beta[r] − mean·s)); fusable act; x may equal out.
   */
  layerNormApply(x: number, out: number, rows: number, R: number, B: number, mean: number, rstd: number,
                 gamma: number, beta: number, act: Act, alpha: number): void;

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

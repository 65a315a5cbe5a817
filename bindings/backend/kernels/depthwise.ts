import type { Act } from '../kernels.js';

/** Depthwise convolution (assembly/depthwise.ts; reference/depthwise.ts). */
export interface DepthwiseKernels {
  /**
   * Indirect depthwise convolution with bias and a fused cheap activation (`isFusableAct`).
   * With J = C·mult output channels per pixel, for m < M and j < J:
   *   acc = bias[j] + Σ_{t<T} f32[inPtrs[m·T + t] + 4·⌊j / mult⌋] · W[t][j]
   *   f32[out + 4·(m·J + j)] = act(acc)
   * `inPtrs` holds M·T u32 byte pointers to input pixels of C floats (padding taps point at a
   * zero row of at least C floats). `packedW` is `depthwisePackedFloats(T, C, mult)` floats:
   * bias (J values) then one row per tap, every row `depthwiseRowFloats(C, mult)` floats apart
   * (J rounded up to 4, the gap zero). Keras's depthwise_kernel (kh, kw, C, mult) is already
   * W[t][c·mult + m]: output channel c·mult + m reads input channel c.
   */
  depthwise(M: number, T: number, C: number, mult: number, inPtrs: number, out: number,
            packedW: number, act: Act, alpha: number): void;
}

/** Floats between two packed rows (bias, tap 0, tap 1, …): C·mult rounded up to 4. */
export function depthwiseRowFloats(C: number, mult: number): number {
  return Math.ceil((C * mult) / 4) * 4;
}

/** Floats of a packed depthwise weight block: the bias row and T tap rows. */
export function depthwisePackedFloats(T: number, C: number, mult: number): number {
  return (T + 1) * depthwiseRowFloats(C, mult);
}

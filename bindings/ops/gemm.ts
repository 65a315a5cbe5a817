import { type Act, DOT_MAX_N, dotPackedFloats, type Kernels, PANEL, packedFloats, panelFloats } from '../backend/kernels.js';
import type { Step } from './op.js';

/**
 * Weight packing and the kernel call shared by every op that runs on the indirect GEMM family
 * (Dense, Conv2D, each Conv2DTranspose phase): igemm's 8-column panels, or idot's per-channel
 * rows for layers with few output channels.
 */

/** Reads a layer's Keras-layout kernel as W[tap][k = input channel][n = output channel]. */
export type WeightAt = (t: number, k: number, n: number) => number;

/** Floats of packed weights for a T·K → N (indirect) GEMM, in the layout its kernel wants. */
export function packedSize(T: number, K: number, N: number): number {
  return N <= DOT_MAX_N ? dotPackedFloats(T, K, N) : packedFloats(T, K, N);
}

/**
 * Packs weights and bias at byte pointer `ptr`: igemm panels (per 8 output columns: 8 bias lanes
 * then T·K·8 weights ordered tap, k, lane; columns past N zero), or for few outputs the idot
 * layout (per output channel: [bias, 0, 0, 0] then T·K weights).
 */
export function packWeights(f32: Float32Array, ptr: number, T: number, K: number, N: number,
                            weight: WeightAt, bias: Float32Array | null): void {
  const base = ptr >>> 2;
  f32.fill(0, base, base + packedSize(T, K, N));
  if (N <= DOT_MAX_N) {
    for (let n = 0; n < N; n++) {
      const at = base + n * (4 + T * K);
      if (bias) f32[at] = bias[n];
      for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) f32[at + 4 + t * K + k] = weight(t, k, n);
    }
    return;
  }
  const stride = panelFloats(T, K);
  for (let n = 0; n < N; n++) {
    const panel = base + Math.floor(n / PANEL) * stride;
    const lane = n % PANEL;
    if (bias) f32[panel + lane] = bias[n];
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < K; k++) f32[panel + PANEL + (t * K + k) * PANEL + lane] = weight(t, k, n);
    }
  }
}

/** The kernel call for weights packed by packWeights. */
export function gemmStep(k: Kernels, M: number, T: number, K: number, N: number, inPtrs: number, outPtrs: number,
                         w: number, act: Act, alpha: number): Step {
  if (N <= DOT_MAX_N) return () => k.idot(M, T, K, N, inPtrs, outPtrs, w, act, alpha);
  return () => k.igemm(M, T, K, N, inPtrs, outPtrs, w, act, alpha);
}

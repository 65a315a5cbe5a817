import { type Act, DOT_MAX_N, dotPackedFloats, type Kernels, PANEL, packedFloats, panelFloats } from '../backend/kernels.js';
import type { MemoryViews, Step } from './op.js';

/**
 * Weight packing and the kernel call shared by every op that runs on the indirect GEMM family
 * (Dense, Conv2D, each Conv2DTranspose phase): igemm's 8-column panels, or idot's per-channel
 * rows for layers with few output channels.
 */

/**
 * Where a layer's Keras-layout kernel keeps W[tap][k = input channel][n = output channel]:
 * `src[tapBase[t] + k·kStride + n·nStride]`. Strides rather than a callback, so that packing a
 * model's weights is fast on the first call too (V8 runs it before it has optimised anything).
 */
export interface WeightLayout {
  src: Float32Array;
  tapBase: ArrayLike<number>;
  kStride: number;
  nStride: number;
}

/** Floats of packed weights for a T·K → N (indirect) GEMM, in the layout its kernel wants. */
export function packedSize(T: number, K: number, N: number): number {
  return N <= DOT_MAX_N ? dotPackedFloats(T, K, N) : packedFloats(T, K, N);
}

/**
 * Packs weights and bias at byte pointer `ptr`: igemm panels (per 8 output columns: 8 bias lanes
 * then T·K·8 weights ordered tap, k, lane; columns past N zero), or for few outputs the idot
 * layout (per output channel: [bias, 0, 0, 0] then T·K weights).
 */
export function packWeights(mem: MemoryViews, ptr: number, T: number, K: number, N: number,
                            w: WeightLayout, bias: Float32Array | null): void {
  const { f32 } = mem;
  const base = ptr >>> 2;
  const { src, tapBase, kStride: ks, nStride: ns } = w;
  f32.fill(0, base, base + packedSize(T, K, N));
  const from = mem.staged?.at.get(src);
  if (from !== undefined) {
    packStaged(mem.staged!.kernels, ptr, T, K, N, from, w);
    if (bias) {
      if (N <= DOT_MAX_N) for (let n = 0; n < N; n++) f32[base + n * (4 + T * K)] = bias[n];
      else for (let n = 0; n < N; n++) f32[base + Math.floor(n / PANEL) * panelFloats(T, K) + (n % PANEL)] = bias[n];
    }
    return;
  }
  if (N <= DOT_MAX_N) {
    for (let n = 0; n < N; n++) {
      let at = base + n * (4 + T * K);
      if (bias) f32[at] = bias[n];
      at += 4;
      for (let t = 0; t < T; t++) {
        let from = tapBase[t] + n * ns;
        for (let k = 0; k < K; k++, from += ks) f32[at++] = src[from];
      }
    }
    return;
  }
  const stride = panelFloats(T, K);
  for (let n0 = 0; n0 < N; n0 += PANEL) {
    const panel = base + (n0 / PANEL) * stride;
    const lanes = Math.min(PANEL, N - n0);
    if (bias) for (let l = 0; l < lanes; l++) f32[panel + l] = bias[n0 + l];
    let at = panel + PANEL;
    for (let t = 0; t < T; t++) {
      const tb = tapBase[t] + n0 * ns;
      for (let k = 0; k < K; k++, at += PANEL) {
        const from = tb + k * ks;
        for (let l = 0; l < lanes; l++) f32[at + l] = src[from + l * ns];
      }
    }
  }
}

/**
 * packWeights' layout written by copyStrided from weights already in the memory at byte `from`
 * (the same values as the loops of packWeights, moved by WebAssembly): one call per panel and tap.
 */
function packStaged(k: Kernels, ptr: number, T: number, K: number, N: number, from: number, w: WeightLayout): void {
  const { tapBase, kStride: ks, nStride: ns } = w;
  if (N <= DOT_MAX_N) {
    for (let n = 0; n < N; n++) {
      const at = ptr + 4 * (n * (4 + T * K) + 4);
      // channel n, tap t: K weights at stride ks → K contiguous floats
      for (let t = 0; t < T; t++) {
        const src = from + 4 * (tapBase[t] + n * ns);
        if (ks === 1) k.copyStrided(src, at + 4 * t * K, 1, 1, K, 0, 0, 0, 0);
        else k.copyStrided(src, at + 4 * t * K, 1, K, 1, 0, ks, 0, 1);
      }
    }
    return;
  }
  const stride = panelFloats(T, K);
  for (let n0 = 0; n0 < N; n0 += PANEL) {
    const lanes = Math.min(PANEL, N - n0);
    const panel = ptr + 4 * ((n0 / PANEL) * stride + PANEL);
    for (let t = 0; t < T; t++) {
      const src = from + 4 * (tapBase[t] + n0 * ns);
      const dst = panel + 4 * t * K * PANEL;
      // K rows of `lanes` weights: contiguous lanes (nStride 1) as runs, else one float at a time
      if (ns === 1) k.copyStrided(src, dst, 1, K, lanes, 0, ks, 0, PANEL);
      else k.copyStrided(src, dst, K, lanes, 1, ks, ns, PANEL, 1);
    }
  }
}

/** W[k][n] at src[k·kStride + n·nStride], one tap. */
export function oneTap(src: Float32Array, kStride: number, nStride: number): WeightLayout {
  return { src, tapBase: [0], kStride, nStride };
}

/** The kernel call for weights packed by packWeights. */
export function gemmStep(k: Kernels, M: number, T: number, K: number, N: number, inPtrs: number, outPtrs: number,
                         w: number, act: Act, alpha: number): Step {
  if (N <= DOT_MAX_N) return () => k.idot(M, T, K, N, inPtrs, outPtrs, w, act, alpha);
  return () => k.igemm(M, T, K, N, inPtrs, outPtrs, w, act, alpha);
}

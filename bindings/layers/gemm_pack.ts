import { PANEL, packedFloats, panelFloats } from '../backend/kernels.js';

/**
 * Writes weights into the igemm panel layout (kernels.ts): per 8 output columns, 8 bias lanes
 * then T·K·8 weights ordered (tap, k, lane); columns past N are zero.
 * `weight(t, k, n)` reads the layer's Keras-layout kernel.
 */
export function packGemm(
  f32: Float32Array, ptr: number, T: number, K: number, N: number,
  weight: (t: number, k: number, n: number) => number, bias: Float32Array | null,
): void {
  const base = ptr >>> 2;
  f32.fill(0, base, base + packedFloats(T, K, N));
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

// UpSampling2D bicubic / area / lanczos3 / lanczos5 / gaussian / mitchellcubic: one separable
// resample driven by per-axis tap tables built at pack time (bindings/ops/resample_taps.ts).
// Each output row: the vertical taps combine whole input rows into a row buffer (skipped when
// the row's taps are one weight-1 tap, reused when they equal the previous row's), then the
// horizontal taps combine row-buffer pixels into the output row. SIMD runs along the row
// (vertical) and along channels (horizontal); tables hold no out-of-image taps.
import { madd } from "./simd";

/**
 * resample: NHWC (N,H,W,C) → (N,OH,OW,C). Table entries are (1 + K) words: i32 first input
 * index, then K f32 weights (yTab: OH entries of Ky weights, xTab: OW entries of Kx weights):
 *   row[i, c]      = Σ_k wy[k] · x[n, sy + k, i, c]
 *   out[n,oy,ox,c] = Σ_k wx[k] · row[sx + k, c]
 * `rowBuf` is scratch for W·C floats.
 */
export function resample(x: usize, out: usize, N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
                         yTab: usize, Ky: i32, xTab: usize, Kx: i32, rowBuf: usize): void {
  const pix = <usize>C << 2;
  const inRow = <usize>W * pix;
  const yStride = <usize>(Ky + 1) << 2;
  for (let n = 0; n < N; n++) {
    const img = x + <usize>n * <usize>H * inRow;
    let held: usize = 0; // the y entry whose row rowBuf holds for this image (0: none)
    for (let oy = 0; oy < OH; oy++) {
      const ty = yTab + <usize>oy * yStride;
      const src = img + <usize>load<i32>(ty) * inRow;
      let row = rowBuf;
      if (Ky == 1 && load<f32>(ty, 4) == 1) {
        row = src;
      } else if (held == 0 || !sameTaps(held, ty, Ky)) {
        combineRows(src, inRow, ty + 4, Ky, rowBuf);
        held = ty;
      }
      combinePixels(row, out, OW, pix, xTab, Kx);
      out += <usize>OW * pix;
    }
  }
}

// @ts-ignore: decorator
@inline function sameTaps(a: usize, b: usize, K: i32): bool {
  for (let k = 0; k <= K; k++) {
    if (load<u32>(a + (<usize>k << 2)) != load<u32>(b + (<usize>k << 2))) return false;
  }
  return true;
}

/** dst[i] = Σ_k w[k] · src[k·rowBytes + i] for the rowBytes / 4 floats of a row. */
function combineRows(src: usize, rowBytes: usize, w: usize, K: i32, dst: usize): void {
  weightedSum(src, rowBytes, w, K, dst, 0, rowBytes);
}

/** out[ox, c] = Σ_k wx[k] · row[sx + k, c] for the OW entries of xTab. */
function combinePixels(row: usize, out: usize, OW: i32, pix: usize, xTab: usize, K: i32): void {
  const stride = <usize>(K + 1) << 2;
  for (let ox = 0; ox < OW; ox++) {
    const t = xTab + <usize>ox * stride;
    const src = row + <usize>load<i32>(t) * pix;
    const w = t + 4;
    let c: usize = 0;
    if (ASC_FEATURE_SIMD && K == 4) {
      // the cubic kernels: weights splatted once per pixel, not once per channel block
      const w0 = v128.load32_splat(w), w1 = v128.load32_splat(w, 4);
      const w2 = v128.load32_splat(w, 8), w3 = v128.load32_splat(w, 12);
      for (; c + 16 <= pix; c += 16) {
        const p = src + c;
        let a = f32x4.mul(v128.load(p), w0);
        a = madd(v128.load(p + pix), w1, a);
        a = madd(v128.load(p + 2 * pix), w2, a);
        a = madd(v128.load(p + 3 * pix), w3, a);
        v128.store(out + c, a);
      }
    }
    weightedSum(src, pix, w, K, out, c, pix);
    out += pix;
  }
}

/**
 * dst[i] = Σ_k w[k] · src[k·step + i] for the bytes i in [from, bytes): 16 floats at a time, then
 * 4, then the tail (everything in the scalar build). The vertical pass runs it over a row (step =
 * a row), the horizontal pass over a pixel's channels (step = a pixel).
 */
// @ts-ignore: decorator
@inline function weightedSum(src: usize, step: usize, w: usize, K: i32, dst: usize, from: usize, bytes: usize): void {
  let i = from;
  if (ASC_FEATURE_SIMD) {
    for (; i + 64 <= bytes; i += 64) {
      const p = src + i;
      const w0 = v128.load32_splat(w);
      let a0 = f32x4.mul(v128.load(p), w0);
      let a1 = f32x4.mul(v128.load(p, 16), w0);
      let a2 = f32x4.mul(v128.load(p, 32), w0);
      let a3 = f32x4.mul(v128.load(p, 48), w0);
      for (let k = 1; k < K; k++) {
        const q = p + <usize>k * step;
        const wk = v128.load32_splat(w + (<usize>k << 2));
        a0 = madd(v128.load(q), wk, a0);
        a1 = madd(v128.load(q, 16), wk, a1);
        a2 = madd(v128.load(q, 32), wk, a2);
        a3 = madd(v128.load(q, 48), wk, a3);
      }
      v128.store(dst + i, a0);
      v128.store(dst + i, a1, 16);
      v128.store(dst + i, a2, 32);
      v128.store(dst + i, a3, 48);
    }
    for (; i + 16 <= bytes; i += 16) {
      const p = src + i;
      let a = f32x4.mul(v128.load(p), v128.load32_splat(w));
      for (let k = 1; k < K; k++) a = madd(v128.load(p + <usize>k * step), v128.load32_splat(w + (<usize>k << 2)), a);
      v128.store(dst + i, a);
    }
  }
  for (; i < bytes; i += 4) {
    const p = src + i;
    let a = load<f32>(p) * load<f32>(w);
    for (let k = 1; k < K; k++) a += load<f32>(p + <usize>k * step) * load<f32>(w + (<usize>k << 2));
    store<f32>(dst + i, a);
  }
}

/**
 * resampleGrad: the adjoint of resample with the same tables (training). Zeroes dx, then per
 * image and output row: the horizontal taps scatter dy's row into rowBuf (W·C floats), and the
 * vertical taps add rowBuf into the Ky input rows of dx.
 */
export function resampleGrad(dy: usize, dx: usize, N: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32,
                             yTab: usize, Ky: i32, xTab: usize, Kx: i32, rowBuf: usize): void {
  const pix = <usize>C << 2;
  const inRow = <usize>W * pix;
  const yStride = <usize>(Ky + 1) << 2;
  const xStride = <usize>(Kx + 1) << 2;
  memory.fill(dx, 0, <usize>N * <usize>H * inRow);
  for (let n = 0; n < N; n++) {
    const img = dx + <usize>n * <usize>H * inRow;
    for (let oy = 0; oy < OH; oy++) {
      memory.fill(rowBuf, 0, inRow);
      for (let ox = 0; ox < OW; ox++) {
        const t = xTab + <usize>ox * xStride;
        const dst = rowBuf + <usize>load<i32>(t) * pix;
        for (let k = 0; k < Kx; k++) axpy(dy, dst + <usize>k * pix, pix, load<f32>(t + 4 + (<usize>k << 2)));
        dy += pix;
      }
      const ty = yTab + <usize>oy * yStride;
      const first = img + <usize>load<i32>(ty) * inRow;
      for (let k = 0; k < Ky; k++) axpy(rowBuf, first + <usize>k * inRow, inRow, load<f32>(ty + 4 + (<usize>k << 2)));
    }
  }
}

/** dst[i] += w · src[i] over `bytes` / 4 floats. */
function axpy(src: usize, dst: usize, bytes: usize, w: f32): void {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const wv = f32x4.splat(w);
    for (; i + 16 <= bytes; i += 16) v128.store(dst + i, madd(v128.load(src + i), wv, v128.load(dst + i)));
  }
  for (; i < bytes; i += 4) store<f32>(dst + i, load<f32>(dst + i) + load<f32>(src + i) * w);
}

// Depthwise convolution through an indirection table: every output pixel has T pointers to the
// input pixels its taps read (padding taps point at a zero row), so strides, dilation and
// 'same' padding live in the table and the kernel only multiplies along channels.
import { actScalar } from "./activations";
import { actV, madd } from "./simd";

/**
 * depthwise: out[m·J + j] = act(bias[j] + Σ_t in[m·T+t][⌊j/mult⌋] · W[t][j]), J = C·mult.
 * Weights: bias row then T tap rows, rows (J rounded up to 4) floats apart.
 * SIMD builds: 4 pixels x 8 output channels per tile for mult 1 and 2 (the input lanes are
 * loaded, or loaded and duplicated, straight from the pixel row); other multipliers go one
 * input channel at a time with its mult outputs in lanes. Summation order per output: bias,
 * then the taps in table order.
 */
export function depthwise(M: i32, T: i32, C: i32, mult: i32, inPtrs: usize, out: usize,
                          packedW: usize, act: i32, alpha: f32): void {
  const J = C * mult;
  const rowBytes = <usize>J << 2; // one output pixel
  const wStride = <usize>((J + 3) & ~3) << 2; // one packed weight row
  const tBytes = <usize>T << 2; // one row of the pointer table
  if (ASC_FEATURE_SIMD && mult == 1) {
    tiles(M, tBytes, inPtrs, out, rowBytes, packedW, wStride, 1, act, alpha);
  } else if (ASC_FEATURE_SIMD && mult == 2) {
    tiles(M, tBytes, inPtrs, out, rowBytes, packedW, wStride, 2, act, alpha);
  } else {
    for (let m = 0; m < M; m++) {
      perChannel(tBytes, inPtrs + <usize>m * tBytes, out + <usize>m * rowBytes, C, mult, packedW, wStride, act, alpha);
    }
  }
}

/** Tiles of 4 pixels; `mult` is a literal 1 or 2 at each call, so the inlined loads specialise. */
// @ts-ignore: decorator
@inline function tiles(M: i32, tBytes: usize, inPtrs: usize, out: usize, rowBytes: usize, w: usize,
                       wStride: usize, mult: i32, act: i32, alpha: f32): void {
  const al = f32x4.splat(alpha);
  for (let m = 0; m < M; m += 4) {
    // pixel tail: M % 4 != 0, missing pixels reuse the last valid pixel's pointers and are not stored
    const rows = min(M - m, 4);
    const a0 = inPtrs + <usize>m * tBytes;
    const a1 = rows > 1 ? a0 + tBytes : a0;
    const a2 = rows > 2 ? a1 + tBytes : a1;
    const a3 = rows > 3 ? a2 + tBytes : a2;
    const o = out + <usize>m * rowBytes;
    let j: usize = 0;
    for (; j + 32 <= rowBytes; j += 32) tile4x8(tBytes, a0, a1, a2, a3, j, o, rowBytes, rows, w, wStride, mult, act, al);
    if (j + 16 <= rowBytes) {
      tile4x4(tBytes, a0, a1, a2, a3, j, o, rowBytes, rows, w, wStride, mult, act, al);
      j += 16;
    }
    // channel tail: J % 4 != 0, one output channel at a time
    for (; j < rowBytes; j += 4) {
      tailChannel(tBytes, a0, j, o, w, wStride, mult, act, alpha);
      if (rows > 1) tailChannel(tBytes, a1, j, o + rowBytes, w, wStride, mult, act, alpha);
      if (rows > 2) tailChannel(tBytes, a2, j, o + 2 * rowBytes, w, wStride, mult, act, alpha);
      if (rows > 3) tailChannel(tBytes, a3, j, o + 3 * rowBytes, w, wStride, mult, act, alpha);
    }
  }
}

/** The 8 input lanes for output channels j/4 .. j/4+7 (byte offset j): 8 channels, or 4 doubled. */
// @ts-ignore: decorator
@inline function lo8(p: usize, j: usize, mult: i32): v128 {
  if (mult == 1) return v128.load(p + j);
  return i32x4.shuffle(v128.load(p + (j >> 1)), v128.load(p + (j >> 1)), 0, 0, 1, 1);
}

// @ts-ignore: decorator
@inline function hi8(p: usize, j: usize, mult: i32): v128 {
  if (mult == 1) return v128.load(p + j, 16);
  return i32x4.shuffle(v128.load(p + (j >> 1)), v128.load(p + (j >> 1)), 2, 2, 3, 3);
}

/** The 4 input lanes for output channels j/4 .. j/4+3. */
// @ts-ignore: decorator
@inline function lanes4(p: usize, j: usize, mult: i32): v128 {
  if (mult == 1) return v128.load(p + j);
  const v = v128.load64_zero(p + (j >> 1));
  return i32x4.shuffle(v, v, 0, 0, 1, 1);
}

/** 4 pixels x 8 output channels in 8 f32x4 accumulators; `rows` (1..4) pixels are stored. */
// @ts-ignore: decorator
@inline function tile4x8(tBytes: usize, a0: usize, a1: usize, a2: usize, a3: usize, j: usize, o: usize,
                         rowBytes: usize, rows: i32, w: usize, wStride: usize, mult: i32, act: i32, al: v128): void {
  let c00 = v128.load(w + j), c01 = v128.load(w + j, 16); // bias lanes
  let c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
  let wt = w + wStride + j;
  for (let t: usize = 0; t < tBytes; t += 4) {
    const p0: usize = load<u32>(a0 + t), p1: usize = load<u32>(a1 + t);
    const p2: usize = load<u32>(a2 + t), p3: usize = load<u32>(a3 + t);
    const w0 = v128.load(wt), w1 = v128.load(wt, 16);
    c00 = madd(lo8(p0, j, mult), w0, c00); c01 = madd(hi8(p0, j, mult), w1, c01);
    c10 = madd(lo8(p1, j, mult), w0, c10); c11 = madd(hi8(p1, j, mult), w1, c11);
    c20 = madd(lo8(p2, j, mult), w0, c20); c21 = madd(hi8(p2, j, mult), w1, c21);
    c30 = madd(lo8(p3, j, mult), w0, c30); c31 = madd(hi8(p3, j, mult), w1, c31);
    wt += wStride;
  }
  const p = o + j;
  v128.store(p, actV(c00, act, al)); v128.store(p, actV(c01, act, al), 16);
  if (rows > 1) { v128.store(p + rowBytes, actV(c10, act, al)); v128.store(p + rowBytes, actV(c11, act, al), 16); }
  if (rows > 2) { v128.store(p + 2 * rowBytes, actV(c20, act, al)); v128.store(p + 2 * rowBytes, actV(c21, act, al), 16); }
  if (rows > 3) { v128.store(p + 3 * rowBytes, actV(c30, act, al)); v128.store(p + 3 * rowBytes, actV(c31, act, al), 16); }
}

/** 4 pixels x 4 output channels (the J % 8 >= 4 part). */
// @ts-ignore: decorator
@inline function tile4x4(tBytes: usize, a0: usize, a1: usize, a2: usize, a3: usize, j: usize, o: usize,
                         rowBytes: usize, rows: i32, w: usize, wStride: usize, mult: i32, act: i32, al: v128): void {
  let c0 = v128.load(w + j);
  let c1 = c0, c2 = c0, c3 = c0;
  let wt = w + wStride + j;
  for (let t: usize = 0; t < tBytes; t += 4) {
    const w0 = v128.load(wt);
    c0 = madd(lanes4(<usize>load<u32>(a0 + t), j, mult), w0, c0);
    c1 = madd(lanes4(<usize>load<u32>(a1 + t), j, mult), w0, c1);
    c2 = madd(lanes4(<usize>load<u32>(a2 + t), j, mult), w0, c2);
    c3 = madd(lanes4(<usize>load<u32>(a3 + t), j, mult), w0, c3);
    wt += wStride;
  }
  const p = o + j;
  v128.store(p, actV(c0, act, al));
  if (rows > 1) v128.store(p + rowBytes, actV(c1, act, al));
  if (rows > 2) v128.store(p + 2 * rowBytes, actV(c2, act, al));
  if (rows > 3) v128.store(p + 3 * rowBytes, actV(c3, act, al));
}

/** One output channel (byte offset j in the pixel) of one pixel, scalar. */
// @ts-ignore: decorator
@inline function tailChannel(tBytes: usize, a: usize, j: usize, o: usize, w: usize, wStride: usize,
                             mult: i32, act: i32, alpha: f32): void {
  const x = (<usize>(<i32>(j >> 2) / mult)) << 2; // byte offset of the input channel
  let acc = load<f32>(w + j);
  let wt = w + wStride + j;
  for (let t: usize = 0; t < tBytes; t += 4) {
    acc += load<f32>(<usize>load<u32>(a + t) + x) * load<f32>(wt);
    wt += wStride;
  }
  store<f32>(o + j, actScalar(acc, act, alpha));
}

/**
 * One pixel, one input channel at a time: its mult outputs c·mult .. c·mult+mult-1 (4 lanes at a
 * time in SIMD builds, input splat), the rest scalar. Every build and multiplier not tiled.
 */
function perChannel(tBytes: usize, a: usize, o: usize, C: i32, mult: i32, w: usize, wStride: usize,
                    act: i32, alpha: f32): void {
  const mBytes = <usize>mult << 2;
  for (let c = 0; c < C; c++) {
    const x = <usize>c << 2;
    const j0 = <usize>c * mBytes;
    let k: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const al = f32x4.splat(alpha);
      for (; k + 16 <= mBytes; k += 16) {
        let acc = v128.load(w + j0 + k);
        let wt = w + wStride + j0 + k;
        for (let t: usize = 0; t < tBytes; t += 4) {
          acc = madd(v128.load32_splat(<usize>load<u32>(a + t) + x), v128.load(wt), acc);
          wt += wStride;
        }
        v128.store(o + j0 + k, actV(acc, act, al));
      }
    }
    // multiplier tail: mult % 4 != 0 (all of it in the scalar build)
    for (; k < mBytes; k += 4) {
      let acc = load<f32>(w + j0 + k);
      let wt = w + wStride + j0 + k;
      for (let t: usize = 0; t < tBytes; t += 4) {
        acc += load<f32>(<usize>load<u32>(a + t) + x) * load<f32>(wt);
        wt += wStride;
      }
      store<f32>(o + j0 + k, actScalar(acc, act, alpha));
    }
  }
}

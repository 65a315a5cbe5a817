// Indirect dot-product kernel for layers with few output channels (N < 4): the 4x8 GEMM tile
// would waste most of its lanes, so this one runs SIMD along the input channels instead
// (e.g. the 7x7 single-filter Conv2D that ends a generator, or a Conv2DTranspose to RGB).
import { actScalar } from "./activations";
import { madd } from "./simd";

/** idot: out[m][n] = act(bias[n] + Σ_t Σ_k in[m·T+t][k] · W[n][t][k]); 4 rows at a time. */
export function idot(M: i32, T: i32, K: i32, N: i32, inPtrs: usize, outPtrs: usize,
                     packedW: usize, act: i32, alpha: f32): void {
  const rowBytes = <usize>T << 2;
  const chanBytes = (<usize>(4 + T * K)) << 2; // per output channel: [bias, 0, 0, 0] + T·K weights
  const mr = ASC_FEATURE_SIMD ? (N > 1 ? TILE_ROWS : 4) : 1;
  for (let m = 0; m < M; m += mr) {
    const rows = min(M - m, mr);
    const a = inPtrs + <usize>m * rowBytes;
    const o = outPtrs + (<usize>m << 2);
    if (ASC_FEATURE_SIMD) {
      // all channels of a row tile in one pass: every input vector is loaded once for N madds
      // (one channel at a time re-read the rows' inputs N times for one weight vector each)
      if (N == 3) dotTile(T, K, a, rowBytes, rows, o, packedW, chanBytes, TILE_ROWS, 3, act, alpha, 0);
      else if (N == 2) dotTile(T, K, a, rowBytes, rows, o, packedW, chanBytes, TILE_ROWS, 2, act, alpha, 0);
      else for (let n = 0; n < N; n++) dotTile(T, K, a, rowBytes, rows, o, packedW + <usize>n * chanBytes, chanBytes, 4, 1, act, alpha, n);
    } else {
      for (let n = 0; n < N; n++) dot1(T, K, a, o, packedW + <usize>n * chanBytes, n, act, alpha);
    }
  }
}

/**
 * Rows per tile for N = 2, 3: 3 rows x 3 channels hold 9 accumulators, which relaxed_madd (one
 * fused instruction) keeps in registers; mul + add needs a temporary per product and spills
 * there, so the plain SIMD build takes 2 rows (measured on the 4x4 s2 Conv2DTranspose to RGB of a
 * U-Net and a 9x9 Conv2D to RGB: 1.4-1.9x the one-channel-at-a-time loop, 3 rows in SIMD: none).
 */
const TILE_ROWS: i32 = ASC_FEATURE_RELAXED_SIMD ? 3 : 2;

/**
 * R (1..4) output rows x nc (1..3) channels from channel `n0` (R, nc constants at each call):
 * f32x4 accumulators along k, horizontal sums at the end. Each (row, channel) sums in the same
 * order whatever the tile: lanes over t then k, the K % 4 tail apart, then hsum + tail + bias.
 */
// @ts-ignore: decorator
@inline function dotTile(T: i32, K: i32, a: usize, rowBytes: usize, rows: i32, o: usize, w: usize,
                         chanBytes: usize, R: i32, nc: i32, act: i32, alpha: f32, n0: i32): void {
  // row tail: fewer than R rows left, missing rows reuse the last valid row's pointers and are not stored
  const a1 = rows > 1 ? a + rowBytes : a;
  const a2 = rows > 2 ? a1 + rowBytes : a1;
  const a3 = rows > 3 ? a2 + rowBytes : a2;
  // missing channels (nc < 3) read channel 0's weights; their sums are dropped
  const wB = nc > 1 ? w + chanBytes : w;
  const wC = nc > 2 ? wB + chanBytes : w;
  const zero = f32x4.splat(0);
  let v0 = zero, v1 = zero, v2 = zero, v3 = zero; // channel A, rows 0..3
  let u0 = zero, u1 = zero, u2 = zero, u3 = zero; // channel B
  let q0 = zero, q1 = zero, q2 = zero, q3 = zero; // channel C
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  let r0: f32 = 0, r1: f32 = 0, r2: f32 = 0, r3: f32 = 0;
  let p0: f32 = 0, p1: f32 = 0, p2: f32 = 0, p3: f32 = 0;
  const kBytes = <usize>K << 2;
  const kVec = kBytes & ~(<usize>15);
  let wa = w + 16, wb = wB + 16, wc = wC + 16;
  for (let t: usize = 0; t < rowBytes; t += 4) {
    const x0: usize = load<u32>(a + t);
    const x1: usize = R > 1 ? <usize>load<u32>(a1 + t) : 0;
    const x2: usize = R > 2 ? <usize>load<u32>(a2 + t) : 0;
    const x3: usize = R > 3 ? <usize>load<u32>(a3 + t) : 0;
    let k: usize = 0;
    for (; k < kVec; k += 16) {
      const wv = v128.load(wa + k);
      const i0 = v128.load(x0 + k);
      v0 = madd(i0, wv, v0);
      let i1 = zero, i2 = zero, i3 = zero;
      if (R > 1) { i1 = v128.load(x1 + k); v1 = madd(i1, wv, v1); }
      if (R > 2) { i2 = v128.load(x2 + k); v2 = madd(i2, wv, v2); }
      if (R > 3) { i3 = v128.load(x3 + k); v3 = madd(i3, wv, v3); }
      if (nc > 1) {
        const wu = v128.load(wb + k);
        u0 = madd(i0, wu, u0);
        if (R > 1) u1 = madd(i1, wu, u1);
        if (R > 2) u2 = madd(i2, wu, u2);
        if (R > 3) u3 = madd(i3, wu, u3);
      }
      if (nc > 2) {
        const wq = v128.load(wc + k);
        q0 = madd(i0, wq, q0);
        if (R > 1) q1 = madd(i1, wq, q1);
        if (R > 2) q2 = madd(i2, wq, q2);
        if (R > 3) q3 = madd(i3, wq, q3);
      }
    }
    // channel tail: K % 4 != 0
    for (; k < kBytes; k += 4) {
      const wk = load<f32>(wa + k);
      const e0 = load<f32>(x0 + k);
      s0 += e0 * wk;
      let e1: f32 = 0, e2: f32 = 0, e3: f32 = 0;
      if (R > 1) { e1 = load<f32>(x1 + k); s1 += e1 * wk; }
      if (R > 2) { e2 = load<f32>(x2 + k); s2 += e2 * wk; }
      if (R > 3) { e3 = load<f32>(x3 + k); s3 += e3 * wk; }
      if (nc > 1) {
        const wl = load<f32>(wb + k);
        r0 += e0 * wl;
        if (R > 1) r1 += e1 * wl;
        if (R > 2) r2 += e2 * wl;
        if (R > 3) r3 += e3 * wl;
      }
      if (nc > 2) {
        const wm = load<f32>(wc + k);
        p0 += e0 * wm;
        if (R > 1) p1 += e1 * wm;
        if (R > 2) p2 += e2 * wm;
        if (R > 3) p3 += e3 * wm;
      }
    }
    wa += kBytes; wb += kBytes; wc += kBytes;
  }
  storeSums(o, rows, R, <usize>n0 << 2, v0, v1, v2, v3, s0, s1, s2, s3, load<f32>(w), act, alpha);
  if (nc > 1) storeSums(o, rows, R, <usize>(n0 + 1) << 2, u0, u1, u2, u3, r0, r1, r2, r3, load<f32>(wB), act, alpha);
  if (nc > 2) storeSums(o, rows, R, <usize>(n0 + 2) << 2, q0, q1, q2, q3, p0, p1, p2, p3, load<f32>(wC), act, alpha);
}

/** One channel's results for the valid rows of an R-row tile: hsum + tail + bias, activated. */
// @ts-ignore: decorator
@inline function storeSums(o: usize, rows: i32, R: i32, off: usize,
                           v0: v128, v1: v128, v2: v128, v3: v128, s0: f32, s1: f32, s2: f32, s3: f32,
                           bias: f32, act: i32, alpha: f32): void {
  store<f32>(<usize>load<u32>(o) + off, actScalar(hsum(v0) + s0 + bias, act, alpha));
  if (R > 1 && rows > 1) store<f32>(<usize>load<u32>(o, 4) + off, actScalar(hsum(v1) + s1 + bias, act, alpha));
  if (R > 2 && rows > 2) store<f32>(<usize>load<u32>(o, 8) + off, actScalar(hsum(v2) + s2 + bias, act, alpha));
  if (R > 3 && rows > 3) store<f32>(<usize>load<u32>(o, 12) + off, actScalar(hsum(v3) + s3 + bias, act, alpha));
}

/** Sum of the four lanes, pairwise ((0+1)+(2+3)) as the scalar build does. */
// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Scalar build: one row, one channel, four partial sums like the SIMD lanes. */
// @ts-ignore: decorator
@inline function dot1(T: i32, K: i32, a: usize, o: usize, w: usize, n: i32, act: i32, alpha: f32): void {
  const bias = load<f32>(w);
  w += 16;
  let p0: f32 = 0, p1: f32 = 0, p2: f32 = 0, p3: f32 = 0, s: f32 = 0;
  const kBytes = <usize>K << 2;
  const kVec = kBytes & ~(<usize>15);
  const tBytes = <usize>T << 2;
  for (let t: usize = 0; t < tBytes; t += 4) {
    const x: usize = load<u32>(a + t);
    let k: usize = 0;
    for (; k < kVec; k += 16) {
      p0 += load<f32>(x + k) * load<f32>(w + k);
      p1 += load<f32>(x + k, 4) * load<f32>(w + k, 4);
      p2 += load<f32>(x + k, 8) * load<f32>(w + k, 8);
      p3 += load<f32>(x + k, 12) * load<f32>(w + k, 12);
    }
    for (; k < kBytes; k += 4) s += load<f32>(x + k) * load<f32>(w + k);
    w += kBytes;
  }
  store<f32>(<usize>load<u32>(o) + (<usize>n << 2), actScalar((p0 + p1) + (p2 + p3) + s + bias, act, alpha));
}

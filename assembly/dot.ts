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
  const mr = ASC_FEATURE_SIMD ? 4 : 1;
  for (let m = 0; m < M; m += mr) {
    const rows = min(M - m, mr);
    const a = inPtrs + <usize>m * rowBytes;
    const o = outPtrs + (<usize>m << 2);
    for (let n = 0; n < N; n++) {
      const w = packedW + <usize>n * chanBytes;
      if (ASC_FEATURE_SIMD) dot4(T, K, a, rowBytes, rows, o, w, n, act, alpha);
      else dot1(T, K, a, o, w, n, act, alpha);
    }
  }
}

/** Four output rows, one channel: f32x4 accumulators along k, horizontal sums at the end. */
// @ts-ignore: decorator
@inline function dot4(T: i32, K: i32, a: usize, rowBytes: usize, rows: i32, o: usize, w: usize,
                      n: i32, act: i32, alpha: f32): void {
  // row tail: M % 4 != 0, missing rows reuse the last valid row's pointers and are not stored
  const a1 = rows > 1 ? a + rowBytes : a;
  const a2 = rows > 2 ? a1 + rowBytes : a1;
  const a3 = rows > 3 ? a2 + rowBytes : a2;
  const bias = load<f32>(w);
  w += 16;
  let v0 = f32x4.splat(0), v1 = v0, v2 = v0, v3 = v0;
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  const kBytes = <usize>K << 2;
  const kVec = kBytes & ~(<usize>15);
  for (let t: usize = 0; t < rowBytes; t += 4) {
    const x0: usize = load<u32>(a + t), x1: usize = load<u32>(a1 + t);
    const x2: usize = load<u32>(a2 + t), x3: usize = load<u32>(a3 + t);
    let k: usize = 0;
    for (; k < kVec; k += 16) {
      const wv = v128.load(w + k);
      v0 = madd(v128.load(x0 + k), wv, v0);
      v1 = madd(v128.load(x1 + k), wv, v1);
      v2 = madd(v128.load(x2 + k), wv, v2);
      v3 = madd(v128.load(x3 + k), wv, v3);
    }
    // channel tail: K % 4 != 0
    for (; k < kBytes; k += 4) {
      const wk = load<f32>(w + k);
      s0 += load<f32>(x0 + k) * wk;
      s1 += load<f32>(x1 + k) * wk;
      s2 += load<f32>(x2 + k) * wk;
      s3 += load<f32>(x3 + k) * wk;
    }
    w += kBytes;
  }
  const off = <usize>n << 2;
  store<f32>(<usize>load<u32>(o) + off, actScalar(hsum(v0) + s0 + bias, act, alpha));
  if (rows > 1) store<f32>(<usize>load<u32>(o, 4) + off, actScalar(hsum(v1) + s1 + bias, act, alpha));
  if (rows > 2) store<f32>(<usize>load<u32>(o, 8) + off, actScalar(hsum(v2) + s2 + bias, act, alpha));
  if (rows > 3) store<f32>(<usize>load<u32>(o, 12) + off, actScalar(hsum(v3) + s3 + bias, act, alpha));
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

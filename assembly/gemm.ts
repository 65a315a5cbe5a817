// Indirect GEMM: every output row m gathers T input rows of K floats through a pointer table,
// so Dense, Conv2D and each Conv2DTranspose phase all land in this one microkernel.
import { actScalar } from "./activations";
import { actV, madd, storeLanes } from "./simd";

/** Columns per packed weight panel; PANEL in bindings/backend/kernels.ts. */
const NR = 8;
/** Weight bytes per block of panels: small enough to stay in L2 while all row tiles stream past. */
const BLOCK_BYTES: usize = 128 << 10;

/** igemm: out[m][n] = act(bias[n] + Σ_t Σ_k in[m·T+t][k] · W[t][k][n]); 4x8 tiles (1x8 scalar). */
export function igemm(M: i32, T: i32, K: i32, N: i32, inPtrs: usize, outPtrs: usize,
                      packedW: usize, act: i32, alpha: f32): void {
  const panelBytes = (<usize>(NR + T * K * NR)) << 2;
  const panels = (N + NR - 1) / NR;
  const block = <i32>max<usize>(1, BLOCK_BYTES / panelBytes);
  const mr = ASC_FEATURE_SIMD ? 4 : 1;
  const rowBytes = <usize>T << 2; // one row of the pointer table
  for (let p0 = 0; p0 < panels; p0 += block) {
    const p1 = min(panels, p0 + block);
    for (let m = 0; m < M; m += mr) {
      const a = inPtrs + <usize>m * rowBytes;
      const o = outPtrs + (<usize>m << 2);
      for (let p = p0; p < p1; p++) {
        const n0 = p * NR;
        const w = packedW + <usize>p * panelBytes;
        const nv = min(N - n0, NR);
        const rows = min(M - m, mr);
        // a lone row (Dense at batch 1) would waste three quarters of the 4x8 tile
        if (ASC_FEATURE_SIMD && rows > 1) tile4x8(T, K, a, rowBytes, rows, o, w, n0, nv, act, alpha);
        else if (ASC_FEATURE_SIMD) tile1x8v(T, K, a, o, w, n0, nv, act, alpha);
        else tile1x8(T, K, a, o, w, n0, nv, act, alpha);
      }
    }
  }
}

/** 4 rows x 8 columns in 8 f32x4 accumulators; `rows` (1..4) and `nv` (1..8) are the valid part. */
// @ts-ignore: decorator
@inline function tile4x8(T: i32, K: i32, a: usize, rowBytes: usize, rows: i32, o: usize,
                         w: usize, n0: i32, nv: i32, act: i32, alpha: f32): void {
  // row tail: M % 4 != 0, missing rows reuse the last valid row's pointers and are not stored
  const a1 = rows > 1 ? a + rowBytes : a;
  const a2 = rows > 2 ? a1 + rowBytes : a1;
  const a3 = rows > 3 ? a2 + rowBytes : a2;
  let c00 = v128.load(w), c01 = v128.load(w, 16); // bias lanes
  let c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
  w += NR << 2;
  const kBytes = <usize>K << 2;
  for (let t: usize = 0; t < rowBytes; t += 4) {
    const x0: usize = load<u32>(a + t), x1: usize = load<u32>(a1 + t);
    const x2: usize = load<u32>(a2 + t), x3: usize = load<u32>(a3 + t);
    for (let k: usize = 0; k < kBytes; k += 4) {
      const w0 = v128.load(w), w1 = v128.load(w, 16);
      let v = v128.load32_splat(x0 + k);
      c00 = madd(v, w0, c00); c01 = madd(v, w1, c01);
      v = v128.load32_splat(x1 + k);
      c10 = madd(v, w0, c10); c11 = madd(v, w1, c11);
      v = v128.load32_splat(x2 + k);
      c20 = madd(v, w0, c20); c21 = madd(v, w1, c21);
      v = v128.load32_splat(x3 + k);
      c30 = madd(v, w0, c30); c31 = madd(v, w1, c31);
      w += NR << 2;
    }
  }
  const al = f32x4.splat(alpha);
  const off = <usize>n0 << 2;
  storeRow(<usize>load<u32>(o) + off, actV(c00, act, al), actV(c01, act, al), nv);
  if (rows > 1) storeRow(<usize>load<u32>(o, 4) + off, actV(c10, act, al), actV(c11, act, al), nv);
  if (rows > 2) storeRow(<usize>load<u32>(o, 8) + off, actV(c20, act, al), actV(c21, act, al), nv);
  if (rows > 3) storeRow(<usize>load<u32>(o, 12) + off, actV(c30, act, al), actV(c31, act, al), nv);
}

/** One row x 8 columns in 2 f32x4 accumulators (SIMD builds, M % 4 == 1 and M == 1). */
// @ts-ignore: decorator
@inline function tile1x8v(T: i32, K: i32, a: usize, o: usize, w: usize, n0: i32, nv: i32,
                          act: i32, alpha: f32): void {
  let c0 = v128.load(w), c1 = v128.load(w, 16); // bias lanes
  w += NR << 2;
  const kBytes = <usize>K << 2;
  const tBytes = <usize>T << 2;
  for (let t: usize = 0; t < tBytes; t += 4) {
    const x: usize = load<u32>(a + t);
    for (let k: usize = 0; k < kBytes; k += 4) {
      const v = v128.load32_splat(x + k);
      c0 = madd(v, v128.load(w), c0);
      c1 = madd(v, v128.load(w, 16), c1);
      w += NR << 2;
    }
  }
  const al = f32x4.splat(alpha);
  storeRow(<usize>load<u32>(o) + (<usize>n0 << 2), actV(c0, act, al), actV(c1, act, al), nv);
}

/** Stores nv (1..8) columns of one tile row. */
// @ts-ignore: decorator
@inline function storeRow(p: usize, lo: v128, hi: v128, nv: i32): void {
  if (nv == NR) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
  } else { // column tail: N % 8 != 0, only the valid lanes
    storeLanes(p, lo, nv);
    storeLanes(p + 16, hi, nv - 4);
  }
}

/** Scalar build: 1 row x 8 columns, the same summation order as each f32x4 lane. */
// @ts-ignore: decorator
@inline function tile1x8(T: i32, K: i32, a: usize, o: usize, w: usize, n0: i32, nv: i32,
                         act: i32, alpha: f32): void {
  let s0 = load<f32>(w), s1 = load<f32>(w, 4), s2 = load<f32>(w, 8), s3 = load<f32>(w, 12);
  let s4 = load<f32>(w, 16), s5 = load<f32>(w, 20), s6 = load<f32>(w, 24), s7 = load<f32>(w, 28);
  w += NR << 2;
  const kBytes = <usize>K << 2;
  const tBytes = <usize>T << 2;
  for (let t: usize = 0; t < tBytes; t += 4) {
    const x: usize = load<u32>(a + t);
    for (let k: usize = 0; k < kBytes; k += 4) {
      const v = load<f32>(x + k);
      s0 += v * load<f32>(w); s1 += v * load<f32>(w, 4);
      s2 += v * load<f32>(w, 8); s3 += v * load<f32>(w, 12);
      s4 += v * load<f32>(w, 16); s5 += v * load<f32>(w, 20);
      s6 += v * load<f32>(w, 24); s7 += v * load<f32>(w, 28);
      w += NR << 2;
    }
  }
  const p = <usize>load<u32>(o) + (<usize>n0 << 2);
  store<f32>(p, actScalar(s0, act, alpha));
  // column tail: N % 8 != 0, only the valid columns
  if (nv > 1) store<f32>(p, actScalar(s1, act, alpha), 4);
  if (nv > 2) store<f32>(p, actScalar(s2, act, alpha), 8);
  if (nv > 3) store<f32>(p, actScalar(s3, act, alpha), 12);
  if (nv > 4) store<f32>(p, actScalar(s4, act, alpha), 16);
  if (nv > 5) store<f32>(p, actScalar(s5, act, alpha), 20);
  if (nv > 6) store<f32>(p, actScalar(s6, act, alpha), 24);
  if (nv > 7) store<f32>(p, actScalar(s7, act, alpha), 28);
}

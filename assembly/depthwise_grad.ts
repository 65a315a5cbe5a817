// Backward of the depthwise convolution (assembly/depthwise.ts) over pointer tables: the weight
// gradient over the forward's table (per tap and output channel, Σ over pixels of x·dy), and the
// input gradient as the transposed scatter of dy·W into the input pixels each tap read. (With
// strides 1 and multiplier 1 the input gradient is also a depthwise convolution of dy — the
// forward kernel over a transposed table; ops/depthwise_backward.ts picks.)
import { hi8, lanes4, lo8 } from "./depthwise";
import { madd } from "./simd";

/** Pixels per block: a block's dy rows and the input rows its taps read stay in cache. */
const MB = 64;

/**
 * depthwiseWeightGrad: dW[t][j] += Σ_{m<M} in[m·T+t][⌊j/mult⌋] · dy[m·J + j], J = C·mult, with
 * dW in Keras's (kh, kw, C, mult) layout (T rows of J floats). `inPtrs` is the forward's table.
 * SIMD builds, multipliers 1 and 2: per block of MB pixels, 8 (then 4) output channels × a group
 * of up to 4 taps in registers (the taps split evenly into groups); other multipliers and the
 * scalar build: one input channel at a time, its multiplier outputs in lanes.
 */
export function depthwiseWeightGrad(M: i32, T: i32, C: i32, mult: i32, inPtrs: usize, dy: usize, dW: usize): void {
  const rowBytes = <usize>(C * mult) << 2;
  const tBytes = <usize>T << 2;
  for (let m0 = 0; m0 < M; m0 += MB) {
    const m1 = min(M, m0 + MB);
    if (ASC_FEATURE_SIMD && mult == 1) gradBlock(m0, m1, T, tBytes, inPtrs, dy, rowBytes, dW, 1);
    else if (ASC_FEATURE_SIMD && mult == 2) gradBlock(m0, m1, T, tBytes, inPtrs, dy, rowBytes, dW, 2);
    else gradPerChannel(m0, m1, T, tBytes, inPtrs, dy, C, mult, dW);
  }
}

/** One block of pixels; `mult` is a literal 1 or 2 at each call. */
// @ts-ignore: decorator
@inline function gradBlock(m0: i32, m1: i32, T: i32, tBytes: usize, inPtrs: usize, dy: usize, rowBytes: usize,
                           dW: usize, mult: i32): void {
  const groups = (T + 3) >> 2;
  const size = T / groups;
  const extra = T % groups;
  let j: usize = 0;
  for (; j + 32 <= rowBytes; j += 32) {
    let t0 = 0;
    for (let g = 0; g < groups; g++) {
      const n = size + (g < extra ? 1 : 0);
      if (n == 4) taps8(m0, m1, tBytes, inPtrs, dy, rowBytes, j, dW, t0, 4, mult);
      else if (n == 3) taps8(m0, m1, tBytes, inPtrs, dy, rowBytes, j, dW, t0, 3, mult);
      else if (n == 2) taps8(m0, m1, tBytes, inPtrs, dy, rowBytes, j, dW, t0, 2, mult);
      else taps8(m0, m1, tBytes, inPtrs, dy, rowBytes, j, dW, t0, 1, mult);
      t0 += n;
    }
  }
  if (j + 16 <= rowBytes) {
    let t0 = 0;
    for (let g = 0; g < groups; g++) {
      const n = size + (g < extra ? 1 : 0);
      if (n == 4) taps4(m0, m1, tBytes, inPtrs, dy, rowBytes, j, dW, t0, 4, mult);
      else if (n == 3) taps4(m0, m1, tBytes, inPtrs, dy, rowBytes, j, dW, t0, 3, mult);
      else if (n == 2) taps4(m0, m1, tBytes, inPtrs, dy, rowBytes, j, dW, t0, 2, mult);
      else taps4(m0, m1, tBytes, inPtrs, dy, rowBytes, j, dW, t0, 1, mult);
      t0 += n;
    }
    j += 16;
  }
  // channel tail: J % 4 != 0, one output channel and tap at a time
  for (; j < rowBytes; j += 4) {
    const x = (<usize>(<i32>(j >> 2) / mult)) << 2;
    for (let t = 0; t < T; t++) {
      let s: f32 = 0;
      let row = inPtrs + <usize>m0 * tBytes + (<usize>t << 2);
      let d = dy + <usize>m0 * rowBytes + j;
      for (let m = m0; m < m1; m++) {
        s += load<f32>(<usize>load<u32>(row) + x) * load<f32>(d);
        row += tBytes;
        d += rowBytes;
      }
      const o = dW + <usize>t * rowBytes + j;
      store<f32>(o, load<f32>(o) + s);
    }
  }
}

/** Taps t0 .. t0+n-1 (n a literal 1..4) × output channels j/4 .. j/4+7: 2n f32x4 accumulators. */
// @ts-ignore: decorator
@inline function taps8(m0: i32, m1: i32, tBytes: usize, inPtrs: usize, dy: usize, rowBytes: usize, j: usize,
                       dW: usize, t0: i32, n: i32, mult: i32): void {
  let a0 = f32x4.splat(0), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
  let row = inPtrs + <usize>m0 * tBytes + (<usize>t0 << 2);
  let d = dy + <usize>m0 * rowBytes + j;
  for (let m = m0; m < m1; m++) {
    const d0 = v128.load(d), d1 = v128.load(d, 16);
    let p: usize = load<u32>(row);
    a0 = madd(lo8(p, j, mult), d0, a0); b0 = madd(hi8(p, j, mult), d1, b0);
    if (n > 1) { p = load<u32>(row, 4); a1 = madd(lo8(p, j, mult), d0, a1); b1 = madd(hi8(p, j, mult), d1, b1); }
    if (n > 2) { p = load<u32>(row, 8); a2 = madd(lo8(p, j, mult), d0, a2); b2 = madd(hi8(p, j, mult), d1, b2); }
    if (n > 3) { p = load<u32>(row, 12); a3 = madd(lo8(p, j, mult), d0, a3); b3 = madd(hi8(p, j, mult), d1, b3); }
    row += tBytes;
    d += rowBytes;
  }
  const o = dW + <usize>t0 * rowBytes + j;
  add2(o, a0, b0);
  if (n > 1) add2(o + rowBytes, a1, b1);
  if (n > 2) add2(o + 2 * rowBytes, a2, b2);
  if (n > 3) add2(o + 3 * rowBytes, a3, b3);
}

/** Taps t0 .. t0+n-1 × output channels j/4 .. j/4+3 (the J % 8 >= 4 part). */
// @ts-ignore: decorator
@inline function taps4(m0: i32, m1: i32, tBytes: usize, inPtrs: usize, dy: usize, rowBytes: usize, j: usize,
                       dW: usize, t0: i32, n: i32, mult: i32): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let row = inPtrs + <usize>m0 * tBytes + (<usize>t0 << 2);
  let d = dy + <usize>m0 * rowBytes + j;
  for (let m = m0; m < m1; m++) {
    const d0 = v128.load(d);
    a0 = madd(lanes4(<usize>load<u32>(row), j, mult), d0, a0);
    if (n > 1) a1 = madd(lanes4(<usize>load<u32>(row, 4), j, mult), d0, a1);
    if (n > 2) a2 = madd(lanes4(<usize>load<u32>(row, 8), j, mult), d0, a2);
    if (n > 3) a3 = madd(lanes4(<usize>load<u32>(row, 12), j, mult), d0, a3);
    row += tBytes;
    d += rowBytes;
  }
  const o = dW + <usize>t0 * rowBytes + j;
  v128.store(o, f32x4.add(v128.load(o), a0));
  if (n > 1) v128.store(o + rowBytes, f32x4.add(v128.load(o + rowBytes), a1));
  if (n > 2) v128.store(o + 2 * rowBytes, f32x4.add(v128.load(o + 2 * rowBytes), a2));
  if (n > 3) v128.store(o + 3 * rowBytes, f32x4.add(v128.load(o + 3 * rowBytes), a3));
}

// @ts-ignore: decorator
@inline function add2(o: usize, lo: v128, hi: v128): void {
  v128.store(o, f32x4.add(v128.load(o), lo));
  v128.store(o, f32x4.add(v128.load(o, 16), hi), 16);
}

/**
 * One block, one tap and input channel at a time: its mult outputs (4 lanes at a time in SIMD
 * builds, the input splat), the rest scalar. The scalar build and multipliers other than 1, 2.
 */
function gradPerChannel(m0: i32, m1: i32, T: i32, tBytes: usize, inPtrs: usize, dy: usize, C: i32, mult: i32, dW: usize): void {
  const mBytes = <usize>mult << 2;
  const rowBytes = <usize>C * mBytes;
  for (let t = 0; t < T; t++) {
    const col = inPtrs + <usize>m0 * tBytes + (<usize>t << 2);
    const wRow = dW + <usize>t * rowBytes;
    for (let c = 0; c < C; c++) {
      const x = <usize>c << 2;
      const j0 = <usize>c * mBytes;
      let k: usize = 0;
      if (ASC_FEATURE_SIMD) {
        for (; k + 16 <= mBytes; k += 16) {
          let acc = f32x4.splat(0);
          let row = col;
          let d = dy + <usize>m0 * rowBytes + j0 + k;
          for (let m = m0; m < m1; m++) {
            acc = madd(v128.load32_splat(<usize>load<u32>(row) + x), v128.load(d), acc);
            row += tBytes;
            d += rowBytes;
          }
          const o = wRow + j0 + k;
          v128.store(o, f32x4.add(v128.load(o), acc));
        }
      }
      // multiplier tail: mult % 4 != 0 (all of it in the scalar build)
      for (; k < mBytes; k += 4) {
        let s: f32 = 0;
        let row = col;
        let d = dy + <usize>m0 * rowBytes + j0 + k;
        for (let m = m0; m < m1; m++) {
          s += load<f32>(<usize>load<u32>(row) + x) * load<f32>(d);
          row += tBytes;
          d += rowBytes;
        }
        const o = wRow + j0 + k;
        store<f32>(o, load<f32>(o) + s);
      }
    }
  }
}

/**
 * depthwiseInputGrad: zeroes the `count` floats at dx, then for every pixel m < M and tap t < T
 * adds into the row r = dxPtrs[m·T+t] (an input pixel of dx, or a sink row for padding taps):
 *   r[c] += Σ_{k<mult} dy[m·J + c·mult + k] · W[t][c·mult + k]
 * with W the forward's packed weights (the bias row is skipped). SIMD builds: 8 output channels
 * per step for multipliers 1 and 2 (2: lane pairs added into 4 input channels); others per channel.
 */
export function depthwiseInputGrad(dx: usize, count: i32, M: i32, T: i32, C: i32, mult: i32, dxPtrs: usize,
                                   dy: usize, packedW: usize): void {
  memory.fill(dx, 0, <usize>count << 2);
  const J = C * mult;
  const rowBytes = <usize>J << 2;
  const wStride = <usize>((J + 3) & ~3) << 2;
  const tBytes = <usize>T << 2;
  const w = packedW + wStride; // tap rows
  for (let m = 0; m < M; m++) {
    const d = dy + <usize>m * rowBytes;
    const a = dxPtrs + <usize>m * tBytes;
    if (ASC_FEATURE_SIMD && mult == 1) scatter1(d, a, tBytes, w, wStride, rowBytes);
    else if (ASC_FEATURE_SIMD && mult == 2) scatter2(d, a, tBytes, w, wStride, rowBytes);
    else scatterPerChannel(d, a, tBytes, w, wStride, C, mult);
  }
}

/** Multiplier 1: dx row += dy·W[t], 8 then 4 channels at a time, the rest scalar. */
// @ts-ignore: decorator
@inline function scatter1(d: usize, a: usize, tBytes: usize, w: usize, wStride: usize, rowBytes: usize): void {
  let j: usize = 0;
  for (; j + 32 <= rowBytes; j += 32) {
    const d0 = v128.load(d + j), d1 = v128.load(d + j, 16);
    let wt = w + j;
    for (let t: usize = 0; t < tBytes; t += 4) {
      const p = <usize>load<u32>(a + t) + j;
      v128.store(p, madd(d0, v128.load(wt), v128.load(p)));
      v128.store(p, madd(d1, v128.load(wt, 16), v128.load(p, 16)), 16);
      wt += wStride;
    }
  }
  if (j + 16 <= rowBytes) {
    const d0 = v128.load(d + j);
    let wt = w + j;
    for (let t: usize = 0; t < tBytes; t += 4) {
      const p = <usize>load<u32>(a + t) + j;
      v128.store(p, madd(d0, v128.load(wt), v128.load(p)));
      wt += wStride;
    }
    j += 16;
  }
  for (; j < rowBytes; j += 4) {
    const g = load<f32>(d + j);
    let wt = w + j;
    for (let t: usize = 0; t < tBytes; t += 4) {
      const p = <usize>load<u32>(a + t) + j;
      store<f32>(p, load<f32>(p) + g * load<f32>(wt));
      wt += wStride;
    }
  }
}

/** Multiplier 2: 8 outputs → 4 input channels (products of each channel's two outputs added). */
// @ts-ignore: decorator
@inline function scatter2(d: usize, a: usize, tBytes: usize, w: usize, wStride: usize, rowBytes: usize): void {
  let j: usize = 0;
  for (; j + 32 <= rowBytes; j += 32) {
    const d0 = v128.load(d + j), d1 = v128.load(d + j, 16);
    let wt = w + j;
    for (let t: usize = 0; t < tBytes; t += 4) {
      const p0 = f32x4.mul(d0, v128.load(wt)), p1 = f32x4.mul(d1, v128.load(wt, 16));
      const s = f32x4.add(i32x4.shuffle(p0, p1, 0, 2, 4, 6), i32x4.shuffle(p0, p1, 1, 3, 5, 7));
      const p = <usize>load<u32>(a + t) + (j >> 1);
      v128.store(p, f32x4.add(v128.load(p), s));
      wt += wStride;
    }
  }
  // the J % 8 outputs: one input channel (two outputs) at a time
  for (; j < rowBytes; j += 8) {
    const g0 = load<f32>(d + j), g1 = load<f32>(d + j, 4);
    let wt = w + j;
    for (let t: usize = 0; t < tBytes; t += 4) {
      const p = <usize>load<u32>(a + t) + (j >> 1);
      store<f32>(p, load<f32>(p) + (g0 * load<f32>(wt) + g1 * load<f32>(wt, 4)));
      wt += wStride;
    }
  }
}

/** Any multiplier (and the scalar build): per tap and input channel, Σ over its mult outputs. */
function scatterPerChannel(d: usize, a: usize, tBytes: usize, w: usize, wStride: usize, C: i32, mult: i32): void {
  const mBytes = <usize>mult << 2;
  let wt = w;
  for (let t: usize = 0; t < tBytes; t += 4) {
    const r = <usize>load<u32>(a + t);
    for (let c = 0; c < C; c++) {
      const j0 = <usize>c * mBytes;
      let s: f32 = 0;
      for (let k: usize = 0; k < mBytes; k += 4) s += load<f32>(d + j0 + k) * load<f32>(wt + j0 + k);
      const p = r + (<usize>c << 2);
      store<f32>(p, load<f32>(p) + s);
    }
    wt += wStride;
  }
}

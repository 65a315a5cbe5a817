// Normalisation statistics: mean and divisor per (sample, group). A sample is P rows of
// C = G·K channels; group g is the channel block [g·K, (g+1)·K) of every row. Applied by
// assembly/norm.ts.
//
// Summation (moments), in float32:
// - two passes: the mean m0 = Σx / n, then d = x − m0 with Σd and Σd² (the corrected two-pass
//   algorithm: mean = m0 + Σd/n, var = Σd²/n − (Σd/n)², so no E[x²] − E[x]² cancellation);
// - every accumulator (an f32x4 lane or a scalar) adds at most BLOCK values into a block sum;
//   block sums go into the running total with Kahan compensation (Σd, a small correction, into
//   a plain total). The error of a sum is then about BLOCK·u·Σ|x| whatever the count;
// - P = 1 (one contiguous segment per group: layer-norm rows, whole samples): 4 lanes over the
//   segment, lanes added pairwise at the end, then the scalar tail (< 4 values) as one block;
// - P > 1 (rows of C channels): one accumulator per channel in `scratch`, row after row, a
//   block being BLOCK rows; then the K channel totals of a group are added in channel order.
// The scalar build runs the same blocks with one accumulator where SIMD builds use four lanes.
// The mean is kept as two floats, m0 and the correction Σd/n, and applied as (x − m0) − Σd/n:
// x − m0 is exact for x near the mean, so the output keeps float32 precision even when the
// mean is large against the spread (1000 ± 0.01), where x·s + (beta − mean·s) loses it all.
import { madd } from "./simd";

/** Values one accumulator adds before its block sum goes into the compensated total. */
const BLOCK = 64;

// results of segDev (AssemblyScript has no tuples)
let devSum: f32 = 0;
let devSq: f32 = 0;

/**
 * moments: mean (mean + meanLo) and divisor per (sample n, group g) over P·K values;
 * rstd = 1/sqrt(var + eps) (mode 0) or 1/(sqrt(var) + eps) (mode 1). Population variance.
 */
export function moments(x: usize, N: i32, P: i32, G: i32, K: i32, eps: f32, mode: i32,
                        mean: usize, meanLo: usize, rstd: usize, scratch: usize): void {
  const C = G * K;
  const sampleBytes = (<usize>P * <usize>C) << 2;
  const invN = <f32>(1.0 / (<f64>P * <f64>K));
  for (let n = 0; n < N; n++) {
    const xs = x + <usize>n * sampleBytes;
    const at = <usize>(n * G) << 2;
    if (P == 1) {
      for (let g = 0; g < G; g++) {
        const seg = xs + (<usize>(g * K) << 2);
        const m0 = segSum(seg, K) * invN;
        segDev(seg, K, m0);
        const s = at + (<usize>g << 2);
        finish(mean + s, meanLo + s, rstd + s, m0, devSum, devSq, invN, eps, mode);
      }
    } else {
      rowMoments(xs, P, G, K, invN, eps, mode, mean + at, meanLo + at, rstd + at, scratch);
    }
  }
}

/** Stores the mean (m0, Σd/n) and the divisor from m0, Σd and Σd². */
// @ts-ignore: decorator
@inline function finish(mp: usize, lp: usize, rp: usize, m0: f32, sd: f32, sq: f32, invN: f32, eps: f32, mode: i32): void {
  const md = sd * invN;
  store<f32>(mp, m0);
  store<f32>(lp, md);
  const v = max<f32>(sq * invN - md * md, 0);
  store<f32>(rp, mode == 1 ? <f32>1 / (Mathf.sqrt(v) + eps) : <f32>1 / Mathf.sqrt(v + eps));
}

/** Σ of L contiguous floats: lanes in blocks, block sums Kahan-added. */
function segSum(p: usize, L: i32): f32 {
  const end = <usize>L << 2;
  let i: usize = 0;
  let total: f32 = 0;
  let comp: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    const vend = end & ~(<usize>15);
    let tot = f32x4.splat(0);
    let cmp = f32x4.splat(0);
    while (i < vend) {
      const stop = min(vend, i + (<usize>BLOCK << 4));
      let blk = f32x4.splat(0);
      for (; i < stop; i += 16) blk = f32x4.add(blk, v128.load(p + i));
      const y = f32x4.sub(blk, cmp);
      const t = f32x4.add(tot, y);
      cmp = f32x4.sub(f32x4.sub(t, tot), y);
      tot = t;
    }
    total = (f32x4.extract_lane(tot, 0) + f32x4.extract_lane(tot, 1)) + (f32x4.extract_lane(tot, 2) + f32x4.extract_lane(tot, 3));
  }
  // the tail (< 4 values) in SIMD builds, everything in the scalar build
  while (i < end) {
    const stop = min(end, i + (<usize>BLOCK << 2));
    let blk: f32 = 0;
    for (; i < stop; i += 4) blk += load<f32>(p + i);
    const y = blk - comp;
    const t = total + y;
    comp = (t - total) - y;
    total = t;
  }
  return total;
}

/** Σd and Σd² (d = x − m0) of L contiguous floats into devSum, devSq. */
function segDev(p: usize, L: i32, m0: f32): void {
  const end = <usize>L << 2;
  let i: usize = 0;
  let sd: f32 = 0;
  let sq: f32 = 0;
  let comp: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    const vend = end & ~(<usize>15);
    const mv = f32x4.splat(m0);
    let totD = f32x4.splat(0);
    let totQ = f32x4.splat(0);
    let cmp = f32x4.splat(0);
    while (i < vend) {
      const stop = min(vend, i + (<usize>BLOCK << 4));
      let bd = f32x4.splat(0);
      let bq = f32x4.splat(0);
      for (; i < stop; i += 16) {
        const d = f32x4.sub(v128.load(p + i), mv);
        bd = f32x4.add(bd, d);
        bq = madd(d, d, bq);
      }
      totD = f32x4.add(totD, bd);
      const y = f32x4.sub(bq, cmp);
      const t = f32x4.add(totQ, y);
      cmp = f32x4.sub(f32x4.sub(t, totQ), y);
      totQ = t;
    }
    sd = (f32x4.extract_lane(totD, 0) + f32x4.extract_lane(totD, 1)) + (f32x4.extract_lane(totD, 2) + f32x4.extract_lane(totD, 3));
    sq = (f32x4.extract_lane(totQ, 0) + f32x4.extract_lane(totQ, 1)) + (f32x4.extract_lane(totQ, 2) + f32x4.extract_lane(totQ, 3));
  }
  while (i < end) {
    const stop = min(end, i + (<usize>BLOCK << 2));
    let bd: f32 = 0;
    let bq: f32 = 0;
    for (; i < stop; i += 4) {
      const d = load<f32>(p + i) - m0;
      bd += d;
      bq += d * d;
    }
    sd += bd;
    const y = bq - comp;
    const t = sq + y;
    comp = (t - sq) - y;
    sq = t;
  }
  devSum = sd;
  devSq = sq;
}

/**
 * Moments of one sample of P rows of C = G·K channels, one accumulator per channel.
 * Scratch: six arrays of C floats (rounded up to 4): A0 per-channel group mean, A1..A5 sums.
 */
function rowMoments(xs: usize, P: i32, G: i32, K: i32, invN: f32, eps: f32, mode: i32,
                    ms: usize, ls: usize, rs: usize, scratch: usize): void {
  const C = G * K;
  const cb = <usize>C << 2;
  const ab = <usize>((C + 3) & ~3) << 2; // bytes of one scratch array
  const A0 = scratch, A1 = A0 + ab, A2 = A1 + ab, A3 = A2 + ab, A4 = A3 + ab, A5 = A4 + ab;
  // pass 1: A1 block sums, A2 totals, A3 compensations
  memory.fill(A1, 0, 3 * ab);
  let inBlock = 0;
  for (let p = 0; p < P; p++) {
    addRow(A1, xs + <usize>p * cb, cb);
    if (++inBlock == BLOCK || p + 1 == P) {
      flushKahan(A1, A2, A3, cb);
      inBlock = 0;
    }
  }
  for (let g = 0; g < G; g++) {
    const c0 = <usize>(g * K) << 2;
    let s: f32 = 0;
    for (let k: usize = 0; k < (<usize>K << 2); k += 4) s += load<f32>(A2 + c0 + k);
    const m0 = s * invN;
    store<f32>(ms + (<usize>g << 2), m0); // the first-pass mean
    for (let k: usize = 0; k < (<usize>K << 2); k += 4) store<f32>(A0 + c0 + k, m0);
  }
  // pass 2: A1 Σd blocks, A2 Σd totals, A3 Σd² blocks, A4 Σd² totals, A5 compensations
  memory.fill(A1, 0, 5 * ab);
  inBlock = 0;
  for (let p = 0; p < P; p++) {
    devRow(A0, A1, A3, xs + <usize>p * cb, cb);
    if (++inBlock == BLOCK || p + 1 == P) {
      flushPlain(A1, A2, cb);
      flushKahan(A3, A4, A5, cb);
      inBlock = 0;
    }
  }
  for (let g = 0; g < G; g++) {
    const c0 = <usize>(g * K) << 2;
    let sd: f32 = 0;
    let sq: f32 = 0;
    for (let k: usize = 0; k < (<usize>K << 2); k += 4) {
      sd += load<f32>(A2 + c0 + k);
      sq += load<f32>(A4 + c0 + k);
    }
    const o = <usize>g << 2;
    finish(ms + o, ls + o, rs + o, load<f32>(ms + o), sd, sq, invN, eps, mode);
  }
}

/** blk[c] += row[c] for c < C (cb bytes). */
// @ts-ignore: decorator
@inline function addRow(blk: usize, row: usize, cb: usize): void {
  let c: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; c + 16 <= cb; c += 16) v128.store(blk + c, f32x4.add(v128.load(blk + c), v128.load(row + c)));
  }
  for (; c < cb; c += 4) store<f32>(blk + c, load<f32>(blk + c) + load<f32>(row + c));
}

/** d = row[c] − mean[c]: bd[c] += d, bq[c] += d². */
// @ts-ignore: decorator
@inline function devRow(mean: usize, bd: usize, bq: usize, row: usize, cb: usize): void {
  let c: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; c + 16 <= cb; c += 16) {
      const d = f32x4.sub(v128.load(row + c), v128.load(mean + c));
      v128.store(bd + c, f32x4.add(v128.load(bd + c), d));
      v128.store(bq + c, madd(d, d, v128.load(bq + c)));
    }
  }
  for (; c < cb; c += 4) {
    const d = load<f32>(row + c) - load<f32>(mean + c);
    store<f32>(bd + c, load<f32>(bd + c) + d);
    store<f32>(bq + c, load<f32>(bq + c) + d * d);
  }
}

/** Kahan: tot[c] += blk[c] with compensation cmp[c]; blk[c] = 0. */
// @ts-ignore: decorator
@inline function flushKahan(blk: usize, tot: usize, cmp: usize, cb: usize): void {
  let c: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    for (; c + 16 <= cb; c += 16) {
      const s = v128.load(tot + c);
      const y = f32x4.sub(v128.load(blk + c), v128.load(cmp + c));
      const t = f32x4.add(s, y);
      v128.store(cmp + c, f32x4.sub(f32x4.sub(t, s), y));
      v128.store(tot + c, t);
      v128.store(blk + c, zero);
    }
  }
  for (; c < cb; c += 4) {
    const s = load<f32>(tot + c);
    const y = load<f32>(blk + c) - load<f32>(cmp + c);
    const t = s + y;
    store<f32>(cmp + c, (t - s) - y);
    store<f32>(tot + c, t);
    store<f32>(blk + c, 0);
  }
}

/** tot[c] += blk[c]; blk[c] = 0. */
// @ts-ignore: decorator
@inline function flushPlain(blk: usize, tot: usize, cb: usize): void {
  let c: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    for (; c + 16 <= cb; c += 16) {
      v128.store(tot + c, f32x4.add(v128.load(tot + c), v128.load(blk + c)));
      v128.store(blk + c, zero);
    }
  }
  for (; c < cb; c += 4) {
    store<f32>(tot + c, load<f32>(tot + c) + load<f32>(blk + c));
    store<f32>(blk + c, 0);
  }
}

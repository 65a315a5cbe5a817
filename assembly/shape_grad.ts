// Backward kernels of the merge layers and PReLU (the adjoint of `broadcast`: gradients summed
// over the broadcast axes), of the 2-D paddings (crop, and the mirror scatter-add) and of
// Embedding (a row scatter-add), plus a zero fill and the Gaussian noise of the training-mode
// noise layers. Every sum runs in an order fixed by the index space, the same in the scalar and
// the SIMD builds (lanes only ever hold independent elements, or the four partial sums a reduced
// inner axis keeps in both builds alike).
import { copyRun } from "./copy";

/** Identical to `GradKind` in bindings/backend/kernels/shape_grad.ts. */
export const enum GradKind {
  Pass = 0,
  Neg = 1,
  Mul = 2,
  Ge = 3,
  Lt = 4,
  Le = 5,
  Gt = 6,
  Eq = 7,
  Ne = 8,
  PReluX = 9,
  PReluAlpha = 10,
}

// @ts-ignore: decorator
@inline function needsX(kind: i32): bool {
  return kind >= GradKind.Ge;
}

// @ts-ignore: decorator
@inline function needsY(kind: i32): bool {
  return kind >= GradKind.Mul && kind != GradKind.PReluAlpha;
}

/** -1 (all bits) when c, else 0. */
// @ts-ignore: decorator
@inline function maskOf(c: bool): i32 {
  return -<i32>c;
}

/**
 * One contribution, scalar. Selects are integer masks: V8 lowers a float select to a branch,
 * which mispredicts on random data (bench/select_probe.mjs).
 */
// @ts-ignore: decorator
@inline function kS(kind: i32, g: f32, x: f32, y: f32): f32 {
  if (kind == GradKind.Pass) return g;
  if (kind == GradKind.Neg) return -g;
  if (kind == GradKind.Mul) return g * y;
  const gi = reinterpret<i32>(g);
  if (kind == GradKind.Ge) return reinterpret<f32>(gi & maskOf(x >= y));
  if (kind == GradKind.Lt) return reinterpret<f32>(gi & ~maskOf(x >= y));
  if (kind == GradKind.Le) return reinterpret<f32>(gi & maskOf(x <= y));
  if (kind == GradKind.Gt) return reinterpret<f32>(gi & ~maskOf(x <= y));
  if (kind == GradKind.Eq) return reinterpret<f32>(gi & maskOf(x == y));
  if (kind == GradKind.Ne) return reinterpret<f32>(gi & ~maskOf(x == y));
  if (kind == GradKind.PReluX) {
    const neg = reinterpret<i32>(g * y);
    return reinterpret<f32>((gi & maskOf(x > 0)) | (neg & maskOf(x < 0)));
  }
  return reinterpret<f32>(reinterpret<i32>(g * x) & maskOf(x < 0)); // PReluAlpha
}

/** One contribution, four lanes (the same formulas). */
// @ts-ignore: decorator
@inline function kV(kind: i32, g: v128, x: v128, y: v128): v128 {
  if (kind == GradKind.Pass) return g;
  if (kind == GradKind.Neg) return f32x4.neg(g);
  if (kind == GradKind.Mul) return f32x4.mul(g, y);
  if (kind == GradKind.Ge) return v128.and(g, f32x4.ge(x, y));
  if (kind == GradKind.Lt) return v128.andnot(g, f32x4.ge(x, y));
  if (kind == GradKind.Le) return v128.and(g, f32x4.le(x, y));
  if (kind == GradKind.Gt) return v128.andnot(g, f32x4.le(x, y));
  if (kind == GradKind.Eq) return v128.and(g, f32x4.eq(x, y));
  if (kind == GradKind.Ne) return v128.andnot(g, f32x4.eq(x, y));
  const z = f32x4.splat(0);
  if (kind == GradKind.PReluX) return v128.or(v128.and(g, f32x4.gt(x, z)), v128.and(f32x4.mul(g, y), f32x4.lt(x, z)));
  return v128.and(f32x4.mul(g, x), f32x4.lt(x, z)); // PReluAlpha
}

/**
 * A row whose dst is dense along j: dst[j] (+)= kind(g[j], x, y). AIN / BIN are literals (the
 * dispatch below picks the variant), so the dead loads are compiled out.
 */
// @ts-ignore: decorator
@inline function rowDenseV(kind: i32, AIN: i32, BIN: i32, acc: i32, pg: usize, pa: usize, pb: usize, pd: usize, bytes: usize): void {
  let j: usize = 0;
  if (ASC_FEATURE_SIMD) {
    let xs = f32x4.splat(0), ys = f32x4.splat(0);
    if (needsX(kind) && AIN == 0) xs = v128.load32_splat(pa);
    if (needsY(kind) && BIN == 0) ys = v128.load32_splat(pb);
    for (; j + 16 <= bytes; j += 16) {
      const g = v128.load(pg + j);
      let x = xs, y = ys;
      if (needsX(kind) && AIN != 0) x = v128.load(pa + j);
      if (needsY(kind) && BIN != 0) y = v128.load(pb + j);
      let v = kV(kind, g, x, y);
      if (acc != 0) v = f32x4.add(v128.load(pd + j), v);
      v128.store(pd + j, v);
    }
  }
  let xs: f32 = 0, ys: f32 = 0;
  if (needsX(kind) && AIN == 0) xs = load<f32>(pa);
  if (needsY(kind) && BIN == 0) ys = load<f32>(pb);
  for (; j < bytes; j += 4) {
    let x = xs, y = ys;
    if (needsX(kind) && AIN != 0) x = load<f32>(pa + j);
    if (needsY(kind) && BIN != 0) y = load<f32>(pb + j);
    let v = kS(kind, load<f32>(pg + j), x, y);
    if (acc != 0) v = load<f32>(pd + j) + v;
    store<f32>(pd + j, v);
  }
}

/**
 * A row reduced into one dst element: four partial sums over j mod 4 (a vector in the SIMD
 * builds, four scalars in the scalar build: the same additions), combined as (p0 + p1) + (p2 + p3),
 * then the tail in order.
 */
// @ts-ignore: decorator
@inline function rowReduceV(kind: i32, AIN: i32, BIN: i32, acc: i32, pg: usize, pa: usize, pb: usize, pd: usize, bytes: usize): void {
  let j: usize = 0;
  let s: f32 = 0;
  let xs: f32 = 0, ys: f32 = 0;
  if (needsX(kind) && AIN == 0) xs = load<f32>(pa);
  if (needsY(kind) && BIN == 0) ys = load<f32>(pb);
  if (ASC_FEATURE_SIMD) {
    const xv = f32x4.splat(xs), yv = f32x4.splat(ys);
    let p = f32x4.splat(0);
    for (; j + 16 <= bytes; j += 16) {
      let x = xv, y = yv;
      if (needsX(kind) && AIN != 0) x = v128.load(pa + j);
      if (needsY(kind) && BIN != 0) y = v128.load(pb + j);
      p = f32x4.add(p, kV(kind, v128.load(pg + j), x, y));
    }
    s = (f32x4.extract_lane(p, 0) + f32x4.extract_lane(p, 1)) + (f32x4.extract_lane(p, 2) + f32x4.extract_lane(p, 3));
  } else {
    let p0: f32 = 0, p1: f32 = 0, p2: f32 = 0, p3: f32 = 0;
    for (; j + 16 <= bytes; j += 16) {
      let x0 = xs, x1 = xs, x2 = xs, x3 = xs, y0 = ys, y1 = ys, y2 = ys, y3 = ys;
      if (needsX(kind) && AIN != 0) {
        x0 = load<f32>(pa + j); x1 = load<f32>(pa + j, 4); x2 = load<f32>(pa + j, 8); x3 = load<f32>(pa + j, 12);
      }
      if (needsY(kind) && BIN != 0) {
        y0 = load<f32>(pb + j); y1 = load<f32>(pb + j, 4); y2 = load<f32>(pb + j, 8); y3 = load<f32>(pb + j, 12);
      }
      p0 += kS(kind, load<f32>(pg + j), x0, y0);
      p1 += kS(kind, load<f32>(pg + j, 4), x1, y1);
      p2 += kS(kind, load<f32>(pg + j, 8), x2, y2);
      p3 += kS(kind, load<f32>(pg + j, 12), x3, y3);
    }
    s = (p0 + p1) + (p2 + p3);
  }
  for (; j < bytes; j += 4) {
    let x = xs, y = ys;
    if (needsX(kind) && AIN != 0) x = load<f32>(pa + j);
    if (needsY(kind) && BIN != 0) y = load<f32>(pb + j);
    s += kS(kind, load<f32>(pg + j), x, y);
  }
  store<f32>(pd, acc != 0 ? load<f32>(pd) + s : s);
}

/** One row: picks the (dense or reduced dst) × (which operands are contiguous) variant. */
// @ts-ignore: decorator
@inline function row(kind: i32, acc: i32, pg: usize, pa: usize, pb: usize, pd: usize, bytes: usize, aIn: i32, bIn: i32, dIn: i32): void {
  const ax = needsX(kind) ? aIn : 1;
  const by = needsY(kind) ? bIn : 1;
  if (dIn != 0) {
    if (ax != 0) {
      if (by != 0) rowDenseV(kind, 1, 1, acc, pg, pa, pb, pd, bytes);
      else rowDenseV(kind, 1, 0, acc, pg, pa, pb, pd, bytes);
    } else if (by != 0) rowDenseV(kind, 0, 1, acc, pg, pa, pb, pd, bytes);
    else rowDenseV(kind, 0, 0, acc, pg, pa, pb, pd, bytes);
  } else if (ax != 0) {
    if (by != 0) rowReduceV(kind, 1, 1, acc, pg, pa, pb, pd, bytes);
    else rowReduceV(kind, 1, 0, acc, pg, pa, pb, pd, bytes);
  } else if (by != 0) rowReduceV(kind, 0, 1, acc, pg, pa, pb, pd, bytes);
  else rowReduceV(kind, 0, 0, acc, pg, pa, pb, pd, bytes);
}

/** Writes `bytes` (a multiple of 4) of zeros at p. */
// @ts-ignore: decorator
@inline function zeroBytes(p: usize, bytes: usize): void {
  let k: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; k + 16 <= bytes; k += 16) v128.store(p + k, i32x4.splat(0));
  } else {
    for (; k + 8 <= bytes; k += 8) store<u64>(p + k, 0);
  }
  for (; k < bytes; k += 4) store<u32>(p + k, 0);
}

// @ts-ignore: decorator
@inline function nestGrad(kind: i32, acc: i32, g: usize, a: usize, b: usize, dst: usize,
                          n0: i32, n1: i32, n2: i32, inner: i32,
                          a0: i32, a1: i32, a2: i32, aIn: i32, b0: i32, b1: i32, b2: i32, bIn: i32,
                          d0: i32, d1: i32, d2: i32, dIn: i32): void {
  const sd0 = <usize>d0 << 2, sd1 = <usize>d1 << 2, sd2 = <usize>d2 << 2;
  let ac = acc;
  if (ac == 0 && ((d0 == 0 && n0 > 1) || (d1 == 0 && n1 > 1) || (d2 == 0 && n2 > 1))) {
    // dst elements are revisited across rows: zero the view once, then add
    const m0 = d0 == 0 ? 1 : n0, m1 = d1 == 0 ? 1 : n1, m2 = d2 == 0 ? 1 : n2;
    const zb: usize = dIn != 0 ? <usize>inner << 2 : 4;
    for (let i0 = 0; i0 < m0; i0++) {
      for (let i1 = 0; i1 < m1; i1++) {
        for (let i2 = 0; i2 < m2; i2++) zeroBytes(dst + <usize>i0 * sd0 + <usize>i1 * sd1 + <usize>i2 * sd2, zb);
      }
    }
    ac = 1;
  }
  const bytes = <usize>inner << 2;
  const sa0 = <usize>a0 << 2, sa1 = <usize>a1 << 2, sa2 = <usize>a2 << 2;
  const sb0 = <usize>b0 << 2, sb1 = <usize>b1 << 2, sb2 = <usize>b2 << 2;
  let pg = g;
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      let pa = a + <usize>i0 * sa0 + <usize>i1 * sa1;
      let pb = b + <usize>i0 * sb0 + <usize>i1 * sb1;
      let pd = dst + <usize>i0 * sd0 + <usize>i1 * sd1;
      for (let i2 = 0; i2 < n2; i2++) {
        row(kind, ac, pg, pa, pb, pd, bytes, aIn, bIn, dIn);
        pa += sa2;
        pb += sb2;
        pd += sd2;
        pg += bytes;
      }
    }
  }
}

/**
 * broadcastGrad: dst[i0·d0 + i1·d1 + i2·d2 + j·dIn] (+)= kind(g[pos], a[…], b[…]) over the
 * collapsed index space, g dense (see bindings/backend/kernels/shape_grad.ts).
 */
export function broadcastGrad(kind: i32, acc: i32, g: usize, a: usize, b: usize, dst: usize,
                              n0: i32, n1: i32, n2: i32, inner: i32,
                              a0: i32, a1: i32, a2: i32, aIn: i32, b0: i32, b1: i32, b2: i32, bIn: i32,
                              d0: i32, d1: i32, d2: i32, dIn: i32): void {
  switch (kind) {
    case GradKind.Pass: nestGrad(GradKind.Pass, acc, g, a, b, dst, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn, d0, d1, d2, dIn); break;
    case GradKind.Neg: nestGrad(GradKind.Neg, acc, g, a, b, dst, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn, d0, d1, d2, dIn); break;
    case GradKind.Mul: nestGrad(GradKind.Mul, acc, g, a, b, dst, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn, d0, d1, d2, dIn); break;
    case GradKind.Ge: nestGrad(GradKind.Ge, acc, g, a, b, dst, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn, d0, d1, d2, dIn); break;
    case GradKind.Lt: nestGrad(GradKind.Lt, acc, g, a, b, dst, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn, d0, d1, d2, dIn); break;
    case GradKind.Le: nestGrad(GradKind.Le, acc, g, a, b, dst, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn, d0, d1, d2, dIn); break;
    case GradKind.Gt: nestGrad(GradKind.Gt, acc, g, a, b, dst, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn, d0, d1, d2, dIn); break;
    case GradKind.Eq: nestGrad(GradKind.Eq, acc, g, a, b, dst, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn, d0, d1, d2, dIn); break;
    case GradKind.Ne: nestGrad(GradKind.Ne, acc, g, a, b, dst, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn, d0, d1, d2, dIn); break;
    case GradKind.PReluX: nestGrad(GradKind.PReluX, acc, g, a, b, dst, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn, d0, d1, d2, dIn); break;
    default: nestGrad(GradKind.PReluAlpha, acc, g, a, b, dst, n0, n1, n2, inner, a0, a1, a2, aIn, b0, b1, b2, bIn, d0, d1, d2, dIn); break;
  }
}

/** dst[k] += src[k] for `bytes` / 4 floats (lanes independent: the same adds in every build). */
// @ts-ignore: decorator
@inline function addRun(dst: usize, src: usize, bytes: usize): void {
  let k: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; k + 16 <= bytes; k += 16) v128.store(dst + k, f32x4.add(v128.load(dst + k), v128.load(src + k)));
  }
  for (; k < bytes; k += 4) store<f32>(dst + k, load<f32>(dst + k) + load<f32>(src + k));
}

/** Source index of padded position i along an axis of n: 1 reflect, 2 symmetric; clamped into [0, n) (as copy.ts). */
// @ts-ignore: decorator
@inline function mirror(i: i32, n: i32, mode: i32): i32 {
  let s = i;
  if (mode == 1) s = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
  else s = i < 0 ? -i - 1 : i >= n ? 2 * n - 1 - i : i;
  return s < 0 ? 0 : s >= n ? n - 1 : s;
}

/**
 * pad2dGrad: dx = the interior of dy, then (mirror modes) every border pixel of dy, in row-major
 * order, added onto the pixel pad2d copied it from. Overwrites dx.
 */
export function pad2dGrad(dy: usize, dx: usize, N: i32, H: i32, W: i32, C: i32,
                          top: i32, bottom: i32, left: i32, right: i32, mode: i32): void {
  const pix = <usize>C << 2;
  const inRow = <usize>W * pix;
  const OW = W + left + right;
  const OH = H + top + bottom;
  const outRow = <usize>OW * pix;
  for (let n = 0; n < N; n++) {
    const src = dy + <usize>n * <usize>OH * outRow;
    const dst = dx + <usize>n * <usize>H * inRow;
    for (let y = 0; y < H; y++) copyRun(dst + <usize>y * inRow, src + <usize>(y + top) * outRow + <usize>left * pix, inRow);
    if (mode == 0) continue;
    for (let Y = 0; Y < OH; Y++) {
      const to = dst + <usize>mirror(Y - top, H, mode) * inRow;
      const from = src + <usize>Y * outRow;
      const interior = Y >= top && Y < top + H;
      for (let X = 0; X < OW; X++) {
        if (interior && X == left) {
          X = left + W - 1; // the interior columns were copied
          continue;
        }
        addRun(to + <usize>mirror(X - left, W, mode) * pix, from + <usize>X * pix, pix);
      }
    }
  }
}

/** scatterAddRows: checks every id (as gatherRows), then dW row trunc(ids[k]) += dy row k, k in order. */
export function scatterAddRows(ids: usize, dy: usize, dW: usize, count: i32, V: i32, D: i32): i32 {
  const limit = <f32>V;
  for (let k = 0; k < count; k++) {
    const id = load<f32>(ids + (<usize>k << 2));
    if (!(id > <f32>-1 && id < limit)) return k;
  }
  const rowBytes = <usize>D << 2;
  for (let k = 0; k < count; k++) {
    const r = <usize><u32><i32>load<f32>(ids + (<usize>k << 2));
    addRun(dW + r * rowBytes, dy + <usize>k * rowBytes, rowBytes);
  }
  return -1;
}

/** fillZero: out[i] = 0 for i < count. */
export function fillZero(out: usize, count: i32): void {
  zeroBytes(out, <usize>count << 2);
}

/** The counter-based hash of dropoutMask (mulberry32's mixing of seed + (k + 1)·0x6D2B79F5). */
// @ts-ignore: decorator
@inline function hash(seed: u32, k: u32): u32 {
  let t: u32 = seed + (k + 1) * 0x6d2b79f5;
  t = (t ^ (t >>> 15)) * (t | 1);
  t ^= t + (t ^ (t >>> 7)) * (t | 61);
  return t ^ (t >>> 14);
}

/** normalNoise: out[i] = mean + stddev·z_i, Box–Muller in f64 on the uniforms of (seed, 2i), (seed, 2i + 1). */
export function normalNoise(out: usize, count: i32, mean: f32, stddev: f32, seed: u32): void {
  const inv: f64 = 1.0 / 4294967296.0;
  for (let i = 0; i < count; i++) {
    const k = <u32>i << 1;
    const u1 = (<f64>hash(seed, k) + 1.0) * inv; // (0, 1]
    const u2 = <f64>hash(seed, k + 1) * inv;
    const z = Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(6.283185307179586 * u2);
    store<f32>(out + (<usize>i << 2), <f32>(<f64>mean + <f64>stddev * z));
  }
}

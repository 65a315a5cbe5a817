// Backward of the normalisations (assembly/moments.ts, norm.ts) for TF's autodiff of the forward:
// the gradient flows through the mean and the (population) variance. With g = dy·gamma and the
// centred value d = (x − mean) − meanLo over a group of n values with divisor r:
//   dx = r·(g − Σg/n) + b·d,   b = −r³·Σ(g·d)/n     (r = 1/sqrt(var + eps))
// (keras_contrib's r = 1/(std + eps) gives another b, folded in ops/normalization_backward.ts).
// Channel normalisations reduce per channel (normGradReduce), fold per group in the op and
// apply three per-channel coefficients (normGradApply); layer and pixel normalisation do a row
// at a time. Sums run in blocks of BLOCK rows added into their totals, as in moments.ts.
import { madd } from "./simd";

/** Rows one accumulator adds before its block sum goes into the total. */
const BLOCK = 64;

/**
 * normGradReduce: per sample n < N (rows × C floats) and channel c, with d = (x − center) − centerLo
 * (center, centerLo per (n, c)): sumDy = Σ dy, sumDyXc = Σ dy·d, sumXc2 = Σ d² over the rows
 * (outputs per (n, c), overwritten).
 */
export function normGradReduce(x: usize, dy: usize, N: i32, rows: i32, C: i32, center: usize, centerLo: usize,
                               sumDy: usize, sumDyXc: usize, sumXc2: usize): void {
  const cb = <usize>C << 2;
  const sampleBytes = <usize>rows * cb;
  for (let n = 0; n < N; n++) {
    const xs = x + <usize>n * sampleBytes;
    const ds = dy + <usize>n * sampleBytes;
    const o = <usize>n * cb;
    const ce = center + o, lo = centerLo + o, s1 = sumDy + o, s2 = sumDyXc + o, s3 = sumXc2 + o;
    memory.fill(s1, 0, cb);
    memory.fill(s2, 0, cb);
    memory.fill(s3, 0, cb);
    for (let r0 = 0; r0 < rows; r0 += BLOCK) {
      const r1 = min(rows, r0 + BLOCK);
      const xb = xs + <usize>r0 * cb;
      const db = ds + <usize>r0 * cb;
      let c: usize = 0;
      if (ASC_FEATURE_SIMD) {
        for (; c + 32 <= cb; c += 32) {
          const ca = v128.load(ce + c), cbv = v128.load(ce + c, 16);
          const la = v128.load(lo + c), lb = v128.load(lo + c, 16);
          let ga = f32x4.splat(0), gb = ga, pa = ga, pb = ga, qa = ga, qb = ga;
          let xp = xb + c, dp = db + c;
          for (let r = r0; r < r1; r++) {
            const g0 = v128.load(dp), g1 = v128.load(dp, 16);
            const d0 = f32x4.sub(f32x4.sub(v128.load(xp), ca), la);
            const d1 = f32x4.sub(f32x4.sub(v128.load(xp, 16), cbv), lb);
            ga = f32x4.add(ga, g0); gb = f32x4.add(gb, g1);
            pa = madd(g0, d0, pa); pb = madd(g1, d1, pb);
            qa = madd(d0, d0, qa); qb = madd(d1, d1, qb);
            xp += cb;
            dp += cb;
          }
          addV(s1 + c, ga); addV(s1 + c + 16, gb);
          addV(s2 + c, pa); addV(s2 + c + 16, pb);
          addV(s3 + c, qa); addV(s3 + c + 16, qb);
        }
        for (; c + 16 <= cb; c += 16) {
          const ca = v128.load(ce + c), la = v128.load(lo + c);
          let ga = f32x4.splat(0), pa = ga, qa = ga;
          let xp = xb + c, dp = db + c;
          for (let r = r0; r < r1; r++) {
            const g0 = v128.load(dp);
            const d0 = f32x4.sub(f32x4.sub(v128.load(xp), ca), la);
            ga = f32x4.add(ga, g0);
            pa = madd(g0, d0, pa);
            qa = madd(d0, d0, qa);
            xp += cb;
            dp += cb;
          }
          addV(s1 + c, ga);
          addV(s2 + c, pa);
          addV(s3 + c, qa);
        }
      }
      // channel tail: C % 4 != 0 (all of C in the scalar build)
      for (; c < cb; c += 4) {
        const m = load<f32>(ce + c), l = load<f32>(lo + c);
        let g: f32 = 0, p: f32 = 0, q: f32 = 0;
        let xp = xb + c, dp = db + c;
        for (let r = r0; r < r1; r++) {
          const gv = load<f32>(dp);
          const d = (load<f32>(xp) - m) - l;
          g += gv;
          p += gv * d;
          q += d * d;
          xp += cb;
          dp += cb;
        }
        store<f32>(s1 + c, load<f32>(s1 + c) + g);
        store<f32>(s2 + c, load<f32>(s2 + c) + p);
        store<f32>(s3 + c, load<f32>(s3 + c) + q);
      }
    }
  }
}

// @ts-ignore: decorator
@inline function addV(p: usize, v: v128): void {
  v128.store(p, f32x4.add(v128.load(p), v));
}

/**
 * normGradApply: per sample n < N and channel c (coefficients per (n, c)):
 *   dx = dy·s1 + ((x − center) − centerLo)·s2 + s3; dx may equal dy.
 */
export function normGradApply(x: usize, dy: usize, dx: usize, N: i32, rows: i32, C: i32, center: usize, centerLo: usize,
                              s1: usize, s2: usize, s3: usize): void {
  const cb = <usize>C << 2;
  for (let n = 0; n < N; n++) {
    const o = <usize>n * cb;
    const ce = center + o, lo = centerLo + o, a = s1 + o, b = s2 + o, e = s3 + o;
    for (let r = 0; r < rows; r++) {
      let c: usize = 0;
      if (ASC_FEATURE_SIMD) {
        for (; c + 16 <= cb; c += 16) {
          const d = f32x4.sub(f32x4.sub(v128.load(x + c), v128.load(ce + c)), v128.load(lo + c));
          v128.store(dx + c, madd(v128.load(dy + c), v128.load(a + c), madd(d, v128.load(b + c), v128.load(e + c))));
        }
      }
      for (; c < cb; c += 4) {
        const d = (load<f32>(x + c) - load<f32>(ce + c)) - load<f32>(lo + c);
        store<f32>(dx + c, load<f32>(dy + c) * load<f32>(a + c) + (d * load<f32>(b + c) + load<f32>(e + c)));
      }
      x += cb;
      dy += cb;
      dx += cb;
    }
  }
}

/**
 * layerNormGrad: x, dy, dx as (rows, R, B), statistics per (i, b) at s = i·B + b (moments'
 * mean + meanLo and rstd), gamma per r. Accumulates dGamma[r] += Σ dy·(d·rstd) and
 * dBeta[r] += Σ dy over rows and b (each skipped when its pointer is 0) and writes
 * dx = rstd·(g − Σ_r g/R) − rstd³·d·Σ_r(g·d)/R (skipped when dx is 0). `scratch`: 2 arrays of
 * (B = 1 ? R : B) floats rounded up to 4.
 */
export function layerNormGrad(x: usize, dy: usize, dx: usize, rows: i32, R: i32, B: i32, mean: usize, meanLo: usize,
                              rstd: usize, gamma: usize, dGamma: usize, dBeta: usize, scratch: usize): void {
  const invR = <f32>(1.0 / <f64>R);
  if (B == 1) rowsGrad(x, dy, dx, rows, R, mean, meanLo, rstd, gamma, dGamma, dBeta, scratch, invR);
  else stridedGrad(x, dy, dx, rows, R, B, mean, meanLo, rstd, gamma, dGamma, dBeta, scratch, invR);
}

/** B = 1: statistics per row of R; the dGamma/dBeta sums of BLOCK rows collect in the scratch. */
function rowsGrad(x: usize, dy: usize, dx: usize, rows: i32, R: i32, mean: usize, meanLo: usize, rstd: usize,
                  gamma: usize, dGamma: usize, dBeta: usize, scratch: usize, invR: f32): void {
  const rb = <usize>R << 2;
  const blkG = scratch;
  const blkB = scratch + (<usize>((R + 3) & ~3) << 2);
  memory.fill(blkG, 0, rb);
  memory.fill(blkB, 0, rb);
  let inBlock = 0;
  for (let i = 0; i < rows; i++) {
    const at = <usize>i << 2;
    const m = load<f32>(mean + at), lo = load<f32>(meanLo + at), r = load<f32>(rstd + at);
    const xi = x + <usize>i * rb, di = dy + <usize>i * rb;
    let s1: f32 = 0, s2: f32 = 0;
    let c: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const mv = f32x4.splat(m), lv = f32x4.splat(lo), rv = f32x4.splat(r);
      let a1 = f32x4.splat(0), a2 = a1;
      for (; c + 16 <= rb; c += 16) {
        const g0 = v128.load(di + c);
        const d = f32x4.sub(f32x4.sub(v128.load(xi + c), mv), lv);
        const g = f32x4.mul(g0, v128.load(gamma + c));
        a1 = f32x4.add(a1, g);
        a2 = madd(g, d, a2);
        v128.store(blkG + c, madd(g0, f32x4.mul(d, rv), v128.load(blkG + c)));
        v128.store(blkB + c, f32x4.add(v128.load(blkB + c), g0));
      }
      s1 = (f32x4.extract_lane(a1, 0) + f32x4.extract_lane(a1, 1)) + (f32x4.extract_lane(a1, 2) + f32x4.extract_lane(a1, 3));
      s2 = (f32x4.extract_lane(a2, 0) + f32x4.extract_lane(a2, 1)) + (f32x4.extract_lane(a2, 2) + f32x4.extract_lane(a2, 3));
    }
    // row tail: R % 4 != 0 (all of R in the scalar build)
    for (; c < rb; c += 4) {
      const g0 = load<f32>(di + c);
      const d = (load<f32>(xi + c) - m) - lo;
      const g = g0 * load<f32>(gamma + c);
      s1 += g;
      s2 += g * d;
      store<f32>(blkG + c, load<f32>(blkG + c) + g0 * (d * r));
      store<f32>(blkB + c, load<f32>(blkB + c) + g0);
    }
    if (dx) {
      const c2 = -r * s1 * invR;
      const c3 = -r * r * r * s2 * invR;
      const oi = dx + <usize>i * rb;
      c = 0;
      if (ASC_FEATURE_SIMD) {
        const mv = f32x4.splat(m), lv = f32x4.splat(lo), rv = f32x4.splat(r);
        const c2v = f32x4.splat(c2), c3v = f32x4.splat(c3);
        for (; c + 16 <= rb; c += 16) {
          const d = f32x4.sub(f32x4.sub(v128.load(xi + c), mv), lv);
          const g = f32x4.mul(v128.load(di + c), v128.load(gamma + c));
          v128.store(oi + c, madd(g, rv, madd(d, c3v, c2v)));
        }
      }
      for (; c < rb; c += 4) {
        const d = (load<f32>(xi + c) - m) - lo;
        const g = load<f32>(di + c) * load<f32>(gamma + c);
        store<f32>(oi + c, g * r + (d * c3 + c2));
      }
    }
    if (++inBlock == BLOCK || i + 1 == rows) {
      flush(blkG, dGamma, rb);
      flush(blkB, dBeta, rb);
      inBlock = 0;
    }
  }
}

/** to[c] += from[c] (unless `to` is 0), from[c] = 0, for cb bytes. */
function flush(from: usize, to: usize, cb: usize): void {
  if (to) {
    let c: usize = 0;
    if (ASC_FEATURE_SIMD) for (; c + 16 <= cb; c += 16) v128.store(to + c, f32x4.add(v128.load(to + c), v128.load(from + c)));
    for (; c < cb; c += 4) store<f32>(to + c, load<f32>(to + c) + load<f32>(from + c));
  }
  memory.fill(from, 0, cb);
}

/** B > 1: statistics per (i, b) along rows of B; S1, S2 per b in the scratch, then the coefficients there. */
function stridedGrad(x: usize, dy: usize, dx: usize, rows: i32, R: i32, B: i32, mean: usize, meanLo: usize, rstd: usize,
                     gamma: usize, dGamma: usize, dBeta: usize, scratch: usize, invR: f32): void {
  const bb = <usize>B << 2;
  const S1 = scratch;
  const S2 = scratch + (<usize>((B + 3) & ~3) << 2);
  for (let i = 0; i < rows; i++) {
    const mi = mean + <usize>i * bb, li = meanLo + <usize>i * bb, ri = rstd + <usize>i * bb;
    memory.fill(S1, 0, bb);
    memory.fill(S2, 0, bb);
    for (let r = 0; r < R; r++) {
      const at = (<usize>i * <usize>R + <usize>r) * bb;
      const xr = x + at, dr = dy + at;
      const gm = load<f32>(gamma + (<usize>r << 2));
      let sg: f32 = 0, sb: f32 = 0;
      let c: usize = 0;
      if (ASC_FEATURE_SIMD) {
        const gv = f32x4.splat(gm);
        let ag = f32x4.splat(0), ab = ag;
        for (; c + 16 <= bb; c += 16) {
          const g0 = v128.load(dr + c);
          const d = f32x4.sub(f32x4.sub(v128.load(xr + c), v128.load(mi + c)), v128.load(li + c));
          const g = f32x4.mul(g0, gv);
          v128.store(S1 + c, f32x4.add(v128.load(S1 + c), g));
          v128.store(S2 + c, madd(g, d, v128.load(S2 + c)));
          ag = madd(g0, f32x4.mul(d, v128.load(ri + c)), ag);
          ab = f32x4.add(ab, g0);
        }
        sg = (f32x4.extract_lane(ag, 0) + f32x4.extract_lane(ag, 1)) + (f32x4.extract_lane(ag, 2) + f32x4.extract_lane(ag, 3));
        sb = (f32x4.extract_lane(ab, 0) + f32x4.extract_lane(ab, 1)) + (f32x4.extract_lane(ab, 2) + f32x4.extract_lane(ab, 3));
      }
      for (; c < bb; c += 4) {
        const g0 = load<f32>(dr + c);
        const d = (load<f32>(xr + c) - load<f32>(mi + c)) - load<f32>(li + c);
        const g = g0 * gm;
        store<f32>(S1 + c, load<f32>(S1 + c) + g);
        store<f32>(S2 + c, load<f32>(S2 + c) + g * d);
        sg += g0 * (d * load<f32>(ri + c));
        sb += g0;
      }
      if (dGamma) store<f32>(dGamma + (<usize>r << 2), load<f32>(dGamma + (<usize>r << 2)) + sg);
      if (dBeta) store<f32>(dBeta + (<usize>r << 2), load<f32>(dBeta + (<usize>r << 2)) + sb);
    }
    if (!dx) continue;
    // coefficients per b: S1 ← −rstd·ΣG/R, S2 ← −rstd³·ΣGD/R
    for (let c: usize = 0; c < bb; c += 4) {
      const rs = load<f32>(ri + c);
      store<f32>(S1 + c, -rs * load<f32>(S1 + c) * invR);
      store<f32>(S2 + c, -rs * rs * rs * load<f32>(S2 + c) * invR);
    }
    for (let r = 0; r < R; r++) {
      const at = (<usize>i * <usize>R + <usize>r) * bb;
      const xr = x + at, dr = dy + at, orow = dx + at;
      const gm = load<f32>(gamma + (<usize>r << 2));
      let c: usize = 0;
      if (ASC_FEATURE_SIMD) {
        const gv = f32x4.splat(gm);
        for (; c + 16 <= bb; c += 16) {
          const d = f32x4.sub(f32x4.sub(v128.load(xr + c), v128.load(mi + c)), v128.load(li + c));
          const g = f32x4.mul(v128.load(dr + c), gv);
          v128.store(orow + c, madd(g, v128.load(ri + c), madd(d, v128.load(S2 + c), v128.load(S1 + c))));
        }
      }
      for (; c < bb; c += 4) {
        const d = (load<f32>(xr + c) - load<f32>(mi + c)) - load<f32>(li + c);
        const g = load<f32>(dr + c) * gm;
        store<f32>(orow + c, g * load<f32>(ri + c) + (d * load<f32>(S2 + c) + load<f32>(S1 + c)));
      }
    }
  }
}

/**
 * pixelNormGrad: per row of C, with inv = 1/sqrt(Σx²/C + eps) (summed as pixelNorm does):
 * dx = dy·inv − x·inv³·Σ(dy·x)/C; dx may equal dy.
 */
export function pixelNormGrad(x: usize, dy: usize, dx: usize, rows: i32, C: i32, eps: f32): void {
  const cb = <usize>C << 2;
  const invC = <f32>(1.0 / <f64>C);
  for (let i = 0; i < rows; i++) {
    const xi = x + <usize>i * cb, di = dy + <usize>i * cb, oi = dx + <usize>i * cb;
    let c: usize = 0;
    let sq: f32 = 0, dot: f32 = 0;
    if (ASC_FEATURE_SIMD) {
      let aq = f32x4.splat(0), ad = aq;
      for (; c + 16 <= cb; c += 16) {
        const v = v128.load(xi + c);
        aq = madd(v, v, aq);
        ad = madd(v128.load(di + c), v, ad);
      }
      sq = (f32x4.extract_lane(aq, 0) + f32x4.extract_lane(aq, 1)) + (f32x4.extract_lane(aq, 2) + f32x4.extract_lane(aq, 3));
      dot = (f32x4.extract_lane(ad, 0) + f32x4.extract_lane(ad, 1)) + (f32x4.extract_lane(ad, 2) + f32x4.extract_lane(ad, 3));
    }
    for (; c < cb; c += 4) {
      const v = load<f32>(xi + c);
      sq += v * v;
      dot += load<f32>(di + c) * v;
    }
    const inv = <f32>1 / Mathf.sqrt(sq * invC + eps);
    const k = -inv * inv * inv * dot * invC;
    c = 0;
    if (ASC_FEATURE_SIMD) {
      const iv = f32x4.splat(inv), kv = f32x4.splat(k);
      for (; c + 16 <= cb; c += 16) v128.store(oi + c, madd(v128.load(di + c), iv, f32x4.mul(v128.load(xi + c), kv)));
    }
    for (; c < cb; c += 4) store<f32>(oi + c, load<f32>(di + c) * inv + load<f32>(xi + c) * k);
  }
}

// Normalisation applied: statistics from assembly/moments.ts spread over channels, applied to
// rows of channels (group, instance, batch norm) or along layer-norm axes; pixel normalisation.
// Statistics come as mean + meanLo (two floats) and rstd; an output is
// ((x − mean) − meanLo)·(rstd·gamma) + beta, centred first so that it keeps float32 precision.
import { actScalar } from "./activations";
import { actV, madd } from "./simd";

/**
 * normFold: per sample n and channel c (C = G·K), s = n·G + c/K: center = mean[s],
 * centerLo = meanLo[s], scale = gamma[c]·rstd[s].
 */
export function normFold(mean: usize, meanLo: usize, rstd: usize, N: i32, G: i32, K: i32, gamma: usize,
                         center: usize, centerLo: usize, scale: usize): void {
  const kb = <usize>K << 2;
  let o: usize = 0; // byte offset of (n, c) in the outputs
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const at = <usize>(n * G + g) << 2;
      const m = load<f32>(mean + at);
      const lo = load<f32>(meanLo + at);
      const r = load<f32>(rstd + at);
      const c0 = <usize>g * kb;
      for (let k: usize = 0; k < kb; k += 4) {
        store<f32>(center + o, m);
        store<f32>(centerLo + o, lo);
        store<f32>(scale + o, load<f32>(gamma + c0 + k) * r);
        o += 4;
      }
    }
  }
}

/** normApply: out = act(((x − center[c]) − centerLo[c])·scale[c] + shift[c]), rows x C; x may equal out. */
export function normApply(x: usize, out: usize, rows: i32, C: i32, center: usize, centerLo: usize,
                          scale: usize, shift: usize, act: i32, alpha: f32): void {
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < rows; r++) {
    let c: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const al = f32x4.splat(alpha);
      for (; c + 16 <= rowBytes; c += 16) {
        const d = f32x4.sub(f32x4.sub(v128.load(x + c), v128.load(center + c)), v128.load(centerLo + c));
        v128.store(out + c, actV(madd(d, v128.load(scale + c), v128.load(shift + c)), act, al));
      }
    }
    // channel tail: C % 4 != 0 (all of C in the scalar build)
    for (; c < rowBytes; c += 4) {
      const d = (load<f32>(x + c) - load<f32>(center + c)) - load<f32>(centerLo + c);
      store<f32>(out + c, actScalar(d * load<f32>(scale + c) + load<f32>(shift + c), act, alpha));
    }
    x += rowBytes;
    out += rowBytes;
  }
}

/**
 * layerNormApply: x as (rows, R, B), stats per (i, b), gamma/beta per r:
 * out = act(((x − mean) − meanLo)·rstd·gamma[r] + beta[r]); fusable act; x may equal out.
 */
export function layerNormApply(x: usize, out: usize, rows: i32, R: i32, B: i32, mean: usize, meanLo: usize,
                               rstd: usize, gamma: usize, beta: usize, act: i32, alpha: f32): void {
  const rb = <usize>R << 2;
  if (B == 1) {
    // stats per row, gamma along the row
    for (let i = 0; i < rows; i++) {
      const at = <usize>i << 2;
      const m = load<f32>(mean + at);
      const lo = load<f32>(meanLo + at);
      const r = load<f32>(rstd + at);
      const xi = x + <usize>i * rb;
      const oi = out + <usize>i * rb;
      let c: usize = 0;
      if (ASC_FEATURE_SIMD) {
        const mv = f32x4.splat(m);
        const lv = f32x4.splat(lo);
        const rv = f32x4.splat(r);
        const al = f32x4.splat(alpha);
        for (; c + 16 <= rb; c += 16) {
          const d = f32x4.sub(f32x4.sub(v128.load(xi + c), mv), lv);
          const y = madd(d, f32x4.mul(rv, v128.load(gamma + c)), v128.load(beta + c));
          v128.store(oi + c, actV(y, act, al));
        }
      }
      // row tail: R % 4 != 0 (all of R in the scalar build)
      for (; c < rb; c += 4) {
        const d = (load<f32>(xi + c) - m) - lo;
        store<f32>(oi + c, actScalar(d * (r * load<f32>(gamma + c)) + load<f32>(beta + c), act, alpha));
      }
    }
    return;
  }
  // stats along the row (per b), one gamma per row r
  const bb = <usize>B << 2;
  for (let i = 0; i < rows; i++) {
    const mi = mean + <usize>i * bb;
    const li = meanLo + <usize>i * bb;
    const ri = rstd + <usize>i * bb;
    for (let r = 0; r < R; r++) {
      const g = load<f32>(gamma + (<usize>r << 2));
      const be = load<f32>(beta + (<usize>r << 2));
      const at = (<usize>i * <usize>R + <usize>r) * bb;
      const xr = x + at;
      const orow = out + at;
      let c: usize = 0;
      if (ASC_FEATURE_SIMD) {
        const gv = f32x4.splat(g);
        const bv = f32x4.splat(be);
        const al = f32x4.splat(alpha);
        for (; c + 16 <= bb; c += 16) {
          const d = f32x4.sub(f32x4.sub(v128.load(xr + c), v128.load(mi + c)), v128.load(li + c));
          const y = madd(d, f32x4.mul(v128.load(ri + c), gv), bv);
          v128.store(orow + c, actV(y, act, al));
        }
      }
      for (; c < bb; c += 4) {
        const d = (load<f32>(xr + c) - load<f32>(mi + c)) - load<f32>(li + c);
        store<f32>(orow + c, actScalar(d * (load<f32>(ri + c) * g) + be, act, alpha));
      }
    }
  }
}

/** pixelNorm: out = x · 1/sqrt(Σx²/C + eps) per row of C floats; x may equal out. */
export function pixelNorm(x: usize, out: usize, rows: i32, C: i32, eps: f32): void {
  const cb = <usize>C << 2;
  const invC = <f32>(1.0 / <f64>C);
  for (let i = 0; i < rows; i++) {
    const xi = x + <usize>i * cb;
    const oi = out + <usize>i * cb;
    let c: usize = 0;
    let sq: f32 = 0;
    if (ASC_FEATURE_SIMD) {
      let acc = f32x4.splat(0);
      for (; c + 16 <= cb; c += 16) {
        const v = v128.load(xi + c);
        acc = madd(v, v, acc);
      }
      sq = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    }
    for (; c < cb; c += 4) {
      const v = load<f32>(xi + c);
      sq += v * v;
    }
    const inv = <f32>1 / Mathf.sqrt(sq * invC + eps);
    c = 0;
    if (ASC_FEATURE_SIMD) {
      const iv = f32x4.splat(inv);
      for (; c + 16 <= cb; c += 16) v128.store(oi + c, f32x4.mul(v128.load(xi + c), iv));
    }
    for (; c < cb; c += 4) store<f32>(oi + c, load<f32>(xi + c) * inv);
  }
}

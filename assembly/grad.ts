// Backward kernels: weight gradients over the forward's indirection tables, bias sums,
// activation / softmax / resize adjoints, BatchNormalization statistics and their gradients.
import { Act } from "./activations";
import { madd } from "./simd";

/** Rows of the reduction per block: a block's input rows and output-gradient rows stay in L1/L2. */
const MB = 64;

/**
 * igemmWeightGrad: dW[tap t][k][n] += Σ_m in[m·T+t][k] · dy[m][n], the weight gradient of an
 * indirect GEMM (Dense, Conv2D, a Conv2DTranspose phase) over the same pointer tables as its
 * forward. dW element (t, k, n) sits at dW + tapOffsets[t] + 4·(k·sk + n·sn) (byte offsets in the
 * u32 table, strides in floats), so any Keras kernel layout is written directly. Padding taps
 * point at the zero row and add nothing. The reduction over m runs in blocks of MB rows (so the
 * rows a block reads stay in cache while every (t, k, n) tile passes over them); within a block,
 * tiles of 4 k × 8 n in 8 f32x4 accumulators, or for N < 8 rows of 32 k per output channel.
 */
export function igemmWeightGrad(M: i32, T: i32, K: i32, N: i32, inPtrs: usize, dyPtrs: usize,
                                dW: usize, tapOffsets: usize, sk: i32, sn: i32): void {
  const rowBytes = <usize>T << 2;
  for (let m0 = 0; m0 < M; m0 += MB) {
    const m1 = min(M, m0 + MB);
    for (let t = 0; t < T; t++) {
      const tapBase = dW + <usize>load<u32>(tapOffsets + (<usize>t << 2));
      const col = inPtrs + (<usize>t << 2);
      if (ASC_FEATURE_SIMD && N < 8) {
        // few output channels (a generator's last layer): each channel's dW row over k in chunks of 32
        for (let n = 0; n < N; n++) {
          let k0 = 0;
          for (; k0 + 32 <= K; k0 += 32) gradRow32(m0, m1, rowBytes, col, dyPtrs, tapBase + ((<usize>n * <usize>sn) << 2), k0, n, sk);
          if (k0 < K) gradScalar(m0, m1, rowBytes, col, dyPtrs, tapBase, k0, K - k0, n, 1, sk, sn);
        }
        continue;
      }
      for (let k0 = 0; k0 < K; k0 += 4) {
        const kv = min(K - k0, 4);
        for (let n0 = 0; n0 < N; n0 += 8) {
          const nv = min(N - n0, 8);
          if (ASC_FEATURE_SIMD && nv == 8) gradTile4x8(m0, m1, rowBytes, col, dyPtrs, tapBase, k0, kv, n0, sk, sn);
          else gradScalar(m0, m1, rowBytes, col, dyPtrs, tapBase, k0, kv, n0, nv, sk, sn);
        }
      }
    }
  }
}

/** 4 k × 8 n in 8 f32x4 accumulators (lanes along n); k rows past K reuse the last row and are not stored. */
// @ts-ignore: decorator
@inline function gradTile4x8(m0: i32, m1: i32, rowBytes: usize, col: usize, dyPtrs: usize, base: usize,
                             k0: i32, kv: i32, n0: i32, sk: i32, sn: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const o0: usize = <usize>k0 << 2;
  const o1: usize = <usize>(k0 + min(1, kv - 1)) << 2;
  const o2: usize = <usize>(k0 + min(2, kv - 1)) << 2;
  const o3: usize = <usize>(k0 + min(3, kv - 1)) << 2;
  const nOff = <usize>n0 << 2;
  for (let m = m0; m < m1; m++) {
    const x = <usize>load<u32>(col + <usize>m * rowBytes);
    const d = <usize>load<u32>(dyPtrs + (<usize>m << 2)) + nOff;
    const d0 = v128.load(d), d1 = v128.load(d, 16);
    let v = v128.load32_splat(x + o0);
    c00 = madd(v, d0, c00); c01 = madd(v, d1, c01);
    v = v128.load32_splat(x + o1);
    c10 = madd(v, d0, c10); c11 = madd(v, d1, c11);
    v = v128.load32_splat(x + o2);
    c20 = madd(v, d0, c20); c21 = madd(v, d1, c21);
    v = v128.load32_splat(x + o3);
    c30 = madd(v, d0, c30); c31 = madd(v, d1, c31);
  }
  addTile(base, k0, n0, sk, sn, 0, c00, c01);
  if (kv > 1) addTile(base, k0, n0, sk, sn, 1, c10, c11);
  if (kv > 2) addTile(base, k0, n0, sk, sn, 2, c20, c21);
  if (kv > 3) addTile(base, k0, n0, sk, sn, 3, c30, c31);
}

/**
 * One output channel n, 32 k (8 f32x4 along k): dst[k·sk] += Σ_m x[m][k0 + k] · dy[m][n] for
 * k < 32, where dst points at the channel's (k0 = 0) element; sk = 1 is a run of vector adds.
 */
// @ts-ignore: decorator
@inline function gradRow32(m0: i32, m1: i32, rowBytes: usize, col: usize, dyPtrs: usize, dst: usize,
                           k0: i32, n: i32, sk: i32): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const kOff = <usize>k0 << 2;
  const nOff = <usize>n << 2;
  for (let m = m0; m < m1; m++) {
    const x = <usize>load<u32>(col + <usize>m * rowBytes) + kOff;
    const g = v128.load32_splat(<usize>load<u32>(dyPtrs + (<usize>m << 2)) + nOff);
    a0 = madd(v128.load(x), g, a0); a1 = madd(v128.load(x, 16), g, a1);
    a2 = madd(v128.load(x, 32), g, a2); a3 = madd(v128.load(x, 48), g, a3);
    a4 = madd(v128.load(x, 64), g, a4); a5 = madd(v128.load(x, 80), g, a5);
    a6 = madd(v128.load(x, 96), g, a6); a7 = madd(v128.load(x, 112), g, a7);
  }
  if (sk == 1) {
    const p = dst + kOff;
    v128.store(p, f32x4.add(v128.load(p), a0)); v128.store(p, f32x4.add(v128.load(p, 16), a1), 16);
    v128.store(p, f32x4.add(v128.load(p, 32), a2), 32); v128.store(p, f32x4.add(v128.load(p, 48), a3), 48);
    v128.store(p, f32x4.add(v128.load(p, 64), a4), 64); v128.store(p, f32x4.add(v128.load(p, 80), a5), 80);
    v128.store(p, f32x4.add(v128.load(p, 96), a6), 96); v128.store(p, f32x4.add(v128.load(p, 112), a7), 112);
    return;
  }
  addColumn(dst, k0, 0, sk, 0, 0, a0); addColumn(dst, k0 + 4, 0, sk, 0, 0, a1);
  addColumn(dst, k0 + 8, 0, sk, 0, 0, a2); addColumn(dst, k0 + 12, 0, sk, 0, 0, a3);
  addColumn(dst, k0 + 16, 0, sk, 0, 0, a4); addColumn(dst, k0 + 20, 0, sk, 0, 0, a5);
  addColumn(dst, k0 + 24, 0, sk, 0, 0, a6); addColumn(dst, k0 + 28, 0, sk, 0, 0, a7);
}

/** Adds 4 k lanes of output channel n0 + j into dW. */
// @ts-ignore: decorator
@inline function addColumn(base: usize, k0: i32, n0: i32, sk: i32, sn: i32, j: i32, acc: v128): void {
  const step = <usize>sk << 2;
  let p = base + ((<usize>k0 * <usize>sk + <usize>(n0 + j) * <usize>sn) << 2);
  store<f32>(p, load<f32>(p) + f32x4.extract_lane(acc, 0)); p += step;
  store<f32>(p, load<f32>(p) + f32x4.extract_lane(acc, 1)); p += step;
  store<f32>(p, load<f32>(p) + f32x4.extract_lane(acc, 2)); p += step;
  store<f32>(p, load<f32>(p) + f32x4.extract_lane(acc, 3));
}

/** Scalar build, and the tails: one (k, n) pair at a time over the block. */
// @ts-ignore: decorator
@inline function gradScalar(m0: i32, m1: i32, rowBytes: usize, col: usize, dyPtrs: usize, base: usize,
                            k0: i32, kv: i32, n0: i32, nv: i32, sk: i32, sn: i32): void {
  for (let kk = 0; kk < kv; kk++) {
    for (let nn = 0; nn < nv; nn++) {
      let s: f32 = 0;
      const kOff = <usize>(k0 + kk) << 2;
      const nOff = <usize>(n0 + nn) << 2;
      for (let m = m0; m < m1; m++) {
        s += load<f32>(<usize>load<u32>(col + <usize>m * rowBytes) + kOff) * load<f32>(<usize>load<u32>(dyPtrs + (<usize>m << 2)) + nOff);
      }
      const p = base + ((<usize>(k0 + kk) * <usize>sk + <usize>(n0 + nn) * <usize>sn) << 2);
      store<f32>(p, load<f32>(p) + s);
    }
  }
}

/** Adds one tile row (k = k0 + r, n = n0..n0+7) into dW at its strides. */
// @ts-ignore: decorator
@inline function addTile(base: usize, k0: i32, n0: i32, sk: i32, sn: i32, r: i32, lo: v128, hi: v128): void {
  const row = base + (<usize>(k0 + r) * <usize>sk << 2);
  if (sn == 1) {
    const p = row + (<usize>n0 << 2);
    v128.store(p, f32x4.add(v128.load(p), lo));
    v128.store(p, f32x4.add(v128.load(p, 16), hi), 16);
    return;
  }
  const step = <usize>sn << 2;
  let p = row + (<usize>n0 * <usize>sn << 2);
  store<f32>(p, load<f32>(p) + f32x4.extract_lane(lo, 0)); p += step;
  store<f32>(p, load<f32>(p) + f32x4.extract_lane(lo, 1)); p += step;
  store<f32>(p, load<f32>(p) + f32x4.extract_lane(lo, 2)); p += step;
  store<f32>(p, load<f32>(p) + f32x4.extract_lane(lo, 3)); p += step;
  store<f32>(p, load<f32>(p) + f32x4.extract_lane(hi, 0)); p += step;
  store<f32>(p, load<f32>(p) + f32x4.extract_lane(hi, 1)); p += step;
  store<f32>(p, load<f32>(p) + f32x4.extract_lane(hi, 2)); p += step;
  store<f32>(p, load<f32>(p) + f32x4.extract_lane(hi, 3));
}

/** columnSum: out[c] += Σ_r x[r·C + c] (bias gradients, BN sums). */
export function columnSum(x: usize, rows: i32, C: i32, out: usize): void {
  const rowBytes = <usize>C << 2;
  let c: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; c + 16 <= rowBytes; c += 16) {
      let acc = f32x4.splat(0);
      for (let r = 0, p = x + c; r < rows; r++, p += rowBytes) acc = f32x4.add(acc, v128.load(p));
      v128.store(out + c, f32x4.add(v128.load(out + c), acc));
    }
  }
  for (; c < rowBytes; c += 4) {
    let acc: f32 = 0;
    for (let r = 0, p = x + c; r < rows; r++, p += rowBytes) acc += load<f32>(p);
    store<f32>(out + c, load<f32>(out + c) + acc);
  }
}

/**
 * activationGrad: dx[i] = dy[i] · f'(·) for an activation code, from the activation's OUTPUT y
 * (relu, leaky relu with alpha ≥ 0, sigmoid, tanh, elu, selu, softplus, softsign, hard_sigmoid,
 * relu6, exponential, linear) or its INPUT x (swish, gelu): `src` is whichever the code needs.
 * TF's conventions at the kinks: relu'(0) = 0, leaky'(0) = alpha, elu'(0) = alpha, selu'(0) = scale
 * (TF's SeluGrad takes the negative branch only where the output is < 0).
 */
export function activationGrad(src: usize, dy: usize, dx: usize, count: i32, act: i32, alpha: f32): void {
  const end = <usize>count << 2;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD && (act == Act.Relu || act == Act.LeakyRelu || act == Act.Sigmoid || act == Act.Tanh)) {
    // the cheap ones, four at a time (the tail below handles the rest, same formulas)
    const zero = f32x4.splat(0), one = f32x4.splat(1), al = f32x4.splat(alpha);
    for (; i + 16 <= end; i += 16) {
      const s = v128.load(src + i), g = v128.load(dy + i);
      let d: v128;
      if (act == Act.Relu) d = v128.and(g, f32x4.gt(s, zero));
      else if (act == Act.LeakyRelu) d = v128.bitselect(g, f32x4.mul(g, al), f32x4.gt(s, zero));
      else if (act == Act.Sigmoid) d = f32x4.mul(f32x4.mul(g, s), f32x4.sub(one, s));
      else d = f32x4.mul(g, f32x4.sub(one, f32x4.mul(s, s)));
      v128.store(dx + i, d);
    }
  }
  for (; i < end; i += 4) {
    const s = load<f32>(src + i);
    const g = load<f32>(dy + i);
    let d: f32;
    switch (act) {
      case Act.Relu: d = s > 0 ? g : 0; break;
      case Act.LeakyRelu: d = s > 0 ? g : alpha * g; break;
      case Act.Sigmoid: d = g * s * (<f32>1 - s); break;
      case Act.Tanh: d = g * (<f32>1 - s * s); break;
      case Act.Elu: d = s > 0 ? g : g * (s + alpha); break;
      case Act.Selu: d = s >= 0 ? g * <f32>1.0507009873554805 : g * (s + <f32>(1.0507009873554805 * 1.6732632423543772)); break;
      case Act.Softplus: d = g * -Mathf.expm1(-s); break;
      case Act.Softsign: { const a = <f32>1 - Mathf.abs(s); d = g * a * a; break; }
      case Act.Swish: { const sg = sigmoid(s); d = g * (sg + s * sg * (<f32>1 - sg)); break; }
      case Act.Gelu: d = g * geluGrad(s); break;
      case Act.HardSigmoid: d = s > 0 && s < 1 ? g * alpha : 0; break;
      case Act.Relu6: d = s > 0 && s < 6 ? g : 0; break;
      case Act.Exponential: d = g * s; break;
      default: d = g;
    }
    store<f32>(dx + i, d);
  }
}

// @ts-ignore: decorator
@inline function sigmoid(x: f32): f32 {
  const e = Mathf.exp(-Mathf.abs(x));
  return x >= 0 ? <f32>1 / (<f32>1 + e) : e / (<f32>1 + e);
}

/** d/dx of the exact gelu x·Φ(x): Φ(x) + x·φ(x), with Φ from erf in f64 for accuracy. */
// @ts-ignore: decorator
@inline function geluGrad(x: f32): f32 {
  const xd = <f64>x;
  const cdf = 0.5 * (1 + erf64(xd * 0.7071067811865476));
  const pdf = Math.exp(-0.5 * xd * xd) * 0.3989422804014327;
  return <f32>(cdf + xd * pdf);
}

/** erf in f64 (Abramowitz–Stegun 7.1.26 is not enough; this is the erfc continued fraction / series pair). */
function erf64(x: f64): f64 {
  const z = Math.abs(x);
  let r: f64;
  if (z < 2.5) {
    let term = z, sum = z;
    for (let n = 1; n < 60; n++) {
      term *= (-z * z) / <f64>n;
      sum += term / <f64>(2 * n + 1);
    }
    r = 1.1283791670955126 * sum;
  } else {
    let f: f64 = 0;
    for (let n = 60; n >= 1; n--) f = (<f64>n / 2) / (z + f);
    r = 1 - Math.exp(-z * z) / 1.7724538509055159 / (z + f);
  }
  return x < 0 ? -r : r;
}

/** softmaxGrad over rows of C: dx = y · (dy − Σ_c dy·y). */
export function softmaxGrad(y: usize, dy: usize, dx: usize, rows: i32, C: i32): void {
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < rows; r++) {
    let dot: f32 = 0;
    for (let c: usize = 0; c < rowBytes; c += 4) dot += load<f32>(dy + c) * load<f32>(y + c);
    for (let c: usize = 0; c < rowBytes; c += 4) store<f32>(dx + c, load<f32>(y + c) * (load<f32>(dy + c) - dot));
    y += rowBytes; dy += rowBytes; dx += rowBytes;
  }
}

/**
 * reluClipGrad, from the output y of reluClip: 1 on (0, max), slope where y < 0, 0 where y = 0
 * (x at the threshold: Keras's relu(threshold − x) and x·(x > threshold) both pass nothing there)
 * and at max.
 */
export function reluClipGrad(y: usize, dy: usize, dx: usize, count: i32, slope: f32, maxValue: f32): void {
  const end = <usize>count << 2;
  for (let i: usize = 0; i < end; i += 4) {
    const s = load<f32>(y + i);
    const g = load<f32>(dy + i);
    store<f32>(dx + i, s < 0 ? slope * g : s > 0 && s < maxValue ? g : <f32>0);
  }
}

/** resizeNearestGrad: dx[n,y,x,c] = Σ of the fh·fw output pixels it was copied to (overwrites dx). */
export function resizeNearestGrad(dy: usize, dx: usize, N: i32, H: i32, W: i32, C: i32, fh: i32, fw: i32): void {
  const pix = <usize>C << 2;
  const outRow = <usize>W * <usize>fw * pix;
  for (let r = 0, rows = N * H; r < rows; r++) {
    const block = dy + <usize>r * outRow * <usize>fh;
    for (let i = 0; i < W; i++) {
      const first = block + <usize>i * <usize>fw * pix;
      let c: usize = 0;
      if (ASC_FEATURE_SIMD) {
        for (; c + 16 <= pix; c += 16) {
          let acc = f32x4.splat(0);
          for (let a = 0; a < fh; a++) {
            for (let b = 0; b < fw; b++) acc = f32x4.add(acc, v128.load(first + <usize>a * outRow + <usize>b * pix + c));
          }
          v128.store(dx + c, acc);
        }
      }
      for (; c < pix; c += 4) {
        let acc: f32 = 0;
        for (let a = 0; a < fh; a++) for (let b = 0; b < fw; b++) acc += load<f32>(first + <usize>a * outRow + <usize>b * pix + c);
        store<f32>(dx + c, acc);
      }
      dx += pix;
    }
  }
}

/** resizeBilinearGrad: the adjoint of resizeBilinear with the same tap tables (zeroes dx, then scatters). */
export function resizeBilinearGrad(dy: usize, dx: usize, N: i32, H: i32, W: i32, C: i32,
                                   OH: i32, OW: i32, yTab: usize, xTab: usize): void {
  const pix = <usize>C << 2;
  const inRow = <usize>W * pix;
  memory.fill(dx, 0, <usize>N * <usize>H * inRow);
  for (let n = 0; n < N; n++) {
    const img = dx + <usize>n * <usize>H * inRow;
    for (let oy = 0; oy < OH; oy++) {
      const ty = yTab + <usize>oy * 12;
      const top = img + <usize>load<i32>(ty) * inRow;
      const bot = img + <usize>load<i32>(ty, 4) * inRow;
      const wy = load<f32>(ty, 8);
      for (let ox = 0; ox < OW; ox++) {
        const tx = xTab + <usize>ox * 12;
        const x0 = <usize>load<i32>(tx) * pix;
        const x1 = <usize>load<i32>(tx, 4) * pix;
        const wx = load<f32>(tx, 8);
        // out = (1-wy)((1-wx)tl + wx tr) + wy((1-wx)bl + wx br), as the forward lerps compute it
        for (let c: usize = 0; c < pix; c += 4) {
          const g = load<f32>(dy + c);
          const gt = g - g * wy, gb = g * wy;
          store<f32>(top + x0 + c, load<f32>(top + x0 + c) + (gt - gt * wx));
          store<f32>(top + x1 + c, load<f32>(top + x1 + c) + gt * wx);
          store<f32>(bot + x0 + c, load<f32>(bot + x0 + c) + (gb - gb * wx));
          store<f32>(bot + x1 + c, load<f32>(bot + x1 + c) + gb * wx);
        }
        dy += pix;
      }
    }
  }
}

/** channelMoments: mean[c] and biased var[c] over rows (two passes, f64 sums). */
export function channelMoments(x: usize, rows: i32, C: i32, mean: usize, variance: usize): void {
  const rowBytes = <usize>C << 2;
  const inv = 1.0 / <f64>rows;
  for (let c: usize = 0; c < rowBytes; c += 4) {
    let s: f64 = 0;
    for (let r = 0, p = x + c; r < rows; r++, p += rowBytes) s += <f64>load<f32>(p);
    const m = s * inv;
    let v: f64 = 0;
    for (let r = 0, p = x + c; r < rows; r++, p += rowBytes) {
      const d = <f64>load<f32>(p) - m;
      v += d * d;
    }
    store<f32>(mean + c, <f32>m);
    store<f32>(variance + c, <f32>(v * inv));
  }
}

/**
 * bnGradReduce: per channel, sumDy[c] = Σ dy and sumDyXhat[c] = Σ dy·(x − mean)·invStd over rows
 * (BatchNormalization training backward, first pass; f64 sums).
 */
export function bnGradReduce(x: usize, dy: usize, rows: i32, C: i32, mean: usize, invStd: usize,
                             sumDy: usize, sumDyXhat: usize): void {
  const rowBytes = <usize>C << 2;
  for (let c: usize = 0; c < rowBytes; c += 4) {
    const m = load<f32>(mean + c), is = load<f32>(invStd + c);
    let a: f64 = 0, b: f64 = 0;
    for (let r = 0, off = c; r < rows; r++, off += rowBytes) {
      const g = <f64>load<f32>(dy + off);
      a += g;
      b += g * <f64>((load<f32>(x + off) - m) * is);
    }
    store<f32>(sumDy + c, <f32>a);
    store<f32>(sumDyXhat + c, <f32>b);
  }
}

/** bnGradApply: dx = gamma·invStd · (dy − sumDy/rows − xhat·sumDyXhat/rows), second pass. */
export function bnGradApply(x: usize, dy: usize, dx: usize, rows: i32, C: i32, mean: usize, invStd: usize,
                            gamma: usize, sumDy: usize, sumDyXhat: usize): void {
  const rowBytes = <usize>C << 2;
  const inv = <f32>1 / <f32>rows;
  for (let r = 0; r < rows; r++) {
    for (let c: usize = 0; c < rowBytes; c += 4) {
      const is = load<f32>(invStd + c);
      const xhat = (load<f32>(x + c) - load<f32>(mean + c)) * is;
      const g = load<f32>(gamma + c) * is;
      store<f32>(dx + c, g * (load<f32>(dy + c) - load<f32>(sumDy + c) * inv - xhat * load<f32>(sumDyXhat + c) * inv));
    }
    x += rowBytes; dy += rowBytes; dx += rowBytes;
  }
}

/** accumulate: dst[i] += src[i] (a value read by several layers gets the sum of their gradients). */
export function accumulate(src: usize, dst: usize, count: i32): void {
  const end = <usize>count << 2;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) for (; i + 16 <= end; i += 16) v128.store(dst + i, f32x4.add(v128.load(dst + i), v128.load(src + i)));
  for (; i < end; i += 4) store<f32>(dst + i, load<f32>(dst + i) + load<f32>(src + i));
}

/** mulMask: out[i] = x[i] · mask[i] · scale (training-mode Dropout; also its gradient). */
export function mulMask(x: usize, mask: usize, out: usize, count: i32, scale: f32): void {
  const end = <usize>count << 2;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const s = f32x4.splat(scale);
    for (; i + 16 <= end; i += 16) v128.store(out + i, f32x4.mul(f32x4.mul(v128.load(x + i), v128.load(mask + i)), s));
  }
  for (; i < end; i += 4) store<f32>(out + i, load<f32>(x + i) * load<f32>(mask + i) * scale);
}

/**
 * dropoutMask: mask[i] = 1 where u(seed, i) ≥ rate, else 0, with u a counter-based hash of
 * (seed, i) in [0, 1) (mulberry32's mixing of seed + i·0x6D2B79F5): the same bits on every
 * backend, and a new seed per step from upconv's seeded generator.
 */
export function dropoutMask(mask: usize, count: i32, rate: f32, seed: u32): void {
  const threshold = <u64>(<f64>rate * 4294967296.0);
  for (let i = 0; i < count; i++) {
    let t: u32 = seed + <u32>(i + 1) * 0x6d2b79f5;
    t = (t ^ (t >>> 15)) * (t | 1);
    t ^= t + (t ^ (t >>> 7)) * (t | 61);
    t = t ^ (t >>> 14);
    store<f32>(mask + (<usize>i << 2), <u64>t >= threshold ? <f32>1 : <f32>0);
  }
}

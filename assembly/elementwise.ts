// Per-channel affine (folded BatchNorm, bias) and standalone activations, NHWC rows of C floats.
import { Act, actFull, actScalar } from "./activations";
import { actV, madd } from "./simd";

/** scaleShift: out[r·C+c] = act(x[r·C+c]·scale[c] + shift[c]), rows x C; fusable act; x may equal out. */
export function scaleShift(x: usize, out: usize, rows: i32, C: i32, scale: usize, shift: usize,
                           act: i32, alpha: f32): void {
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < rows; r++) {
    let c: usize = 0;
    if (ASC_FEATURE_SIMD) {
      const al = f32x4.splat(alpha);
      for (; c + 16 <= rowBytes; c += 16) {
        const v = madd(v128.load(x + c), v128.load(scale + c), v128.load(shift + c));
        v128.store(out + c, actV(v, act, al));
      }
    }
    // channel tail: C % 4 != 0 (all of C in the scalar build)
    for (; c < rowBytes; c += 4) {
      const v = load<f32>(x + c) * load<f32>(scale + c) + load<f32>(shift + c);
      store<f32>(out + c, actScalar(v, act, alpha));
    }
    x += rowBytes;
    out += rowBytes;
  }
}

/** activation: out[i] = act(x[i]) for i < count, any act code; x may equal out. */
export function activation(x: usize, out: usize, count: i32, act: i32, alpha: f32): void {
  const end = <usize>count << 2;
  let i: usize = 0;
  // exp/log/erf-based acts: scalar std math in every build, so all builds agree
  if (act != Act.Linear && act != Act.Relu && act != Act.LeakyRelu) {
    for (; i < end; i += 4) store<f32>(out + i, actFull(load<f32>(x + i), act, alpha));
    return;
  }
  if (ASC_FEATURE_SIMD) {
    const al = f32x4.splat(alpha);
    for (; i + 16 <= end; i += 16) v128.store(out + i, actV(v128.load(x + i), act, al));
  }
  // count tail: count % 4 != 0 (everything in the scalar build)
  for (; i < end; i += 4) store<f32>(out + i, actScalar(load<f32>(x + i), act, alpha));
}

/** softmax over rows of C floats: out = exp(x - max) / Σ exp(x - max); x may equal out. */
export function softmax(x: usize, out: usize, rows: i32, C: i32): void {
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < rows; r++) {
    let m = load<f32>(x);
    for (let c: usize = 4; c < rowBytes; c += 4) m = Mathf.max(m, load<f32>(x + c));
    let sum: f32 = 0;
    for (let c: usize = 0; c < rowBytes; c += 4) {
      const e = Mathf.exp(load<f32>(x + c) - m);
      store<f32>(out + c, e);
      sum += e;
    }
    const inv = <f32>1 / sum;
    for (let c: usize = 0; c < rowBytes; c += 4) store<f32>(out + c, load<f32>(out + c) * inv);
    x += rowBytes;
    out += rowBytes;
  }
}

/**
 * softmaxStrided: softmax along an axis of C values `inner` floats apart, for `outer` blocks of
 * C·inner floats (Keras Softmax(axis) on any axis); x may equal out.
 */
export function softmaxStrided(x: usize, out: usize, outer: i32, C: i32, inner: i32): void {
  const step = <usize>inner << 2;
  const block = step * <usize>C;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const a = x + (<usize>i << 2);
      const b = out + (<usize>i << 2);
      const end = block;
      let m = load<f32>(a);
      for (let c: usize = step; c < end; c += step) m = Mathf.max(m, load<f32>(a + c));
      let sum: f32 = 0;
      for (let c: usize = 0; c < end; c += step) {
        const e = Mathf.exp(load<f32>(a + c) - m);
        store<f32>(b + c, e);
        sum += e;
      }
      const inv = <f32>1 / sum;
      for (let c: usize = 0; c < end; c += step) store<f32>(b + c, load<f32>(b + c) * inv);
    }
    x += block;
    out += block;
  }
}

/**
 * reluClip: Keras ReLU(max_value, negative_slope, threshold):
 * out = x > threshold ? min(x, maxValue) : slope·(x − threshold); x may equal out.
 */
export function reluClip(x: usize, out: usize, count: i32, slope: f32, maxValue: f32, threshold: f32): void {
  const end = <usize>count << 2;
  for (let i: usize = 0; i < end; i += 4) {
    const v = load<f32>(x + i);
    store<f32>(out + i, v > threshold ? Mathf.min(v, maxValue) : slope * (v - threshold));
  }
}

/** firstNonFinite: index of the first NaN or ±Infinity in count floats, or -1 (input checks). */
export function firstNonFinite(x: usize, count: i32): i32 {
  const end = <usize>count << 2;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const max = f32x4.splat(F32.MAX_VALUE);
    // |v| <= MAX is false for NaN and ±Infinity
    for (; i + 64 <= end; i += 64) {
      const ok = v128.and(
        v128.and(f32x4.le(f32x4.abs(v128.load(x + i)), max), f32x4.le(f32x4.abs(v128.load(x + i, 16)), max)),
        v128.and(f32x4.le(f32x4.abs(v128.load(x + i, 32)), max), f32x4.le(f32x4.abs(v128.load(x + i, 48)), max)));
      if (!i32x4.all_true(ok)) break;
    }
  }
  // tail, and the block that held the bad value
  for (; i < end; i += 4) {
    const v = load<f32>(x + i);
    if (!(Mathf.abs(v) <= F32.MAX_VALUE)) return <i32>(i >> 2);
  }
  return -1;
}

// Strided block copies (Concatenate, Cropping2D, DepthToSpace, Embedding rows) and 2-D padding
// (ZeroPadding2D, reflection / symmetric padding). Memory-bound: v128 moves for short runs,
// memory.copy / memory.fill for long ones in the SIMD builds (every engine with SIMD has bulk
// memory); the scalar build uses plain loads and stores only.

const BULK: usize = 4096; // bytes from which memory.copy beats a v128 loop (measured: bench/merge_ops.mjs, rows of 16 B to 16 KB)

/** Copies `bytes` (a multiple of 4) from src to dst; the ranges do not overlap. */
// @ts-ignore: decorator
@inline export function copyRun(dst: usize, src: usize, bytes: usize): void {
  let k: usize = 0;
  if (ASC_FEATURE_SIMD) {
    if (bytes >= BULK) {
      memory.copy(dst, src, bytes);
      return;
    }
    for (; k + 16 <= bytes; k += 16) v128.store(dst + k, v128.load(src + k));
  } else {
    for (; k + 8 <= bytes; k += 8) store<u64>(dst + k, load<u64>(src + k));
  }
  for (; k < bytes; k += 4) store<u32>(dst + k, load<u32>(src + k));
}

/** Writes `bytes` (a multiple of 4) of zeros at dst. */
// @ts-ignore: decorator
@inline function zeroRun(dst: usize, bytes: usize): void {
  let k: usize = 0;
  if (ASC_FEATURE_SIMD) {
    if (bytes >= BULK) {
      memory.fill(dst, 0, bytes);
      return;
    }
    for (; k + 16 <= bytes; k += 16) v128.store(dst + k, i32x4.splat(0));
  } else {
    for (; k + 8 <= bytes; k += 8) store<u64>(dst + k, 0);
  }
  for (; k < bytes; k += 4) store<u32>(dst + k, 0);
}

/** copyStrided: n1·n0 blocks of len floats, src + 4(i1·s1 + i0·s0) → dst + 4(i1·d1 + i0·d0). */
export function copyStrided(src: usize, dst: usize, n1: i32, n0: i32, len: i32,
                            s1: i32, s0: i32, d1: i32, d0: i32): void {
  const bytes = <usize>len << 2;
  const bs1 = <usize>s1 << 2, bs0 = <usize>s0 << 2, bd1 = <usize>d1 << 2, bd0 = <usize>d0 << 2;
  for (let i1 = 0; i1 < n1; i1++) {
    let from = src + <usize>i1 * bs1;
    let to = dst + <usize>i1 * bd1;
    for (let i0 = 0; i0 < n0; i0++) {
      copyRun(to, from, bytes);
      from += bs0;
      to += bd0;
    }
  }
}

/** Source index of padded position i along an axis of n: 1 reflect, 2 symmetric; clamped into [0, n). */
// @ts-ignore: decorator
@inline function mirror(i: i32, n: i32, mode: i32): i32 {
  let s = i;
  if (mode == 1) s = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
  else s = i < 0 ? -i - 1 : i >= n ? 2 * n - 1 - i : i;
  return s < 0 ? 0 : s >= n ? n - 1 : s;
}

/**
 * pad2d: NHWC (N,H,W,C) → (N, H+top+bottom, W+left+right, C); mode 0 zeros, 1 reflect
 * (tf.pad REFLECT), 2 symmetric (tf.pad SYMMETRIC). Interior rows are one contiguous copy.
 */
export function pad2d(x: usize, out: usize, N: i32, H: i32, W: i32, C: i32,
                      top: i32, bottom: i32, left: i32, right: i32, mode: i32): void {
  const pix = <usize>C << 2;
  const inRow = <usize>W * pix;
  const outRow = <usize>(W + left + right) * pix;
  const OH = H + top + bottom;
  for (let n = 0; n < N; n++) {
    const sample = x + <usize>n * <usize>H * inRow;
    for (let y = 0; y < OH; y++) {
      const sy = y - top;
      if (mode == 0 && (sy < 0 || sy >= H)) {
        zeroRun(out, outRow);
        out += outRow;
        continue;
      }
      const src = sample + <usize>mirror(sy, H, mode) * inRow;
      for (let i = 0; i < left; i++) {
        if (mode == 0) zeroRun(out, pix);
        else copyRun(out, src + <usize>mirror(i - left, W, mode) * pix, pix);
        out += pix;
      }
      copyRun(out, src, inRow);
      out += inRow;
      for (let i = 0; i < right; i++) {
        if (mode == 0) zeroRun(out, pix);
        else copyRun(out, src + <usize>mirror(W + i, W, mode) * pix, pix);
        out += pix;
      }
    }
  }
}

// Peak probes for bench/: the WASM SIMD ceiling of this machine, so kernels can be shown as % of it.
// Compiled by bench/peak.mjs at bench start (AssemblyScript, --runtime stub, no imports).
// Each loop keeps 12 independent f32x4 accumulators (enough chains to hide the mul/add or fma
// latency on 2–4 FP pipes) and reads no memory. m and c come in as arguments: as constants,
// Binaryen folds them into every op and V8 rematerialises each v128 constant inside the loop.
// Note that V8 11 (Node 20) still spills the 12 accumulators to the stack across the loop's
// back edge, so the probe measures what V8's code can do, a little below the hardware's ports.

/** 12 chains of a = a·m + c with f32x4.mul then f32x4.add; 96 flops per iteration. */
export function f32x4_muladd_12acc(iters: i32, seed: f32, mf: f32, cf: f32): f32 {
  const m = f32x4.splat(mf);
  const c = f32x4.splat(cf);
  let a0 = f32x4.splat(seed), a1 = f32x4.splat(seed + 1), a2 = f32x4.splat(seed + 2), a3 = f32x4.splat(seed + 3);
  let a4 = f32x4.splat(seed + 4), a5 = f32x4.splat(seed + 5), a6 = f32x4.splat(seed + 6), a7 = f32x4.splat(seed + 7);
  let a8 = f32x4.splat(seed + 8), a9 = f32x4.splat(seed + 9), a10 = f32x4.splat(seed + 10), a11 = f32x4.splat(seed + 11);
  for (let i = 0; i < iters; i++) {
    a0 = f32x4.add(f32x4.mul(a0, m), c); a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c); a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c); a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c); a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c); a9 = f32x4.add(f32x4.mul(a9, m), c);
    a10 = f32x4.add(f32x4.mul(a10, m), c); a11 = f32x4.add(f32x4.mul(a11, m), c);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const t = f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)));
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 3);
}

/** 12 chains of a = relaxed_madd(a, m, c) (an fma where the engine fuses); 96 flops per iteration. */
export function f32x4_relaxed_madd_12acc(iters: i32, seed: f32, mf: f32, cf: f32): f32 {
  if (!ASC_FEATURE_RELAXED_SIMD) return -1; // built without relaxed-simd: the caller reports n/a
  const m = f32x4.splat(mf);
  const c = f32x4.splat(cf);
  let a0 = f32x4.splat(seed), a1 = f32x4.splat(seed + 1), a2 = f32x4.splat(seed + 2), a3 = f32x4.splat(seed + 3);
  let a4 = f32x4.splat(seed + 4), a5 = f32x4.splat(seed + 5), a6 = f32x4.splat(seed + 6), a7 = f32x4.splat(seed + 7);
  let a8 = f32x4.splat(seed + 8), a9 = f32x4.splat(seed + 9), a10 = f32x4.splat(seed + 10), a11 = f32x4.splat(seed + 11);
  for (let i = 0; i < iters; i++) {
    a0 = f32x4.relaxed_madd(a0, m, c); a1 = f32x4.relaxed_madd(a1, m, c);
    a2 = f32x4.relaxed_madd(a2, m, c); a3 = f32x4.relaxed_madd(a3, m, c);
    a4 = f32x4.relaxed_madd(a4, m, c); a5 = f32x4.relaxed_madd(a5, m, c);
    a6 = f32x4.relaxed_madd(a6, m, c); a7 = f32x4.relaxed_madd(a7, m, c);
    a8 = f32x4.relaxed_madd(a8, m, c); a9 = f32x4.relaxed_madd(a9, m, c);
    a10 = f32x4.relaxed_madd(a10, m, c); a11 = f32x4.relaxed_madd(a11, m, c);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const t = f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)));
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 3);
}

/** memory.copy of `bytes` from src to dst, `reps` times (bulk memory): the copy-bandwidth ceiling. */
export function memory_copy(dst: usize, src: usize, bytes: usize, reps: i32): void {
  for (let r = 0; r < reps; r++) memory.copy(dst, src, bytes);
}

/** f32x4 load/store copy of `bytes` (a multiple of 64), `reps` times: what a SIMD copy loop reaches. */
export function v128_copy(dst: usize, src: usize, bytes: usize, reps: i32): void {
  for (let r = 0; r < reps; r++) {
    for (let i: usize = 0; i < bytes; i += 64) {
      const v0 = v128.load(src + i), v1 = v128.load(src + i, 16), v2 = v128.load(src + i, 32), v3 = v128.load(src + i, 48);
      v128.store(dst + i, v0); v128.store(dst + i, v1, 16); v128.store(dst + i, v2, 32); v128.store(dst + i, v3, 48);
    }
  }
}

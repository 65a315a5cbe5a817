// SIMD helpers. Only code inside `if (ASC_FEATURE_SIMD)` calls them, so the scalar build never
// compiles them and never sees a v128.
import { Act } from "./activations";

/** a·b + c on f32x4: relaxed_madd (may fuse) in the relaxed build, mul then add otherwise. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** f32x4 epilogue for the fusable acts; any other code passes through as linear. */
// @ts-ignore: decorator
@inline export function actV(v: v128, act: i32, alpha: v128): v128 {
  // pmax(v, 0) = v < 0 ? 0 : v, a single maxps on x64 (f32x4.max needs NaN fix-ups)
  if (act == Act.Relu) return f32x4.pmax(v, f32x4.splat(0));
  if (act == Act.LeakyRelu) return v128.bitselect(v, f32x4.mul(v, alpha), f32x4.ge(v, f32x4.splat(0)));
  return v;
}

/** Stores the first n (0..4) lanes of v at p. */
// @ts-ignore: decorator
@inline export function storeLanes(p: usize, v: v128, n: i32): void {
  if (n >= 4) v128.store(p, v);
  else if (n == 3) { v128.store64_lane(p, v, 0); v128.store32_lane(p, v, 2, 8); }
  else if (n == 2) v128.store64_lane(p, v, 0);
  else if (n == 1) v128.store32_lane(p, v, 0);
}

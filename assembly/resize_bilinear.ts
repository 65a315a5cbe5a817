// UpSampling2D(interpolation="bilinear"): two taps per axis from tables built at plan time.
import { madd } from "./simd";

/** Bytes per tap-table entry: {i32 i0, i32 i1, f32 w}. */
const TAP = 12;

/** resizeBilinear: NHWC (N,H,W,C) → (N,OH,OW,C); top/bottom lerp by wx, then lerp by wy. */
export function resizeBilinear(x: usize, out: usize, N: i32, H: i32, W: i32, C: i32,
                               OH: i32, OW: i32, yTab: usize, xTab: usize): void {
  const pix = <usize>C << 2;
  const inRow = <usize>W * pix;
  for (let n = 0; n < N; n++) {
    const img = x + <usize>n * <usize>H * inRow;
    for (let oy = 0; oy < OH; oy++) {
      const ty = yTab + <usize>oy * TAP;
      const top = img + <usize>load<i32>(ty) * inRow;
      const bot = img + <usize>load<i32>(ty, 4) * inRow;
      const wy = load<f32>(ty, 8);
      for (let ox = 0; ox < OW; ox++) {
        const tx = xTab + <usize>ox * TAP;
        const x0 = <usize>load<i32>(tx) * pix;
        const x1 = <usize>load<i32>(tx, 4) * pix;
        const wx = load<f32>(tx, 8);
        const tl = top + x0, tr = top + x1, bl = bot + x0, br = bot + x1;
        let c: usize = 0;
        if (ASC_FEATURE_SIMD) {
          const wxv = f32x4.splat(wx), wyv = f32x4.splat(wy);
          for (; c + 16 <= pix; c += 16) {
            const a = v128.load(tl + c), b = v128.load(bl + c);
            const t = madd(f32x4.sub(v128.load(tr + c), a), wxv, a);
            const u = madd(f32x4.sub(v128.load(br + c), b), wxv, b);
            v128.store(out + c, madd(f32x4.sub(u, t), wyv, t));
          }
        }
        // channel tail: C % 4 != 0 (all of C in the scalar build)
        for (; c < pix; c += 4) {
          const a = load<f32>(tl + c), b = load<f32>(bl + c);
          const t = a + (load<f32>(tr + c) - a) * wx;
          const u = b + (load<f32>(br + c) - b) * wx;
          store<f32>(out + c, t + (u - t) * wy);
        }
        out += pix;
      }
    }
  }
}

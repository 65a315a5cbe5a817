// UpSampling2D(interpolation="nearest") with integer factors: a pure copy, memory-bound.
/** resizeNearest: NHWC (N,H,W,C) → (N,H·fh,W·fw,C), out[n,y,x,c] = x[n,y/fh,x/fw,c]. */
export function resizeNearest(x: usize, out: usize, N: i32, H: i32, W: i32, C: i32,
                              fh: i32, fw: i32): void {
  const pix = <usize>C << 2;
  const outRow = <usize>W * pix * <usize>fw;
  const outPix = pix * <usize>fw; // one input pixel's run in an output row
  const block = outRow * <usize>fh; // the fh output rows one input row becomes
  for (let r = 0, rows = N * H; r < rows; r++) {
    // each input value is loaded once and stored fh·fw times: no output is read back
    for (let i = 0; i < W; i++) {
      let c: usize = 0;
      if (ASC_FEATURE_SIMD) {
        for (; c + 16 <= pix; c += 16) {
          const v = v128.load(x + c);
          for (let rowStart = out + c, rowsEnd = rowStart + block; rowStart < rowsEnd; rowStart += outRow) {
            for (let d = rowStart, e = d + outPix; d < e; d += pix) v128.store(d, v);
          }
        }
      }
      // channel tail: C % 4 != 0 (all of C in the scalar build)
      for (; c < pix; c += 4) {
        const v = load<f32>(x + c);
        for (let rowStart = out + c, rowsEnd = rowStart + block; rowStart < rowsEnd; rowStart += outRow) {
          for (let d = rowStart, e = d + outPix; d < e; d += pix) store<f32>(d, v);
        }
      }
      x += pix;
      out += outPix;
    }
    out += block - outRow; // past the fh - 1 other rows just written
  }
}

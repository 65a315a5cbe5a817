// UpSampling2D(interpolation="nearest") with integer factors: a pure copy, memory-bound.
/** resizeNearest: NHWC (N,H,W,C) → (N,H·fh,W·fw,C), out[n,y,x,c] = x[n,y/fh,x/fw,c]. */
export function resizeNearest(x: usize, out: usize, N: i32, H: i32, W: i32, C: i32,
                              fh: i32, fw: i32): void {
  const pix = <usize>C << 2;
  const inRow = <usize>W * pix;
  const outRow = inRow * <usize>fw;
  const outPix = pix * <usize>fw; // one input pixel's run in the output row
  for (let r = 0, rows = N * H; r < rows; r++) {
    const row = out;
    if (fw == 1) {
      memory.copy(row, x, inRow); // fw == 1: the row is a straight copy
      x += inRow;
    } else {
      for (let i = 0; i < W; i++) {
        let c: usize = 0;
        if (ASC_FEATURE_SIMD) {
          for (; c + 16 <= pix; c += 16) {
            const v = v128.load(x + c);
            for (let d = out + c, e = d + outPix; d < e; d += pix) v128.store(d, v);
          }
        }
        // channel tail: C % 4 != 0 (all of C in the scalar build)
        for (; c < pix; c += 4) {
          const v = load<f32>(x + c);
          for (let d = out + c, e = d + outPix; d < e; d += pix) store<f32>(d, v);
        }
        x += pix;
        out += outPix;
      }
    }
    // the other fh - 1 output rows repeat the one just written
    out = row + outRow;
    for (let j = 1; j < fh; j++) {
      memory.copy(out, row, outRow);
      out += outRow;
    }
  }
}

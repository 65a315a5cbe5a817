/** The tap-table resample family (assembly/resample.ts; reference/resample.ts). */
export interface ResampleKernels {
  /**
   * Separable resize (N,H,W,C) → (N,OH,OW,C) driven by per-axis tap tables. An entry is
   * (1 + K) 32-bit words: the i32 first input index, then K f32 weights of that index and the
   * K − 1 after it; yTab has OH entries of Ky weights, xTab OW entries of Kx weights, and every
   * window lies inside the input. For each image and output row:
   *   row[i, c]      = Σ_{k<Ky} wy[k] · x[n, sy + k, i, c]      (into rowBuf, W·C floats)
   *   out[n,oy,ox,c] = Σ_{k<Kx} wx[k] · row[sx + k, c]
   * A row whose taps are one weight-1 tap reads the input row directly; one whose taps equal
   * the previous row's reuses rowBuf. Writes only `out` and `rowBuf`.
   */
  resample(x: number, out: number, N: number, H: number, W: number, C: number, OH: number, OW: number,
           yTab: number, Ky: number, xTab: number, Kx: number, rowBuf: number): void;

  /**
   * The adjoint of `resample` with the same tables (training): overwrites dx (N,H,W,C) with
   *   dx[n, sy + ky, sx + kx, c] += wy[ky] · wx[kx] · dy[n, oy, ox, c]   over every oy, ox;
   * rowBuf is scratch for W·C floats. Writes only `dx` and `rowBuf`.
   */
  resampleGrad(dy: number, dx: number, N: number, H: number, W: number, C: number, OH: number, OW: number,
               yTab: number, Ky: number, xTab: number, Kx: number, rowBuf: number): void;
}

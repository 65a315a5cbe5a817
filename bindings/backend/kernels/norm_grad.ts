/**
 * Backward of the normalisations (assembly/norm_grad.ts; reference/norm_grad.ts): TF's autodiff
 * of the forward, the gradient flowing through the mean and the population variance. The
 * statistics are the forward's (`moments`, `normFold` in kernels/norm.ts); d = (x − mean) − meanLo.
 */
export interface NormGradKernels {
  /**
   * Per sample n < N of rows × C floats and channel c, with center / centerLo per (n, c) and
   * d = (x − center) − centerLo, over the rows (outputs per (n, c), overwritten):
   *   sumDy = Σ dy;  sumDyXc = Σ dy·d;  sumXc2 = Σ d²
   */
  normGradReduce(x: number, dy: number, N: number, rows: number, C: number, center: number, centerLo: number,
                 sumDy: number, sumDyXc: number, sumXc2: number): void;

  /** Per sample n < N and channel c (coefficients per (n, c)): dx = dy·s1 + d·s2 + s3; dx may equal dy. */
  normGradApply(x: number, dy: number, dx: number, N: number, rows: number, C: number, center: number, centerLo: number,
                s1: number, s2: number, s3: number): void;

  /**
   * LayerNormalization backward, x as (rows, R, B), statistics per (i, b) at s = i·B + b, gamma
   * per r, g = dy·gamma[r], d = (x − mean[s]) − meanLo[s]:
   *   dGamma[r] += Σ_{i,b} dy·d·rstd[s];  dBeta[r] += Σ_{i,b} dy   (each skipped when its pointer is 0)
   *   dx = rstd[s]·(g − Σ_r g / R) − rstd[s]³·d·Σ_r (g·d) / R      (skipped when dx is 0)
   * `scratch`: `layerNormGradScratchFloats(R, B)` floats.
   */
  layerNormGrad(x: number, dy: number, dx: number, rows: number, R: number, B: number, mean: number, meanLo: number,
                rstd: number, gamma: number, dGamma: number, dBeta: number, scratch: number): void;

  /** PixelNormalization backward per row of C: inv = 1/sqrt(Σx²/C + eps), dx = dy·inv − x·inv³·Σ(dy·x)/C. */
  pixelNormGrad(x: number, dy: number, dx: number, rows: number, C: number, eps: number): void;
}

/** Scratch floats `layerNormGrad` needs. */
export function layerNormGradScratchFloats(R: number, B: number): number {
  return 2 * Math.ceil((B === 1 ? R : B) / 4) * 4;
}

/**
 * Backward kernels of the merge, PReLU, padding and Embedding layers (assembly/shape_grad.ts;
 * reference/shape_grad.ts), and the noise generator of the training-mode noise layers.
 */

/**
 * What `broadcastGrad` adds for one position, from the output gradient g and the values x, y
 * of the views a and b (identical in assembly/shape_grad.ts). The comparisons follow TF's
 * MaximumGrad / MinimumGrad masks (`x >= y` for maximum: a tie goes to the first argument).
 */
export const GradKind = {
  /** g (Add, Average after the division, Subtract's first input). */
  Pass: 0,
  /** −g (Subtract's second input). */
  Neg: 1,
  /** g·y (Multiply). */
  Mul: 2,
  /** x ≥ y ? g : 0 (Maximum, first input). */
  Ge: 3,
  /** x ≥ y ? 0 : g (Maximum, second input). */
  Lt: 4,
  /** x ≤ y ? g : 0 (Minimum, first input). */
  Le: 5,
  /** x ≤ y ? 0 : g (Minimum, second input). */
  Gt: 6,
  /** x = y ? g : 0 (Maximum / Minimum of three or more: y is the output). */
  Eq: 7,
  /** x = y ? 0 : g (what is left for the later inputs). */
  Ne: 8,
  /** x > 0 ? g : x < 0 ? g·y : 0 (PReLU input: both of TF's relus pass nothing at 0). */
  PReluX: 9,
  /** x < 0 ? g·x : 0 (PReLU alpha: −g·relu(−x)). */
  PReluAlpha: 10,
} as const;
export type GradKind = (typeof GradKind)[keyof typeof GradKind];

export interface ShapeGradKernels {
  /**
   * The adjoint of a broadcast over the collapsed 4-d index space of `broadcast`: for every
   * position (i0, i1, i2, j), with g dense in that order,
   *   dst[i0·d0 + i1·d1 + i2·d2 + j·dIn] (+)= kind(g[pos], a[i0·a0 + … + j·aIn], b[i0·b0 + … + j·bIn])
   * so a view with zero strides receives the sum over its broadcast axes. acc 1 adds onto dst;
   * acc 0 writes the sum (dst is zeroed first where it is revisited). aIn, bIn, dIn are 0 or 1.
   * Each dst element sums its terms in index order, except along a reduced inner axis, where
   * four partial sums (lanes j mod 4, then (p0 + p1) + (p2 + p3), then the tail in order) are
   * kept: the same order in every build. dst may equal g only where both are dense.
   */
  broadcastGrad(kind: GradKind, acc: number, g: number, a: number, b: number, dst: number,
                n0: number, n1: number, n2: number, inner: number,
                a0: number, a1: number, a2: number, aIn: number,
                b0: number, b1: number, b2: number, bIn: number,
                d0: number, d1: number, d2: number, dIn: number): void;

  /**
   * The adjoint of `pad2d`: dx (N, H, W, C) from dy (N, H + top + bottom, W + left + right, C).
   * mode 0 (zeros): the crop; 1 / 2 (reflect / symmetric): the crop plus every border pixel
   * added onto the pixel it mirrors, in row-major order of the padded image. Overwrites dx.
   */
  pad2dGrad(dy: number, dx: number, N: number, H: number, W: number, C: number,
            top: number, bottom: number, left: number, right: number, mode: number): void;

  /**
   * Embedding backward: for k < count in order, dW row trunc(ids[k]) += dy row k (D floats).
   * Returns the index of the first id outside (−1, V) (NaN included) without writing, else −1.
   */
  scatterAddRows(ids: number, dy: number, dW: number, count: number, V: number, D: number): number;

  /** out[i] = 0 for i < count. */
  fillZero(out: number, count: number): void;

  /**
   * out[i] = mean + stddev · z_i, z_i standard normal by Box–Muller from two counter-based hash
   * uniforms of (seed, 2i) and (seed, 2i + 1) (dropoutMask's mixing), computed in f64.
   */
  normalNoise(out: number, count: number, mean: number, stddev: number, seed: number): void;
}

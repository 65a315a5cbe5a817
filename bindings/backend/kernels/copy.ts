/** Strided block copies and 2-D padding (assembly/copy.ts; reference/copy.ts). */
export interface CopyKernels {
  /**
   * Copies n1·n0 blocks of `len` floats: block (i1, i0) goes from src + 4·(i1·s1 + i0·s0) to
   * dst + 4·(i1·d1 + i0·d0) (strides in floats). Blocks must not overlap (Concatenate,
   * Cropping2D, DepthToSpace).
   */
  copyStrided(src: number, dst: number, n1: number, n0: number, len: number,
              s1: number, s0: number, d1: number, d0: number): void;

  /**
   * 2-D padding of NHWC (N, H, W, C) → (N, H + top + bottom, W + left + right, C).
   * mode 0: zeros; 1: reflect (tf.pad REFLECT, edge not repeated: index −i reads i);
   * 2: symmetric (tf.pad SYMMETRIC, edge repeated: index −i reads i − 1). Mirror indices are
   * clamped into the image, so no call reads outside x (the op keeps pads ≤ H − 1 / ≤ H).
   */
  pad2d(x: number, out: number, N: number, H: number, W: number, C: number,
        top: number, bottom: number, left: number, right: number, mode: number): void;
}

/** pad2d modes. */
export const PadMode = { Zeros: 0, Reflect: 1, Symmetric: 2 } as const;
export type PadMode = (typeof PadMode)[keyof typeof PadMode];

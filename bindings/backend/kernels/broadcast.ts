import type { Act } from '../kernels.js';

/** Binary operation codes, identical in assembly/broadcast.ts. */
export const BinaryOp = {
  Add: 0,
  Sub: 1,
  Mul: 2,
  Max: 3, // NaN-propagating, like f32.max
  Min: 4,
  Div: 5,
  /** PReLU: relu(a) − b·relu(−a), relu(v) = v < 0 ? 0 : v as TF's (float32 product; +0 for a < 0 with b = 0, as Keras). */
  PRelu: 6,
} as const;
export type BinaryOp = (typeof BinaryOp)[keyof typeof BinaryOp];

/** The broadcasting elementwise family (assembly/broadcast.ts; reference/broadcast.ts). */
export interface BroadcastKernels {
  /**
   * out = act(a op b) over a collapsed 4-d index space (n0, n1, n2, inner); `out` is dense in
   * that order, `a` and `b` are read through per-dimension strides in floats (0 = broadcast):
   *   out[((i0·n1 + i1)·n2 + i2)·inner + j] =
   *     act(a[i0·a0 + i1·a1 + i2·a2 + j·aIn]  op  b[i0·b0 + i1·b1 + i2·b2 + j·bIn])
   * `aIn`, `bIn` are 0 or 1. `act` is fusable (linear, relu, leaky relu with `alpha`).
   * `out` may equal `a` or `b` only where they are read at the output's own index.
   */
  broadcast(op: BinaryOp, act: Act, alpha: number, a: number, b: number, out: number,
            n0: number, n1: number, n2: number, inner: number,
            a0: number, a1: number, a2: number, aIn: number,
            b0: number, b1: number, b2: number, bIn: number): void;
}

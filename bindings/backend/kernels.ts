/**
 * The one kernel interface both backends implement: the WASM core (assembly/, via wasm.ts) and
 * the plain-TypeScript reference (reference.ts).
 *
 * Memory model, shared by both backends so that one plan runs on either:
 * - every pointer is a BYTE offset into the backend's linear memory (`KernelMemory.buffer`);
 * - tensors are f32, row-major, NHWC; pointer tables are u32 byte offsets;
 * - kernels never allocate and never touch memory outside the ranges their arguments describe.
 */

import type { TrainKernels } from './kernels/train.js';
import type { ResampleKernels } from './kernels/resample.js';
import type { DepthwiseKernels } from './kernels/depthwise.js';
import type { NormKernels } from './kernels/norm.js';
import type { BroadcastKernels } from './kernels/broadcast.js';
import type { CopyKernels } from './kernels/copy.js';
import type { GatherKernels } from './kernels/gather.js';
import type { ShapeGradKernels } from './kernels/shape_grad.js';

/** Activation codes, identical in assembly/activations.ts. */
export const Act = {
  Linear: 0,
  Relu: 1,
  Sigmoid: 2,
  Tanh: 3,
  LeakyRelu: 4, // uses `alpha` as the negative slope
  Elu: 5, // uses `alpha`: alpha·(exp(x)-1) below 0
  Selu: 6,
  Softplus: 7,
  Softsign: 8,
  Swish: 9,
  Gelu: 10, // exact (erf) form
  HardSigmoid: 11, // clip(alpha·x + 0.5, 0, 1)
  Relu6: 12,
  Exponential: 13,
} as const;
export type Act = (typeof Act)[keyof typeof Act];

/** Activations that the GEMM and scale-shift epilogues apply themselves. Others need `activation`. */
export function isFusableAct(act: Act): boolean {
  return act === Act.Linear || act === Act.Relu || act === Act.LeakyRelu;
}

/** Columns per packed weight panel (the microkernel's NR). */
export const PANEL = 8;

/** Floats in one packed panel: PANEL bias values, then T·K·PANEL weights (tap, then k, then lane). */
export function panelFloats(taps: number, k: number): number {
  return PANEL + taps * k * PANEL;
}

/** Floats of an idot weight block: per output channel [bias, 0, 0, 0] then T·K weights. */
export function dotPackedFloats(taps: number, k: number, n: number): number {
  return n * (4 + taps * k);
}

/** Below this many output channels a layer uses idot instead of the 8-wide igemm panels. */
export const DOT_MAX_N = 3;

/** Floats of a whole packed weight block for N output columns. */
export function packedFloats(taps: number, k: number, n: number): number {
  return Math.ceil(n / PANEL) * panelFloats(taps, k);
}

/** The indirect GEMM family (assembly/gemm.ts, dot.ts; reference/gemm.ts). */
export interface GemmKernels {
  /**
   * Indirect GEMM with bias and a fused cheap activation (`isFusableAct`).
   * For m < M, n < N:
   *   acc = bias[n] + Σ_{t<T} Σ_{k<K} f32[inPtrs[m·T + t] + 4k] · W[t][k][n]
   *   f32[outPtrs[m] + 4n] = act(acc)
   * `inPtrs` holds M·T u32 byte pointers to rows of K floats (padding taps point at a zero row);
   * `outPtrs` holds M u32 byte pointers to rows of N floats. `packedW` is ceil(N/8) panels laid
   * out as `panelFloats(T, K)`; columns ≥ N in the last panel are zero. T may be 0 (bias only).
   */
  igemm(M: number, T: number, K: number, N: number, inPtrs: number, outPtrs: number,
        packedW: number, act: Act, alpha: number): void;

  /**
   * The same contract as igemm for few output channels, with weights packed per channel:
   * `dotPackedFloats(T, K, N)` floats, channel n at n·(4 + T·K): [bias, 0, 0, 0, W[n][t][k] …].
   */
  idot(M: number, T: number, K: number, N: number, inPtrs: number, outPtrs: number,
       packedW: number, act: Act, alpha: number): void;
}

/** Per-channel affine, activations, softmax and the input scan (assembly/elementwise.ts; reference/elementwise.ts). */
export interface ElementwiseKernels {
  /** out[r·C + c] = act(x[r·C + c] · scale[c] + shift[c]) for r < rows; act fusable; x may equal out. */
  scaleShift(x: number, out: number, rows: number, C: number, scale: number, shift: number,
             act: Act, alpha: number): void;

  /** out[i] = act(x[i]) for i < count, any Act; x may equal out. */
  activation(x: number, out: number, count: number, act: Act, alpha: number): void;

  /** Index of the first NaN or ±Infinity among `count` floats at x, or -1. */
  firstNonFinite(x: number, count: number): number;

  /** Softmax over each row of C floats (Keras's default axis -1); x may equal out. */
  softmax(x: number, out: number, rows: number, C: number): void;

  /** Softmax along an axis of C values `inner` floats apart, in `outer` blocks of C·inner floats; x may equal out. */
  softmaxStrided(x: number, out: number, outer: number, C: number, inner: number): void;

  /** Keras ReLU layer: out = x > threshold ? min(x, maxValue) : slope·(x − threshold); x may equal out. */
  reluClip(x: number, out: number, count: number, slope: number, maxValue: number, threshold: number): void;

}

/** Nearest and bilinear upsampling (assembly/resize_*.ts; reference/resize.ts). */
export interface ResizeKernels {
  /** Nearest upsampling, (N,H,W,C) → (N, H·fh, W·fw, C): out[n,y,x,c] = x[n, y/fh, x/fw, c]. */
  resizeNearest(x: number, out: number, N: number, H: number, W: number, C: number,
                fh: number, fw: number): void;

  /**
   * Bilinear resize (N,H,W,C) → (N,OH,OW,C) with per-axis tap tables of 12-byte entries
   * {i32 i0, i32 i1, f32 w}, one per output row (yTab, OH entries) / column (xTab, OW entries):
   *   top = tl + (tr - tl)·wx;  bottom = bl + (br - bl)·wx;  out = top + (bottom - top)·wy
   * where tl = x[n,y.i0,x.i0], tr = x[n,y.i0,x.i1], bl = x[n,y.i1,x.i0], br = x[n,y.i1,x.i1].
   */
  resizeBilinear(x: number, out: number, N: number, H: number, W: number, C: number,
                 OH: number, OW: number, yTab: number, xTab: number): void;
}

/**
 * Every kernel, one interface per family. A new family: an interface in its own file under
 * backend/kernels/, its AssemblyScript in assembly/<family>.ts (exported from assembly/index.ts),
 * its reference in backend/reference/<family>.ts (spread in reference.ts), and its name here.
 */
export interface Kernels extends GemmKernels, ElementwiseKernels, ResizeKernels, TrainKernels,
  ResampleKernels, DepthwiseKernels, NormKernels,
  BroadcastKernels, CopyKernels, GatherKernels,
  ShapeGradKernels {}

/** A backend's linear memory. Views must be re-read after `grow`. */
export interface KernelMemory {
  readonly buffer: ArrayBuffer;
  /** First byte the arena may use (16-byte aligned). */
  readonly base: number;
  /** Grows memory so that at least `bytes` bytes exist; never shrinks. */
  ensure(bytes: number): void;
}

export interface Backend {
  readonly name: 'wasm-relaxed-simd' | 'wasm-simd' | 'wasm-scalar' | 'js';
  /** A fresh, private memory (one per model). */
  createMemory(): { memory: KernelMemory; kernels: Kernels };
}

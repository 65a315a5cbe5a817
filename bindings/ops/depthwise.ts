import type { ActivationSpec } from '../activations.js';
import type { Act, Kernels } from '../backend/kernels.js';
import { depthwisePackedFloats, depthwiseRowFloats } from '../backend/kernels/depthwise.js';
import { align } from '../memory/planner.js';
import { activationInto, activationSteps, epilogueAct, keepsPreActivation, ownActivationGrad } from './activation.js';
import { DepthwiseAdjoint } from './depthwise_backward.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';

/** The geometry of a depthwise convolution (NHWC, Keras's depthwise_kernel (kh, kw, C, M)). */
export interface DepthwiseGeometry {
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly multiplier: number;
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Zero padding before the first row / column (Keras puts any extra pixel at the end). */
  readonly padTop: number;
  readonly padLeft: number;
}

export interface DepthwiseParams extends DepthwiseGeometry {
  readonly useBias: boolean;
  readonly activation: ActivationSpec;
  /** A training step: the pre-activation is kept when the activation's gradient needs it. */
  readonly training?: boolean;
}

/** Taps per output pixel. */
export function tapsOf(g: DepthwiseGeometry): number {
  return g.kernel[0] * g.kernel[1];
}

/** Packs Keras's depthwise_kernel (kh, kw, C, M) and a bias (C·M, or none) for the depthwise kernel. */
export function packDepthwise(f32: Float32Array, ptr: number, g: DepthwiseGeometry, kernel: Float32Array, bias: Float32Array | null): void {
  const T = tapsOf(g);
  const J = g.inC * g.multiplier;
  const stride = depthwiseRowFloats(g.inC, g.multiplier);
  const base = ptr >>> 2;
  f32.fill(0, base, base + depthwisePackedFloats(T, g.inC, g.multiplier));
  if (bias) f32.set(bias, base);
  // Keras layout (kh, kw, C, M) is already W[tap][c·M + m]
  for (let t = 0; t < T; t++) f32.set(kernel.subarray(t * J, (t + 1) * J), base + (t + 1) * stride);
}

/**
 * Writes the indirection table: for every output pixel of every sample, T byte pointers to the
 * input pixels its taps read, or to the zero row for taps in the padding.
 */
export function writeTapTable(u32: Uint32Array, at: number, g: DepthwiseGeometry, batch: number, input: number, zeroRow: number): void {
  const { inH: h, inW: w, inC: C, outH: oh, outW: ow, padTop, padLeft } = g;
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilation;
  let e = at >>> 2;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let a = 0; a < kh; a++) {
          const iy = oy * sh + a * dh - padTop;
          for (let c = 0; c < kw; c++, e++) {
            const ix = ox * sw + c * dw - padLeft;
            u32[e] = iy >= 0 && iy < h && ix >= 0 && ix < w ? input + 4 * (((b * h + iy) * w + ix) * C) : zeroRow;
          }
        }
      }
    }
  }
}

/** The depthwise kernel call over `pixels` output pixels. */
export function depthwiseStep(k: Kernels, g: DepthwiseGeometry, pixels: number, table: number, out: number, w: number, act: Act, alpha: number): Step {
  const T = tapsOf(g);
  const { inC: C, multiplier: M } = g;
  return () => k.depthwise(pixels, T, C, M, table, out, w, act, alpha);
}

/**
 * DepthwiseConv2D: each input channel c correlated with its own M filters, output channel
 * c·M + m; bias and a cheap activation fused into the kernel's store.
 *
 * Tables: the forward's pointers (M·T), then the kept pre-activation in a training step whose
 * activation's gradient needs it. Backward (depthwise_backward.ts): dW over the forward's table,
 * db = Σ dz, dx by the gather or the scatter.
 */
export class DepthwiseConv2DOp extends Op {
  private readonly keepPre: boolean;
  private adjointOp: DepthwiseAdjoint | null = null;

  constructor(layerName: string, private readonly p: DepthwiseParams) {
    super(layerName);
    this.keepPre = keepsPreActivation(p.activation, p.training);
  }

  staticBytes(): number {
    return 4 * depthwisePackedFloats(tapsOf(this.p), this.p.inC, this.p.multiplier);
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    packDepthwise(mem.f32, ptr, this.p, weights[0], this.p.useBias ? weights[1] : null);
  }

  zeroRowFloats(): number {
    return this.p.inC;
  }

  private pixels(batch: number): number {
    return batch * this.p.outH * this.p.outW;
  }

  tableBytes(batch: number): number {
    const px = this.pixels(batch);
    return align(4 * px * tapsOf(this.p)) + (this.keepPre ? 4 * px * this.p.inC * this.p.multiplier : 0);
  }

  /** The kept pre-activation (-1: none). */
  private preAt(tables: number, batch: number): number {
    return this.keepPre ? tables + align(4 * this.pixels(batch) * tapsOf(this.p)) : -1;
  }

  get acceptsEpilogue(): boolean {
    return this.p.activation.name === 'linear';
  }

  steps(ctx: StepContext): Step[] {
    const { activation, inC, multiplier } = this.p;
    const pixels = this.pixels(ctx.batch);
    writeTapTable(ctx.u32, ctx.tables, this.p, ctx.batch, ctx.inputs[0], ctx.zeroRow);
    const act = ctx.epilogue?.act ?? epilogueAct(activation);
    const alpha = ctx.epilogue?.alpha ?? activation.alpha;
    const J = inC * multiplier;
    const pre = this.preAt(ctx.tables, ctx.batch);
    if (pre >= 0) {
      return [
        depthwiseStep(ctx.kernels, this.p, pixels, ctx.tables, pre, ctx.statics, act, alpha),
        ...activationInto(ctx.kernels, pre, ctx.output, pixels * J, J, activation),
      ];
    }
    return [
      depthwiseStep(ctx.kernels, this.p, pixels, ctx.tables, ctx.output, ctx.statics, act, alpha),
      ...activationSteps(ctx.kernels, ctx.output, pixels * J, J, activation),
    ];
  }

  // ---- backward ----

  private adjoint(): DepthwiseAdjoint {
    this.adjointOp ??= new DepthwiseAdjoint(this.p);
    return this.adjointOp;
  }

  backwardReads(): { inputs: boolean; output: boolean } {
    return { inputs: true, output: this.p.activation.name !== 'linear' && !this.keepPre };
  }

  backwardStaticBytes(): number {
    return this.adjoint().staticBytes();
  }

  packBackward(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    this.adjoint().pack(mem, ptr, weights[0]);
  }

  backwardTableBytes(batch: number): number {
    return this.adjoint().tableBytes(batch);
  }

  backward(ctx: BackwardContext): Step[] {
    const { activation, inC, multiplier, useBias } = this.p;
    const J = inC * multiplier;
    const px = this.pixels(ctx.batch);
    const k = ctx.kernels;
    const dz = ctx.dOutput;
    const steps = ownActivationGrad(this.layerName, k, activation, ctx.output, this.preAt(ctx.tables, ctx.batch), dz, px * J, J);
    const dW = ctx.dWeights;
    if (dW && useBias) steps.push(() => k.columnSum(dz, px, J, dW[1]));
    steps.push(...this.adjoint().steps(k, ctx.u32, ctx.batch, ctx.tables, dz, dW ? dW[0] : -1, ctx.dInputs[0],
      ctx.statics, ctx.backStatics, ctx.backTables, ctx.zeroRow));
    return steps;
  }
}

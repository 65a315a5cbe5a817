import type { ActivationSpec } from '../activations.js';
import type { Act, Kernels } from '../backend/kernels.js';
import { depthwisePackedFloats, depthwiseRowFloats } from '../backend/kernels/depthwise.js';
import { activationSteps, epilogueAct } from './activation.js';
import { type MemoryViews, Op, type Step, type StepContext } from './op.js';

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
 */
export class DepthwiseConv2DOp extends Op {
  constructor(layerName: string, private readonly p: DepthwiseParams) {
    super(layerName);
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

  tableBytes(batch: number): number {
    return 4 * batch * this.p.outH * this.p.outW * tapsOf(this.p);
  }

  get acceptsEpilogue(): boolean {
    return this.p.activation.name === 'linear';
  }

  steps(ctx: StepContext): Step[] {
    const { activation, outH, outW, inC, multiplier } = this.p;
    const pixels = ctx.batch * outH * outW;
    writeTapTable(ctx.u32, ctx.tables, this.p, ctx.batch, ctx.inputs[0], ctx.zeroRow);
    const act = ctx.epilogue?.act ?? epilogueAct(activation);
    const alpha = ctx.epilogue?.alpha ?? activation.alpha;
    const J = inC * multiplier;
    return [
      depthwiseStep(ctx.kernels, this.p, pixels, ctx.tables, ctx.output, ctx.statics, act, alpha),
      ...activationSteps(ctx.kernels, ctx.output, pixels * J, J, activation),
    ];
  }
}

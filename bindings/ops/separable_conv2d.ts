import type { ActivationSpec } from '../activations.js';
import { Act } from '../backend/kernels.js';
import { depthwisePackedFloats } from '../backend/kernels/depthwise.js';
import { activationSteps, epilogueAct } from './activation.js';
import { type DepthwiseGeometry, depthwiseStep, packDepthwise, tapsOf, writeTapTable } from './depthwise.js';
import { gemmStep, packedSize, packWeights } from './gemm.js';
import { type MemoryViews, Op, type Step, type StepContext } from './op.js';

export interface SeparableParams extends DepthwiseGeometry {
  readonly filters: number;
  readonly useBias: boolean;
  readonly activation: ActivationSpec;
}

/**
 * SeparableConv2D in two steps: the depthwise convolution (no bias) into an internal buffer of
 * C·M channels per pixel (float32, as TF's intermediate), then the 1×1 pointwise convolution
 * with bias and activation on the indirect GEMM (one tap per pixel).
 *
 * Statics: [depthwise weights (zero bias row) | pointwise GEMM weights with bias].
 * Tables: [intermediate floats | depthwise taps | GEMM input pointers | GEMM output pointers].
 */
export class SeparableConv2DOp extends Op {
  private readonly J: number;

  constructor(layerName: string, private readonly p: SeparableParams) {
    super(layerName);
    this.J = p.inC * p.multiplier;
  }

  private depthwiseBytes(): number {
    return 4 * depthwisePackedFloats(tapsOf(this.p), this.p.inC, this.p.multiplier);
  }

  staticBytes(): number {
    return this.depthwiseBytes() + 4 * packedSize(1, this.J, this.p.filters);
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    const [depthwise, pointwise] = weights;
    packDepthwise(mem.f32, ptr, this.p, depthwise, null);
    const J = this.J;
    const N = this.p.filters;
    // pointwise_kernel (1, 1, C·M, filters) is (tap 0, k, n)
    packWeights(mem.f32, ptr + this.depthwiseBytes(), 1, J, N, (_t, k, n) => pointwise[k * N + n], this.p.useBias ? weights[2] : null);
  }

  zeroRowFloats(): number {
    return this.p.inC;
  }

  private pixels(batch: number): number {
    return batch * this.p.outH * this.p.outW;
  }

  tableBytes(batch: number): number {
    const px = this.pixels(batch);
    return 4 * px * this.J + 4 * px * tapsOf(this.p) + 8 * px;
  }

  get acceptsEpilogue(): boolean {
    return this.p.activation.name === 'linear';
  }

  steps(ctx: StepContext): Step[] {
    const { activation, filters: N } = this.p;
    const px = this.pixels(ctx.batch);
    const J = this.J;
    const mid = ctx.tables; // 16-byte aligned, px·J floats
    const taps = mid + 4 * px * J;
    const inPtrs = taps + 4 * px * tapsOf(this.p);
    const outPtrs = inPtrs + 4 * px;
    writeTapTable(ctx.u32, taps, this.p, ctx.batch, ctx.inputs[0], ctx.zeroRow);
    for (let m = 0; m < px; m++) {
      ctx.u32[(inPtrs >>> 2) + m] = mid + 4 * J * m;
      ctx.u32[(outPtrs >>> 2) + m] = ctx.output + 4 * N * m;
    }
    const act = ctx.epilogue?.act ?? epilogueAct(activation);
    const alpha = ctx.epilogue?.alpha ?? activation.alpha;
    return [
      depthwiseStep(ctx.kernels, this.p, px, taps, mid, ctx.statics, Act.Linear, 0),
      gemmStep(ctx.kernels, px, 1, J, N, inPtrs, outPtrs, ctx.statics + this.depthwiseBytes(), act, alpha),
      ...activationSteps(ctx.kernels, ctx.output, px * N, N, activation),
    ];
  }
}

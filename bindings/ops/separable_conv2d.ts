import type { ActivationSpec } from '../activations.js';
import { Act } from '../backend/kernels.js';
import { depthwisePackedFloats } from '../backend/kernels/depthwise.js';
import { align } from '../memory/planner.js';
import { activationInto, activationSteps, epilogueAct, keepsPreActivation, ownActivationGrad } from './activation.js';
import { type DepthwiseGeometry, depthwiseStep, packDepthwise, tapsOf, writeTapTable } from './depthwise.js';
import { DepthwiseAdjoint } from './depthwise_backward.js';
import { gemmStep, oneTap, packedSize, packWeights } from './gemm.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';

export interface SeparableParams extends DepthwiseGeometry {
  readonly filters: number;
  readonly useBias: boolean;
  readonly activation: ActivationSpec;
  /** A training step: the pre-activation is kept when the activation's gradient needs it. */
  readonly training?: boolean;
}

/**
 * SeparableConv2D in two steps: the depthwise convolution (no bias) into an internal buffer of
 * C·M channels per pixel (float32, as TF's intermediate), then the 1×1 pointwise convolution
 * with bias and activation on the indirect GEMM (one tap per pixel).
 *
 * Statics: [depthwise weights (zero bias row) | pointwise GEMM weights with bias].
 * Tables: [intermediate floats | depthwise taps | GEMM input pointers | GEMM output pointers |
 * the kept pre-activation (a training step whose activation's gradient needs it)].
 *
 * Backward, the two steps in reverse with the intermediate kept in the tables: the pointwise
 * kernel's gradient over the GEMM's row table, db = Σ dz, d(intermediate) = dz·Pᵀ (Pᵀ packed in
 * the backward statics), then the depthwise backward of it (depthwise_backward.ts).
 */
export class SeparableConv2DOp extends Op {
  private readonly J: number;
  private readonly keepPre: boolean;
  private readonly adjoint: DepthwiseAdjoint;

  constructor(layerName: string, private readonly p: SeparableParams) {
    super(layerName);
    this.J = p.inC * p.multiplier;
    this.keepPre = keepsPreActivation(p.activation, p.training);
    this.adjoint = new DepthwiseAdjoint(p);
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
    packWeights(mem, ptr + this.depthwiseBytes(), 1, J, N, oneTap(pointwise, N, 1), this.p.useBias ? weights[2] : null);
  }

  zeroRowFloats(): number {
    return this.p.inC;
  }

  private pixels(batch: number): number {
    return batch * this.p.outH * this.p.outW;
  }

  /** Byte offsets in the tables: mid, taps, GEMM input pointers, output pointers, pre-activation, end. */
  private layout(batch: number): number[] {
    const px = this.pixels(batch);
    const mid = 0;
    const taps = mid + 4 * px * this.J;
    const inPtrs = taps + 4 * px * tapsOf(this.p);
    const outPtrs = inPtrs + 4 * px;
    const pre = align(outPtrs + 4 * px);
    const end = pre + (this.keepPre ? 4 * px * this.p.filters : 0);
    return [mid, taps, inPtrs, outPtrs, pre, end];
  }

  tableBytes(batch: number): number {
    return this.layout(batch)[5];
  }

  get acceptsEpilogue(): boolean {
    return this.p.activation.name === 'linear';
  }

  steps(ctx: StepContext): Step[] {
    const { activation, filters: N } = this.p;
    const px = this.pixels(ctx.batch);
    const J = this.J;
    const [mid, taps, inPtrs, outPtrs, preAt] = this.layout(ctx.batch).map((o) => ctx.tables + o);
    const pre = this.keepPre ? preAt : -1;
    const target = pre >= 0 ? pre : ctx.output;
    writeTapTable(ctx.u32, taps, this.p, ctx.batch, ctx.inputs[0], ctx.zeroRow);
    for (let m = 0; m < px; m++) {
      ctx.u32[(inPtrs >>> 2) + m] = mid + 4 * J * m;
      ctx.u32[(outPtrs >>> 2) + m] = target + 4 * N * m;
    }
    const act = ctx.epilogue?.act ?? epilogueAct(activation);
    const alpha = ctx.epilogue?.alpha ?? activation.alpha;
    return [
      depthwiseStep(ctx.kernels, this.p, px, taps, mid, ctx.statics, Act.Linear, 0),
      gemmStep(ctx.kernels, px, 1, J, N, inPtrs, outPtrs, ctx.statics + this.depthwiseBytes(), act, alpha),
      ...(pre >= 0 ? activationInto(ctx.kernels, pre, ctx.output, px * N, N, activation) : activationSteps(ctx.kernels, ctx.output, px * N, N, activation)),
    ];
  }

  // ---- backward ----

  backwardReads(): { inputs: boolean; output: boolean } {
    return { inputs: true, output: this.p.activation.name !== 'linear' && !this.keepPre };
  }

  /** Backward statics: [Pᵀ packed (filters → C·M) | the pointwise dW tap table | the depthwise adjoint's]. */
  private backLayout(): number[] {
    const transposed = 0;
    const tapTable = transposed + align(4 * packedSize(1, this.p.filters, this.J));
    const adjoint = tapTable + 16;
    return [transposed, tapTable, adjoint, adjoint + this.adjoint.staticBytes()];
  }

  backwardStaticBytes(): number {
    return this.backLayout()[3];
  }

  packBackward(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    const [depthwise, pointwise] = weights;
    const [transposed, tapTable, adjoint] = this.backLayout().map((o) => ptr + o);
    const N = this.p.filters;
    // Pᵀ: (tap 0, k = filter, n = C·M channel) is pointwise[n · filters + k]
    packWeights(mem, transposed, 1, N, this.J, oneTap(pointwise, 1, N), null);
    mem.u32[tapTable >>> 2] = 0;
    this.adjoint.pack(mem, adjoint, depthwise);
  }

  /** Backward tables: [dz row pointers | d(intermediate) row pointers | d(intermediate) | the adjoint's]. */
  private backTableLayout(batch: number): number[] {
    const px = this.pixels(batch);
    const dyPtrs = 0;
    const dMidPtrs = dyPtrs + 4 * px;
    const dMid = align(dMidPtrs + 4 * px);
    const adjoint = align(dMid + 4 * px * this.J);
    return [dyPtrs, dMidPtrs, dMid, adjoint, adjoint + this.adjoint.tableBytes(batch)];
  }

  backwardTableBytes(batch: number): number {
    return this.backTableLayout(batch)[4];
  }

  backward(ctx: BackwardContext): Step[] {
    const { activation, filters: N, useBias } = this.p;
    const J = this.J;
    const px = this.pixels(ctx.batch);
    const k = ctx.kernels;
    const dz = ctx.dOutput;
    const fwd = this.layout(ctx.batch).map((o) => ctx.tables + o);
    const [, taps, inPtrs] = fwd;
    const pre = this.keepPre ? fwd[4] : -1;
    const [transposed, tapTable, adjointStatics] = this.backLayout().map((o) => ctx.backStatics + o);
    const [dyPtrs, dMidPtrs, dMid, adjointTables] = this.backTableLayout(ctx.batch).map((o) => ctx.backTables + o);
    for (let m = 0; m < px; m++) {
      ctx.u32[(dyPtrs >>> 2) + m] = dz + 4 * N * m;
      ctx.u32[(dMidPtrs >>> 2) + m] = dMid + 4 * J * m;
    }
    const steps = ownActivationGrad(this.layerName, k, activation, ctx.output, pre, dz, px * N, N);
    const dW = ctx.dWeights;
    if (dW) {
      steps.push(() => k.igemmWeightGrad(px, 1, J, N, inPtrs, dyPtrs, dW[1], tapTable, N, 1));
      if (useBias) steps.push(() => k.columnSum(dz, px, N, dW[2]));
    }
    steps.push(gemmStep(k, px, 1, N, J, dyPtrs, dMidPtrs, transposed, Act.Linear, 0));
    steps.push(...this.adjoint.steps(k, ctx.u32, ctx.batch, taps, dMid, dW ? dW[0] : -1, ctx.dInputs[0],
      ctx.statics, adjointStatics, adjointTables, ctx.zeroRow));
    return steps;
  }
}

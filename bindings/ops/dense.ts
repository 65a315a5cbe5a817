import type { ActivationSpec } from '../activations.js';
import { Act } from '../backend/kernels.js';
import { align } from '../memory/planner.js';
import { activationInto, activationSteps, epilogueAct, keepsPreActivation, ownActivationGrad } from './activation.js';
import { gemmStep, oneTap, packedSize, packWeights } from './gemm.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';

export interface DenseParams {
  /** Rows per sample: the product of all but the last input dimension. */
  readonly rows: number;
  readonly inFeatures: number;
  readonly units: number;
  readonly useBias: boolean;
  readonly activation: ActivationSpec;
  /** A training step: the pre-activation is kept when the activation's gradient needs it. */
  readonly training?: boolean;
}

/** y = act(x @ kernel + bias) on the last axis, as one GEMM with a row pointer per input row. */
export class DenseOp extends Op {
  /** The GEMM writes a kept pre-activation (in the tables), the activation goes from there. */
  private readonly keepPre: boolean;

  constructor(layerName: string, private readonly p: DenseParams) {
    super(layerName);
    this.keepPre = keepsPreActivation(p.activation, p.training);
  }

  staticBytes(): number {
    return 4 * packedSize(1, this.p.inFeatures, this.p.units);
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    const kernel = weights[0];
    const N = this.p.units;
    packWeights(mem, ptr, 1, this.p.inFeatures, N, oneTap(kernel, N, 1), this.p.useBias ? weights[1] : null);
  }

  tableBytes(batch: number): number {
    const M = batch * this.p.rows;
    return align(8 * M) + (this.keepPre ? 4 * M * this.p.units : 0);
  }

  /** The kept pre-activation (-1: none). */
  private preAt(tables: number, batch: number): number {
    return this.keepPre ? tables + align(8 * batch * this.p.rows) : -1;
  }

  get acceptsEpilogue(): boolean {
    return this.p.activation.name === 'linear';
  }

  steps(ctx: StepContext): Step[] {
    const { inFeatures: K, units: N, activation } = this.p;
    const M = ctx.batch * this.p.rows;
    const inPtrs = ctx.tables;
    const outPtrs = ctx.tables + 4 * M;
    const input = ctx.inputs[0];
    const pre = this.preAt(ctx.tables, ctx.batch);
    const target = pre >= 0 ? pre : ctx.output;
    for (let m = 0; m < M; m++) {
      ctx.u32[(inPtrs >>> 2) + m] = input + 4 * K * m;
      ctx.u32[(outPtrs >>> 2) + m] = target + 4 * N * m;
    }
    const act = ctx.epilogue?.act ?? epilogueAct(activation);
    const alpha = ctx.epilogue?.alpha ?? activation.alpha;
    return [
      gemmStep(ctx.kernels, M, 1, K, N, inPtrs, outPtrs, ctx.statics, act, alpha),
      ...(pre >= 0 ? activationInto(ctx.kernels, pre, ctx.output, M * N, N, activation) : activationSteps(ctx.kernels, ctx.output, M * N, N, activation)),
    ];
  }

  // ---- backward: dW = xᵀ·dz over the forward's row table, db = Σ dz, dx = dz·Wᵀ with Wᵀ packed ----

  backwardReads(): { inputs: boolean; output: boolean } {
    return { inputs: true, output: this.p.activation.name !== 'linear' && !this.keepPre };
  }

  backwardStaticBytes(): number {
    return 4 * packedSize(1, this.p.units, this.p.inFeatures) + 16;
  }

  packBackward(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    const kernel = weights[0];
    const N = this.p.units;
    // Wᵀ as a GEMM from N (units) to K (features); then the dW tap table (one tap at offset 0)
    packWeights(mem, ptr, 1, N, this.p.inFeatures, oneTap(kernel, 1, N), null);
    mem.u32[(ptr + 4 * packedSize(1, N, this.p.inFeatures)) >>> 2] = 0;
  }

  backwardTableBytes(batch: number): number {
    return 2 * 4 * batch * this.p.rows;
  }

  backward(ctx: BackwardContext): Step[] {
    const { inFeatures: K, units: N, activation } = this.p;
    const M = ctx.batch * this.p.rows;
    const k = ctx.kernels;
    const dz = ctx.dOutput;
    const dyPtrs = ctx.backTables;
    const dxPtrs = ctx.backTables + 4 * M;
    const dx = ctx.dInputs[0];
    for (let m = 0; m < M; m++) {
      ctx.u32[(dyPtrs >>> 2) + m] = dz + 4 * N * m;
      ctx.u32[(dxPtrs >>> 2) + m] = dx + 4 * K * m;
    }
    const steps = ownActivationGrad(this.layerName, k, activation, ctx.output, this.preAt(ctx.tables, ctx.batch), dz, M * N, N);
    const dW = ctx.dWeights;
    if (dW) {
      const inPtrs = ctx.tables;
      const taps = ctx.backStatics + 4 * packedSize(1, N, K);
      steps.push(() => k.igemmWeightGrad(M, 1, K, N, inPtrs, dyPtrs, dW[0], taps, N, 1));
      if (this.p.useBias) steps.push(() => k.columnSum(dz, M, N, dW[1]));
    }
    if (dx >= 0) steps.push(gemmStep(k, M, 1, N, K, dyPtrs, dxPtrs, ctx.backStatics, Act.Linear, 0));
    return steps;
  }
}

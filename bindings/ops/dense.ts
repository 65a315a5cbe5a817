import type { ActivationSpec } from '../activations.js';
import { Act } from '../backend/kernels.js';
import { activationSteps, epilogueAct, ownActivationGrad } from './activation.js';
import { gemmStep, packedSize, packWeights } from './gemm.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';

export interface DenseParams {
  /** Rows per sample: the product of all but the last input dimension. */
  readonly rows: number;
  readonly inFeatures: number;
  readonly units: number;
  readonly useBias: boolean;
  readonly activation: ActivationSpec;
}

/** y = act(x @ kernel + bias) on the last axis, as one GEMM with a row pointer per input row. */
export class DenseOp extends Op {
  constructor(layerName: string, private readonly p: DenseParams) {
    super(layerName);
  }

  staticBytes(): number {
    return 4 * packedSize(1, this.p.inFeatures, this.p.units);
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    const kernel = weights[0];
    const N = this.p.units;
    packWeights(mem.f32, ptr, 1, this.p.inFeatures, N, (_t, k, n) => kernel[k * N + n], this.p.useBias ? weights[1] : null);
  }

  tableBytes(batch: number): number {
    return 2 * 4 * batch * this.p.rows;
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
    for (let m = 0; m < M; m++) {
      ctx.u32[(inPtrs >>> 2) + m] = input + 4 * K * m;
      ctx.u32[(outPtrs >>> 2) + m] = ctx.output + 4 * N * m;
    }
    const act = ctx.epilogue?.act ?? epilogueAct(activation);
    const alpha = ctx.epilogue?.alpha ?? activation.alpha;
    return [
      gemmStep(ctx.kernels, M, 1, K, N, inPtrs, outPtrs, ctx.statics, act, alpha),
      ...activationSteps(ctx.kernels, ctx.output, M * N, N, activation),
    ];
  }

  // ---- backward: dW = xᵀ·dz over the forward's row table, db = Σ dz, dx = dz·Wᵀ with Wᵀ packed ----

  backwardReads(): { inputs: boolean; output: boolean } {
    return { inputs: true, output: this.p.activation.name !== 'linear' };
  }

  backwardStaticBytes(): number {
    return 4 * packedSize(1, this.p.units, this.p.inFeatures) + 16;
  }

  packBackward(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    const kernel = weights[0];
    const N = this.p.units;
    // Wᵀ as a GEMM from N (units) to K (features); then the dW tap table (one tap at offset 0)
    packWeights(mem.f32, ptr, 1, N, this.p.inFeatures, (_t, k, n) => kernel[n * N + k], null);
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
    const steps = ownActivationGrad(this.layerName, k, activation, ctx.output, dz, M * N, N);
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

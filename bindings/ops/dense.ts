import type { ActivationSpec } from '../activations.js';
import { activationSteps, epilogueAct } from './activation.js';
import { gemmStep, packedSize, packWeights } from './gemm.js';
import { type MemoryViews, Op, type Step, type StepContext } from './op.js';

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
}

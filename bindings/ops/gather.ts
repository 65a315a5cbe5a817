import { ShapeError } from '../errors.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';

/**
 * Embedding: each float id (truncated, as Keras's cast to int32) picks a row of the V × D table
 * (the layer's weight, packed once). The kernel checks every id before it copies anything; an
 * id outside [0, V) makes the step throw a ShapeError, so nothing is ever read outside the table.
 */
export class EmbeddingOp extends Op {
  constructor(layerName: string, private readonly label: string, private readonly idsPerSample: number,
              private readonly V: number, private readonly D: number) {
    super(layerName);
  }

  staticBytes(): number {
    return 4 * this.V * this.D;
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    mem.f32.set(weights[0], ptr >>> 2);
  }

  steps(ctx: StepContext): Step[] {
    const { V, D, label } = this;
    const count = ctx.batch * this.idsPerSample;
    const k = ctx.kernels;
    const ids = ctx.inputs[0];
    const table = ctx.statics;
    const out = ctx.output;
    const f32 = ctx.f32;
    return [() => {
      const bad = k.gatherRows(ids, table, out, count, V, D);
      if (bad >= 0) {
        // the views of a plan stay valid while it is the model's plan; guard anyway
        const value = f32.length ? f32[(ids >>> 2) + bad] : NaN;
        const sample = Math.floor(bad / this.idsPerSample);
        throw new ShapeError(`${label}: id ${value} (sample ${sample}, position ${bad % this.idsPerSample}) is outside [0, ${V}) (input_dim ${V}); ids are truncated to integers as Keras casts them`);
      }
    }];
  }

  backwardReads(): { inputs: boolean; output: boolean } {
    return { inputs: true, output: false };
  }

  /**
   * dW: each output gradient row added onto the embedding row its id picked (ids may repeat; TF's
   * IndexedSlices, densified as Keras 3's optimizers do). The ids get no gradient (TF's cast to
   * int32 passes none): zeros where one is asked for.
   */
  backward(ctx: BackwardContext): Step[] {
    const { V, D, label } = this;
    const count = ctx.batch * this.idsPerSample;
    const k = ctx.kernels;
    const steps: Step[] = [];
    const dx = ctx.dInputs[0];
    if (dx >= 0) steps.push(() => k.fillZero(dx, count));
    const dW = ctx.dWeights;
    if (!dW) return steps;
    const ids = ctx.inputs[0];
    const dy = ctx.dOutput;
    const table = dW[0];
    steps.push(() => {
      // the forward checked these ids in this step; a failure here means they were overwritten
      if (k.scatterAddRows(ids, dy, table, count, V, D) >= 0) throw new ShapeError(`${label}: the ids changed between the forward and the backward pass`);
    });
    return steps;
  }
}

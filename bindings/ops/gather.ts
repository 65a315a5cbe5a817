import { ShapeError } from '../errors.js';
import { type MemoryViews, Op, type Step, type StepContext } from './op.js';

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
}

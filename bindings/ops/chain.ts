import { ConfigError } from '../errors.js';
import { align } from '../memory/planner.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';

/**
 * A layer op followed by an in-place activation op of another layer (Keras 3 writes
 * `activation` as a serialized layer such as LeakyReLU): one op, the activation fused into the
 * first op's epilogue when it is a cheap one.
 */
export class ChainOp extends Op {
  private readonly firstStatics: number;

  constructor(layerName: string, private readonly first: Op, private readonly then: Op) {
    super(layerName);
    this.firstStatics = align(first.staticBytes());
  }

  staticBytes(): number {
    return this.firstStatics + this.then.staticBytes();
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    this.first.pack(mem, ptr, weights);
    this.then.pack(mem, ptr + this.firstStatics, []);
  }

  tableBytes(batch: number): number {
    return align(this.first.tableBytes(batch)) + this.then.tableBytes(batch);
  }

  zeroRowFloats(): number {
    return Math.max(this.first.zeroRowFloats(), this.then.zeroRowFloats());
  }

  steps(ctx: StepContext): Step[] {
    const offer = this.first.acceptsEpilogue ? this.then.epilogueOffer() : null;
    if (offer) return this.first.steps({ ...ctx, epilogue: offer });
    return [
      ...this.first.steps({ ...ctx, epilogue: null }),
      ...this.then.steps({
        ...ctx, inputs: [ctx.output], statics: ctx.statics + this.firstStatics,
        tables: ctx.tables + align(this.first.tableBytes(ctx.batch)), epilogue: null,
      }),
    ];
  }

  // the activation's backward (from the shared output) then the first op's, in place on dOutput
  backwardReads(): { inputs: boolean; output: boolean } {
    const a = this.then.backwardReads();
    if (a.inputs) throw new ConfigError(`${this.layerName}: this activation layer cannot be trained as an activation argument; use it as a separate layer`);
    const f = this.first.backwardReads();
    return { inputs: f.inputs, output: true };
  }

  backwardStaticBytes(): number {
    return align(this.first.backwardStaticBytes()) + this.then.backwardStaticBytes();
  }

  packBackward(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    this.first.packBackward(mem, ptr, weights);
    this.then.packBackward(mem, ptr + align(this.first.backwardStaticBytes()), []);
  }

  backwardTableBytes(batch: number): number {
    return align(this.first.backwardTableBytes(batch)) + this.then.backwardTableBytes(batch);
  }

  backward(ctx: BackwardContext): Step[] {
    const firstStatics = align(this.first.backwardStaticBytes());
    const firstTables = align(this.first.backwardTableBytes(ctx.batch));
    return [
      ...this.then.backward({
        ...ctx, inputs: [ctx.output], dInputs: [ctx.dOutput], weights: [], dWeights: null,
        statics: ctx.statics + this.firstStatics, tables: ctx.tables + align(this.first.tableBytes(ctx.batch)),
        backStatics: ctx.backStatics + firstStatics, backTables: ctx.backTables + firstTables,
      }),
      ...this.first.backward(ctx),
    ];
  }
}

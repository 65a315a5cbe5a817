import { ConfigError } from '../errors.js';
import { align } from '../memory/planner.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';

/**
 * A layer op followed by an in-place activation op of another layer (Keras 3 writes
 * `activation` as a serialized layer such as LeakyReLU): one op, the activation fused into the
 * first op's epilogue when it is a cheap one. In a training step where the activation's
 * gradient needs its input (LeakyReLU with a negative slope, ReLU with a max_value), the first
 * op writes a kept buffer in the tables and the activation goes from there into the output.
 */
export class ChainOp extends Op {
  private readonly firstStatics: number;
  /** Floats per sample of the kept pre-activation (0: none). */
  private readonly keep: number;

  /** `trainingFloats`: in a training step, the floats per sample of the output (0 otherwise). */
  constructor(layerName: string, private readonly first: Op, private readonly then: Op, trainingFloats = 0) {
    super(layerName);
    this.firstStatics = align(first.staticBytes());
    this.keep = trainingFloats > 0 && then.backwardReads().inputs ? trainingFloats : 0;
  }

  staticBytes(): number {
    return this.firstStatics + this.then.staticBytes();
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    this.first.pack(mem, ptr, weights);
    this.then.pack(mem, ptr + this.firstStatics, []);
  }

  /** Tables: the first op's, the kept pre-activation, the activation's. */
  private layout(batch: number): { pre: number; then: number; end: number } {
    const pre = align(this.first.tableBytes(batch));
    const then = pre + align(4 * batch * this.keep);
    return { pre, then, end: then + this.then.tableBytes(batch) };
  }

  tableBytes(batch: number): number {
    return this.layout(batch).end;
  }

  zeroRowFloats(): number {
    return Math.max(this.first.zeroRowFloats(), this.then.zeroRowFloats());
  }

  steps(ctx: StepContext): Step[] {
    const offer = this.first.acceptsEpilogue && !this.keep ? this.then.epilogueOffer() : null;
    if (offer) return this.first.steps({ ...ctx, epilogue: offer });
    const l = this.layout(ctx.batch);
    const mid = this.keep ? ctx.tables + l.pre : ctx.output;
    return [
      ...this.first.steps({ ...ctx, output: mid, epilogue: null }),
      ...this.then.steps({ ...ctx, inputs: [mid], statics: ctx.statics + this.firstStatics, tables: ctx.tables + l.then, epilogue: null }),
    ];
  }

  // the activation's backward (from the shared output or the kept input) then the first op's,
  // in place on dOutput
  backwardReads(): { inputs: boolean; output: boolean } {
    const a = this.then.backwardReads();
    if (a.inputs && !this.keep) throw new ConfigError(`${this.layerName}: this activation layer cannot be trained as an activation argument; use it as a separate layer`);
    const f = this.first.backwardReads();
    return { inputs: f.inputs, output: a.output || f.output };
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
    const l = this.layout(ctx.batch);
    const mid = this.keep ? ctx.tables + l.pre : ctx.output;
    return [
      ...this.then.backward({
        ...ctx, inputs: [mid], dInputs: [ctx.dOutput], weights: [], dWeights: null,
        statics: ctx.statics + this.firstStatics, tables: ctx.tables + l.then,
        backStatics: ctx.backStatics + firstStatics, backTables: ctx.backTables + firstTables,
      }),
      ...this.first.backward({ ...ctx, output: mid }),
    ];
  }
}

/**
 * The noise layers in training mode (Keras 3 layers/regularization/*: `if training and …`):
 * GaussianNoise adds N(0, stddev²) noise, GaussianDropout multiplies by N(1, rate / (1 − rate)),
 * SpatialDropout2D keeps whole channels of a sample with probability 1 − rate, scaled by
 * 1 / (1 − rate) (tf.nn.dropout with noise_shape (N, 1, 1, C)). The noise comes from upconv's
 * seeded generator (`setSeed`): one seed per step drawn from it, expanded by counter-based hash
 * kernels (the same numbers on every backend, to the last bit of a logarithm), or from a given
 * array (tests). Keras draws from its backend's RNG, so the numbers cannot match it.
 */
import { Act } from '../backend/kernels.js';
import { BinaryOp } from '../backend/kernels/broadcast.js';
import { random } from '../random.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';

/** A fresh 32-bit seed from the seeded generator. */
function nextSeed(): number {
  return Math.floor(random() * 4294967296) >>> 0;
}

/** The noise of one step in the op's table: drawn by `draw(seed)`, or a given array (its first n floats). */
function noiseStep(ctx: StepContext, n: number, given: () => Float32Array | null, draw: (seed: number) => void): Step {
  const view = ctx.f32.subarray(ctx.tables >>> 2, (ctx.tables >>> 2) + n);
  return () => {
    const m = given();
    if (m) view.set(m.subarray(0, n));
    else draw(nextSeed());
  };
}

/** out = a op b elementwise over n floats (the broadcast kernel on one dense row). */
function dense(ctx: { kernels: StepContext['kernels'] }, op: BinaryOp, a: number, b: number, out: number, n: number): Step {
  const k = ctx.kernels;
  return () => k.broadcast(op, Act.Linear, 0, a, b, out, 1, 1, 1, n, 0, 0, 0, 1, 0, 0, 0, 1);
}

/**
 * Gaussian noise in training, one op for both Keras layers:
 * - GaussianNoise: out = x + z, z ~ N(0, stddev²); the gradient passes unchanged;
 * - GaussianDropout: out = x · m, m ~ N(1, rate / (1 − rate)); dx = dy · m with the same m.
 * The draw lives in the op's table, so the backward pass reuses it.
 */
export class NormalNoiseTrainOp extends Op {
  private constructor(layerName: string, private readonly op: BinaryOp, private readonly mean: number,
                      private readonly stddev: number, private readonly count: number, private readonly given: () => Float32Array | null) {
    super(layerName);
  }

  /** GaussianNoise(stddev). */
  static additive(layerName: string, stddev: number, count: number, given: () => Float32Array | null): NormalNoiseTrainOp {
    return new NormalNoiseTrainOp(layerName, BinaryOp.Add, 0, stddev, count, given);
  }

  /** GaussianDropout(rate). */
  static multiplicative(layerName: string, rate: number, count: number, given: () => Float32Array | null): NormalNoiseTrainOp {
    return new NormalNoiseTrainOp(layerName, BinaryOp.Mul, 1, Math.sqrt(rate / (1 - rate)), count, given);
  }

  get inPlace(): boolean {
    return true;
  }

  tableBytes(batch: number): number {
    return 4 * batch * this.count;
  }

  steps(ctx: StepContext): Step[] {
    const n = ctx.batch * this.count;
    const k = ctx.kernels;
    const noise = ctx.tables;
    const { mean, stddev } = this;
    return [
      noiseStep(ctx, n, this.given, (seed) => k.normalNoise(noise, n, mean, stddev, seed)),
      dense(ctx, this.op, ctx.inputs[0], noise, ctx.output, n),
    ];
  }

  backward(ctx: BackwardContext): Step[] {
    const dx = ctx.dInputs[0];
    if (dx < 0) return [];
    const n = ctx.batch * this.count;
    const k = ctx.kernels;
    const dy = ctx.dOutput;
    if (this.op === BinaryOp.Add) return [() => k.activation(dy, dx, n, Act.Linear, 0)];
    return [dense(ctx, BinaryOp.Mul, dy, ctx.tables, dx, n)];
  }
}

/**
 * SpatialDropout2D in training: one keep flag per (sample, channel), drawn as Dropout's
 * (`dropoutMask`) or given (N·C floats of 0/1), times 1 / (1 − rate) in the table; then
 * out = x · table[n, c] over every pixel, and dx = dy · table[n, c].
 */
export class SpatialDropoutTrainOp extends Op {
  constructor(layerName: string, private readonly rate: number, private readonly input: readonly number[],
              private readonly given: () => Float32Array | null) {
    super(layerName);
  }

  get inPlace(): boolean {
    return true;
  }

  staticBytes(): number {
    return 16;
  }

  pack(mem: MemoryViews, ptr: number): void {
    mem.f32[ptr >>> 2] = 1 / (1 - this.rate);
  }

  tableBytes(batch: number): number {
    return 4 * batch * this.input[2];
  }

  /** x · mask[n, c] over (N, H·W, C): the mask broadcast along the pixels. */
  private apply(k: StepContext['kernels'], batch: number, x: number, mask: number, out: number): Step {
    const [H, W, C] = this.input;
    const P = H * W;
    return () => k.broadcast(BinaryOp.Mul, Act.Linear, 0, x, mask, out, 1, batch, P, C, 0, P * C, C, 1, 0, C, 0, 1);
  }

  steps(ctx: StepContext): Step[] {
    const C = this.input[2];
    const n = ctx.batch * C;
    const k = ctx.kernels;
    const mask = ctx.tables;
    const rate = this.rate;
    const scale = ctx.statics;
    return [
      noiseStep(ctx, n, this.given, (seed) => k.dropoutMask(mask, n, rate, seed)),
      () => k.broadcast(BinaryOp.Mul, Act.Linear, 0, mask, scale, mask, 1, 1, 1, n, 0, 0, 0, 1, 0, 0, 0, 0),
      this.apply(k, ctx.batch, ctx.inputs[0], mask, ctx.output),
    ];
  }

  backward(ctx: BackwardContext): Step[] {
    const dx = ctx.dInputs[0];
    if (dx < 0) return [];
    return [this.apply(ctx.kernels, ctx.batch, ctx.dOutput, ctx.tables, dx)];
  }
}

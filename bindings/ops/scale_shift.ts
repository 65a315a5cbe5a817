import { Act } from '../backend/kernels.js';
import { ConfigError } from '../errors.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';

export interface BatchNormParams {
  /** Values per sample, and channels (the last axis). */
  readonly count: number;
  readonly channels: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
}

/**
 * BatchNormalization in inference form, folded at pack time into one multiply-add per value:
 * y = x·s + t, s = gamma / sqrt(moving_variance + epsilon), t = beta - moving_mean·s.
 */
export class BatchNormInferenceOp extends Op {
  constructor(layerName: string, private readonly p: BatchNormParams) {
    super(layerName);
  }

  get inPlace(): boolean {
    return true;
  }

  staticBytes(): number {
    return 4 * 2 * this.p.channels;
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    const C = this.p.channels;
    let i = 0;
    const gamma = this.p.scale ? weights[i++] : null;
    const beta = this.p.center ? weights[i++] : null;
    const mean = weights[i++];
    const variance = weights[i];
    const base = ptr >>> 2;
    for (let c = 0; c < C; c++) {
      const s = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + this.p.epsilon);
      mem.f32[base + c] = s;
      mem.f32[base + C + c] = (beta ? beta[c] : 0) - mean[c] * s;
    }
  }

  get acceptsEpilogue(): boolean {
    return true;
  }

  steps(ctx: StepContext): Step[] {
    const C = this.p.channels;
    const rows = (ctx.batch * this.p.count) / C;
    const scale = ctx.statics;
    const shift = ctx.statics + 4 * C;
    const k = ctx.kernels;
    const act = ctx.epilogue?.act ?? Act.Linear;
    const alpha = ctx.epilogue?.alpha ?? 0;
    const x = ctx.inputs[0];
    const out = ctx.output;
    return [() => k.scaleShift(x, out, rows, C, scale, shift, act, alpha)];
  }

  /** Inference mode inside a training step (a frozen BN): dx = dy · s, no weight updates. */
  backwardStaticBytes(): number {
    return 4 * this.p.channels; // zeros: the shift of dx = dy·s + 0
  }

  packBackward(mem: MemoryViews, ptr: number): void {
    mem.f32.fill(0, ptr >>> 2, (ptr >>> 2) + this.p.channels);
  }

  backward(ctx: BackwardContext): Step[] {
    if (ctx.dWeights) throw new ConfigError(`${this.layerName}: a trainable BatchNormalization in inference mode (node kwargs training=False) cannot be trained`);
    if (ctx.dInputs[0] < 0) return [];
    const C = this.p.channels;
    const rows = (ctx.batch * this.p.count) / C;
    const k = ctx.kernels;
    const dy = ctx.dOutput;
    const dx = ctx.dInputs[0];
    const scale = ctx.statics;
    const zeros = ctx.backStatics;
    return [() => k.scaleShift(dy, dx, rows, C, scale, zeros, Act.Linear, 0)];
  }
}

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
 *
 * In a training step (a frozen BN, or one called with training=False in a trainable model — Keras's
 * fine-tuning pattern) dx = dy·s; with `trainsAffine` gamma and beta get TF's gradients of
 * tf.nn.batch_normalization with the moving statistics: Σ dy·(x − moving_mean)·rsqrt(moving_variance
 * + epsilon) and Σ dy (normGradReduce with the moving mean as the centre).
 */
export class BatchNormInferenceOp extends Op {
  constructor(layerName: string, private readonly p: BatchNormParams, private readonly trainsAffine = false) {
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

  backwardReads(): { inputs: boolean; output: boolean } {
    return { inputs: this.trainsAffine, output: false };
  }

  backwardStaticBytes(): number {
    return 4 * Math.ceil(this.p.channels / 4) * 4; // zeros: the shift of dx = dy·s + 0, the centre's low part
  }

  packBackward(mem: MemoryViews, ptr: number): void {
    mem.f32.fill(0, ptr >>> 2, (ptr >>> 2) + this.p.channels);
  }

  /** Backward tables (trainsAffine): Σdy, Σdy·(x − moving_mean), Σ(x − moving_mean)², C floats each. */
  backwardTableBytes(): number {
    return this.trainsAffine ? 3 * 4 * Math.ceil(this.p.channels / 4) * 4 : 0;
  }

  backward(ctx: BackwardContext): Step[] {
    const { channels: C, scale: hasScale, center, epsilon } = this.p;
    const rows = (ctx.batch * this.p.count) / C;
    const k = ctx.kernels;
    const dy = ctx.dOutput;
    const dx = ctx.dInputs[0];
    const zeros = ctx.backStatics;
    const steps: Step[] = [];
    const dW = ctx.dWeights;
    if (dW && (hasScale || center)) {
      if (!this.trainsAffine) throw new ConfigError(`${this.layerName}: gamma and beta of a BatchNormalization in inference mode were not planned to train`);
      const part = 4 * Math.ceil(C / 4) * 4;
      const [sumDy, sumDyXc, sumXc2] = [0, 1, 2].map((i) => ctx.backTables + i * part);
      let wi = 0;
      const dGamma = hasScale ? dW[wi++] : -1;
      const dBeta = center ? dW[wi++] : -1;
      const movingMean = ctx.weights[wi];
      const movingVar = ctx.weights[wi + 1];
      const x = ctx.inputs[0];
      const f32 = ctx.f32;
      const eps = Math.fround(epsilon);
      steps.push(() => k.normGradReduce(x, dy, 1, rows, C, movingMean, zeros, sumDy, sumDyXc, sumXc2));
      steps.push(() => {
        for (let c = 0; c < C; c++) {
          // tf.nn.batch_normalization: inv = rsqrt(variance + epsilon), float32
          const inv = Math.fround(1 / Math.sqrt(Math.fround(f32[(movingVar >>> 2) + c] + eps)));
          if (dGamma >= 0) f32[(dGamma >>> 2) + c] += f32[(sumDyXc >>> 2) + c] * inv;
          if (dBeta >= 0) f32[(dBeta >>> 2) + c] += f32[(sumDy >>> 2) + c];
        }
      });
    }
    if (dx >= 0) {
      const scale = ctx.statics;
      steps.push(() => k.scaleShift(dy, dx, rows, C, scale, zeros, Act.Linear, 0));
    }
    return steps;
  }
}

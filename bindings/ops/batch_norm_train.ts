import { Act } from '../backend/kernels.js';
import { ConfigError } from '../errors.js';
import { align } from '../memory/planner.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';
import type { BatchNormParams } from './scale_shift.js';

/**
 * BatchNormalization in training mode (keras/src/layers/normalization/batch_normalization.py):
 * mean and biased variance over every axis but the channels, y = x·inv + (beta − mean·inv) with
 * inv = gamma / sqrt(var + epsilon), and the moving statistics updated in the layer's weights:
 * moving = moving·momentum + batch·(1 − momentum). The batch statistics stay in the per-batch
 * tables for the backward pass.
 */
export class BatchNormTrainOp extends Op {
  constructor(layerName: string, private readonly p: BatchNormParams & { momentum: number }) {
    super(layerName);
  }

  /** Table layout (floats of C each): mean, variance, invStd, scale, shift, sumDy, sumDyXhat. */
  tableBytes(): number {
    return align(4 * 7 * this.p.channels);
  }

  steps(ctx: StepContext): Step[] {
    const w = ctx.weights;
    if (!w) throw new ConfigError(`${this.layerName}: training mode needs a training step`);
    const { channels: C, epsilon, momentum, scale: hasScale, center } = this.p;
    const rows = (ctx.batch * this.p.count) / C;
    const k = ctx.kernels;
    const x = ctx.inputs[0];
    const out = ctx.output;
    const t = ctx.tables;
    const [mean, variance, invStd, scale, shift] = [0, 1, 2, 3, 4].map((i) => t + 4 * i * C);
    let wi = 0;
    const gamma = hasScale ? w[wi++] : -1;
    const beta = center ? w[wi++] : -1;
    const movingMean = w[wi++];
    const movingVar = w[wi];
    const f32 = ctx.f32;
    const f = Math.fround;
    const m1 = f(1 - momentum);
    const mom = f(momentum);
    const eps = f(epsilon);
    const fold = (): void => {
      for (let c = 0; c < C; c++) {
        const mu = f32[(mean >>> 2) + c];
        const va = f32[(variance >>> 2) + c];
        const is = f(1 / Math.sqrt(f(va + eps)));
        const s = gamma >= 0 ? f(is * f32[(gamma >>> 2) + c]) : is;
        f32[(invStd >>> 2) + c] = is;
        f32[(scale >>> 2) + c] = s;
        f32[(shift >>> 2) + c] = f((beta >= 0 ? f32[(beta >>> 2) + c] : 0) - f(mu * s));
        f32[(movingMean >>> 2) + c] = f(f(f32[(movingMean >>> 2) + c] * mom) + f(mu * m1));
        f32[(movingVar >>> 2) + c] = f(f(f32[(movingVar >>> 2) + c] * mom) + f(va * m1));
      }
    };
    return [
      () => k.channelMoments(x, rows, C, mean, variance),
      fold,
      () => k.scaleShift(x, out, rows, C, scale, shift, Act.Linear, 0),
    ];
  }

  backwardReads(): { inputs: boolean; output: boolean } {
    return { inputs: true, output: false };
  }

  backwardStaticBytes(): number {
    return 4 * this.p.channels; // ones, the gamma of a BN without scale
  }

  packBackward(mem: MemoryViews, ptr: number): void {
    mem.f32.fill(1, ptr >>> 2, (ptr >>> 2) + this.p.channels);
  }

  backward(ctx: BackwardContext): Step[] {
    const { channels: C, scale: hasScale, center } = this.p;
    const rows = (ctx.batch * this.p.count) / C;
    const k = ctx.kernels;
    const x = ctx.inputs[0];
    const dy = ctx.dOutput;
    const t = ctx.tables;
    const [mean, , invStd, , , sumDy, sumDyXhat] = [0, 1, 2, 3, 4, 5, 6].map((i) => t + 4 * i * C);
    const gamma = hasScale ? ctx.weights[0] : ctx.backStatics;
    const steps: Step[] = [() => k.bnGradReduce(x, dy, rows, C, mean, invStd, sumDy, sumDyXhat)];
    const dW = ctx.dWeights;
    if (dW) {
      let i = 0;
      if (hasScale) {
        const dGamma = dW[i++];
        steps.push(() => k.accumulate(sumDyXhat, dGamma, C));
      }
      if (center) {
        const dBeta = dW[i];
        steps.push(() => k.accumulate(sumDy, dBeta, C));
      }
    }
    const dx = ctx.dInputs[0];
    if (dx >= 0) steps.push(() => k.bnGradApply(x, dy, dx, rows, C, mean, invStd, gamma, sumDy, sumDyXhat));
    return steps;
  }
}

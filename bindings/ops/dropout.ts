import { random } from '../random.js';
import { type BackwardContext, Op, type Step, type StepContext } from './op.js';

/**
 * Dropout in training mode: out = x · keep / (1 − rate) with keep drawn from upconv's seeded
 * generator (`setSeed`) for every step, or taken from a mask a test gives; the gradient uses the
 * same mask. (Keras draws its masks from its backend's RNG, so they cannot match.)
 */
export class DropoutTrainOp extends Op {
  constructor(layerName: string, private readonly rate: number, private readonly count: number,
              private readonly masks: () => Float32Array | null) {
    super(layerName);
  }

  get inPlace(): boolean {
    return true;
  }

  tableBytes(batch: number): number {
    return 4 * batch * this.count;
  }

  steps(ctx: StepContext): Step[] {
    const n = ctx.batch * this.count;
    const mask = ctx.tables;
    const view = ctx.f32.subarray(mask >>> 2, (mask >>> 2) + n);
    const rate = this.rate;
    const given = this.masks;
    const k = ctx.kernels;
    const draw = (): void => {
      const m = given();
      if (m) view.set(m.subarray(0, n));
      else k.dropoutMask(mask, n, rate, Math.floor(random() * 4294967296) >>> 0);
    };
    const x = ctx.inputs[0];
    const out = ctx.output;
    const scale = 1 / (1 - rate);
    return [draw, () => k.mulMask(x, mask, out, n, scale)];
  }

  backward(ctx: BackwardContext): Step[] {
    const dx = ctx.dInputs[0];
    if (dx < 0) return [];
    const n = ctx.batch * this.count;
    const k = ctx.kernels;
    const dy = ctx.dOutput;
    const mask = ctx.tables;
    const scale = 1 / (1 - this.rate);
    return [() => k.mulMask(dy, mask, dx, n, scale)];
  }
}

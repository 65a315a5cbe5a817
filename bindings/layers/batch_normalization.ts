import { Act } from '../backend/kernels.js';
import { bool, checkKeys, finite } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { sizeOf } from '../tensor.js';
import { COMMON_OPTIONS, Layer, type LayerOptions, type Step, type StepContext, type WeightSpec } from './layer.js';

export interface BatchNormalizationOptions extends LayerOptions {
  axis?: number | readonly number[];
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
}

/**
 * Keras BatchNormalization in inference form over the channel (last) axis:
 * y = (x - moving_mean) / sqrt(moving_variance + epsilon) · gamma + beta,
 * folded once at setWeights into y = x · s + t.
 */
export class BatchNormalization extends Layer {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;

  constructor(options: BatchNormalizationOptions = {}) {
    super('BatchNormalization', options);
    checkKeys(options, [...COMMON_OPTIONS, 'axis', 'momentum', 'epsilon', 'center', 'scale'], this.label);
    const axis = Array.isArray(options.axis) ? options.axis : [options.axis ?? -1];
    if (axis.length !== 1 || !Number.isInteger(axis[0])) {
      throw new ConfigError(`${this.label}: axis must be one integer (the channel axis), got ${JSON.stringify(options.axis)}`);
    }
    this.axis = axis[0];
    this.momentum = finite(options.momentum ?? 0.99, 'momentum', this.label);
    this.epsilon = finite(options.epsilon ?? 1e-3, 'epsilon', this.label);
    if (this.epsilon < 0) throw new ConfigError(`${this.label}: epsilon must be ≥ 0, got ${this.epsilon}`);
    this.center = options.center === undefined ? true : bool(options.center, 'center', this.label);
    this.scale = options.scale === undefined ? true : bool(options.scale, 'scale', this.label);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    const rank = inputShape.length + 1;
    if (this.axis !== -1 && this.axis !== rank - 1) {
      throw new ShapeError(`${this.label}: only the last (channel) axis is supported; axis ${this.axis} on an input of rank ${rank}`);
    }
    return [...inputShape];
  }

  private get channels(): number {
    return this.inputShape![this.inputShape!.length - 1];
  }

  weightSpecs(inputShape: readonly number[]): WeightSpec[] {
    const c = [inputShape[inputShape.length - 1]];
    const specs: WeightSpec[] = [];
    if (this.scale) specs.push({ name: 'gamma', shape: c, trainable: true, init: 'ones' });
    if (this.center) specs.push({ name: 'beta', shape: c, trainable: true, init: 'zeros' });
    specs.push({ name: 'moving_mean', shape: c, trainable: false, init: 'zeros' });
    specs.push({ name: 'moving_variance', shape: c, trainable: false, init: 'ones' });
    return specs;
  }

  get inPlace(): boolean {
    return true;
  }

  staticFloats(): number {
    return 2 * this.channels;
  }

  writeStatic(f32: Float32Array, _u32: Uint32Array, ptr: number): void {
    const C = this.channels;
    const w = [...this.weightValues];
    const gamma = this.scale ? w.shift()! : null;
    const beta = this.center ? w.shift()! : null;
    const [mean, variance] = w;
    const base = ptr >>> 2;
    for (let c = 0; c < C; c++) {
      const s = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + this.epsilon);
      f32[base + c] = s;
      f32[base + C + c] = (beta ? beta[c] : 0) - mean[c] * s;
    }
  }

  get acceptsEpilogue(): boolean {
    return true;
  }

  plan(ctx: StepContext): Step[] {
    const C = this.channels;
    const rows = ctx.batch * sizeOf(this.inputShape!) / C;
    const scale = ctx.statics;
    const shift = ctx.statics + 4 * C;
    const k = ctx.kernels;
    const act = ctx.epilogue?.act ?? Act.Linear;
    const alpha = ctx.epilogue?.alpha ?? 0;
    return [() => k.scaleShift(ctx.input, ctx.output, rows, C, scale, shift, act, alpha)];
  }

  getConfig(): Record<string, unknown> {
    return {
      ...this.baseConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      beta_initializer: { class_name: 'Zeros', config: {} },
      gamma_initializer: { class_name: 'Ones', config: {} },
      moving_mean_initializer: { class_name: 'Zeros', config: {} },
      moving_variance_initializer: { class_name: 'Ones', config: {} },
      beta_regularizer: null,
      gamma_regularizer: null,
      beta_constraint: null,
      gamma_constraint: null,
    };
  }
}

import { bool, checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import type { CallArgs } from './node.js';
import type { Op } from '../ops/op.js';
import { BatchNormInferenceOp } from '../ops/scale_shift.js';
import { type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions, type WeightSpec } from './layer.js';

export interface BatchNormalizationOptions extends LayerOptions {
  axis?: number | readonly number[];
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
}

/**
 * Keras BatchNormalization over the channel (last) axis. At inference:
 * y = (x - moving_mean) / sqrt(moving_variance + epsilon) · gamma + beta.
 */
export class BatchNormalization extends Layer {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;

  constructor(options?: BatchNormalizationOptions) {
    const o = optionsOf<BatchNormalizationOptions>(options, 'BatchNormalization');
    super('BatchNormalization', o);
    checkKeys(o, [...COMMON_OPTIONS, 'axis', 'momentum', 'epsilon', 'center', 'scale'], this.label);
    const axis = Array.isArray(o.axis) ? o.axis : [o.axis ?? -1];
    if (axis.length !== 1 || !Number.isSafeInteger(axis[0]) || Math.abs(axis[0]) > 8) {
      throw new ConfigError(`${this.label}: axis must be one integer (the channel axis), got ${JSON.stringify(o.axis)}`);
    }
    this.axis = axis[0];
    this.momentum = finite(o.momentum ?? 0.99, 'momentum', this.label);
    this.epsilon = finite(o.epsilon ?? 1e-3, 'epsilon', this.label);
    if (this.epsilon < 0) throw new ConfigError(`${this.label}: epsilon must be ≥ 0, got ${this.epsilon}`);
    this.center = o.center === undefined ? true : bool(o.center, 'center', this.label);
    this.scale = o.scale === undefined ? true : bool(o.scale, 'scale', this.label);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const rank = inputShape.length + 1;
    if (this.axis !== -1 && this.axis !== rank - 1) {
      throw new ShapeError(`${this.label}: only the last (channel) axis is supported; axis ${this.axis} on an input of rank ${rank}`);
    }
    return [...inputShape];
  }

  /** @internal */
  weightSpecs(inputs: readonly Shape[]): WeightSpec[] {
    const last = inputs[0][inputs[0].length - 1];
    if (last === null || last === undefined) throw new ShapeError(`${this.label}: the channel dimension of its input must be known, got ${shapeString(inputs[0])}`);
    const c = [last];
    const specs: WeightSpec[] = [];
    if (this.scale) specs.push({ name: 'gamma', shape: c, trainable: true, init: 'ones' });
    if (this.center) specs.push({ name: 'beta', shape: c, trainable: true, init: 'zeros' });
    specs.push({ name: 'moving_mean', shape: c, trainable: false, init: 'zeros' });
    specs.push({ name: 'moving_variance', shape: c, trainable: false, init: 'ones' });
    return specs;
  }

  /** @internal */
  operator(inputs: readonly number[][], _output: readonly number[], _call: CallArgs): Op {
    const x = inputs[0];
    let count = 1;
    for (const d of x) count *= d;
    return new BatchNormInferenceOp(this.name, { count, channels: x[x.length - 1], epsilon: this.epsilon, center: this.center, scale: this.scale });
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

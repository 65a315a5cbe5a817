import { bool, checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import type { CallArgs } from './node.js';
import type { Op } from '../ops/op.js';
import { BatchNormTrainOp } from '../ops/batch_norm_train.js';
import { ChannelNormOp } from '../ops/normalization.js';
import { BatchNormInferenceOp } from '../ops/scale_shift.js';
import { type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions, type WeightSpec } from './layer.js';
import { showValue } from '../show.js';

export interface BatchNormalizationOptions extends LayerOptions {
  axis?: number | readonly number[];
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
}

/**
 * Keras BatchNormalization over the channel (last) axis. At inference:
 * y = (x - moving_mean) / sqrt(moving_variance + epsilon) · gamma + beta. A call fixed with
 * `training: true` (node kwargs, as pix2pix files have) uses the batch's own mean and population
 * variance over every axis but the channel axis instead of the moving statistics, as Keras does
 * for a trainable layer (a non-trainable one keeps inference mode).
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
      throw new ConfigError(`${this.label}: axis must be one integer (the channel axis), got ${showValue(o.axis)}`);
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
  operator(inputs: readonly number[][], _output: readonly number[], call: CallArgs): Op {
    const x = inputs[0];
    let count = 1;
    for (const d of x) count *= d;
    const C = x[x.length - 1];
    const p = { count, channels: C, epsilon: this.epsilon, center: this.center, scale: this.scale };
    if (call.frozen !== undefined) {
      // a training step: batch statistics iff training and the layer is trainable (flags as at compile)
      if (call.training && !call.frozen) return new BatchNormTrainOp(this.name, { ...p, momentum: this.momentum });
      return new BatchNormInferenceOp(this.name, p);
    }
    if (call.training === true && this.trainable) {
      // predict through a call fixed with training=True (node kwargs): the batch's statistics,
      // k3 batch_normalization.py :: call: `if training and self.trainable: mean, variance = self._moments(...)`
      return new ChannelNormOp(this.name, {
        rows: count / C, C, G: C, epsilon: this.epsilon, mode: 0, weightIndex: (c) => c, overBatch: true,
        gammaAt: this.scale ? 0 : null, betaAt: this.center ? (this.scale ? 1 : 0) : null,
      });
    }
    return new BatchNormInferenceOp(this.name, p);
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

import type { ActivationSpec } from '../activations.js';
import { Act } from '../backend/kernels.js';
import { checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError } from '../errors.js';
import { ActivationOp } from '../ops/activation.js';
import type { Op } from '../ops/op.js';
import type { Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

export interface ReLUOptions extends LayerOptions {
  maxValue?: number | null;
  negativeSlope?: number;
  threshold?: number;
}

/**
 * Keras ReLU layer: x ≥ max_value → max_value; threshold < x < max_value → x;
 * x ≤ threshold → negative_slope·(x − threshold).
 */
export class ReLU extends Layer {
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(options?: ReLUOptions) {
    const o = optionsOf<ReLUOptions>(options, 'ReLU');
    super('ReLU', o);
    checkKeys(o, [...COMMON_OPTIONS, 'maxValue', 'negativeSlope', 'threshold'], this.label);
    this.maxValue = o.maxValue === undefined || o.maxValue === null ? null : finite(o.maxValue, 'maxValue', this.label);
    this.negativeSlope = finite(o.negativeSlope ?? 0, 'negativeSlope', this.label);
    this.threshold = finite(o.threshold ?? 0, 'threshold', this.label);
    if (this.maxValue !== null && this.maxValue < 0) throw new ConfigError(`${this.label}: maxValue must be ≥ 0, got ${this.maxValue}`);
    if (this.negativeSlope < 0) throw new ConfigError(`${this.label}: negativeSlope must be ≥ 0, got ${this.negativeSlope}`);
    if (this.threshold < 0) throw new ConfigError(`${this.label}: threshold must be ≥ 0, got ${this.threshold}`);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    return new ActivationOp(this.name, this.spec(), inputs[0]);
  }

  /** The kernel form: plain relu / leaky relu / relu6 where Keras uses them, else the clipped form. */
  private spec(): ActivationSpec {
    const { maxValue: max, negativeSlope: slope, threshold } = this;
    if (threshold === 0 && max === null) {
      return slope === 0 ? { name: 'relu', act: Act.Relu, alpha: 0, softmax: false } : { name: 'leaky_relu', act: Act.LeakyRelu, alpha: slope, softmax: false };
    }
    if (threshold === 0 && slope === 0 && max === 6) return { name: 'relu6', act: Act.Relu6, alpha: 0, softmax: false };
    return { name: 'relu', act: Act.Linear, alpha: slope, softmax: false, clip: { max: max ?? Infinity, threshold } };
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), max_value: this.maxValue, negative_slope: this.negativeSlope, threshold: this.threshold };
  }
}

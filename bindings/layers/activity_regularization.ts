import { checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError } from '../errors.js';
import { IdentityOp, type Op } from '../ops/op.js';
import type { Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import type { CallArgs } from './node.js';

export interface ActivityRegularizationOptions extends LayerOptions {
  l1?: number;
  l2?: number;
}

/** Keras ActivityRegularization: adds an L1/L2 activity loss in training; the identity at inference. */
export class ActivityRegularization extends Layer {
  readonly l1: number;
  readonly l2: number;

  constructor(options?: ActivityRegularizationOptions) {
    const o = optionsOf<ActivityRegularizationOptions>(options, 'ActivityRegularization');
    super('ActivityRegularization', o);
    checkKeys(o, [...COMMON_OPTIONS, 'l1', 'l2'], this.label);
    this.l1 = finite(o.l1 ?? 0, 'l1', this.label);
    this.l2 = finite(o.l2 ?? 0, 'l2', this.label);
    if (this.l1 < 0 || this.l2 < 0) throw new ConfigError(`${this.label}: l1 and l2 must be ≥ 0`);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  /**
   * @internal The identity. A training step (its program marks every call trainable or frozen)
   * with l1 or l2 > 0 is refused: Keras adds l1·Σ|x| + l2·Σx² to the loss it trains on and
   * reports, and upconv's training step has no term for it yet.
   */
  operator(_inputs: readonly number[][], _output: readonly number[], call: CallArgs = {}): Op {
    if (call.frozen !== undefined && (this.l1 > 0 || this.l2 > 0)) {
      throw new ConfigError(`${this.label}: training with an activity loss (l1 ${this.l1}, l2 ${this.l2}) is not supported yet; use l1 = l2 = 0 or remove the layer for training`);
    }
    return new IdentityOp(this.name);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), l1: this.l1, l2: this.l2 };
  }
}

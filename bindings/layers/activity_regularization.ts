import { checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError } from '../errors.js';
import type { Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

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

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), l1: this.l1, l2: this.l2 };
  }
}

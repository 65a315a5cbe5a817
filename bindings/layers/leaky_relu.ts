import { Act } from '../backend/kernels.js';
import { checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError } from '../errors.js';
import { ActivationOp } from '../ops/activation.js';
import type { Op } from '../ops/op.js';
import type { Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

export interface LeakyReLUOptions extends LayerOptions {
  /** Keras 2 name of the slope. */
  alpha?: number;
  /** Keras 3 name of the slope. */
  negativeSlope?: number;
}

/** Keras LeakyReLU layer: y = x if x ≥ 0 else slope·x; slope defaults to 0.3. */
export class LeakyReLU extends Layer {
  readonly alpha: number;

  constructor(alphaOrOptions?: number | LeakyReLUOptions, maybeOptions?: LeakyReLUOptions) {
    const o = optionsOf<LeakyReLUOptions>(typeof alphaOrOptions === 'object' && alphaOrOptions !== null ? alphaOrOptions : maybeOptions, 'LeakyReLU');
    super('LeakyReLU', o);
    checkKeys(o, [...COMMON_OPTIONS, 'alpha', 'negativeSlope'], this.label);
    if (o.alpha !== undefined && o.negativeSlope !== undefined && o.alpha !== o.negativeSlope) {
      throw new ConfigError(`${this.label}: give either alpha or negativeSlope, not both`);
    }
    const slope = typeof alphaOrOptions === 'number' ? alphaOrOptions : (o.negativeSlope ?? o.alpha ?? 0.3);
    this.alpha = finite(slope, 'alpha', this.label);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    return new ActivationOp(this.name, { name: 'leaky_relu', act: Act.LeakyRelu, alpha: this.alpha, softmax: false }, inputs[0]);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), alpha: this.alpha };
  }
}

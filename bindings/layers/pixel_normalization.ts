import { checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError } from '../errors.js';
import { PixelNormOp } from '../ops/normalization.js';
import type { Op } from '../ops/op.js';
import type { Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import { uniqueName } from './naming.js';
import { channelsOf, prod } from './norm_args.js';

export interface PixelNormalizationOptions extends LayerOptions {
  /** Added to the mean square before the square root; default 1e-8 (ProGAN's). */
  epsilon?: number;
}

/**
 * ProGAN's pixelwise feature normalisation, a custom layer in Keras ProGAN/StyleGAN code:
 * x / sqrt(mean(x², over the channel axis) + epsilon), epsilon 1e-8. Files name the class
 * `PixelNormalization` (the ProGAN tutorial's class, no config of its own), `PixelNorm`
 * (an `epsilon` key) or `PixelNormLayer`; all read here, channels last.
 */
export abstract class PixelNormBase extends Layer {
  readonly epsilon: number;

  protected constructor(className: string, options: PixelNormalizationOptions | undefined) {
    const o = optionsOf<PixelNormalizationOptions>(options, className);
    super(className, { ...o, name: o.name ?? uniqueName(className) });
    checkKeys(o, [...COMMON_OPTIONS, 'epsilon'], this.label);
    this.epsilon = finite(o.epsilon ?? 1e-8, 'epsilon', this.label);
    if (this.epsilon < 0) throw new ConfigError(`${this.label}: epsilon must be ≥ 0, got ${this.epsilon}`);
  }

  computeOutputShape(inputShape: Shape): Shape {
    channelsOf(inputShape, this.label);
    return [...inputShape];
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    const x = inputs[0];
    return new PixelNormOp(this.name, prod(x.slice(0, -1)), x[x.length - 1], this.epsilon);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), epsilon: this.epsilon };
  }
}

/** Pixel normalisation (class name `PixelNormalization`): x / sqrt(mean(x², channels) + epsilon). */
export class PixelNormalization extends PixelNormBase {
  constructor(options?: PixelNormalizationOptions) {
    super('PixelNormalization', options);
  }
}

/** @internal The same layer under another class name a file uses (`PixelNorm`, `PixelNormLayer`). */
export class PixelNormAlias extends PixelNormBase {
  constructor(className: string, options?: PixelNormalizationOptions) {
    super(className, options);
  }
}

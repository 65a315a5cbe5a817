import { Act } from '../backend/kernels.js';
import { checkKeys, finite } from '../args.js';
import { ConfigError } from '../errors.js';
import { sizeOf } from '../tensor.js';
import { COMMON_OPTIONS, type Epilogue, Layer, type LayerOptions, type Step, type StepContext } from './layer.js';

export interface LeakyReLUOptions extends LayerOptions {
  /** Keras 2 name of the slope. */
  alpha?: number;
  /** Keras 3 name of the slope. */
  negativeSlope?: number;
}

/** Keras LeakyReLU layer: y = x if x ≥ 0 else slope·x; slope defaults to 0.3. */
export class LeakyReLU extends Layer {
  readonly alpha: number;

  constructor(alphaOrOptions?: number | LeakyReLUOptions, maybeOptions: LeakyReLUOptions = {}) {
    const options = typeof alphaOrOptions === 'object' && alphaOrOptions !== null ? alphaOrOptions : maybeOptions;
    super('LeakyReLU', options);
    checkKeys(options, [...COMMON_OPTIONS, 'alpha', 'negativeSlope'], this.label);
    if (options.alpha !== undefined && options.negativeSlope !== undefined && options.alpha !== options.negativeSlope) {
      throw new ConfigError(`${this.label}: give either alpha or negativeSlope, not both`);
    }
    const slope = typeof alphaOrOptions === 'number' ? alphaOrOptions : (options.negativeSlope ?? options.alpha ?? 0.3);
    this.alpha = finite(slope, 'alpha', this.label);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  get inPlace(): boolean {
    return true;
  }

  epilogueOffer(): Epilogue {
    return { act: Act.LeakyRelu, alpha: this.alpha };
  }

  plan(ctx: StepContext): Step[] {
    const count = ctx.batch * sizeOf(this.inputShape!);
    const alpha = this.alpha;
    const k = ctx.kernels;
    return [() => k.activation(ctx.input, ctx.output, count, Act.LeakyRelu, alpha)];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), alpha: this.alpha };
  }
}

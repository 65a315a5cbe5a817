import { checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError } from '../errors.js';
import type { Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import { showValue } from '../show.js';

export interface GaussianDropoutOptions extends LayerOptions {
  seed?: number | null;
}

/** Keras GaussianDropout: multiplies by N(1, rate/(1−rate)) noise in training; the identity at inference. */
export class GaussianDropout extends Layer {
  readonly rate: number;
  readonly seed: number | null;

  constructor(rate: number, options?: GaussianDropoutOptions) {
    const o = optionsOf<GaussianDropoutOptions>(options, 'GaussianDropout');
    super('GaussianDropout', o);
    checkKeys(o, [...COMMON_OPTIONS, 'seed'], this.label);
    this.rate = finite(rate, 'rate', this.label);
    if (this.rate < 0 || this.rate > 1) throw new ConfigError(`${this.label}: rate must be in [0, 1], got ${rate}`);
    if (o.seed !== undefined && o.seed !== null && !Number.isSafeInteger(o.seed)) throw new ConfigError(`${this.label}: seed must be an integer or null, got ${showValue(o.seed)}`);
    this.seed = o.seed ?? null;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), rate: this.rate, seed: this.seed };
  }
}

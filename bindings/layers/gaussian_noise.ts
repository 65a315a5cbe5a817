import { checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError } from '../errors.js';
import type { Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import { showValue } from '../show.js';

export interface GaussianNoiseOptions extends LayerOptions {
  seed?: number | null;
}

/** Keras GaussianNoise: adds N(0, stddev²) noise in training; the identity at inference. */
export class GaussianNoise extends Layer {
  readonly stddev: number;
  readonly seed: number | null;

  constructor(stddev: number, options?: GaussianNoiseOptions) {
    const o = optionsOf<GaussianNoiseOptions>(options, 'GaussianNoise');
    super('GaussianNoise', o);
    checkKeys(o, [...COMMON_OPTIONS, 'seed'], this.label);
    this.stddev = finite(stddev, 'stddev', this.label);
    if (this.stddev < 0) throw new ConfigError(`${this.label}: stddev must be ≥ 0, got ${stddev}`);
    if (o.seed !== undefined && o.seed !== null && !Number.isSafeInteger(o.seed)) throw new ConfigError(`${this.label}: seed must be an integer or null, got ${showValue(o.seed)}`);
    this.seed = o.seed ?? null;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), stddev: this.stddev, seed: this.seed };
  }
}

import { checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError } from '../errors.js';
import type { Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

export interface DropoutOptions extends LayerOptions {
  noiseShape?: readonly number[] | null;
  seed?: number | null;
}

/** Keras Dropout: the identity at inference. */
export class Dropout extends Layer {
  readonly rate: number;

  constructor(rate: number, options?: DropoutOptions) {
    const o = optionsOf<DropoutOptions>(options, 'Dropout');
    super('Dropout', o);
    checkKeys(o, [...COMMON_OPTIONS, 'noiseShape', 'seed'], this.label);
    this.rate = finite(rate, 'rate', this.label);
    if (this.rate < 0 || this.rate >= 1) throw new ConfigError(`${this.label}: rate must be in [0, 1), got ${rate}`);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), rate: this.rate, noise_shape: null, seed: null };
  }
}

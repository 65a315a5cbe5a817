import { checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError } from '../errors.js';
import type { Shape } from '../shape_rules.js';
import { DropoutTrainOp } from '../ops/dropout.js';
import { IdentityOp, type Op } from '../ops/op.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import type { CallArgs } from './node.js';

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

  /** @internal A mask to use instead of random ones in training steps (tests), batch·sample floats of 0 or 1. */
  testMask: Float32Array | null = null;

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  /** @internal */
  operator(inputs: readonly number[][], _output: readonly number[], call: CallArgs = {}): Op {
    if (!call.training || this.rate === 0) return new IdentityOp(this.name);
    let count = 1;
    for (const d of inputs[0]) count *= d;
    return new DropoutTrainOp(this.name, this.rate, count, () => this.testMask);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), rate: this.rate, noise_shape: null, seed: null };
  }
}

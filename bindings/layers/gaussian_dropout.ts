import { checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError } from '../errors.js';
import { NormalNoiseTrainOp } from '../ops/noise.js';
import { IdentityOp, type Op } from '../ops/op.js';
import type { Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import { showValue } from '../show.js';
import type { CallArgs } from './node.js';

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

  /** @internal Multipliers to use instead of drawn ones in training steps (tests), batch·sample floats. */
  testMask: Float32Array | null = null;

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  /** @internal In training: x · N(1, rate / (1 − rate)) from the seeded generator; rate 1 has no finite noise. */
  operator(inputs: readonly number[][], _output: readonly number[], call: CallArgs = {}): Op {
    if (!call.training || this.rate === 0) return new IdentityOp(this.name);
    if (this.rate >= 1) throw new ConfigError(`${this.label}: rate 1 in training multiplies by noise of infinite variance (sqrt(rate / (1 - rate))); use a rate below 1`);
    const count = inputs[0].reduce((p, d) => p * d, 1);
    return NormalNoiseTrainOp.multiplicative(this.name, this.rate, count, () => this.testMask);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), rate: this.rate, seed: this.seed };
  }
}

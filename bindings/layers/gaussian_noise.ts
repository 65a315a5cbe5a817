import { checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError } from '../errors.js';
import { NormalNoiseTrainOp } from '../ops/noise.js';
import { IdentityOp, type Op } from '../ops/op.js';
import type { Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import { showValue } from '../show.js';
import type { CallArgs } from './node.js';

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

  /** @internal The noise to add instead of drawn noise in training steps (tests), batch·sample floats. */
  testMask: Float32Array | null = null;

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  /** @internal In training: x + N(0, stddev²) from the seeded generator (a fresh draw every step). */
  operator(inputs: readonly number[][], _output: readonly number[], call: CallArgs = {}): Op {
    if (!call.training || this.stddev === 0) return new IdentityOp(this.name);
    const count = inputs[0].reduce((p, d) => p * d, 1);
    return NormalNoiseTrainOp.additive(this.name, this.stddev, count, () => this.testMask);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), stddev: this.stddev, seed: this.seed };
  }
}

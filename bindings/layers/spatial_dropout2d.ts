import { channelsLast, checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { SpatialDropoutTrainOp } from '../ops/noise.js';
import { IdentityOp, type Op } from '../ops/op.js';
import { type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import { showValue } from '../show.js';
import type { CallArgs } from './node.js';

export interface SpatialDropout2DOptions extends LayerOptions {
  seed?: number | null;
  dataFormat?: 'channels_last' | null;
}

/** Keras SpatialDropout2D: drops whole channels in training; the identity at inference (rank-4 inputs). */
export class SpatialDropout2D extends Layer {
  readonly rate: number;
  readonly seed: number | null;

  constructor(rate: number, options?: SpatialDropout2DOptions) {
    const o = optionsOf<SpatialDropout2DOptions>(options, 'SpatialDropout2D');
    super('SpatialDropout2D', o);
    checkKeys(o, [...COMMON_OPTIONS, 'seed', 'dataFormat'], this.label);
    channelsLast(o.dataFormat, this.label);
    this.rate = finite(rate, 'rate', this.label);
    if (this.rate < 0 || this.rate > 1) throw new ConfigError(`${this.label}: rate must be in [0, 1], got ${rate}`);
    if (o.seed !== undefined && o.seed !== null && !Number.isSafeInteger(o.seed)) throw new ConfigError(`${this.label}: seed must be an integer or null, got ${showValue(o.seed)}`);
    this.seed = o.seed ?? null;
  }

  /** @internal Keep flags to use instead of drawn ones in training steps (tests): batch·channels floats of 0 or 1. */
  testMask: Float32Array | null = null;

  /** @internal In training: whole channels of each sample dropped (noise_shape (N, 1, 1, C)), the kept ones scaled by 1 / (1 − rate). */
  operator(inputs: readonly number[][], _output: readonly number[], call: CallArgs = {}): Op {
    if (!call.training || this.rate === 0) return new IdentityOp(this.name);
    if (this.rate >= 1) throw new ConfigError(`${this.label}: rate 1 in training drops every channel (tf.nn.dropout refuses it); use a rate below 1`);
    return new SpatialDropoutTrainOp(this.name, this.rate, inputs[0], () => this.testMask);
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 3) throw new ShapeError(`${this.label}: expects input of rank 4 (batch, height, width, channels), got ${shapeString(inputShape)}`);
    return [...inputShape];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), rate: this.rate, noise_shape: null, seed: this.seed, data_format: 'channels_last' };
  }
}

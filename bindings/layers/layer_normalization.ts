import { checkKeys, optionsOf } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { LayerNormOp } from '../ops/normalization.js';
import type { Op } from '../ops/op.js';
import { type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions, type WeightSpec } from './layer.js';
import { type Affine, affineArgs, affineAt, affineConfig, type AffineOptions, affineSpecs, axisArg, prod, sampleAxis } from './norm_args.js';
import { showValue } from '../show.js';

export interface LayerNormalizationOptions extends LayerOptions, AffineOptions {
  /** The axis or axes to normalise over (the batch axis is 0); default -1. Adjacent axes only. */
  axis?: number | readonly number[];
  /** Keras 3's RMS form; only false is supported. */
  rmsScaling?: boolean;
}

/**
 * Keras LayerNormalization: per sample, mean and population variance over `axis`, then
 * (x − mean)/sqrt(var + epsilon)·gamma + beta, gamma and beta shaped as the input on `axis`.
 */
export class LayerNormalization extends Layer {
  readonly axis: number | number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;

  constructor(options?: LayerNormalizationOptions) {
    const o = optionsOf<LayerNormalizationOptions>(options, 'LayerNormalization');
    super('LayerNormalization', o);
    checkKeys(o, [...COMMON_OPTIONS, 'axis', 'epsilon', 'center', 'scale', 'rmsScaling'], this.label);
    const axis = o.axis ?? -1;
    if (Array.isArray(axis)) {
      if (!axis.length || axis.length > 16) throw new ConfigError(`${this.label}: axis must be an integer or a non-empty list of integers, got ${showValue(axis)}`);
      this.axis = axis.map((a) => axisArg(a, 'axis', this.label));
    } else {
      this.axis = axisArg(axis, 'axis', this.label);
    }
    if (o.rmsScaling !== undefined && o.rmsScaling !== null && o.rmsScaling !== false) {
      throw new ConfigError(`${this.label}: rmsScaling is not supported`);
    }
    const a: Affine = affineArgs(o, this.label);
    this.epsilon = a.epsilon;
    this.center = a.center;
    this.scale = a.scale;
  }

  /** The normalised sample axes (0-based) in the order given, checked: distinct and adjacent. */
  private axes(rank: number): number[] {
    const list = Array.isArray(this.axis) ? this.axis : [this.axis];
    const axes = list.map((a) => sampleAxis(a, rank, this.label));
    const sorted = [...axes].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i] === sorted[i - 1]) throw new ConfigError(`${this.label}: axis ${showValue(this.axis)} names an axis twice`);
      if (sorted[i] !== sorted[i - 1] + 1) throw new ShapeError(`${this.label}: normalising over non-adjacent axes ${showValue(this.axis)} is not supported`);
    }
    return axes;
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (!inputShape.length) throw new ShapeError(`${this.label}: needs an input of rank ≥ 2, got ${shapeString(inputShape)}`);
    this.axes(inputShape.length);
    return [...inputShape];
  }

  /** @internal */
  weightSpecs(inputs: readonly Shape[]): WeightSpec[] {
    const x = inputs[0];
    const shape = this.axes(x.length).map((a) => x[a]);
    if (shape.some((d) => d === null)) throw new ShapeError(`${this.label}: the normalised dimensions of its input must be known, got ${shapeString(x)}`);
    return affineSpecs(this, shape as number[]);
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    const x = inputs[0];
    const axes = this.axes(x.length);
    const first = Math.min(...axes);
    const last = Math.max(...axes);
    // gamma's memory order is the sample's (Keras reshapes it, whatever order axis lists)
    return new LayerNormOp(this.name, {
      A: prod(x.slice(0, first)), R: prod(x.slice(first, last + 1)), B: prod(x.slice(last + 1)),
      epsilon: this.epsilon, ...affineAt(this),
    });
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), axis: Array.isArray(this.axis) ? [...this.axis] : this.axis, ...affineConfig(this) };
  }
}

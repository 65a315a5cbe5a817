import { checkKeys, optionsOf } from '../args.js';
import { ShapeError } from '../errors.js';
import { ChannelNormOp } from '../ops/normalization.js';
import type { Op } from '../ops/op.js';
import { type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions, type WeightSpec } from './layer.js';
import { uniqueName } from './naming.js';
import { affineArgs, affineAt, affineConfig, type AffineOptions, affineSpecs, axisArg, prod, sampleAxis } from './norm_args.js';

export interface ContribInstanceNormalizationOptions extends LayerOptions, AffineOptions {
  /** The axis kept apart (its own statistics and gamma/beta), or null (default): the whole sample. */
  axis?: number | null;
}

/**
 * keras_contrib's InstanceNormalization (Keras class name `InstanceNormalization`,
 * keras_contrib/layers/normalization/instancenormalization.py): per sample, mean and population
 * standard deviation over every axis but the batch axis and `axis`, then
 * (x − mean)/(std + epsilon)·gamma + beta — epsilon added to the standard deviation. With
 * axis null (its default) one mean/std per sample and gamma/beta of shape (1,); with an axis,
 * one per index along it and gamma/beta of that axis's size.
 */
export class ContribInstanceNormalization extends Layer {
  readonly axis: number | null;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;

  constructor(options?: ContribInstanceNormalizationOptions) {
    const o = optionsOf<ContribInstanceNormalizationOptions>(options, 'InstanceNormalization');
    super('InstanceNormalization', { ...o, name: o.name ?? uniqueName('InstanceNormalization') });
    checkKeys(o, [...COMMON_OPTIONS, 'axis', 'epsilon', 'center', 'scale'], this.label);
    this.axis = o.axis === undefined || o.axis === null ? null : axisArg(o.axis, 'axis', this.label);
    if (this.axis === 0) throw new ShapeError(`${this.label}: axis cannot be zero (the batch axis)`);
    const a = affineArgs(o, this.label);
    this.epsilon = a.epsilon;
    this.center = a.center;
    this.scale = a.scale;
  }

  /** The kept sample axis (0-based), or null; checks Keras's rules. */
  private keptAxis(shape: Shape): number | null {
    if (!shape.length) throw new ShapeError(`${this.label}: needs an input of rank ≥ 2, got ${shapeString(shape)}`);
    if (this.axis === null) return null;
    if (shape.length === 1) throw new ShapeError(`${this.label}: cannot specify axis for a rank 2 input ${shapeString(shape)}`);
    return sampleAxis(this.axis, shape.length, this.label);
  }

  computeOutputShape(inputShape: Shape): Shape {
    this.keptAxis(inputShape);
    return [...inputShape];
  }

  /** @internal */
  weightSpecs(inputs: readonly Shape[]): WeightSpec[] {
    const x = inputs[0];
    const a = this.keptAxis(x);
    const d = a === null ? 1 : x[a];
    if (d === null) throw new ShapeError(`${this.label}: dimension ${this.axis} of its input must be known, got ${shapeString(x)}`);
    return affineSpecs(this, [d]);
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    const x = inputs[0];
    const a = this.keptAxis(x);
    const common = { epsilon: this.epsilon, mode: 1 as const, overBatch: false, ...affineAt(this) };
    if (a === null) {
      // one group over the whole sample, gamma/beta (1,)
      return new ChannelNormOp(this.name, { ...common, rows: prod(x.slice(0, -1)), C: x[x.length - 1], G: 1, weightIndex: () => 0 });
    }
    // the sample as (A, D, B): rows of D·B channels, group d = the block of B channels at index d
    const D = x[a];
    const B = prod(x.slice(a + 1));
    return new ChannelNormOp(this.name, { ...common, rows: prod(x.slice(0, a)), C: D * B, G: D, weightIndex: (c) => Math.floor(c / B) });
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), axis: this.axis, ...affineConfig(this) };
  }
}

import { checkKeys, intIn, MAX_UNITS, optionsOf } from '../args.js';
import { ShapeError } from '../errors.js';
import { ChannelNormOp } from '../ops/normalization.js';
import type { Op } from '../ops/op.js';
import type { Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions, type WeightSpec } from './layer.js';
import { uniqueName } from './naming.js';
import { affineArgs, affineAt, affineConfig, type AffineOptions, affineSpecs, axisArg, channelsOf, prod, sampleAxis } from './norm_args.js';

export interface GroupNormalizationOptions extends LayerOptions, AffineOptions {
  /** Channel groups (contiguous blocks of C/groups channels); -1: one per channel. Default 32. */
  groups?: number;
  /** The channel axis: only the last (-1) is supported. */
  axis?: number;
}

/**
 * Group normalisation as Keras 3, tf.keras and tensorflow_addons compute it (the base of
 * GroupNormalization and tfa's InstanceNormalization): the channels split into `groups`
 * contiguous blocks; per sample and block, mean and population variance over every position
 * and the block's channels, then (x − mean)/sqrt(var + epsilon)·gamma[c] + beta[c].
 */
export abstract class GroupNormBase extends Layer {
  readonly groups: number;
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;

  /** `defaultName`: the class name default names come from (Keras's, without a package prefix). */
  protected constructor(className: string, defaultName: string, options: GroupNormalizationOptions | undefined,
                        keys: readonly string[], groups: number | undefined) {
    const o = optionsOf<GroupNormalizationOptions>(options, className);
    super(className, { ...o, name: o.name ?? uniqueName(defaultName) });
    checkKeys(o, [...COMMON_OPTIONS, 'axis', 'epsilon', 'center', 'scale', ...keys], this.label);
    this.groups = groups === -1 ? -1 : intIn(groups ?? 32, 1, MAX_UNITS, 'groups (or -1)', this.label);
    this.axis = axisArg(o.axis ?? -1, 'axis', this.label);
    const a = affineArgs(o, this.label);
    this.epsilon = a.epsilon;
    this.center = a.center;
    this.scale = a.scale;
  }

  /** The group count for C channels, checked as Keras does. */
  protected groupsFor(C: number): number {
    const G = this.groups === -1 ? C : this.groups;
    if (G > C) throw new ShapeError(`${this.label}: groups ${G} cannot be more than the number of channels (${C})`);
    if (C % G !== 0) throw new ShapeError(`${this.label}: groups ${G} must divide the number of channels (${C})`);
    return G;
  }

  /** Checks the channel axis is the last one and returns the channel count. */
  private channels(shape: Shape): number {
    const C = channelsOf(shape, this.label);
    if (sampleAxis(this.axis, shape.length, this.label) !== shape.length - 1) {
      throw new ShapeError(`${this.label}: only the last (channel) axis is supported; axis ${this.axis} on an input of rank ${shape.length + 1}`);
    }
    return C;
  }

  computeOutputShape(inputShape: Shape): Shape {
    this.groupsFor(this.channels(inputShape));
    return [...inputShape];
  }

  /** @internal */
  weightSpecs(inputs: readonly Shape[]): WeightSpec[] {
    const C = this.channels(inputs[0]);
    this.groupsFor(C);
    return affineSpecs(this, [C]);
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    const x = inputs[0];
    const C = x[x.length - 1];
    return new ChannelNormOp(this.name, {
      rows: prod(x.slice(0, -1)), C, G: this.groupsFor(C), epsilon: this.epsilon, mode: 0,
      weightIndex: (c) => c, overBatch: false, ...affineAt(this),
    });
  }

  /** The groups value a config holds: Keras's build replaces -1 by the channel count. */
  protected configGroups(): number {
    const shape = this.builtShapes?.[0];
    const C = shape?.[shape.length - 1];
    return this.groups === -1 && typeof C === 'number' ? C : this.groups;
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), groups: this.configGroups(), axis: this.axis, ...affineConfig(this) };
  }
}

/**
 * Keras GroupNormalization (`groups` contiguous channel blocks, default 32; -1: one group per
 * channel, i.e. instance normalisation). Statistics per sample over positions and the block.
 */
export class GroupNormalization extends GroupNormBase {
  constructor(options?: GroupNormalizationOptions) {
    super('GroupNormalization', 'GroupNormalization', options, ['groups'], options?.groups);
  }
}

/** @internal tensorflow_addons' GroupNormalization: the same semantics under `Addons>GroupNormalization`. */
export class TfaGroupNormalization extends GroupNormBase {
  constructor(options?: GroupNormalizationOptions) {
    super('Addons>GroupNormalization', 'GroupNormalization', options, ['groups'], options?.groups);
  }
}

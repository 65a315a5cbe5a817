import { type ActivationSpec, resolveActivation } from '../activations.js';
import { type CallArgs, inTrainingStep } from './node.js';
import { bool, channelsLast, checkKeys, oneOf, optionsOf, pair, positiveInt } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { type Padding, type Shape, shapeString } from '../shape_rules.js';
import type { Op } from '../ops/op.js';
import { type ActivationArg, activationConfig, type ResolvedActivation, resolveActivationArg, withActivationLayer } from './activation_arg.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

export interface ConvOptions extends LayerOptions {
  strides?: number | readonly [number, number];
  padding?: Padding;
  dilationRate?: number | readonly [number, number];
  /** An activation name, or a weightless activation layer (LeakyReLU, ReLU, ELU, Softmax). */
  activation?: ActivationArg;
  useBias?: boolean;
  dataFormat?: 'channels_last' | null;
  /** Keras's own kwarg names, accepted for symmetry with the positional form. */
  filters?: number;
  kernelSize?: number | readonly [number, number];
}

/** What Conv2D and Conv2DTranspose share: argument parsing and Keras's checks (base_conv.py). */
export abstract class BaseConv extends Layer {
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  /** @internal */
  readonly activation: ActivationSpec;
  private readonly act: ResolvedActivation;
  readonly useBias: boolean;

  protected constructor(className: string, filters: number, kernelSize: number | readonly [number, number] | undefined,
                        options: ConvOptions | undefined, extraKeys: readonly string[]) {
    const o = optionsOf<ConvOptions>(options, className);
    super(className, o);
    checkKeys(o, [...COMMON_OPTIONS, 'strides', 'padding', 'dilationRate', 'activation', 'useBias', 'dataFormat',
      'filters', 'kernelSize', ...extraKeys], this.label);
    channelsLast(o.dataFormat, this.label);
    this.filters = positiveInt(filters ?? o.filters, 'filters', this.label);
    this.kernelSize = pair(kernelSize ?? o.kernelSize, 'kernelSize', this.label);
    this.strides = pair(o.strides ?? 1, 'strides', this.label);
    this.padding = oneOf(o.padding ?? 'valid', ['valid', 'same'] as const, 'padding', this.label);
    this.dilationRate = pair(o.dilationRate ?? 1, 'dilationRate', this.label);
    if (Math.max(this.strides[0], this.strides[1]) > 1 && Math.max(this.dilationRate[0], this.dilationRate[1]) > 1) {
      throw new ConfigError(`${this.label}: strides > 1 together with dilationRate > 1 is not supported (Keras rejects it): strides [${this.strides}], dilationRate [${this.dilationRate}]`);
    }
    this.act = resolveActivationArg(o.activation, this.label);
    this.activation = this.act.spec;
    this.useBias = o.useBias === undefined ? true : bool(o.useBias, 'useBias', this.label);
  }

  /** @internal */
  outputActivation(): 'sigmoid' | 'softmax' | null {
    const n = this.act.layer ? null : this.activation.name;
    return n === 'sigmoid' || n === 'softmax' ? n : null;
  }

  /** @internal The activation a call computes (linear when the loss takes the logits). */
  protected activationFor(call: CallArgs): ActivationSpec {
    return call.linearOutput ? resolveActivation('linear', this.label) : this.activation;
  }

  /** @internal The host op followed by an activation layer, if the activation is one. */
  protected withActivation(op: Op, output: readonly number[], call: CallArgs = {}): Op {
    return withActivationLayer(op, this.act.layer, output, inTrainingStep(call));
  }

  protected checkRank(inputShape: Shape): void {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.label}: expects input of rank 4 (batch, height, width, channels), got ${shapeString(inputShape)}`);
    }
  }

  /** The input's channel count, which the weights need. */
  protected channelsOf(inputShape: Shape): number {
    this.checkRank(inputShape);
    const c = inputShape[2];
    if (c === null) throw new ShapeError(`${this.label}: the channel dimension of its input must be known, got ${shapeString(inputShape)}`);
    return c;
  }

  protected convConfig(): Record<string, unknown> {
    return {
      ...this.baseConfig(),
      filters: this.filters,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: 'channels_last',
      dilation_rate: [...this.dilationRate],
      activation: activationConfig(this.act),
      use_bias: this.useBias,
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    };
  }
}

import { type ActivationSpec, resolveActivation } from '../activations.js';
import { bool, channelsLast, checkKeys, MAX_UNITS, oneOf, optionsOf, pair, positiveInt } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { DepthwiseConv2DOp, type DepthwiseGeometry } from '../ops/depthwise.js';
import type { Op } from '../ops/op.js';
import { convAxis, mapDim, type Padding, type Shape, shapeString } from '../shape_rules.js';
import { type ActivationArg, activationConfig, type ResolvedActivation, resolveActivationArg, withActivationLayer } from './activation_arg.js';
import { COMMON_OPTIONS, Layer, type LayerOptions, type WeightSpec } from './layer.js';
import { type CallArgs, inTrainingStep } from './node.js';

export interface DepthwiseConv2DOptions extends LayerOptions {
  strides?: number | readonly [number, number];
  padding?: Padding;
  /** Filters per input channel (M): output channel c·M + m. Default 1. */
  depthMultiplier?: number;
  dilationRate?: number | readonly [number, number];
  /** An activation name, or a weightless activation layer (LeakyReLU, ReLU, ELU, Softmax). */
  activation?: ActivationArg;
  useBias?: boolean;
  dataFormat?: 'channels_last' | null;
  /** Keras's own kwarg name, accepted for symmetry with the positional form. */
  kernelSize?: number | readonly [number, number];
}

const DEPTHWISE_OPTIONS = [...COMMON_OPTIONS, 'strides', 'padding', 'depthMultiplier', 'dilationRate', 'activation',
  'useBias', 'dataFormat', 'kernelSize'] as const;

/**
 * The depthwise part Keras's DepthwiseConv2D and SeparableConv2D share (base_depthwise_conv.py):
 * arguments, checks and the per-axis geometry.
 */
export abstract class DepthwiseBase extends Layer {
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly depthMultiplier: number;
  readonly dilationRate: [number, number];
  /** @internal */
  readonly activation: ActivationSpec;
  readonly useBias: boolean;
  private readonly act: ResolvedActivation;

  protected constructor(className: string, kernelSize: number | readonly [number, number] | undefined,
                        o: DepthwiseConv2DOptions, extraKeys: readonly string[]) {
    super(className, o);
    checkKeys(o, [...DEPTHWISE_OPTIONS, ...extraKeys], this.label);
    channelsLast(o.dataFormat, this.label);
    this.kernelSize = pair(kernelSize ?? o.kernelSize, 'kernelSize', this.label);
    this.strides = pair(o.strides ?? 1, 'strides', this.label);
    this.padding = oneOf(o.padding ?? 'valid', ['valid', 'same'] as const, 'padding', this.label);
    this.depthMultiplier = positiveInt(o.depthMultiplier ?? 1, 'depthMultiplier', this.label);
    this.dilationRate = pair(o.dilationRate ?? 1, 'dilationRate', this.label);
    if (Math.max(...this.strides) > 1 && Math.max(...this.dilationRate) > 1) {
      throw new ConfigError(`${this.label}: strides > 1 together with dilationRate > 1 is not supported (Keras 2 rejects it): strides [${this.strides}], dilationRate [${this.dilationRate}]`);
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

  /** @internal The op followed by the activation layer's, when the activation is a layer. */
  protected withActivation(op: Op, output: readonly number[], call: CallArgs = {}): Op {
    return withActivationLayer(op, this.act.layer, output, inTrainingStep(call));
  }

  /** The input's channel count (the weights need it); checks the rank. */
  protected channelsOf(inputShape: Shape): number {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.label}: expects input of rank 4 (batch, height, width, channels), got ${shapeString(inputShape)}`);
    }
    const c = inputShape[2];
    if (c === null) throw new ShapeError(`${this.label}: the channel dimension of its input must be known, got ${shapeString(inputShape)}`);
    if (c * this.depthMultiplier > MAX_UNITS) {
      throw new ConfigError(`${this.label}: ${c} channels × depthMultiplier ${this.depthMultiplier} is more than ${MAX_UNITS} output channels`);
    }
    return c;
  }

  /** Output height and width (Conv2D's rule: 'same' is ceil(n / s)). */
  protected spatial(inputShape: Shape): [Shape[number], Shape[number]] {
    const axis = (n: number | null, i: 0 | 1) =>
      mapDim(n, (v) => convAxis(v, this.kernelSize[i], this.strides[i], this.dilationRate[i], this.padding).length);
    return [axis(inputShape[0], 0), axis(inputShape[1], 1)];
  }

  /** The depthwise geometry of a call with concrete shapes. */
  protected geometry(input: readonly number[], output: readonly number[]): DepthwiseGeometry {
    const [h, w, c] = input;
    const [kh, kw] = this.kernelSize;
    const [sh, sw] = this.strides;
    const [dh, dw] = this.dilationRate;
    return {
      inH: h, inW: w, inC: c, outH: output[0], outW: output[1], multiplier: this.depthMultiplier,
      kernel: this.kernelSize, strides: this.strides, dilation: this.dilationRate,
      padTop: convAxis(h, kh, sh, dh, this.padding).padBefore,
      padLeft: convAxis(w, kw, sw, dw, this.padding).padBefore,
    };
  }

  /** The depthwise_kernel spec. */
  protected depthwiseSpec(c: number): WeightSpec {
    return { name: 'depthwise_kernel', shape: [...this.kernelSize, c, this.depthMultiplier], trainable: true, init: 'glorot_uniform' };
  }

  /** Config keys up to use_bias, Keras's order. */
  protected geometryConfig(): Record<string, unknown> {
    return {
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: 'channels_last',
      dilation_rate: [...this.dilationRate],
      activation: activationConfig(this.act),
      use_bias: this.useBias,
    };
  }
}

/**
 * Keras DepthwiseConv2D: each input channel c correlated with its own `depthMultiplier` filters
 * `depthwise_kernel[:, :, c, m]` → output channel c·M + m; strides, dilation and 'same' padding
 * as Conv2D (the extra padding pixel at the end).
 */
export class DepthwiseConv2D extends DepthwiseBase {
  constructor(kernelSize?: number | readonly [number, number], options?: DepthwiseConv2DOptions) {
    super('DepthwiseConv2D', kernelSize, optionsOf<DepthwiseConv2DOptions>(options, 'DepthwiseConv2D'), []);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const c = this.channelsOf(inputShape);
    return [...this.spatial(inputShape), c * this.depthMultiplier];
  }

  /** @internal */
  weightSpecs(inputs: readonly Shape[]): WeightSpec[] {
    const c = this.channelsOf(inputs[0]);
    const specs = [this.depthwiseSpec(c)];
    if (this.useBias) specs.push({ name: 'bias', shape: [c * this.depthMultiplier], trainable: true, init: 'zeros' });
    return specs;
  }

  /** @internal */
  operator(inputs: readonly number[][], output: readonly number[], call: CallArgs = {}): Op {
    const op = new DepthwiseConv2DOp(this.name, {
      ...this.geometry(inputs[0], output), useBias: this.useBias, activation: this.activationFor(call), training: inTrainingStep(call),
    });
    return this.withActivation(op, output, call);
  }

  getConfig(): Record<string, unknown> {
    return {
      ...this.baseConfig(),
      ...this.geometryConfig(),
      depth_multiplier: this.depthMultiplier,
      depthwise_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      depthwise_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      depthwise_constraint: null,
      bias_constraint: null,
    };
  }
}

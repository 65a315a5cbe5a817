import { type ActivationSpec, resolveActivation } from '../activations.js';
import { bool, checkKeys, oneOf, pair, positiveInt } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import type { Padding } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

export interface ConvOptions extends LayerOptions {
  strides?: number | readonly [number, number];
  padding?: Padding;
  dilationRate?: number | readonly [number, number];
  activation?: string | null;
  useBias?: boolean;
  dataFormat?: string | null;
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
  readonly activation: ActivationSpec;
  readonly useBias: boolean;

  protected constructor(className: string, filters: number, kernelSize: number | readonly [number, number] | undefined,
                        options: ConvOptions, extraKeys: readonly string[]) {
    super(className, options);
    checkKeys(options, [...COMMON_OPTIONS, 'strides', 'padding', 'dilationRate', 'activation', 'useBias', 'dataFormat',
      'filters', 'kernelSize', ...extraKeys], this.label);
    if (options.dataFormat != null && options.dataFormat !== 'channels_last') {
      throw new ConfigError(`${this.label}: dataFormat '${options.dataFormat}' is not supported (upconv is channels_last only)`);
    }
    this.filters = positiveInt(filters ?? options.filters, 'filters', this.label);
    this.kernelSize = pair(kernelSize ?? options.kernelSize, 'kernelSize', this.label);
    this.strides = pair(options.strides ?? 1, 'strides', this.label);
    this.padding = oneOf(options.padding ?? 'valid', ['valid', 'same'] as const, 'padding', this.label);
    this.dilationRate = pair(options.dilationRate ?? 1, 'dilationRate', this.label);
    if (Math.max(...this.strides) > 1 && Math.max(...this.dilationRate) > 1) {
      throw new ConfigError(`${this.label}: strides > 1 together with dilationRate > 1 is not supported (Keras rejects it): strides [${this.strides}], dilationRate [${this.dilationRate}]`);
    }
    this.activation = resolveActivation(options.activation, this.label);
    this.useBias = options.useBias === undefined ? true : bool(options.useBias, 'useBias', this.label);
  }

  protected checkRank(inputShape: readonly number[]): void {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.label}: expects input of rank 4 (batch, height, width, channels), got (None, ${inputShape.join(', ')})`);
    }
  }

  protected get inChannels(): number {
    return this.inputShape![2];
  }

  zeroRowFloats(): number {
    return this.inChannels;
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
      activation: this.activation.name,
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

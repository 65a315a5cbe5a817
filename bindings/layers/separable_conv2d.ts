import { optionsOf, positiveInt } from '../args.js';
import type { Op } from '../ops/op.js';
import { SeparableConv2DOp } from '../ops/separable_conv2d.js';
import type { Shape } from '../shape_rules.js';
import { DepthwiseBase, type DepthwiseConv2DOptions } from './depthwise_conv2d.js';
import type { WeightSpec } from './layer.js';
import type { CallArgs } from './node.js';

export interface SeparableConv2DOptions extends DepthwiseConv2DOptions {
  /** Keras's own kwarg name, accepted for symmetry with the positional form. */
  filters?: number;
}

/**
 * Keras SeparableConv2D: a DepthwiseConv2D without bias (output channel c·M + m), then a 1×1
 * convolution with `pointwise_kernel (1, 1, C·M, filters)`, the bias and the activation.
 */
export class SeparableConv2D extends DepthwiseBase {
  readonly filters: number;

  constructor(filters: number, kernelSize?: number | readonly [number, number], options?: SeparableConv2DOptions) {
    const o = optionsOf<SeparableConv2DOptions>(options, 'SeparableConv2D');
    super('SeparableConv2D', kernelSize, o, ['filters']);
    this.filters = positiveInt(filters ?? o.filters, 'filters', this.label);
  }

  computeOutputShape(inputShape: Shape): Shape {
    this.channelsOf(inputShape);
    return [...this.spatial(inputShape), this.filters];
  }

  /** @internal */
  weightSpecs(inputs: readonly Shape[]): WeightSpec[] {
    const c = this.channelsOf(inputs[0]);
    const specs = [
      this.depthwiseSpec(c),
      { name: 'pointwise_kernel', shape: [1, 1, c * this.depthMultiplier, this.filters], trainable: true, init: 'glorot_uniform' as const },
    ];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.filters], trainable: true, init: 'zeros' });
    return specs;
  }

  /** @internal */
  operator(inputs: readonly number[][], output: readonly number[], call: CallArgs = {}): Op {
    return this.withActivation(new SeparableConv2DOp(this.name, {
      ...this.geometry(inputs[0], output), filters: this.filters, useBias: this.useBias, activation: this.activationFor(call),
    }), output);
  }

  getConfig(): Record<string, unknown> {
    return {
      ...this.baseConfig(),
      filters: this.filters,
      ...this.geometryConfig(),
      depth_multiplier: this.depthMultiplier,
      depthwise_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      pointwise_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      depthwise_regularizer: null,
      pointwise_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      depthwise_constraint: null,
      pointwise_constraint: null,
      bias_constraint: null,
    };
  }
}

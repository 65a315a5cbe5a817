import { ConfigError } from '../errors.js';
import { Conv2DTransposeOp } from '../ops/conv2d_transpose.js';
import type { Op } from '../ops/op.js';
import { deconvAxis, mapDim, type Shape } from '../shape_rules.js';
import { BaseConv, type ConvOptions } from './base_conv.js';
import type { WeightSpec } from './layer.js';
import type { CallArgs } from './node.js';
import { showValue } from '../show.js';

export interface Conv2DTransposeOptions extends ConvOptions {
  outputPadding?: number | readonly [number, number] | null;
}

/**
 * Keras Conv2DTranspose (kernel (kh, kw, filters, in)), with Keras's output length, asymmetric
 * 'same' crop, output_padding and dilation.
 */
export class Conv2DTranspose extends BaseConv {
  readonly outputPadding: [number, number] | null;

  constructor(filters: number, kernelSize?: number | readonly [number, number], options?: Conv2DTransposeOptions) {
    super('Conv2DTranspose', filters, kernelSize, options, ['outputPadding']);
    const op = (options ?? {}).outputPadding;
    if (op === undefined || op === null) {
      this.outputPadding = null;
    } else {
      const v = typeof op === 'number' ? [op, op] : op;
      if (!Array.isArray(v) || v.length !== 2 || v.some((x) => typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0)) {
        throw new ConfigError(`${this.label}: outputPadding must be a non-negative integer or pair, got ${showValue(op)}`);
      }
      this.outputPadding = [v[0], v[1]];
      for (let i = 0; i < 2; i++) {
        if (this.outputPadding[i] >= this.strides[i]) {
          throw new ConfigError(`${this.label}: outputPadding [${this.outputPadding}] must be smaller than strides [${this.strides}] on every axis`);
        }
      }
    }
  }

  private axis(n: number, i: 0 | 1) {
    return deconvAxis(n, this.kernelSize[i], this.strides[i], this.dilationRate[i], this.padding,
      this.outputPadding ? this.outputPadding[i] : null);
  }

  computeOutputShape(inputShape: Shape): Shape {
    this.checkRank(inputShape);
    return [mapDim(inputShape[0], (n) => this.axis(n, 0).length), mapDim(inputShape[1], (n) => this.axis(n, 1).length), this.filters];
  }

  /** @internal */
  weightSpecs(inputs: readonly Shape[]): WeightSpec[] {
    const c = this.channelsOf(inputs[0]);
    const specs: WeightSpec[] = [{ name: 'kernel', shape: [...this.kernelSize, this.filters, c], trainable: true, init: 'glorot_uniform' }];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.filters], trainable: true, init: 'zeros' });
    return specs;
  }

  /** @internal */
  operator(inputs: readonly number[][], output: readonly number[], call: CallArgs = {}): Op {
    const [h, w, c] = inputs[0];
    return this.withActivation(new Conv2DTransposeOp(this.name, {
      inH: h, inW: w, inC: c, outH: output[0], outW: output[1], filters: this.filters,
      kernel: this.kernelSize, strides: this.strides, dilation: this.dilationRate,
      cropTop: this.axis(h, 0).cropStart, cropLeft: this.axis(w, 1).cropStart,
      useBias: this.useBias, activation: this.activationFor(call),
    }), output);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.convConfig(), output_padding: this.outputPadding ? [...this.outputPadding] : null };
  }
}

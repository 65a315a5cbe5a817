import { Conv2DOp } from '../ops/conv2d.js';
import type { Op } from '../ops/op.js';
import { convAxis, mapDim, type Shape } from '../shape_rules.js';
import { BaseConv, type ConvOptions } from './base_conv.js';
import type { WeightSpec } from './layer.js';
import type { CallArgs } from './node.js';

/** Keras Conv2D: cross-correlation, NHWC, kernel (kh, kw, in, filters), `same` padding extra at the end. */
export class Conv2D extends BaseConv {
  constructor(filters: number, kernelSize?: number | readonly [number, number], options?: ConvOptions) {
    super('Conv2D', filters, kernelSize, options, []);
  }

  computeOutputShape(inputShape: Shape): Shape {
    this.checkRank(inputShape);
    const [h, w] = inputShape;
    const axis = (n: number | null, i: 0 | 1) =>
      mapDim(n, (v) => convAxis(v, this.kernelSize[i], this.strides[i], this.dilationRate[i], this.padding).length);
    return [axis(h, 0), axis(w, 1), this.filters];
  }

  /** @internal */
  weightSpecs(inputs: readonly Shape[]): WeightSpec[] {
    const c = this.channelsOf(inputs[0]);
    const specs: WeightSpec[] = [{ name: 'kernel', shape: [...this.kernelSize, c, this.filters], trainable: true, init: 'glorot_uniform' }];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.filters], trainable: true, init: 'zeros' });
    return specs;
  }

  /** @internal */
  operator(inputs: readonly number[][], output: readonly number[], call: CallArgs = {}): Op {
    const [h, w, c] = inputs[0];
    const [kh, kw] = this.kernelSize;
    const [sh, sw] = this.strides;
    const [dh, dw] = this.dilationRate;
    return this.withActivation(new Conv2DOp(this.name, {
      inH: h, inW: w, inC: c, outH: output[0], outW: output[1], filters: this.filters,
      kernel: this.kernelSize, strides: this.strides, dilation: this.dilationRate,
      padTop: convAxis(h, kh, sh, dh, this.padding).padBefore,
      padLeft: convAxis(w, kw, sw, dw, this.padding).padBefore,
      useBias: this.useBias, activation: this.activationFor(call),
    }), output);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.convConfig(), groups: 1 };
  }
}

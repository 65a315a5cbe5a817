import { checkKeys, optionsOf } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { SoftmaxOp } from '../ops/activation.js';
import type { Op } from '../ops/op.js';
import { type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import { showValue } from '../show.js';

export interface SoftmaxOptions extends LayerOptions {
  /** The axis (or adjacent axes) to normalise over; counts the batch axis as Keras does. Default -1. */
  axis?: number | readonly number[];
}

/** Keras Softmax layer: exp(x − logsumexp(x, axis)) over one axis or several adjacent ones. */
export class Softmax extends Layer {
  readonly axis: number[];

  constructor(options?: SoftmaxOptions) {
    const o = optionsOf<SoftmaxOptions>(options, 'Softmax');
    super('Softmax', o);
    checkKeys(o, [...COMMON_OPTIONS, 'axis'], this.label);
    const axes = Array.isArray(o.axis) ? o.axis : [o.axis ?? -1];
    if (!axes.length || axes.some((a) => typeof a !== 'number' || !Number.isSafeInteger(a) || Math.abs(a) > 16)) {
      throw new ConfigError(`${this.label}: axis must be an integer or a list of integers, got ${showValue(o.axis)}`);
    }
    this.axis = [...axes];
  }

  /** The sample axes (0-based, batch left out) the softmax runs over, sorted; checks they are adjacent. */
  private sampleAxes(rank: number): number[] {
    const full = rank + 1;
    const axes = [...new Set(this.axis.map((a) => (a < 0 ? a + full : a)))].sort((a, b) => a - b);
    if (axes.some((a) => a < 1 || a >= full)) throw new ShapeError(`${this.label}: axis ${showValue(this.axis)} is out of range for an input of rank ${full}`);
    for (let i = 1; i < axes.length; i++) {
      if (axes[i] !== axes[i - 1] + 1) throw new ShapeError(`${this.label}: a softmax over non-adjacent axes ${showValue(this.axis)} is not supported`);
    }
    return axes.map((a) => a - 1);
  }

  computeOutputShape(inputShape: Shape): Shape {
    this.sampleAxes(inputShape.length);
    if (!inputShape.length) throw new ShapeError(`${this.label}: needs an input of rank ≥ 2, got ${shapeString(inputShape)}`);
    return [...inputShape];
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    const x = inputs[0];
    const axes = this.sampleAxes(x.length);
    const first = axes[0];
    const last = axes[axes.length - 1];
    let outer = 1;
    let C = 1;
    let inner = 1;
    x.forEach((d, i) => {
      if (i < first) outer *= d;
      else if (i <= last) C *= d;
      else inner *= d;
    });
    return new SoftmaxOp(this.name, outer, C, inner);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), axis: this.axis.length === 1 ? this.axis[0] : [...this.axis] };
  }
}

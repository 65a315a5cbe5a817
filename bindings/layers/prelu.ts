import { checkKeys, intIn, optionsOf } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { PReLUOp } from '../ops/broadcast.js';
import type { Op } from '../ops/op.js';
import { type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions, type WeightSpec } from './layer.js';
import { showValue } from '../show.js';

export interface PReLUOptions extends LayerOptions {
  /** Axes (1-based, the batch is 0) along which one alpha is shared, e.g. [1, 2] for per-channel alpha on images. */
  sharedAxes?: number | readonly number[] | null;
}

/**
 * Keras PReLU: relu(x) − alpha·relu(−x), alpha a weight of the input's sample shape with every
 * shared axis set to 1 (k3 layers/activations/prelu.py). Alpha starts at zeros.
 */
export class PReLU extends Layer {
  readonly sharedAxes: number[] | null;

  constructor(options?: PReLUOptions) {
    const o = optionsOf<PReLUOptions>(options, 'PReLU');
    super('PReLU', o);
    checkKeys(o, [...COMMON_OPTIONS, 'sharedAxes'], this.label);
    const s = o.sharedAxes;
    if (s === undefined || s === null) this.sharedAxes = null;
    else if (typeof s === 'number') this.sharedAxes = [intIn(s, 1, 16, 'sharedAxes', this.label)];
    else if (Array.isArray(s) && s.length <= 16) this.sharedAxes = s.map((a) => intIn(a, 1, 16, 'sharedAxes', this.label));
    else throw new ConfigError(`${this.label}: sharedAxes must be an axis or a list of axes (1-based), got ${showValue(s)}`);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  /** The alpha shape for an input sample shape. */
  private alphaShape(input: Shape): number[] {
    const shared = new Set(this.sharedAxes ?? []);
    for (const a of shared) {
      if (a > input.length) throw new ShapeError(`${this.label}: shared axis ${a} does not exist in an input of shape ${shapeString(input)}`);
    }
    return input.map((d, k) => {
      if (shared.has(k + 1)) return 1;
      if (d === null) throw new ShapeError(`${this.label}: alpha needs a known size on axis ${k + 1} of input shape ${shapeString(input)} (or share that axis)`);
      return d;
    });
  }

  /** @internal */
  weightSpecs(inputs: readonly Shape[]): WeightSpec[] {
    return [{ name: 'alpha', shape: this.alphaShape(inputs[0]), trainable: true, init: 'zeros' }];
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    return new PReLUOp(this.name, inputs[0], this.alphaShape(inputs[0]));
  }

  getConfig(): Record<string, unknown> {
    return {
      ...this.baseConfig(), alpha_initializer: { class_name: 'Zeros', config: {} }, alpha_regularizer: null,
      alpha_constraint: null, shared_axes: this.sharedAxes ? [...this.sharedAxes] : null,
    };
  }
}

import { type ActivationSpec, resolveActivation } from '../activations.js';
import type { CallArgs } from './node.js';
import { bool, checkKeys, optionsOf, positiveInt } from '../args.js';
import { ShapeError } from '../errors.js';
import { DenseOp } from '../ops/dense.js';
import type { Op } from '../ops/op.js';
import { type Shape, shapeString } from '../shape_rules.js';
import { type ActivationArg, activationConfig, type ResolvedActivation, resolveActivationArg, withActivationLayer } from './activation_arg.js';
import { COMMON_OPTIONS, Layer, type LayerOptions, type WeightSpec } from './layer.js';

export interface DenseOptions extends LayerOptions {
  /** An activation name, or a weightless activation layer (LeakyReLU, ReLU, ELU, Softmax). */
  activation?: ActivationArg;
  useBias?: boolean;
  /** Keras's own kwarg name, accepted for symmetry with the positional form. */
  units?: number;
}

/** Keras Dense: y = act(x @ kernel + bias) on the last axis (any input rank); kernel (in, units). */
export class Dense extends Layer {
  readonly units: number;
  /** @internal */
  readonly activation: ActivationSpec;
  private readonly act: ResolvedActivation;
  readonly useBias: boolean;

  constructor(units: number, options?: DenseOptions) {
    const o = optionsOf<DenseOptions>(options, 'Dense');
    super('Dense', o);
    checkKeys(o, [...COMMON_OPTIONS, 'activation', 'useBias', 'units'], this.label);
    this.units = positiveInt(units ?? o.units, 'units', this.label);
    this.act = resolveActivationArg(o.activation, this.label);
    this.activation = this.act.spec;
    this.useBias = o.useBias === undefined ? true : bool(o.useBias, 'useBias', this.label);
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length < 1) throw new ShapeError(`${this.label}: expects an input of rank ≥ 2 (batch, ..., features), got ${shapeString(inputShape)}`);
    return [...inputShape.slice(0, -1), this.units];
  }

  /** @internal */
  weightSpecs(inputs: readonly Shape[]): WeightSpec[] {
    const k = inputs[0][inputs[0].length - 1];
    if (k === null) throw new ShapeError(`${this.label}: the last dimension of its input must be known, got ${shapeString(inputs[0])}`);
    const specs: WeightSpec[] = [{ name: 'kernel', shape: [k, this.units], trainable: true, init: 'glorot_uniform' }];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.units], trainable: true, init: 'zeros' });
    return specs;
  }

  /** @internal */
  outputActivation(): 'sigmoid' | 'softmax' | null {
    const n = this.act.layer ? null : this.activation.name;
    return n === 'sigmoid' || n === 'softmax' ? n : null;
  }

  /** @internal */
  operator(inputs: readonly number[][], _output: readonly number[], call: CallArgs = {}): Op {
    const x = inputs[0];
    let rows = 1;
    for (let i = 0; i < x.length - 1; i++) rows *= x[i];
    const activation = call.linearOutput ? resolveActivation('linear', this.label) : this.activation;
    const op = new DenseOp(this.name, { rows, inFeatures: x[x.length - 1], units: this.units, useBias: this.useBias, activation });
    return withActivationLayer(op, this.act.layer, [...x.slice(0, -1), this.units]);
  }

  getConfig(): Record<string, unknown> {
    return {
      ...this.baseConfig(),
      units: this.units,
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

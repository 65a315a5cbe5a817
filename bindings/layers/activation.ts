import { type ActivationName, type ActivationSpec, resolveActivation } from '../activations.js';
import { checkKeys, optionsOf } from '../args.js';
import { ActivationOp } from '../ops/activation.js';
import { IdentityOp, type Op } from '../ops/op.js';
import type { CallArgs } from './node.js';
import type { Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

/** Keras Activation: applies a named activation elementwise (softmax over the last axis). */
export class Activation extends Layer {
  /** @internal */
  readonly activation: ActivationSpec;

  constructor(activation: ActivationName, options?: LayerOptions) {
    const o = optionsOf<LayerOptions>(options, 'Activation');
    super('Activation', o);
    checkKeys(o, COMMON_OPTIONS, this.label);
    this.activation = resolveActivation(activation, this.label);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape];
  }

  /** @internal */
  outputActivation(): 'sigmoid' | 'softmax' | null {
    const n = this.activation.name;
    return n === 'sigmoid' || n === 'softmax' ? n : null;
  }

  /** @internal */
  operator(inputs: readonly number[][], _output: readonly number[], call: CallArgs = {}): Op {
    if (call.linearOutput) return new IdentityOp(this.name); // the loss takes the logits
    return new ActivationOp(this.name, this.activation, inputs[0]);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), activation: this.activation.name };
  }
}

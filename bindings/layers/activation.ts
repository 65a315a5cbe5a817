import { type ActivationSpec, resolveActivation } from '../activations.js';
import { checkKeys } from '../args.js';
import { sizeOf } from '../tensor.js';
import { COMMON_OPTIONS, Layer, type LayerOptions, type Step, type StepContext } from './layer.js';

/** Keras Activation: applies a named activation elementwise, in place. */
export class Activation extends Layer {
  readonly activation: ActivationSpec;

  constructor(activation: string, options: LayerOptions = {}) {
    super('Activation', options);
    checkKeys(options, COMMON_OPTIONS, this.label);
    this.activation = resolveActivation(activation, this.label);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  get inPlace(): boolean {
    return true;
  }

  plan(ctx: StepContext): Step[] {
    const count = ctx.batch * sizeOf(this.inputShape!);
    const { act, alpha } = this.activation;
    const k = ctx.kernels;
    return [() => k.activation(ctx.input, ctx.output, count, act, alpha)];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), activation: this.activation.name };
  }
}

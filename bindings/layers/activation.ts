import { activationPass, type ActivationSpec, epilogueAct, resolveActivation } from '../activations.js';
import { checkKeys } from '../args.js';
import { Act } from '../backend/kernels.js';
import { sizeOf } from '../tensor.js';
import { COMMON_OPTIONS, type Epilogue, Layer, type LayerOptions, type Step, type StepContext } from './layer.js';

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

  epilogueOffer(): Epilogue | null {
    const { act, alpha, softmax } = this.activation;
    return !softmax && act !== Act.Linear && act === epilogueAct(this.activation) ? { act, alpha } : null;
  }

  plan(ctx: StepContext): Step[] {
    const count = ctx.batch * sizeOf(this.inputShape!);
    const { act, alpha } = this.activation;
    const k = ctx.kernels;
    // linear, relu and leaky relu have no separate pass elsewhere; here they need one
    if (!this.activation.softmax && act === epilogueAct(this.activation)) {
      return act === Act.Linear ? [] : [() => k.activation(ctx.input, ctx.output, count, act, alpha)];
    }
    return activationPass(k, ctx.output, count, this.inputShape![this.inputShape!.length - 1], this.activation);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), activation: this.activation.name };
  }
}

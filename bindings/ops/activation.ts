import type { ActivationSpec } from '../activations.js';
import { Act, isFusableAct, type Kernels } from '../backend/kernels.js';
import { ConfigError } from '../errors.js';
import { type BackwardContext, type Epilogue, Op, type Step, type StepContext } from './op.js';

/** Activations whose derivative needs the input x (the others are computed from the output y). */
export function gradNeedsInput(spec: ActivationSpec): boolean {
  return !spec.softmax && !spec.clip && (spec.act === Act.Swish || spec.act === Act.Gelu || (spec.act === Act.LeakyRelu && spec.alpha < 0));
}

/**
 * dx = dy · f'(·) for an activation spec over `count` values in rows of `lastDim`: from the
 * output y (src), or from the input x for the activations `gradNeedsInput` names.
 */
export function activationGradSteps(k: Kernels, spec: ActivationSpec, src: number, dy: number, dx: number,
                                    count: number, lastDim: number): Step[] {
  if (spec.clip) {
    const { max } = spec.clip;
    const slope = spec.alpha;
    return [() => k.reluClipGrad(src, dy, dx, count, slope, max)];
  }
  if (spec.softmax) {
    const rows = count / lastDim;
    return [() => k.softmaxGrad(src, dy, dx, rows, lastDim)];
  }
  if (spec.act === Act.Linear) return dx === dy ? [] : [() => k.activation(dy, dx, count, Act.Linear, 0)];
  const { act, alpha } = spec;
  return [() => k.activationGrad(src, dy, dx, count, act, alpha)];
}

/** The gradient step of a layer's own activation, in place on its output gradient (before its own backward). */
export function ownActivationGrad(layerName: string, k: Kernels, spec: ActivationSpec, output: number, dOut: number,
                                  count: number, lastDim: number): Step[] {
  if (gradNeedsInput(spec)) {
    throw new ConfigError(`${layerName}: training a layer with activation '${spec.name}' built in is not supported; use a separate Activation('${spec.name}') layer`);
  }
  return activationGradSteps(k, spec, output, dOut, dOut, count, lastDim);
}

/** The code a GEMM or scale-shift epilogue applies itself (cheap activations), else Linear. */
export function epilogueAct(spec: ActivationSpec): Act {
  return !spec.softmax && !spec.clip && isFusableAct(spec.act) ? spec.act : Act.Linear;
}

/** The separate pass a non-fusable activation needs over `count` values in rows of `lastDim`. */
export function activationSteps(k: Kernels, ptr: number, count: number, lastDim: number, spec: ActivationSpec): Step[] {
  if (spec.clip) {
    const { max, threshold } = spec.clip;
    const slope = spec.alpha;
    return [() => k.reluClip(ptr, ptr, count, slope, max, threshold)];
  }
  if (spec.softmax) {
    const rows = count / lastDim;
    return [() => k.softmax(ptr, ptr, rows, lastDim)];
  }
  if (spec.act === epilogueAct(spec)) return [];
  const { act, alpha } = spec;
  return [() => k.activation(ptr, ptr, count, act, alpha)];
}

/** An elementwise activation (or softmax over the last axis), in place. */
export class ActivationOp extends Op {
  private readonly count: number;
  private readonly lastDim: number;

  constructor(layerName: string, private readonly spec: ActivationSpec, sample: readonly number[]) {
    super(layerName);
    let n = 1;
    for (const d of sample) n *= d;
    this.count = n;
    this.lastDim = sample[sample.length - 1];
  }

  get inPlace(): boolean {
    return true;
  }

  epilogueOffer(): Epilogue | null {
    const { act, alpha } = this.spec;
    return act !== Act.Linear && act === epilogueAct(this.spec) ? { act, alpha } : null;
  }

  steps(ctx: StepContext): Step[] {
    const count = ctx.batch * this.count;
    const { act, alpha } = this.spec;
    const k = ctx.kernels;
    const x = ctx.inputs[0];
    const out = ctx.output;
    if (!this.spec.softmax && !this.spec.clip && act === epilogueAct(this.spec)) {
      // linear, relu and leaky relu: one cheap pass (no pass at all for linear in place)
      if (act === Act.Linear && x === out) return [];
      return [() => k.activation(x, out, count, act, alpha)];
    }
    if (x !== out) {
      // not in place: copy first, then the pass works on the output
      return [() => k.activation(x, out, count, Act.Linear, 0), ...activationSteps(k, out, count, this.lastDim, this.spec)];
    }
    return activationSteps(k, out, count, this.lastDim, this.spec);
  }

  backwardReads(): { inputs: boolean; output: boolean } {
    const x = gradNeedsInput(this.spec);
    return { inputs: x, output: !x };
  }

  backward(ctx: BackwardContext): Step[] {
    if (ctx.dInputs[0] < 0) return [];
    const src = gradNeedsInput(this.spec) ? ctx.inputs[0] : ctx.output;
    return activationGradSteps(ctx.kernels, this.spec, src, ctx.dOutput, ctx.dInputs[0], ctx.batch * this.count, this.lastDim);
  }
}

/** Softmax along one axis (or several adjacent axes) of a sample: Keras's Softmax(axis) layer. */
export class SoftmaxOp extends Op {
  constructor(layerName: string, private readonly outer: number, private readonly C: number, private readonly inner: number) {
    super(layerName);
  }

  get inPlace(): boolean {
    return true;
  }

  steps(ctx: StepContext): Step[] {
    const outer = ctx.batch * this.outer;
    const { C, inner } = this;
    const k = ctx.kernels;
    const x = ctx.inputs[0];
    const out = ctx.output;
    if (inner === 1) return [() => k.softmax(x, out, outer, C)];
    return [() => k.softmaxStrided(x, out, outer, C, inner)];
  }

  backwardReads(): { inputs: boolean; output: boolean } {
    return { inputs: false, output: true };
  }

  backward(ctx: BackwardContext): Step[] {
    if (ctx.dInputs[0] < 0) return [];
    if (this.inner !== 1) throw new ConfigError(`${this.layerName}: training a softmax over a non-last axis is not supported`);
    const rows = ctx.batch * this.outer;
    const { C } = this;
    const k = ctx.kernels;
    const y = ctx.output;
    const dy = ctx.dOutput;
    const dx = ctx.dInputs[0];
    return [() => k.softmaxGrad(y, dy, dx, rows, C)];
  }
}

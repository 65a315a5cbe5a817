import type { ActivationSpec } from '../activations.js';
import { Act, isFusableAct, type Kernels } from '../backend/kernels.js';
import { ConfigError } from '../errors.js';
import { type BackwardContext, type Epilogue, Op, type Step, type StepContext } from './op.js';

/**
 * A ReLU layer's max_value is clip_by_value's bound, whose gradient passes on the closed
 * interval (1 at x = max_value), except on tf.nn.relu6's path (threshold 0, max_value 6: 0 at 6).
 */
function closedMax(clip: NonNullable<ActivationSpec['clip']>): boolean {
  return Number.isFinite(clip.max) && !(clip.threshold === 0 && clip.max === 6);
}

/** Activations whose derivative needs the input x (the others are computed from the output y). */
export function gradNeedsInput(spec: ActivationSpec): boolean {
  if (spec.softmax) return false;
  if (spec.clip) return closedMax(spec.clip);
  return spec.act === Act.Swish || spec.act === Act.Gelu || (spec.act === Act.LeakyRelu && spec.alpha < 0);
}

/**
 * dx = dy · f'(·) for an activation spec over `count` values in rows of `lastDim`: from the
 * output y (src), or from the input x for the activations `gradNeedsInput` names.
 */
export function activationGradSteps(k: Kernels, spec: ActivationSpec, src: number, dy: number, dx: number,
                                    count: number, lastDim: number): Step[] {
  if (spec.clip) {
    const { max, threshold } = spec.clip;
    const slope = spec.alpha;
    const fromInput = closedMax(spec.clip) ? 1 : 0;
    return [() => k.reluClipGrad(src, dy, dx, count, slope, max, threshold, fromInput)];
  }
  if (spec.softmax) {
    const rows = count / lastDim;
    return [() => k.softmaxGrad(src, dy, dx, rows, lastDim)];
  }
  if (spec.act === Act.Linear) return dx === dy ? [] : [() => k.activation(dy, dx, count, Act.Linear, 0)];
  const { act, alpha } = spec;
  return [() => k.activationGrad(src, dy, dx, count, act, alpha)];
}

/**
 * Whether a layer keeps its pre-activation in a training step: its built-in activation's
 * gradient needs the input (swish, silu, gelu), so the GEMM writes a kept buffer and the
 * activation goes from there into the output.
 */
export function keepsPreActivation(spec: ActivationSpec, training: boolean | undefined): boolean {
  return !!training && gradNeedsInput(spec);
}

/**
 * The gradient step of a layer's own activation, in place on its output gradient (before its
 * own backward): from the output, or from the kept pre-activation `pre` (-1: none kept).
 */
export function ownActivationGrad(layerName: string, k: Kernels, spec: ActivationSpec, output: number, pre: number,
                                  dOut: number, count: number, lastDim: number): Step[] {
  const needsInput = gradNeedsInput(spec);
  if (needsInput && pre < 0) {
    throw new ConfigError(`${layerName}: the gradient of activation '${spec.name}' needs the pre-activation, which this program did not keep`);
  }
  return activationGradSteps(k, spec, needsInput ? pre : output, dOut, dOut, count, lastDim);
}

/** The activation from a kept pre-activation `src` into `dst` (not in place). */
export function activationInto(k: Kernels, src: number, dst: number, count: number, lastDim: number, spec: ActivationSpec): Step[] {
  if (spec.clip) {
    const { max, threshold } = spec.clip;
    const slope = spec.alpha;
    return [() => k.reluClip(src, dst, count, slope, max, threshold)];
  }
  if (spec.softmax) {
    const rows = count / lastDim;
    return [() => k.softmax(src, dst, rows, lastDim)];
  }
  const { act, alpha } = spec;
  return [() => k.activation(src, dst, count, act, alpha)];
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
    const rows = ctx.batch * this.outer;
    const { C, inner } = this;
    const k = ctx.kernels;
    const y = ctx.output;
    const dy = ctx.dOutput;
    const dx = ctx.dInputs[0];
    if (inner === 1) return [() => k.softmaxGrad(y, dy, dx, rows, C)];
    return [() => k.softmaxStridedGrad(y, dy, dx, rows, C, inner)];
  }
}

import type { ActivationSpec } from '../activations.js';
import { Act, isFusableAct, type Kernels } from '../backend/kernels.js';
import { type Epilogue, Op, type Step, type StepContext } from './op.js';

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
}

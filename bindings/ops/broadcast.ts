/**
 * Broadcasting elementwise ops: the merge layers (Add, Subtract, Multiply, Average, Maximum,
 * Minimum) and PReLU, on the `broadcast` kernel. Shapes are NumPy-broadcast with the sample
 * shapes right-aligned (= Keras's expand_dims at axis 1 until the ranks match); the index space
 * is collapsed (size-1 axes dropped, neighbours with the same stride pattern merged), so equal
 * shapes become one dense row and (N,H,W,C)·(N,C) a run of per-channel rows.
 */
import { Act, type Kernels } from '../backend/kernels.js';
import { BinaryOp } from '../backend/kernels/broadcast.js';
import { mergeBackward, mergeBackwardReads, mergeBackwardTableBytes, preluBackward } from './broadcast_grad.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';

/** One axis of a collapsed index space: its size and each side's stride in floats (0: broadcast). */
interface Axis {
  n: number;
  a: number;
  b: number;
}

/** Strides (floats) of `shape` read as `out` (same rank; size-1 axes of `shape` broadcast). */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let s = 1;
  for (let k = out.length - 1; k >= 0; k--) {
    strides[k] = shape[k] === 1 && out[k] !== 1 ? 0 : s;
    s *= shape[k];
  }
  return strides;
}

/** `shape` right-aligned to `rank` with leading 1s. */
export function alignRank(shape: readonly number[], rank: number): number[] {
  return [...new Array<number>(rank - shape.length).fill(1), ...shape];
}

/** Drops size-1 axes and merges neighbours that both sides read contiguously or both broadcast. */
export function collapse(out: readonly number[], a: readonly number[], b: readonly number[]): Axis[] {
  const axes: Axis[] = [];
  for (let k = 0; k < out.length; k++) {
    if (out[k] === 1) continue;
    const cur = { n: out[k], a: a[k], b: b[k] };
    const prev = axes[axes.length - 1];
    if (prev && prev.a === cur.a * cur.n && prev.b === cur.b * cur.n) {
      prev.n *= cur.n;
      prev.a = cur.a;
      prev.b = cur.b;
    } else {
      axes.push(cur);
    }
  }
  if (!axes.length) axes.push({ n: 1, a: 0, b: 0 });
  return axes;
}

/**
 * The kernel calls for out = act(a op b) over a collapsed index space: one call for up to four
 * axes, else one per index of the leading extra axes.
 */
export function broadcastSteps(k: Kernels, op: BinaryOp, act: Act, alpha: number,
                               a: number, b: number, out: number, axes: readonly Axis[]): Step[] {
  const inner = axes[axes.length - 1];
  const mid = axes.slice(Math.max(0, axes.length - 4), axes.length - 1);
  while (mid.length < 3) mid.unshift({ n: 1, a: 0, b: 0 });
  const extra = axes.slice(0, Math.max(0, axes.length - 4));
  const [d0, d1, d2] = mid;
  const aIn = inner.a === 0 ? 0 : 1;
  const bIn = inner.b === 0 ? 0 : 1;
  if (!extra.length) {
    return [() => k.broadcast(op, act, alpha, a, b, out, d0.n, d1.n, d2.n, inner.n, d0.a, d1.a, d2.a, aIn, d0.b, d1.b, d2.b, bIn)];
  }
  // rare (axes alternating broadcast patterns more than four times): an odometer over the extra
  // axes, its counters made here (a step allocates nothing; no offset table that grows with the tensor)
  const block = d0.n * d1.n * d2.n * inner.n;
  const idx = new Int32Array(extra.length);
  const count = extra.reduce((p, e) => p * e.n, 1);
  return [() => {
    idx.fill(0);
    let pa = a, pb = b;
    for (let o = 0; o < count; o++) {
      k.broadcast(op, act, alpha, pa, pb, out + 4 * o * block, d0.n, d1.n, d2.n, inner.n, d0.a, d1.a, d2.a, aIn, d0.b, d1.b, d2.b, bIn);
      for (let i = extra.length - 1; i >= 0; i--) {
        const e = extra[i];
        if (++idx[i] < e.n) {
          pa += 4 * e.a;
          pb += 4 * e.b;
          break;
        }
        idx[i] = 0;
        pa -= 4 * e.a * (e.n - 1);
        pb -= 4 * e.b * (e.n - 1);
      }
    }
  }];
}

function contiguous(shape: readonly number[]): number[] {
  return broadcastStrides(shape, shape);
}

/**
 * A merge layer call: out = x0 op x1, then out = out op xi for each further input (Keras's
 * left fold, float32 after every step), then out / n for Average. The next op's cheap
 * activation rides on the last step.
 */
export class MergeOp extends Op {
  constructor(layerName: string, readonly op: BinaryOp, readonly average: boolean,
              readonly inputs: readonly (readonly number[])[], readonly output: readonly number[]) {
    super(layerName);
  }

  /** One input: Keras returns it (divided by 1 for Average, exactly itself). */
  get aliasesInput(): boolean {
    return this.inputs.length === 1;
  }

  /** Two inputs: out[i] reads x0[i] (same size) and x1 at or before i, so it may overwrite x0. */
  get inPlace(): boolean {
    return this.inputs.length === 2;
  }

  get acceptsEpilogue(): boolean {
    return this.inputs.length > 1;
  }

  staticBytes(): number {
    return this.average ? 16 : 0;
  }

  pack(mem: MemoryViews, ptr: number): void {
    if (this.average) mem.f32[ptr >>> 2] = this.inputs.length;
  }

  steps(ctx: StepContext): Step[] {
    if (this.inputs.length === 1) return [];
    const full = [ctx.batch, ...this.output];
    const rank = full.length;
    const view = (sample: readonly number[]) => broadcastStrides([ctx.batch, ...alignRank(sample, rank - 1)], full);
    const dense = contiguous(full);
    const scalar = new Array<number>(rank).fill(0);
    const k = ctx.kernels;
    const x = ctx.inputs;
    const out = ctx.output;
    // (a, b, strides) of each step; the next op's activation rides on the last one
    const calls: [BinaryOp, number, number, number[], number[]][] = [
      [this.op, x[0], x[1], view(this.inputs[0]), view(this.inputs[1])],
    ];
    for (let i = 2; i < this.inputs.length; i++) calls.push([this.op, out, x[i], dense, view(this.inputs[i])]);
    if (this.average) calls.push([BinaryOp.Div, out, ctx.statics, dense, scalar]);
    return calls.flatMap(([op, a, b, sa, sb], i) => {
      const last = i === calls.length - 1 && ctx.epilogue;
      return broadcastSteps(k, op, last ? ctx.epilogue!.act : Act.Linear, last ? ctx.epilogue!.alpha : 0, a, b, out, collapse(full, sa, sb));
    });
  }

  // ---- backward (broadcast_grad.ts) ----

  backwardReads(): { inputs: boolean; output: boolean } {
    return mergeBackwardReads(this);
  }

  backwardTableBytes(batch: number): number {
    return mergeBackwardTableBytes(this, batch);
  }

  backward(ctx: BackwardContext): Step[] {
    return mergeBackward(this, ctx);
  }
}

/** PReLU: out = relu(x) − alpha·relu(−x), alpha (the layer's weight) broadcast over the shared axes and the batch. */
export class PReLUOp extends Op {
  private readonly alphaFloats: number;

  constructor(layerName: string, private readonly sample: readonly number[], private readonly alphaShape: readonly number[]) {
    super(layerName);
    this.alphaFloats = alphaShape.reduce((p, d) => p * d, 1);
  }

  get inPlace(): boolean {
    return true;
  }

  staticBytes(): number {
    return 4 * this.alphaFloats;
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    mem.f32.set(weights[0], ptr >>> 2);
  }

  steps(ctx: StepContext): Step[] {
    const full = [ctx.batch, ...this.sample];
    const axes = collapse(full, contiguous(full), broadcastStrides([1, ...this.alphaShape], full));
    return broadcastSteps(ctx.kernels, BinaryOp.PRelu, Act.Linear, 0, ctx.inputs[0], ctx.statics, ctx.output, axes);
  }

  backwardReads(): { inputs: boolean; output: boolean } {
    return { inputs: true, output: false };
  }

  backward(ctx: BackwardContext): Step[] {
    return preluBackward(this.sample, this.alphaShape, ctx);
  }
}

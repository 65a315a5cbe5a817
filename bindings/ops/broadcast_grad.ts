/**
 * Backward passes of the broadcasting ops (ops/broadcast.ts): the merge layers and PReLU, on the
 * `broadcastGrad` kernel. Each input's gradient is the output gradient (times the other inputs,
 * or masked as TF's MaximumGrad / MinimumGrad mask it) summed over the axes that input was
 * broadcast along (TF's BroadcastGradientArgs + reduce_sum).
 */
import { Act, type Kernels } from '../backend/kernels.js';
import { BinaryOp } from '../backend/kernels/broadcast.js';
import { GradKind } from '../backend/kernels/shape_grad.js';
import { alignRank, broadcastStrides, broadcastSteps, collapse } from './broadcast.js';
import type { BackwardContext, Step } from './op.js';

/** One axis of a collapsed index space: its size and the strides (floats) of g, a, b and dst. */
export interface GradAxis {
  n: number;
  g: number;
  a: number;
  b: number;
  d: number;
}

/** Dense row-major strides of `shape`. */
export function denseStrides(shape: readonly number[]): number[] {
  return broadcastStrides(shape, shape);
}

/** Drops size-1 axes and merges neighbours that every view reads with one stride pattern. */
export function collapseGrad(full: readonly number[], g: readonly number[], a: readonly number[], b: readonly number[],
                             d: readonly number[]): GradAxis[] {
  const axes: GradAxis[] = [];
  for (let k = 0; k < full.length; k++) {
    if (full[k] === 1) continue;
    const cur = { n: full[k], g: g[k], a: a[k], b: b[k], d: d[k] };
    const p = axes[axes.length - 1];
    if (p && p.g === cur.g * cur.n && p.a === cur.a * cur.n && p.b === cur.b * cur.n && p.d === cur.d * cur.n) {
      p.n *= cur.n;
      p.g = cur.g;
      p.a = cur.a;
      p.b = cur.b;
      p.d = cur.d;
    } else {
      axes.push(cur);
    }
  }
  if (!axes.length) axes.push({ n: 1, g: 1, a: 0, b: 0, d: 1 });
  return axes;
}

/**
 * The kernel calls for dst (+)= Σ kind(g, a, b) over a collapsed space (g dense): one call for up
 * to four axes, else an odometer over the leading ones (made here: a step allocates nothing).
 * `dstFloats` is the size of dst's buffer (zeroed first when an odometer axis revisits it).
 */
export function gradSteps(k: Kernels, kind: GradKind, acc: number, g: number, a: number, b: number, dst: number,
                          axes: readonly GradAxis[], dstFloats: number): Step[] {
  const inner = axes[axes.length - 1];
  const mid = axes.slice(Math.max(0, axes.length - 4), axes.length - 1);
  while (mid.length < 3) mid.unshift({ n: 1, g: 0, a: 0, b: 0, d: 0 });
  const extra = axes.slice(0, Math.max(0, axes.length - 4));
  const [x0, x1, x2] = mid;
  const aIn = inner.a === 0 ? 0 : 1;
  const bIn = inner.b === 0 ? 0 : 1;
  const dIn = inner.d === 0 ? 0 : 1;
  if (!extra.length) {
    return [() => k.broadcastGrad(kind, acc, g, a, b, dst, x0.n, x1.n, x2.n, inner.n, x0.a, x1.a, x2.a, aIn, x0.b, x1.b, x2.b, bIn, x0.d, x1.d, x2.d, dIn)];
  }
  const block = x0.n * x1.n * x2.n * inner.n;
  const idx = new Int32Array(extra.length);
  const count = extra.reduce((p, e) => p * e.n, 1);
  const revisits = extra.some((e) => e.d === 0);
  return [() => {
    let ac = acc;
    if (!ac && revisits) {
      k.fillZero(dst, dstFloats);
      ac = 1;
    }
    idx.fill(0);
    let pa = a, pb = b, pd = dst;
    for (let o = 0; o < count; o++) {
      k.broadcastGrad(kind, ac, g + 4 * o * block, pa, pb, pd, x0.n, x1.n, x2.n, inner.n, x0.a, x1.a, x2.a, aIn, x0.b, x1.b, x2.b, bIn, x0.d, x1.d, x2.d, dIn);
      for (let i = extra.length - 1; i >= 0; i--) {
        const e = extra[i];
        if (++idx[i] < e.n) {
          pa += 4 * e.a;
          pb += 4 * e.b;
          pd += 4 * e.d;
          break;
        }
        idx[i] = 0;
        pa -= 4 * e.a * (e.n - 1);
        pb -= 4 * e.b * (e.n - 1);
        pd -= 4 * e.d * (e.n - 1);
      }
    }
  }];
}

function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export interface MergeShapes {
  readonly op: BinaryOp;
  readonly average: boolean;
  readonly inputs: readonly (readonly number[])[];
  readonly output: readonly number[];
}

/** Whether a merge's backward needs its inputs and its output (Maximum / Minimum of 3+ compare with the output). */
export function mergeBackwardReads(m: MergeShapes): { inputs: boolean; output: boolean } {
  const compares = m.op === BinaryOp.Max || m.op === BinaryOp.Min;
  return { inputs: compares || m.op === BinaryOp.Mul, output: compares && m.inputs.length > 2 };
}

/** Scratch of one output-sized gradient (Multiply and Maximum / Minimum of three or more inputs). */
export function mergeBackwardTableBytes(m: MergeShapes, batch: number): number {
  const scratch = m.inputs.length > 2 && (m.op === BinaryOp.Mul || m.op === BinaryOp.Max || m.op === BinaryOp.Min);
  return scratch ? 4 * batch * size(m.output) : 0;
}

/**
 * A merge's backward (two or more inputs; one input aliases):
 * Add / Average: dxᵢ = Σ g (Average divides g by n first, as TF's RealDiv gradient);
 * Subtract: dx₀ = Σ g, dx₁ = −Σ g; Multiply: dxᵢ = Σ g·Πⱼ≠ᵢ xⱼ;
 * Maximum / Minimum of two: TF's `x >= y` (`x <= y`) mask, a tie to the first input; of three or
 * more (Keras's left fold of TF ops): each position's gradient goes to the first input equal to
 * the output, which is where the fold's masks send it.
 */
export function mergeBackward(m: MergeShapes, ctx: BackwardContext): Step[] {
  const n = m.inputs.length;
  const k = ctx.kernels;
  const full = [ctx.batch, ...m.output];
  const rank = full.length;
  const dense = denseStrides(full);
  const none = new Array<number>(rank).fill(0);
  const views = m.inputs.map((s) => broadcastStrides([ctx.batch, ...alignRank(s, rank - 1)], full));
  const floats = m.inputs.map((s) => ctx.batch * size(s));
  const x = ctx.inputs;
  const dx = ctx.dInputs;
  const steps: Step[] = [];
  /** dxᵢ = Σ kind(g, a, b) over input i's broadcast axes. */
  const reduce = (i: number, kind: GradKind, g: number, a: number, av: readonly number[], b: number, bv: readonly number[]) => {
    if (dx[i] < 0) return;
    steps.push(...gradSteps(k, kind, 0, g, a, b, dx[i], collapseGrad(full, dense, av, bv, views[i]), floats[i]));
  };
  let g = ctx.dOutput;
  switch (m.op) {
    case BinaryOp.Add:
      if (m.average) steps.push(...broadcastSteps(k, BinaryOp.Div, Act.Linear, 0, g, ctx.statics, g, collapse(full, dense, none)));
      for (let i = 0; i < n; i++) reduce(i, GradKind.Pass, g, g, none, g, none);
      break;
    case BinaryOp.Sub:
      reduce(0, GradKind.Pass, g, g, none, g, none);
      reduce(1, GradKind.Neg, g, g, none, g, none);
      break;
    case BinaryOp.Mul: {
      const t = ctx.backTables;
      for (let i = 0; i < n; i++) {
        if (dx[i] < 0) continue;
        const others = [...Array(n).keys()].filter((j) => j !== i);
        let cur = g;
        for (const j of others.slice(0, -1)) {
          steps.push(...broadcastSteps(k, BinaryOp.Mul, Act.Linear, 0, cur, x[j], t, collapse(full, dense, views[j])));
          cur = t;
        }
        const last = others[others.length - 1];
        reduce(i, GradKind.Mul, cur, cur, none, x[last], views[last]);
      }
      break;
    }
    case BinaryOp.Max:
    case BinaryOp.Min: {
      if (n === 2) {
        const max = m.op === BinaryOp.Max;
        reduce(0, max ? GradKind.Ge : GradKind.Le, g, x[0], views[0], x[1], views[1]);
        reduce(1, max ? GradKind.Lt : GradKind.Gt, g, x[0], views[0], x[1], views[1]);
        break;
      }
      let spare = ctx.backTables;
      const out = ctx.output;
      for (let i = 0; i < n; i++) {
        reduce(i, GradKind.Eq, g, x[i], views[i], out, dense);
        if (i === n - 1) break;
        // what input i took is no longer there for the later inputs
        steps.push(...gradSteps(k, GradKind.Ne, 0, g, x[i], out, spare, collapseGrad(full, dense, views[i], dense, dense), ctx.batch * size(m.output)));
        [g, spare] = [spare, g];
      }
      break;
    }
    default:
      throw new Error(`mergeBackward: op ${m.op} is not a merge`);
  }
  return steps;
}

/**
 * PReLU's backward, as TF differentiates relu(x) − alpha·relu(−x): dx = g where x > 0, alpha·g
 * where x < 0, 0 at 0 (both relus pass nothing there); dalpha = Σ −g·relu(−x) over the batch and
 * the shared axes, added onto the accumulator.
 */
export function preluBackward(sample: readonly number[], alphaShape: readonly number[], ctx: BackwardContext): Step[] {
  const k = ctx.kernels;
  const full = [ctx.batch, ...sample];
  const dense = denseStrides(full);
  const alpha = broadcastStrides([1, ...alphaShape], full);
  const x = ctx.inputs[0];
  const g = ctx.dOutput;
  const steps: Step[] = [];
  const dW = ctx.dWeights;
  if (dW) steps.push(...gradSteps(k, GradKind.PReluAlpha, 1, g, x, x, dW[0], collapseGrad(full, dense, dense, dense, alpha), size(alphaShape)));
  if (ctx.dInputs[0] >= 0) {
    steps.push(...gradSteps(k, GradKind.PReluX, 0, g, x, ctx.statics, ctx.dInputs[0], collapseGrad(full, dense, dense, alpha, dense), ctx.batch * size(sample)));
  }
  return steps;
}

/**
 * Data-movement ops on the strided block copy and the 2-D padding kernels: Concatenate,
 * Cropping2D, DepthToSpace (TF's, as TensorFlowOpLayer / TFOpLambda save it), ZeroPadding2D and
 * the reflection / symmetric padding layers. Their backward passes are the adjoint moves: the
 * column blocks copied back, the crop padded with zeros, the padding cropped (plus the mirror
 * scatter-add of the reflection / symmetric borders), the inverse permutation.
 */
import { PadMode } from '../backend/kernels/copy.js';
import { type BackwardContext, Op, type Step, type StepContext } from './op.js';

function product(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Concatenate along sample axis `axis` (0-based, batch excluded): each input is a column block of the output rows. */
export class ConcatOp extends Op {
  constructor(layerName: string, private readonly inputs: readonly (readonly number[])[], private readonly axis: number,
              private readonly output: readonly number[]) {
    super(layerName);
  }

  steps(ctx: StepContext): Step[] {
    const { axis, output } = this;
    const rows = ctx.batch * product(output.slice(0, axis));
    const inner = product(output.slice(axis + 1));
    const outLen = output[axis] * inner;
    const k = ctx.kernels;
    const calls: [number, number, number][] = [];
    let at = 0;
    this.inputs.forEach((shape, i) => {
      const len = shape[axis] * inner;
      calls.push([ctx.inputs[i], ctx.output + 4 * at, len]);
      at += len;
    });
    return [() => {
      for (let i = 0; i < calls.length; i++) {
        const c = calls[i];
        k.copyStrided(c[0], c[1], 1, rows, c[2], 0, c[2], 0, outLen);
      }
    }];
  }

  /** Each input's gradient is its column block of the output gradient. */
  backward(ctx: BackwardContext): Step[] {
    const { axis, output } = this;
    const rows = ctx.batch * product(output.slice(0, axis));
    const inner = product(output.slice(axis + 1));
    const outLen = output[axis] * inner;
    const k = ctx.kernels;
    const calls: [number, number, number][] = [];
    let at = 0;
    this.inputs.forEach((shape, i) => {
      const len = shape[axis] * inner;
      if (ctx.dInputs[i] >= 0) calls.push([ctx.dOutput + 4 * at, ctx.dInputs[i], len]);
      at += len;
    });
    if (!calls.length) return [];
    return [() => {
      for (let i = 0; i < calls.length; i++) {
        const c = calls[i];
        k.copyStrided(c[0], c[1], 1, rows, c[2], 0, outLen, 0, c[2]);
      }
    }];
  }
}

/** Cropping2D: rows [top, H − bottom), columns [left, W − right) of each sample. */
export class CropOp extends Op {
  constructor(layerName: string, private readonly input: readonly number[], private readonly crop: readonly [number, number, number, number]) {
    super(layerName);
  }

  steps(ctx: StepContext): Step[] {
    const [H, W, C] = this.input;
    const [top, bottom, left, right] = this.crop;
    const OH = H - top - bottom;
    const OW = W - left - right;
    const k = ctx.kernels;
    const src = ctx.inputs[0] + 4 * (top * W + left) * C;
    const out = ctx.output;
    const n = ctx.batch;
    return [() => k.copyStrided(src, out, n, OH, OW * C, H * W * C, W * C, OH * OW * C, OW * C)];
  }

  /** The adjoint of a crop: the gradient zero-padded back to the input size. */
  backward(ctx: BackwardContext): Step[] {
    const dx = ctx.dInputs[0];
    if (dx < 0) return [];
    const [H, W, C] = this.input;
    const [top, bottom, left, right] = this.crop;
    const OH = H - top - bottom;
    const OW = W - left - right;
    const k = ctx.kernels;
    const dy = ctx.dOutput;
    const n = ctx.batch;
    return [() => k.pad2d(dy, dx, n, OH, OW, C, top, bottom, left, right, PadMode.Zeros)];
  }
}

/** 2-D padding (zeros, reflect or symmetric) of an (H, W, C) sample. */
export class PadOp extends Op {
  constructor(layerName: string, private readonly input: readonly number[], private readonly pads: readonly [number, number, number, number],
              private readonly mode: PadMode) {
    super(layerName);
  }

  steps(ctx: StepContext): Step[] {
    const [H, W, C] = this.input;
    const [top, bottom, left, right] = this.pads;
    const { mode } = this;
    const k = ctx.kernels;
    const x = ctx.inputs[0];
    const out = ctx.output;
    const n = ctx.batch;
    return [() => k.pad2d(x, out, n, H, W, C, top, bottom, left, right, mode)];
  }

  /** The adjoint of the padding: the interior of the gradient, plus each mirrored border added onto its source pixel. */
  backward(ctx: BackwardContext): Step[] {
    const dx = ctx.dInputs[0];
    if (dx < 0) return [];
    const [H, W, C] = this.input;
    const [top, bottom, left, right] = this.pads;
    const { mode } = this;
    const k = ctx.kernels;
    const dy = ctx.dOutput;
    const n = ctx.batch;
    return [() => k.pad2dGrad(dy, dx, n, H, W, C, top, bottom, left, right, mode)];
  }
}

/**
 * TF DepthToSpace (NHWC): out[n, h·b+i, w·b+j, c] = x[n, h, w, (i·b + j)·C′ + c], C′ = C/b².
 * Block (i, j) of every input pixel is one strided copy of C′-float runs.
 */
export class DepthToSpaceOp extends Op {
  constructor(layerName: string, private readonly input: readonly number[], private readonly block: number) {
    super(layerName);
  }

  steps(ctx: StepContext): Step[] {
    const [H, W, C] = this.input;
    const b = this.block;
    const Cp = C / (b * b);
    const k = ctx.kernels;
    const rows = ctx.batch * H;
    const calls: [number, number][] = [];
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < b; j++) calls.push([ctx.inputs[0] + 4 * (i * b + j) * Cp, ctx.output + 4 * (i * W * b + j) * Cp]);
    }
    return [() => {
      for (let q = 0; q < calls.length; q++) k.copyStrided(calls[q][0], calls[q][1], rows, W, Cp, W * C, C, W * C, b * Cp);
    }];
  }

  /** A permutation: the gradient moved back by the inverse copies (every input float is written once). */
  backward(ctx: BackwardContext): Step[] {
    const dx = ctx.dInputs[0];
    if (dx < 0) return [];
    const [H, W, C] = this.input;
    const b = this.block;
    const Cp = C / (b * b);
    const k = ctx.kernels;
    const rows = ctx.batch * H;
    const calls: [number, number][] = [];
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < b; j++) calls.push([ctx.dOutput + 4 * (i * W * b + j) * Cp, dx + 4 * (i * b + j) * Cp]);
    }
    return [() => {
      for (let q = 0; q < calls.length; q++) k.copyStrided(calls[q][0], calls[q][1], rows, W, Cp, W * C, b * Cp, W * C, C);
    }];
  }
}

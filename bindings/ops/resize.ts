import { UpconvError } from '../errors.js';
import { bilinearTap } from '../shape_rules.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';
import { isRepetition, type TapInterpolation, tapBound, writeAxisTaps } from './resample_taps.js';

export interface ResizeParams {
  readonly inH: number;
  readonly inW: number;
  readonly channels: number;
  readonly size: readonly [number, number];
}

/** UpSampling2D nearest with integer factors: a memory-bound copy. */
export class ResizeNearestOp extends Op {
  constructor(layerName: string, private readonly p: ResizeParams) {
    super(layerName);
  }

  steps(ctx: StepContext): Step[] {
    const { inH, inW, channels, size } = this.p;
    const k = ctx.kernels;
    const x = ctx.inputs[0];
    const out = ctx.output;
    const n = ctx.batch;
    return [() => k.resizeNearest(x, out, n, inH, inW, channels, size[0], size[1])];
  }

  /** dx = the sum of each input pixel's fh·fw copies. */
  backward(ctx: BackwardContext): Step[] {
    if (ctx.dInputs[0] < 0) return [];
    const { inH, inW, channels, size } = this.p;
    const k = ctx.kernels;
    const dy = ctx.dOutput;
    const dx = ctx.dInputs[0];
    const n = ctx.batch;
    return [() => k.resizeNearestGrad(dy, dx, n, inH, inW, channels, size[0], size[1])];
  }
}

const TAP_BYTES = 12; // {i32 i0, i32 i1, f32 w}

/** UpSampling2D bilinear (Keras/TF2 half-pixel rule): two taps per axis from tables made at pack time. */
export class ResizeBilinearOp extends Op {
  private readonly outH: number;
  private readonly outW: number;

  constructor(layerName: string, private readonly p: ResizeParams) {
    super(layerName);
    this.outH = p.inH * p.size[0];
    this.outW = p.inW * p.size[1];
  }

  staticBytes(): number {
    return TAP_BYTES * (this.outH + this.outW);
  }

  pack(mem: MemoryViews, ptr: number): void {
    const write = (at: number, count: number, f: number, n: number) => {
      for (let j = 0; j < count; j++) {
        const { i0, i1, w } = bilinearTap(j, f, n);
        const e = (at >>> 2) + 3 * j;
        mem.u32[e] = i0;
        mem.u32[e + 1] = i1;
        mem.f32[e + 2] = w;
      }
    };
    write(ptr, this.outH, this.p.size[0], this.p.inH);
    write(ptr + TAP_BYTES * this.outH, this.outW, this.p.size[1], this.p.inW);
  }

  steps(ctx: StepContext): Step[] {
    const { inH, inW, channels } = this.p;
    const { outH, outW } = this;
    const yTab = ctx.statics;
    const xTab = ctx.statics + TAP_BYTES * outH;
    const k = ctx.kernels;
    const x = ctx.inputs[0];
    const out = ctx.output;
    const n = ctx.batch;
    return [() => k.resizeBilinear(x, out, n, inH, inW, channels, outH, outW, yTab, xTab)];
  }

  /** The adjoint of the two-tap lerps, scattered with the same tap tables. */
  backward(ctx: BackwardContext): Step[] {
    if (ctx.dInputs[0] < 0) return [];
    const { inH, inW, channels } = this.p;
    const { outH, outW } = this;
    const yTab = ctx.statics;
    const xTab = ctx.statics + TAP_BYTES * outH;
    const k = ctx.kernels;
    const dy = ctx.dOutput;
    const dx = ctx.dInputs[0];
    const n = ctx.batch;
    return [() => k.resizeBilinearGrad(dy, dx, n, inH, inW, channels, outH, outW, yTab, xTab)];
  }
}

export interface ResampleParams extends ResizeParams {
  readonly method: TapInterpolation;
}

/**
 * UpSampling2D bicubic, area, lanczos3/5, gaussian, mitchellcubic (TF's kernels, resample_taps.ts):
 * per-axis tap tables, the separable `resample` kernel over them, with a row buffer of W·C
 * floats as its per-batch table. Tables that are plain repetition on both axes (area whenever
 * TF's float32 cell edges give every weight 1, as for any power-of-two factor) run the nearest
 * kernel instead.
 *
 * The tables are written by `pack`, straight into the static block, not in the constructor:
 * their size is reserved from the tap bound, so a huge output length meets the memory limit
 * before any table exists. `pack` runs before `steps` (the program packs every static block
 * before it plans) and settles the tap counts the steps pass.
 */
export class ResampleOp extends Op {
  private readonly outH: number;
  private readonly outW: number;
  private readonly yWords: number;
  private ky = 0;
  private kx = 0;
  private repeats = false;

  constructor(layerName: string, private readonly p: ResampleParams) {
    super(layerName);
    this.outH = p.inH * p.size[0];
    this.outW = p.inW * p.size[1];
    this.yWords = this.outH * (1 + tapBound(p.method, p.inH));
  }

  staticBytes(): number {
    return 4 * (this.yWords + this.outW * (1 + tapBound(this.p.method, this.p.inW)));
  }

  pack(mem: MemoryViews, ptr: number): void {
    const { method, inH, inW, size } = this.p;
    const y = ptr >>> 2;
    const x = y + this.yWords;
    this.ky = writeAxisTaps(method, inH, size[0], mem, y);
    this.kx = writeAxisTaps(method, inW, size[1], mem, x);
    this.repeats = isRepetition(mem, y, this.outH, this.ky, size[0]) && isRepetition(mem, x, this.outW, this.kx, size[1]);
  }

  tableBytes(): number {
    return 4 * this.p.inW * this.p.channels;
  }

  steps(ctx: StepContext): Step[] {
    const { inH, inW, channels, size } = this.p;
    if (this.ky === 0) throw new UpconvError(`${this.layerName}: resample tables used before they were packed`);
    const k = ctx.kernels;
    const x = ctx.inputs[0];
    const out = ctx.output;
    const n = ctx.batch;
    if (this.repeats) return [() => k.resizeNearest(x, out, n, inH, inW, channels, size[0], size[1])];
    const { outH, outW, ky, kx } = this;
    const yTab = ctx.statics;
    const xTab = ctx.statics + 4 * this.yWords;
    const rowBuf = ctx.tables;
    return [() => k.resample(x, out, n, inH, inW, channels, outH, outW, yTab, ky, xTab, kx, rowBuf)];
  }

  /** The adjoint of the separable taps, with the same tables; the forward's row buffer as scratch. */
  backward(ctx: BackwardContext): Step[] {
    if (ctx.dInputs[0] < 0) return [];
    const { inH, inW, channels, size } = this.p;
    const k = ctx.kernels;
    const dy = ctx.dOutput;
    const dx = ctx.dInputs[0];
    const n = ctx.batch;
    if (this.repeats) return [() => k.resizeNearestGrad(dy, dx, n, inH, inW, channels, size[0], size[1])];
    const { outH, outW, ky, kx } = this;
    const yTab = ctx.statics;
    const xTab = ctx.statics + 4 * this.yWords;
    const rowBuf = ctx.tables;
    return [() => k.resampleGrad(dy, dx, n, inH, inW, channels, outH, outW, yTab, ky, xTab, kx, rowBuf)];
  }
}

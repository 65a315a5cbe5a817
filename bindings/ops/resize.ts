import { bilinearTap } from '../shape_rules.js';
import { type MemoryViews, Op, type Step, type StepContext } from './op.js';
import { type AxisTaps, axisTaps, isRepetition, type TapInterpolation } from './resample_taps.js';

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
}

export interface ResampleParams extends ResizeParams {
  readonly method: TapInterpolation;
}

/**
 * UpSampling2D bicubic, area, lanczos3/5, gaussian, mitchellcubic (TF's kernels, resample_taps.ts):
 * per-axis tap tables made once, the separable `resample` kernel over them, with a row buffer
 * of W·C floats as its per-batch table. Tables that are plain repetition on both axes (area
 * whenever TF's float32 cell edges give every weight 1, as for any power-of-two factor) run the
 * nearest kernel instead.
 */
export class ResampleOp extends Op {
  private readonly y: AxisTaps;
  private readonly x: AxisTaps;
  private readonly repeats: boolean;

  constructor(layerName: string, private readonly p: ResampleParams) {
    super(layerName);
    this.y = axisTaps(p.method, p.inH, p.size[0]);
    this.x = axisTaps(p.method, p.inW, p.size[1]);
    this.repeats = isRepetition(this.y, p.size[0]) && isRepetition(this.x, p.size[1]);
  }

  private get yBytes(): number {
    return 4 * this.y.starts.length * (1 + this.y.k);
  }

  staticBytes(): number {
    return this.repeats ? 0 : this.yBytes + 4 * this.x.starts.length * (1 + this.x.k);
  }

  pack(mem: MemoryViews, ptr: number): void {
    if (this.repeats) return;
    const write = (at: number, t: AxisTaps) => {
      const e = at >>> 2;
      for (let j = 0; j < t.starts.length; j++) {
        mem.u32[e + j * (1 + t.k)] = t.starts[j];
        mem.f32.set(t.weights.subarray(j * t.k, (j + 1) * t.k), e + j * (1 + t.k) + 1);
      }
    };
    write(ptr, this.y);
    write(ptr + this.yBytes, this.x);
  }

  tableBytes(): number {
    return this.repeats ? 0 : 4 * this.p.inW * this.p.channels;
  }

  steps(ctx: StepContext): Step[] {
    const { inH, inW, channels, size } = this.p;
    const k = ctx.kernels;
    const x = ctx.inputs[0];
    const out = ctx.output;
    const n = ctx.batch;
    if (this.repeats) return [() => k.resizeNearest(x, out, n, inH, inW, channels, size[0], size[1])];
    const outH = inH * size[0];
    const outW = inW * size[1];
    const yTab = ctx.statics;
    const xTab = ctx.statics + this.yBytes;
    const ky = this.y.k;
    const kx = this.x.k;
    const rowBuf = ctx.tables;
    return [() => k.resample(x, out, n, inH, inW, channels, outH, outW, yTab, ky, xTab, kx, rowBuf)];
  }
}

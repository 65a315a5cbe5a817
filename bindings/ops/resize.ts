import { bilinearTap } from '../shape_rules.js';
import { type MemoryViews, Op, type Step, type StepContext } from './op.js';

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

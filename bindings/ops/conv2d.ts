import type { ActivationSpec } from '../activations.js';
import { activationSteps, epilogueAct } from './activation.js';
import { gemmStep, packedSize, packWeights } from './gemm.js';
import { type MemoryViews, Op, type Step, type StepContext } from './op.js';

export interface Conv2DParams {
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly filters: number;
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Zero padding before the first row / column (Keras puts any extra pixel at the end). */
  readonly padTop: number;
  readonly padLeft: number;
  readonly useBias: boolean;
  readonly activation: ActivationSpec;
}

/**
 * Conv2D (cross-correlation, NHWC, kernel (kh, kw, in, filters)) as an indirect GEMM: each
 * output pixel has kh·kw row pointers into the input; padding taps point at the zero row.
 */
export class Conv2DOp extends Op {
  private readonly taps: number;

  constructor(layerName: string, private readonly p: Conv2DParams) {
    super(layerName);
    this.taps = p.kernel[0] * p.kernel[1];
  }

  staticBytes(): number {
    return 4 * packedSize(this.taps, this.p.inC, this.p.filters);
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    const kernel = weights[0];
    const K = this.p.inC;
    const N = this.p.filters;
    // Keras layout (kh, kw, in, out) is already (tap, k, n)
    packWeights(mem.f32, ptr, this.taps, K, N, (t, k, n) => kernel[(t * K + k) * N + n], this.p.useBias ? weights[1] : null);
  }

  zeroRowFloats(): number {
    return this.p.inC;
  }

  tableBytes(batch: number): number {
    return 4 * batch * this.p.outH * this.p.outW * (this.taps + 1);
  }

  get acceptsEpilogue(): boolean {
    return this.p.activation.name === 'linear';
  }

  steps(ctx: StepContext): Step[] {
    const { inH: h, inW: w, inC: K, outH: oh, outW: ow, filters: N, padTop, padLeft, activation } = this.p;
    const [kh, kw] = this.p.kernel;
    const [sh, sw] = this.p.strides;
    const [dh, dw] = this.p.dilation;
    const T = this.taps;
    const M = ctx.batch * oh * ow;
    const inPtrs = ctx.tables;
    const outPtrs = ctx.tables + 4 * M * T;
    const u32 = ctx.u32;
    const input = ctx.inputs[0];
    let m = 0;
    for (let b = 0; b < ctx.batch; b++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++, m++) {
          let e = (inPtrs >>> 2) + m * T;
          for (let a = 0; a < kh; a++) {
            const iy = oy * sh + a * dh - padTop;
            for (let c = 0; c < kw; c++, e++) {
              const ix = ox * sw + c * dw - padLeft;
              u32[e] = iy >= 0 && iy < h && ix >= 0 && ix < w ? input + 4 * (((b * h + iy) * w + ix) * K) : ctx.zeroRow;
            }
          }
          u32[(outPtrs >>> 2) + m] = ctx.output + 4 * N * m;
        }
      }
    }
    const act = ctx.epilogue?.act ?? epilogueAct(activation);
    const alpha = ctx.epilogue?.alpha ?? activation.alpha;
    return [
      gemmStep(ctx.kernels, M, T, K, N, inPtrs, outPtrs, ctx.statics, act, alpha),
      ...activationSteps(ctx.kernels, ctx.output, M * N, N, activation),
    ];
  }
}

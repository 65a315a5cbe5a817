import type { ActivationSpec } from '../activations.js';
import { resolveActivation } from '../activations.js';
import { align } from '../memory/planner.js';
import { activationSteps, epilogueAct, ownActivationGrad } from './activation.js';
import { Conv2DTransposeOp } from './conv2d_transpose.js';
import { gemmStep, packedSize, packWeights } from './gemm.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';

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
    return Math.max(this.p.inC, this.p.filters); // the backward's transposed conv reads rows of filters
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

  // ---- backward: dW over the forward's indirection table, db = Σ dz, and dx = the adjoint, a
  // transposed convolution of dz with the same kernel (its Keras layout reads Conv2D's as is) ----

  private adjointOp: Conv2DTransposeOp | null = null;

  private adjoint(): Conv2DTransposeOp {
    const p = this.p;
    this.adjointOp ??= new Conv2DTransposeOp(this.layerName, {
      inH: p.outH, inW: p.outW, inC: p.filters, outH: p.inH, outW: p.inW, filters: p.inC,
      kernel: p.kernel, strides: p.strides, dilation: p.dilation, cropTop: p.padTop, cropLeft: p.padLeft,
      useBias: false, activation: resolveActivation('linear', this.layerName),
    });
    return this.adjointOp;
  }

  private get tapTableBytes(): number {
    return align(4 * this.taps);
  }

  backwardReads(): { inputs: boolean; output: boolean } {
    return { inputs: true, output: this.p.activation.name !== 'linear' };
  }

  backwardStaticBytes(): number {
    return this.tapTableBytes + this.adjoint().staticBytes();
  }

  packBackward(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    const { inC: K, filters: N } = this.p;
    for (let t = 0; t < this.taps; t++) mem.u32[(ptr >>> 2) + t] = 4 * t * K * N; // dW (kh, kw, in, out)
    this.adjoint().pack(mem, ptr + this.tapTableBytes, weights);
  }

  backwardTableBytes(batch: number): number {
    return align(4 * batch * this.p.outH * this.p.outW) + this.adjoint().tableBytes(batch);
  }

  backward(ctx: BackwardContext): Step[] {
    const { inC: K, filters: N, outH, outW, activation } = this.p;
    const M = ctx.batch * outH * outW;
    const k = ctx.kernels;
    const dz = ctx.dOutput;
    const steps = ownActivationGrad(this.layerName, k, activation, ctx.output, dz, M * N, N);
    const dW = ctx.dWeights;
    if (dW) {
      const dyPtrs = ctx.backTables;
      for (let m = 0; m < M; m++) ctx.u32[(dyPtrs >>> 2) + m] = dz + 4 * N * m;
      const inPtrs = ctx.tables;
      const taps = ctx.backStatics;
      const T = this.taps;
      steps.push(() => k.igemmWeightGrad(M, T, K, N, inPtrs, dyPtrs, dW[0], taps, N, 1));
      if (this.p.useBias) steps.push(() => k.columnSum(dz, M, N, dW[1]));
    }
    if (ctx.dInputs[0] >= 0) {
      steps.push(...this.adjoint().steps({
        kernels: k, f32: ctx.f32, u32: ctx.u32, batch: ctx.batch, inputs: [dz], output: ctx.dInputs[0],
        statics: ctx.backStatics + this.tapTableBytes, tables: ctx.backTables + align(4 * M), zeroRow: ctx.zeroRow, epilogue: null,
      }));
    }
    return steps;
  }
}

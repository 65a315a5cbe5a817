import type { ActivationSpec } from '../activations.js';
import { resolveActivation } from '../activations.js';
import { align } from '../memory/planner.js';
import { activationInto, activationSteps, epilogueAct, keepsPreActivation, ownActivationGrad } from './activation.js';
import { Conv2DTransposeOp } from './conv2d_transpose.js';
import { gemmStep, packedSize, packWeights } from './gemm.js';
import { PadMode } from '../backend/kernels/copy.js';
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
  /** A training step: the pre-activation is kept when the activation's gradient needs it. */
  readonly training?: boolean;
}

/** Input channels up to which a kernel row's taps are gathered as one run (see Conv2DOp). */
const ROW_TAPS_MAX_C = 4;

/**
 * Conv2D (cross-correlation, NHWC, kernel (kh, kw, in, filters)) as an indirect GEMM: each
 * output pixel has kh·kw row pointers into the input; padding taps point at the zero row.
 *
 * Few input channels (an RGB image in, C ≤ 4): the kw taps of one kernel row read kw adjacent
 * pixels, kw·C contiguous floats, so each output pixel gets kh pointers to runs of K = kw·C
 * floats instead of kh·kw pointers to C (a 3-float gather per tap left the kernel's loops mostly
 * overhead). The Keras kernel (kh, kw, in, out) is already (kernel row, kw·in, out). Left and
 * right zero padding comes from a copy of the input with zero columns (pad2d) in the op's tables;
 * rows above and below point at the zero row. The GEMM's sums are the same products in the same
 * order (tap-major, then channel), so igemm's results are unchanged bit for bit. Not in a
 * training step: the backward's weight gradient reads the forward's per-tap table.
 */
export class Conv2DOp extends Op {
  /** Indirect-GEMM geometry: T row pointers of K floats per output pixel. */
  private readonly T: number;
  private readonly K: number;
  /** Whether a kernel row's taps are one run (T = kh, K = kw·C). */
  private readonly rowTaps: boolean;
  /** Row taps: zero columns added on the right, and the floats of one (padded) input row. */
  private readonly padRight: number;
  private readonly rowFloats: number;
  /** Row taps over a zero-padded copy of the input (left or right padding). */
  private readonly padCopy: boolean;
  /** The GEMM writes a kept pre-activation (after the tables), the activation goes from there. */
  private readonly keepPre: boolean;

  constructor(layerName: string, private readonly p: Conv2DParams) {
    super(layerName);
    const [kh, kw] = p.kernel;
    this.keepPre = keepsPreActivation(p.activation, p.training);
    this.rowTaps = !p.training && kw > 1 && p.dilation[1] === 1 && p.inC <= ROW_TAPS_MAX_C;
    this.T = this.rowTaps ? kh : kh * kw;
    this.K = this.rowTaps ? kw * p.inC : p.inC;
    // the last window ends at padded column (outW - 1)·sw + kw
    this.padRight = this.rowTaps ? Math.max(0, (p.outW - 1) * p.strides[1] + kw - p.padLeft - p.inW) : 0;
    this.padCopy = this.rowTaps && (p.padLeft > 0 || this.padRight > 0);
    this.rowFloats = (this.padCopy ? p.padLeft + p.inW + this.padRight : p.inW) * p.inC;
  }

  /** Per-tap geometry (the backward's weight gradient and its tap table). */
  private get taps(): number {
    return this.p.kernel[0] * this.p.kernel[1];
  }

  staticBytes(): number {
    return 4 * packedSize(this.T, this.K, this.p.filters);
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    const { T, K } = this;
    const N = this.p.filters;
    // Keras layout (kh, kw, in, out) is already (tap, k, n), and (kernel row, kw·in, n) for row taps
    packWeights(mem, ptr, T, K, N, { src: weights[0], tapBase: Array.from({ length: T }, (_, t) => t * K * N), kStride: N, nStride: 1 }, this.p.useBias ? weights[1] : null);
  }

  zeroRowFloats(): number {
    return Math.max(this.K, this.p.filters); // the backward's transposed conv reads rows of filters
  }

  private pointerBytes(batch: number): number {
    return align(4 * batch * this.p.outH * this.p.outW * (this.T + 1));
  }

  private preBytes(batch: number): number {
    return this.keepPre ? align(4 * batch * this.p.outH * this.p.outW * this.p.filters) : 0;
  }

  tableBytes(batch: number): number {
    const copy = this.padCopy ? 4 * batch * this.p.inH * this.rowFloats : 0;
    return this.pointerBytes(batch) + this.preBytes(batch) + copy;
  }

  /** The kept pre-activation (-1: none). */
  private preAt(tables: number, batch: number): number {
    return this.keepPre ? tables + this.pointerBytes(batch) : -1;
  }

  get acceptsEpilogue(): boolean {
    return this.p.activation.name === 'linear';
  }

  steps(ctx: StepContext): Step[] {
    const { inH: h, inW: w, inC: C, outH: oh, outW: ow, filters: N, padTop, padLeft, activation } = this.p;
    const [kh, kw] = this.p.kernel;
    const [sh, sw] = this.p.strides;
    const [dh, dw] = this.p.dilation;
    const { T, K } = this;
    const M = ctx.batch * oh * ow;
    const inPtrs = ctx.tables;
    const outPtrs = ctx.tables + 4 * M * T;
    const u32 = ctx.u32;
    const pre = this.preAt(ctx.tables, ctx.batch);
    const target = pre >= 0 ? pre : ctx.output;
    const steps: Step[] = [];
    let m = 0;
    if (this.rowTaps) {
      let src = ctx.inputs[0];
      if (this.padCopy) {
        const padded = ctx.tables + this.pointerBytes(ctx.batch) + this.preBytes(ctx.batch);
        const [input, batch, right] = [src, ctx.batch, this.padRight];
        steps.push(() => ctx.kernels.pad2d(input, padded, batch, h, w, C, 0, 0, padLeft, right, PadMode.Zeros));
        src = padded;
      }
      const rowFloats = this.rowFloats;
      for (let b = 0; b < ctx.batch; b++) {
        for (let oy = 0; oy < oh; oy++) {
          for (let ox = 0; ox < ow; ox++, m++) {
            const e = (inPtrs >>> 2) + m * T;
            for (let a = 0; a < kh; a++) {
              const iy = oy * sh + a * dh - padTop;
              // padded column ox·sw is input column ox·sw - padLeft: the window's first tap
              u32[e + a] = iy >= 0 && iy < h ? src + 4 * ((b * h + iy) * rowFloats + ox * sw * C) : ctx.zeroRow;
            }
            u32[(outPtrs >>> 2) + m] = target + 4 * N * m;
          }
        }
      }
    } else {
      const input = ctx.inputs[0];
      for (let b = 0; b < ctx.batch; b++) {
        for (let oy = 0; oy < oh; oy++) {
          for (let ox = 0; ox < ow; ox++, m++) {
            let e = (inPtrs >>> 2) + m * T;
            for (let a = 0; a < kh; a++) {
              const iy = oy * sh + a * dh - padTop;
              for (let c = 0; c < kw; c++, e++) {
                const ix = ox * sw + c * dw - padLeft;
                u32[e] = iy >= 0 && iy < h && ix >= 0 && ix < w ? input + 4 * (((b * h + iy) * w + ix) * C) : ctx.zeroRow;
              }
            }
            u32[(outPtrs >>> 2) + m] = target + 4 * N * m;
          }
        }
      }
    }
    const act = ctx.epilogue?.act ?? epilogueAct(activation);
    const alpha = ctx.epilogue?.alpha ?? activation.alpha;
    steps.push(gemmStep(ctx.kernels, M, T, K, N, inPtrs, outPtrs, ctx.statics, act, alpha));
    steps.push(...(pre >= 0 ? activationInto(ctx.kernels, pre, ctx.output, M * N, N, activation) : activationSteps(ctx.kernels, ctx.output, M * N, N, activation)));
    return steps;
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
    return { inputs: true, output: this.p.activation.name !== 'linear' && !this.keepPre };
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
    const steps = ownActivationGrad(this.layerName, k, activation, ctx.output, this.preAt(ctx.tables, ctx.batch), dz, M * N, N);
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

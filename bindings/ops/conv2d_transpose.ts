import type { ActivationSpec } from '../activations.js';
import { resolveActivation } from '../activations.js';
import { align } from '../memory/planner.js';
import { activationInto, activationSteps, epilogueAct, keepsPreActivation, ownActivationGrad } from './activation.js';
import { Conv2DOp } from './conv2d.js';
import { gemmStep, packedSize, packWeights } from './gemm.js';
import { type BackwardContext, type MemoryViews, Op, type Step, type StepContext } from './op.js';

export interface Conv2DTransposeParams {
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly filters: number;
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** Where the output window starts in the full (uncropped) scatter output, per axis. */
  readonly cropTop: number;
  readonly cropLeft: number;
  readonly useBias: boolean;
  readonly activation: ActivationSpec;
  /** A training step: the pre-activation is kept when the activation's gradient needs it. */
  readonly training?: boolean;
}

/** One axis of a sub-convolution: the kernel taps it uses and the output positions it writes. */
interface AxisPhase {
  taps: number[];
  outs: number[];
}

/** A 2-D phase: taps (a, b) and the output rows and columns it writes. */
interface Phase {
  taps: [number, number][];
  ys: number[];
  xs: number[];
}

/**
 * Splits one axis of a transposed convolution into `s` phases. Output y reads the full scatter
 * output at fy = y + cropStart; tap a reaches it from input i = (fy - a·d)/s when that is a whole
 * number, so the taps of a phase are the a with a·d ≡ fy (mod s). No inserted zero is multiplied.
 */
export function axisPhases(k: number, s: number, d: number, length: number, cropStart: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let r = 0; r < s; r++) {
    const taps: number[] = [];
    for (let a = 0; a < k; a++) if ((a * d) % s === r) taps.push(a);
    const outs: number[] = [];
    for (let y = 0; y < length; y++) if ((y + cropStart) % s === r) outs.push(y);
    if (outs.length) phases.push({ taps, outs });
  }
  return phases;
}

/**
 * Conv2DTranspose (kernel (kh, kw, filters, in)) as strides_h·strides_w sub-convolutions, each an
 * indirect GEMM that writes straight into its strided output positions.
 */
export class Conv2DTransposeOp extends Op {
  private readonly phases: Phase[] = [];
  /** The GEMMs write a kept pre-activation (after the tables), the activation goes from there. */
  private readonly keepPre: boolean;

  constructor(layerName: string, private readonly p: Conv2DTransposeParams) {
    super(layerName);
    this.keepPre = keepsPreActivation(p.activation, p.training);
    const py = axisPhases(p.kernel[0], p.strides[0], p.dilation[0], p.outH, p.cropTop);
    const px = axisPhases(p.kernel[1], p.strides[1], p.dilation[1], p.outW, p.cropLeft);
    for (const y of py) {
      for (const x of px) {
        const taps: [number, number][] = [];
        for (const a of y.taps) for (const b of x.taps) taps.push([a, b]);
        this.phases.push({ taps, ys: y.outs, xs: x.outs });
      }
    }
  }

  staticBytes(): number {
    return this.phases.reduce((sum, ph) => sum + 4 * packedSize(ph.taps.length, this.p.inC, this.p.filters), 0);
  }

  pack(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    const kernel = weights[0];
    const bias = this.p.useBias ? weights[1] : null;
    const K = this.p.inC;
    const N = this.p.filters;
    const kw = this.p.kernel[1];
    for (const ph of this.phases) {
      const T = ph.taps.length;
      // Keras layout (kh, kw, out, in) → (tap, k = in, n = out)
      packWeights(mem, ptr, T, K, N, { src: kernel, tapBase: ph.taps.map(([a, b]) => (a * kw + b) * N * K), kStride: 1, nStride: K }, bias);
      ptr += 4 * packedSize(T, K, N);
    }
  }

  zeroRowFloats(): number {
    // the backward's convolution (the adjoint) reads rows of filters, or of kw·filters when it
    // gathers a kernel row's taps as one run (few filters: see Conv2DOp)
    return Math.max(this.p.inC, this.p.filters, this.adjoint().zeroRowFloats());
  }

  private phaseTableBytes(batch: number): number {
    return this.phases.reduce((sum, ph) => sum + 4 * batch * ph.ys.length * ph.xs.length * (ph.taps.length + 1), 0);
  }

  tableBytes(batch: number): number {
    const pre = this.keepPre ? 4 * batch * this.p.outH * this.p.outW * this.p.filters : 0;
    return align(this.phaseTableBytes(batch)) + pre;
  }

  /** The kept pre-activation (-1: none). */
  private preAt(tables: number, batch: number): number {
    return this.keepPre ? tables + align(this.phaseTableBytes(batch)) : -1;
  }

  get acceptsEpilogue(): boolean {
    return this.p.activation.name === 'linear';
  }

  steps(ctx: StepContext): Step[] {
    const { inH: h, inW: w, inC: K, outH: oh, outW: ow, filters: N, cropTop, cropLeft, activation } = this.p;
    const [sh, sw] = this.p.strides;
    const [dh, dw] = this.p.dilation;
    const act = ctx.epilogue?.act ?? epilogueAct(activation);
    const alpha = ctx.epilogue?.alpha ?? activation.alpha;
    const u32 = ctx.u32;
    const input = ctx.inputs[0];
    const pre = this.preAt(ctx.tables, ctx.batch);
    const target = pre >= 0 ? pre : ctx.output;
    const steps: Step[] = [];
    let table = ctx.tables;
    let weights = ctx.statics;
    for (const ph of this.phases) {
      const T = ph.taps.length;
      const M = ctx.batch * ph.ys.length * ph.xs.length;
      const inPtrs = table;
      const outPtrs = table + 4 * M * T;
      let m = 0;
      for (let b = 0; b < ctx.batch; b++) {
        for (const y of ph.ys) {
          for (const x of ph.xs) {
            for (let t = 0; t < T; t++) {
              const ny = y + cropTop - ph.taps[t][0] * dh;
              const nx = x + cropLeft - ph.taps[t][1] * dw;
              const iy = ny / sh;
              const ix = nx / sw;
              const inside = ny >= 0 && nx >= 0 && iy < h && ix < w;
              u32[(inPtrs >>> 2) + m * T + t] = inside ? input + 4 * (((b * h + iy) * w + ix) * K) : ctx.zeroRow;
            }
            u32[(outPtrs >>> 2) + m] = target + 4 * (((b * oh + y) * ow + x) * N);
            m++;
          }
        }
      }
      steps.push(gemmStep(ctx.kernels, M, T, K, N, inPtrs, outPtrs, weights, act, alpha));
      table += 4 * M * (T + 1);
      weights += 4 * packedSize(T, K, N);
    }
    const count = ctx.batch * oh * ow * N;
    steps.push(...(pre >= 0 ? activationInto(ctx.kernels, pre, ctx.output, count, N, activation) : activationSteps(ctx.kernels, ctx.output, count, N, activation)));
    return steps;
  }

  // ---- backward: dW per phase over the phase's indirection table, db = Σ dz over every output
  // position, and dx = the adjoint, a convolution of dz with the same kernel (Conv2D reads the
  // transposed layout (kh, kw, out, in) as its own (kh, kw, in', out')) ----

  private adjointOp: Conv2DOp | null = null;

  private adjoint(): Conv2DOp {
    const p = this.p;
    this.adjointOp ??= new Conv2DOp(this.layerName, {
      inH: p.outH, inW: p.outW, inC: p.filters, outH: p.inH, outW: p.inW, filters: p.inC,
      kernel: p.kernel, strides: p.strides, dilation: p.dilation, padTop: p.cropTop, padLeft: p.cropLeft,
      useBias: false, activation: resolveActivation('linear', this.layerName),
    });
    return this.adjointOp;
  }

  /** Bytes of the per-phase dW tap-offset tables. */
  private get tapTableBytes(): number {
    return this.phases.reduce((s, ph) => s + align(4 * ph.taps.length), 0);
  }

  backwardReads(): { inputs: boolean; output: boolean } {
    return { inputs: true, output: this.p.activation.name !== 'linear' && !this.keepPre };
  }

  backwardStaticBytes(): number {
    return this.tapTableBytes + this.adjoint().staticBytes();
  }

  packBackward(mem: MemoryViews, ptr: number, weights: readonly Float32Array[]): void {
    const { inC: K, filters: N } = this.p;
    const kw = this.p.kernel[1];
    let at = ptr;
    for (const ph of this.phases) {
      // dW (kh, kw, out, in): tap (a, b), k = in, n = out at ((a·kw + b)·N + n)·K + k
      ph.taps.forEach(([a, b], t) => { mem.u32[(at >>> 2) + t] = 4 * (a * kw + b) * N * K; });
      at += align(4 * ph.taps.length);
    }
    this.adjoint().pack(mem, ptr + this.tapTableBytes, weights);
  }

  private get dyTableBytes(): number {
    return this.phases.reduce((s, ph) => s + 4 * ph.ys.length * ph.xs.length, 0);
  }

  backwardTableBytes(batch: number): number {
    return align(batch * this.dyTableBytes) + this.adjoint().tableBytes(batch);
  }

  backward(ctx: BackwardContext): Step[] {
    const { inC: K, outH: oh, outW: ow, filters: N, activation } = this.p;
    const k = ctx.kernels;
    const dz = ctx.dOutput;
    const steps = ownActivationGrad(this.layerName, k, activation, ctx.output, this.preAt(ctx.tables, ctx.batch), dz, ctx.batch * oh * ow * N, N);
    const dW = ctx.dWeights;
    if (dW) {
      let table = ctx.tables;
      let dyTable = ctx.backTables;
      let taps = ctx.backStatics;
      for (const ph of this.phases) {
        const T = ph.taps.length;
        const M = ctx.batch * ph.ys.length * ph.xs.length;
        let m = 0;
        for (let b = 0; b < ctx.batch; b++) {
          for (const y of ph.ys) for (const x of ph.xs) ctx.u32[(dyTable >>> 2) + m++] = dz + 4 * (((b * oh + y) * ow + x) * N);
        }
        const inPtrs = table;
        const dyPtrs = dyTable;
        const tapTable = taps;
        if (T > 0) steps.push(() => k.igemmWeightGrad(M, T, K, N, inPtrs, dyPtrs, dW[0], tapTable, 1, K));
        table += 4 * M * (T + 1);
        dyTable += 4 * M;
        taps += align(4 * T);
      }
      const rows = ctx.batch * oh * ow;
      if (this.p.useBias) steps.push(() => k.columnSum(dz, rows, N, dW[1]));
    }
    if (ctx.dInputs[0] >= 0) {
      steps.push(...this.adjoint().steps({
        kernels: k, f32: ctx.f32, u32: ctx.u32, batch: ctx.batch, inputs: [dz], output: ctx.dInputs[0],
        statics: ctx.backStatics + this.tapTableBytes, tables: ctx.backTables + align(ctx.batch * this.dyTableBytes),
        zeroRow: ctx.zeroRow, epilogue: null,
      }));
    }
    return steps;
  }
}

import type { ActivationSpec } from '../activations.js';
import { activationSteps, epilogueAct } from './activation.js';
import { gemmStep, packedSize, packWeights } from './gemm.js';
import { type MemoryViews, Op, type Step, type StepContext } from './op.js';

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

  constructor(layerName: string, private readonly p: Conv2DTransposeParams) {
    super(layerName);
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
      packWeights(mem.f32, ptr, T, K, N, (t, k, n) => kernel[((ph.taps[t][0] * kw + ph.taps[t][1]) * N + n) * K + k], bias);
      ptr += 4 * packedSize(T, K, N);
    }
  }

  zeroRowFloats(): number {
    return this.p.inC;
  }

  tableBytes(batch: number): number {
    return this.phases.reduce((sum, ph) => sum + 4 * batch * ph.ys.length * ph.xs.length * (ph.taps.length + 1), 0);
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
            u32[(outPtrs >>> 2) + m] = ctx.output + 4 * (((b * oh + y) * ow + x) * N);
            m++;
          }
        }
      }
      steps.push(gemmStep(ctx.kernels, M, T, K, N, inPtrs, outPtrs, weights, act, alpha));
      table += 4 * M * (T + 1);
      weights += 4 * packedSize(T, K, N);
    }
    steps.push(...activationSteps(ctx.kernels, ctx.output, ctx.batch * oh * ow * N, N, activation));
    return steps;
  }
}

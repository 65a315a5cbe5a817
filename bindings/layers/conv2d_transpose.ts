import { activationPass, epilogueAct } from '../activations.js';
import { ConfigError } from '../errors.js';
import { deconvAxis } from '../shape_rules.js';
import { BaseConv, type ConvOptions } from './base_conv.js';
import { gemmStep, packedSize, packWeights } from './gemm_pack.js';
import type { Step, StepContext, WeightSpec } from './layer.js';

export interface Conv2DTransposeOptions extends ConvOptions {
  outputPadding?: number | readonly [number, number] | null;
}

/** One axis of a sub-convolution: the kernel taps it uses and the output positions it writes. */
interface AxisPhase {
  taps: number[];
  outs: number[];
}

/**
 * Splits one axis of a transposed convolution into `s` phases. Output y reads the full scatter
 * output at fy = y + cropStart; tap a reaches it from input i = (fy - a·d)/s when that is a whole
 * number, so the taps of a phase are the a with a·d ≡ fy (mod s). No inserted zero is multiplied.
 */
function axisPhases(k: number, s: number, d: number, length: number, cropStart: number): AxisPhase[] {
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
 * Keras Conv2DTranspose (kernel (kh, kw, filters, in)), with Keras's output length, asymmetric
 * 'same' crop, output_padding and dilation, run as strides_h·strides_w sub-convolutions on igemm.
 */
export class Conv2DTranspose extends BaseConv {
  readonly outputPadding: [number, number] | null;

  constructor(filters: number, kernelSize?: number | readonly [number, number], options: Conv2DTransposeOptions = {}) {
    super('Conv2DTranspose', filters, kernelSize, options, ['outputPadding']);
    const op = options.outputPadding;
    if (op === undefined || op === null) {
      this.outputPadding = null;
    } else {
      const v = typeof op === 'number' ? [op, op] : op;
      if (!Array.isArray(v) || v.length !== 2 || v.some((x) => !Number.isInteger(x) || x < 0)) {
        throw new ConfigError(`${this.label}: outputPadding must be a non-negative integer or pair, got ${JSON.stringify(op)}`);
      }
      this.outputPadding = [v[0], v[1]];
      for (let i = 0; i < 2; i++) {
        if (this.outputPadding[i] >= this.strides[i]) {
          throw new ConfigError(`${this.label}: outputPadding [${this.outputPadding}] must be smaller than strides [${this.strides}] on every axis`);
        }
      }
    }
  }

  private axes(inputShape: readonly number[]) {
    const axis = (i: 0 | 1) => {
      const a = deconvAxis(inputShape[i], this.kernelSize[i], this.strides[i], this.dilationRate[i], this.padding,
        this.outputPadding ? this.outputPadding[i] : null);
      return { ...a, phases: axisPhases(this.kernelSize[i], this.strides[i], this.dilationRate[i], a.length, a.cropStart) };
    };
    return [axis(0), axis(1)] as const;
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    this.checkRank(inputShape);
    const [y, x] = this.axes(inputShape);
    return [y.length, x.length, this.filters];
  }

  weightSpecs(inputShape: readonly number[]): WeightSpec[] {
    const specs: WeightSpec[] = [{ name: 'kernel', shape: [...this.kernelSize, this.filters, inputShape[2]], trainable: true, init: 'glorot_uniform' }];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.filters], trainable: true, init: 'zeros' });
    return specs;
  }

  /** Every 2-D phase: taps (a, b) and output positions, in a fixed order. */
  private phases() {
    const [py, px] = this.axes(this.inputShape!);
    const out: { taps: [number, number][]; ys: number[]; xs: number[] }[] = [];
    for (const y of py.phases) {
      for (const x of px.phases) {
        const taps: [number, number][] = [];
        for (const a of y.taps) for (const b of x.taps) taps.push([a, b]);
        out.push({ taps, ys: y.outs, xs: x.outs });
      }
    }
    return { phases: out, cropY: py.cropStart, cropX: px.cropStart };
  }

  staticFloats(): number {
    return this.phases().phases.reduce((sum, p) => sum + packedSize(p.taps.length, this.inChannels, this.filters), 0);
  }

  writeStatic(f32: Float32Array, _u32: Uint32Array, ptr: number): void {
    const kernel = this.weightValues[0];
    const bias = this.useBias ? this.weightValues[1] : null;
    const K = this.inChannels;
    const N = this.filters;
    const kw = this.kernelSize[1];
    for (const p of this.phases().phases) {
      const T = p.taps.length;
      // Keras layout (kh, kw, out, in) → (tap, k = in, n = out)
      packWeights(f32, ptr, T, K, N, (t, k, n) => kernel[((p.taps[t][0] * kw + p.taps[t][1]) * N + n) * K + k], bias);
      ptr += 4 * packedSize(T, K, N);
    }
  }

  tableBytes(batch: number): number {
    return this.phases().phases.reduce((sum, p) => sum + 4 * batch * p.ys.length * p.xs.length * (p.taps.length + 1), 0);
  }

  get acceptsEpilogue(): boolean {
    return this.activation.name === 'linear';
  }

  plan(ctx: StepContext): Step[] {
    const [h, w, K] = this.inputShape!;
    const [oh, ow, N] = this.outputShape!;
    const [sh, sw] = this.strides;
    const [dh, dw] = this.dilationRate;
    const { phases, cropY, cropX } = this.phases();
    const fusedAct = ctx.epilogue?.act ?? epilogueAct(this.activation);
    const alpha = ctx.epilogue?.alpha ?? this.activation.alpha;
    const k = ctx.kernels;
    const u32 = ctx.u32;
    const steps: Step[] = [];
    let table = ctx.tables;
    let weights = ctx.statics;
    for (const p of phases) {
      const T = p.taps.length;
      const M = ctx.batch * p.ys.length * p.xs.length;
      const inPtrs = table;
      const outPtrs = table + 4 * M * T;
      let m = 0;
      for (let b = 0; b < ctx.batch; b++) {
        for (const y of p.ys) {
          for (const x of p.xs) {
            for (let t = 0; t < T; t++) {
              const ny = y + cropY - p.taps[t][0] * dh;
              const nx = x + cropX - p.taps[t][1] * dw;
              const iy = ny / sh;
              const ix = nx / sw;
              const inside = ny >= 0 && nx >= 0 && iy < h && ix < w;
              u32[(inPtrs >>> 2) + m * T + t] = inside ? ctx.input + 4 * (((b * h + iy) * w + ix) * K) : ctx.zeroRow;
            }
            u32[(outPtrs >>> 2) + m] = ctx.output + 4 * (((b * oh + y) * ow + x) * N);
            m++;
          }
        }
      }
      const wp = weights;
      steps.push(gemmStep(k, M, T, K, N, inPtrs, outPtrs, wp, fusedAct, alpha));
      table += 4 * M * (T + 1);
      weights += 4 * packedSize(T, K, N);
    }
    steps.push(...activationPass(k, ctx.output, ctx.batch * oh * ow * N, N, this.activation));
    return steps;
  }

  getConfig(): Record<string, unknown> {
    return { ...this.convConfig(), output_padding: this.outputPadding ? [...this.outputPadding] : null };
  }
}

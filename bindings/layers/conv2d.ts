import { activationPass, epilogueAct } from '../activations.js';
import { convAxis } from '../shape_rules.js';
import { BaseConv, type ConvOptions } from './base_conv.js';
import { gemmStep, packedSize, packWeights } from './gemm_pack.js';
import type { Step, StepContext, WeightSpec } from './layer.js';

/**
 * Keras Conv2D (cross-correlation, NHWC, kernel (kh, kw, in, filters)), run as an indirect GEMM:
 * each output pixel has kh·kw row pointers into the input; padding taps point at a zero row.
 */
export class Conv2D extends BaseConv {
  constructor(filters: number, kernelSize?: number | readonly [number, number], options: ConvOptions = {}) {
    super('Conv2D', filters, kernelSize, options, []);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    this.checkRank(inputShape);
    const [h, w] = inputShape;
    const y = convAxis(h, this.kernelSize[0], this.strides[0], this.dilationRate[0], this.padding);
    const x = convAxis(w, this.kernelSize[1], this.strides[1], this.dilationRate[1], this.padding);
    return [y.length, x.length, this.filters];
  }

  weightSpecs(inputShape: readonly number[]): WeightSpec[] {
    const specs: WeightSpec[] = [{ name: 'kernel', shape: [...this.kernelSize, inputShape[2], this.filters], trainable: true, init: 'glorot_uniform' }];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.filters], trainable: true, init: 'zeros' });
    return specs;
  }

  private get taps(): number {
    return this.kernelSize[0] * this.kernelSize[1];
  }

  staticFloats(): number {
    return packedSize(this.taps, this.inChannels, this.filters);
  }

  writeStatic(f32: Float32Array, _u32: Uint32Array, ptr: number): void {
    const kernel = this.weightValues[0];
    const K = this.inChannels;
    const N = this.filters;
    // Keras layout (kh, kw, in, out) is already (tap, k, n)
    packWeights(f32, ptr, this.taps, K, N, (t, k, n) => kernel[(t * K + k) * N + n], this.useBias ? this.weightValues[1] : null);
  }

  private pixels(batch: number): number {
    return batch * this.outputShape![0] * this.outputShape![1];
  }

  tableBytes(batch: number): number {
    return 4 * this.pixels(batch) * (this.taps + 1);
  }

  get acceptsEpilogue(): boolean {
    return this.activation.name === 'linear';
  }

  plan(ctx: StepContext): Step[] {
    const [h, w, K] = this.inputShape!;
    const [oh, ow, N] = this.outputShape!;
    const [kh, kw] = this.kernelSize;
    const [sh, sw] = this.strides;
    const [dh, dw] = this.dilationRate;
    const padTop = convAxis(h, kh, sh, dh, this.padding).padBefore;
    const padLeft = convAxis(w, kw, sw, dw, this.padding).padBefore;
    const T = this.taps;
    const M = this.pixels(ctx.batch);
    const inPtrs = ctx.tables;
    const outPtrs = ctx.tables + 4 * M * T;
    const u32 = ctx.u32;
    let m = 0;
    for (let b = 0; b < ctx.batch; b++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++, m++) {
          let e = (inPtrs >>> 2) + m * T;
          for (let a = 0; a < kh; a++) {
            const iy = oy * sh + a * dh - padTop;
            for (let c = 0; c < kw; c++, e++) {
              const ix = ox * sw + c * dw - padLeft;
              u32[e] = iy >= 0 && iy < h && ix >= 0 && ix < w ? ctx.input + 4 * (((b * h + iy) * w + ix) * K) : ctx.zeroRow;
            }
          }
          u32[(outPtrs >>> 2) + m] = ctx.output + 4 * N * m;
        }
      }
    }
    const act = ctx.epilogue?.act ?? epilogueAct(this.activation);
    const alpha = ctx.epilogue?.alpha ?? this.activation.alpha;
    const k = ctx.kernels;
    const wp = ctx.statics;
    return [
      gemmStep(k, M, T, K, N, inPtrs, outPtrs, wp, act, alpha),
      ...activationPass(k, ctx.output, M * N, N, this.activation),
    ];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.convConfig(), groups: 1 };
  }
}

import { activationPass, type ActivationSpec, epilogueAct, resolveActivation } from '../activations.js';
import { bool, checkKeys, positiveInt } from '../args.js';
import { ShapeError } from '../errors.js';
import { sizeOf } from '../tensor.js';
import { gemmStep, packedSize, packWeights } from './gemm_pack.js';
import { COMMON_OPTIONS, Layer, type LayerOptions, type Step, type StepContext, type WeightSpec } from './layer.js';

export interface DenseOptions extends LayerOptions {
  activation?: string | null;
  useBias?: boolean;
}

/** Keras Dense: y = act(x @ kernel + bias) on the last axis; kernel (in, units). */
export class Dense extends Layer {
  readonly units: number;
  readonly activation: ActivationSpec;
  readonly useBias: boolean;

  constructor(units: number, options: DenseOptions = {}) {
    super('Dense', options);
    checkKeys(options, [...COMMON_OPTIONS, 'activation', 'useBias'], this.label);
    this.units = positiveInt(units, 'units', this.label);
    this.activation = resolveActivation(options.activation, this.label);
    this.useBias = options.useBias === undefined ? true : bool(options.useBias, 'useBias', this.label);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length < 1) throw new ShapeError(`${this.label}: expects an input of rank ≥ 2 (batch, ..., features)`);
    return [...inputShape.slice(0, -1), this.units];
  }

  weightSpecs(inputShape: readonly number[]): WeightSpec[] {
    const k = inputShape[inputShape.length - 1];
    const specs: WeightSpec[] = [{ name: 'kernel', shape: [k, this.units], trainable: true, init: 'glorot_uniform' }];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.units], trainable: true, init: 'zeros' });
    return specs;
  }

  private get inFeatures(): number {
    return this.inputShape![this.inputShape!.length - 1];
  }

  staticFloats(): number {
    return packedSize(1, this.inFeatures, this.units);
  }

  writeStatic(f32: Float32Array, _u32: Uint32Array, ptr: number): void {
    const kernel = this.weightValues[0];
    const N = this.units;
    packWeights(f32, ptr, 1, this.inFeatures, N, (_t, k, n) => kernel[k * N + n], this.useBias ? this.weightValues[1] : null);
  }

  tableBytes(batch: number): number {
    return 2 * 4 * this.rows(batch);
  }

  private rows(batch: number): number {
    return batch * sizeOf(this.inputShape!.slice(0, -1));
  }

  get acceptsEpilogue(): boolean {
    return this.activation.name === 'linear';
  }

  plan(ctx: StepContext): Step[] {
    const M = this.rows(ctx.batch);
    const K = this.inFeatures;
    const N = this.units;
    const inPtrs = ctx.tables;
    const outPtrs = ctx.tables + 4 * M;
    for (let m = 0; m < M; m++) {
      ctx.u32[(inPtrs >>> 2) + m] = ctx.input + 4 * K * m;
      ctx.u32[(outPtrs >>> 2) + m] = ctx.output + 4 * N * m;
    }
    const act = ctx.epilogue?.act ?? epilogueAct(this.activation);
    const alpha = ctx.epilogue?.alpha ?? this.activation.alpha;
    const k = ctx.kernels;
    const w = ctx.statics;
    return [
      gemmStep(k, M, 1, K, N, inPtrs, outPtrs, w, act, alpha),
      ...activationPass(k, ctx.output, M * N, N, this.activation),
    ];
  }

  getConfig(): Record<string, unknown> {
    return {
      ...this.baseConfig(),
      units: this.units,
      activation: this.activation.name,
      use_bias: this.useBias,
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    };
  }
}

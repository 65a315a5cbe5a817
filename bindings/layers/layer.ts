import type { Act, Kernels } from '../backend/kernels.js';
import { ConfigError, ShapeError } from '../errors.js';
import { filled, glorotUniform } from '../random.js';
import { sizeOf } from '../tensor.js';
import { uniqueName } from './naming.js';

/** Options every layer takes (Keras's base Layer kwargs, camelCase). */
export interface LayerOptions {
  name?: string;
  /** Shape of one sample, e.g. [2, 2, 1] (only meaningful on the first layer). */
  inputShape?: readonly number[];
  /** Shorthand for inputShape [inputDim] (Dense). */
  inputDim?: number;
  /** Keras 2.2 style [null, ...dims]. */
  batchInputShape?: readonly (number | null)[];
  batchSize?: number | null;
  trainable?: boolean;
  dtype?: string;
}

export const COMMON_OPTIONS = ['name', 'inputShape', 'inputDim', 'batchInputShape', 'batchSize', 'trainable', 'dtype'] as const;

export interface WeightSpec {
  readonly name: string;
  readonly shape: number[];
  readonly trainable: boolean;
  readonly init: 'glorot_uniform' | 'zeros' | 'ones';
}

/** What a layer's steps need: its buffers (byte pointers) and the backend. */
export interface StepContext {
  readonly kernels: Kernels;
  readonly f32: Float32Array;
  readonly u32: Uint32Array;
  readonly batch: number;
  readonly input: number;
  readonly output: number;
  /** This layer's static block (packed weights, tap tables), from `writeStatic`. */
  readonly statics: number;
  /** This layer's per-batch tables (`tableBytes`). */
  readonly tables: number;
  /** A row of zero floats, at least as long as any layer's `zeroRowFloats`. */
  readonly zeroRow: number;
  /** An activation taken over from the next layer, for this layer's epilogue (or null). */
  readonly epilogue: Epilogue | null;
}

/** A cheap activation (linear, relu, leaky relu) a GEMM or scale-shift epilogue applies. */
export interface Epilogue {
  readonly act: Act;
  readonly alpha: number;
}

export type Step = () => void;

/** Largest number of values one sample may hold in any layer (keeps byte sizes in 32-bit range). */
const MAX_SAMPLE_VALUES = 2 ** 30;

/**
 * A Keras layer: knows its config, output shape and weights (Keras order and layout), and turns
 * itself into kernel steps at plan time. It never runs a loop itself.
 */
export abstract class Layer {
  readonly className: string;
  name: string;
  trainable: boolean;
  /** [null, ...dims] when the layer was given an input shape. */
  readonly batchInputShape: (number | null)[] | null;
  inputShape: number[] | null = null;
  outputShape: number[] | null = null;
  protected weightValues: Float32Array[] = [];

  protected constructor(className: string, options: LayerOptions) {
    this.className = className;
    const where = options.name ? `${className} '${options.name}'` : className;
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
      throw new ConfigError(`${className}: name must be a non-empty string`);
    }
    this.name = options.name ?? uniqueName(className);
    this.trainable = options.trainable ?? true;
    if (options.dtype !== undefined && options.dtype !== null && options.dtype !== 'float32') {
      throw new ConfigError(`${where}: dtype '${String(options.dtype)}' is not supported (upconv computes in float32)`);
    }
    this.batchInputShape = parseInputShape(options, where);
  }

  /** "dense_1 (Dense)" style label used in errors. */
  get label(): string {
    return `${this.className} '${this.name}'`;
  }

  /** Output shape of one sample for a given input sample shape (Keras's rules); throws ShapeError. */
  abstract computeOutputShape(inputShape: readonly number[]): number[];

  /** The weights this layer has for an input shape, in Keras `get_weights()` order. */
  weightSpecs(_inputShape: readonly number[]): WeightSpec[] {
    return [];
  }

  /** Keras config (snake_case), as `layer.get_config()` writes it. */
  abstract getConfig(): Record<string, unknown>;

  /** Fixes the input shape; keeps weights whose shapes still fit, initialises the others. */
  build(inputShape: readonly number[]): void {
    const out = this.computeOutputShape(inputShape);
    for (const d of out) {
      if (!Number.isInteger(d) || d < 1) {
        throw new ShapeError(`${this.label}: input shape (None, ${inputShape.join(', ')}) gives an empty output shape (None, ${out.join(', ')})`);
      }
    }
    if (sizeOf(out) > MAX_SAMPLE_VALUES) {
      throw new ShapeError(`${this.label}: output shape (None, ${out.join(', ')}) holds ${sizeOf(out)} values per sample, more than upconv supports (${MAX_SAMPLE_VALUES})`);
    }
    const specs = this.weightSpecs(inputShape);
    const keep = specs.length === this.weightValues.length &&
      specs.every((s, i) => sizeOf(s.shape) === this.weightValues[i].length);
    if (!keep) {
      this.weightValues = specs.map((s) =>
        s.init === 'glorot_uniform' ? glorotUniform(s.shape) : filled(s.shape, s.init === 'ones' ? 1 : 0));
    }
    this.inputShape = [...inputShape];
    this.outputShape = out;
  }

  get built(): boolean {
    return this.outputShape !== null;
  }

  /** Current weights (the layer's own arrays; callers copy). */
  weights(): readonly Float32Array[] {
    return this.weightValues;
  }

  /** Replaces the weights; the model has validated count and shapes. */
  assignWeights(values: Float32Array[]): void {
    this.weightValues = values;
  }

  countParams(): { trainable: number; nonTrainable: number } {
    let trainable = 0;
    let nonTrainable = 0;
    const specs = this.inputShape ? this.weightSpecs(this.inputShape) : [];
    specs.forEach((s) => {
      const n = sizeOf(s.shape);
      if (s.trainable && this.trainable) trainable += n;
      else nonTrainable += n;
    });
    return { trainable, nonTrainable };
  }

  // ---- planning hooks (see model/plan.ts) ----

  /** The output is the input buffer, untouched (Reshape, Flatten, Dropout, InputLayer). */
  get aliasesInput(): boolean {
    return false;
  }

  /** The output may be written over the input (elementwise layers). */
  get inPlace(): boolean {
    return false;
  }

  /** Floats of weight-derived data (packed weights, tables) kept for the model's life. */
  staticFloats(): number {
    return 0;
  }

  /** Writes the static block at byte pointer `ptr` (after build and after every setWeights). */
  writeStatic(_f32: Float32Array, _u32: Uint32Array, _ptr: number): void {}

  /** Bytes of per-batch tables (indirection pointers) this layer needs. */
  tableBytes(_batch: number): number {
    return 0;
  }

  /** Length of the zero row padding taps point at. */
  zeroRowFloats(): number {
    return 0;
  }

  /** Whether this layer's kernels can apply the next layer's activation in their epilogue. */
  get acceptsEpilogue(): boolean {
    return false;
  }

  /** The activation this (in-place) layer amounts to, if an epilogue can apply it instead. */
  epilogueOffer(): Epilogue | null {
    return null;
  }

  /** The kernel calls that compute this layer for one plan. */
  plan(_ctx: StepContext): Step[] {
    return [];
  }

  /** Common config keys, Keras order. */
  protected baseConfig(): Record<string, unknown> {
    const cfg: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: 'float32' };
    if (this.batchInputShape) cfg.batch_input_shape = [...this.batchInputShape];
    return cfg;
  }
}

function parseInputShape(options: LayerOptions, where: string): (number | null)[] | null {
  let dims: readonly (number | null)[] | undefined;
  if (options.batchInputShape !== undefined && options.batchInputShape !== null) {
    if (!Array.isArray(options.batchInputShape) || options.batchInputShape.length < 2) {
      throw new ConfigError(`${where}: batchInputShape must be [batch or null, ...dims], got ${JSON.stringify(options.batchInputShape)}`);
    }
    dims = options.batchInputShape.slice(1);
  } else if (options.inputShape !== undefined && options.inputShape !== null) {
    if (!Array.isArray(options.inputShape) || options.inputShape.length < 1) {
      throw new ConfigError(`${where}: inputShape must be a non-empty array of dimensions, got ${JSON.stringify(options.inputShape)}`);
    }
    dims = options.inputShape;
  } else if (options.inputDim !== undefined && options.inputDim !== null) {
    dims = [options.inputDim];
  } else {
    return null;
  }
  for (const d of dims) {
    if (!Number.isInteger(d) || (d as number) < 1) {
      throw new ConfigError(`${where}: input shape dimensions must be positive integers, got ${JSON.stringify(dims)}`);
    }
  }
  return [null, ...(dims as number[])];
}

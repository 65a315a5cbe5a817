import { firstNonFinite } from '../args.js';
import { ConfigError, MemoryLimitError, ShapeError, WeightsError } from '../errors.js';
import { IdentityOp, type Op } from '../ops/op.js';
import { filled, glorotUniform, randomUniform } from '../random.js';
import { MAX_DIM, MAX_SAMPLE_VALUES, type Shape, shapeString } from '../shape_rules.js';
import { Tensor } from '../tensor.js';
import { type CallArgs, KerasTensor, Node } from './node.js';
import { uniqueName } from './naming.js';
import { showValue } from '../show.js';

/** Options every layer takes (Keras's base Layer kwargs, camelCase). */
export interface LayerOptions {
  name?: string;
  /** Shape of one sample, e.g. [2, 2, 1] (only meaningful on the first layer of a Sequential). */
  inputShape?: readonly (number | null)[];
  /** Shorthand for inputShape [inputDim] (Dense). */
  inputDim?: number;
  /** Keras 2.2 style [null, ...dims]. */
  batchInputShape?: readonly (number | null)[];
  batchSize?: number | null;
  trainable?: boolean;
  /** Only 'float32' (or a mixed_* policy, which upconv computes in float32). */
  dtype?: 'float32' | 'mixed_float16' | 'mixed_bfloat16' | null;
}

export const COMMON_OPTIONS = ['name', 'inputShape', 'inputDim', 'batchInputShape', 'batchSize', 'trainable', 'dtype'] as const;

/** A weight a layer declares: its name, shape, whether it trains, and its initializer. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: number[];
  readonly trainable: boolean;
  /** Keras's default initializer: glorot_uniform kernels, zeros/ones, Embedding's RandomUniform(-0.05, 0.05). */
  readonly init: 'glorot_uniform' | 'zeros' | 'ones' | 'uniform_0.05';
}

/** Most bytes of weights one layer may create outside a model (a model checks its own limit). */
export const MAX_LAYER_WEIGHT_BYTES = 2 ** 30;

const DTYPES = new Set(['float32', 'mixed_float16', 'mixed_bfloat16']);

let deferring = 0;
/** While deferring: bytes of weights built so far, and the most allowed (with the error to throw). */
let budget: { used: number; max: number; error: (layer: string, bytes: number) => Error } | null = null;

/**
 * @internal Runs `fn` with layers built without initial weights: they are made on first use
 * (a loader sets them from the file first, so no random weights are ever drawn for it). With a
 * budget, the weights of all layers built inside may not exceed `max` bytes.
 */
export function deferInitialWeights<T>(fn: () => T, max = Infinity, error?: (layer: string, bytes: number) => Error): T {
  const outer = budget;
  deferring++;
  budget = { used: 0, max, error: error ?? ((l, b) => new MemoryLimitError(`${l} brings the weights to ${b} bytes, more than the limit of ${max}`)) };
  try {
    return fn();
  } finally {
    deferring--;
    budget = outer;
  }
}

/** @internal Whether layers are being built without initial weights (config reading). */
export function deferringWeights(): boolean {
  return deferring > 0;
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A Keras layer: its config, its shape rules, and its weights (Keras order and layout). Calling
 * it on symbolic tensors (`apply`) adds a node to a graph; what runs a call is an operator
 * (bindings/ops/), made from concrete shapes at plan time. A layer called several times (a shared
 * layer, or one layer object in two models) has one set of weights and one op per call site.
 */
export abstract class Layer {
  readonly className: string;
  name: string;
  /** [null, ...dims] when the layer was given an input shape. */
  readonly batchInputShape: (number | null)[] | null;
  /** The dtype policy from the options or file ('float32', or a mixed policy computed in float32). */
  readonly dtypePolicy: string;
  /** @internal */
  readonly inboundNodes: Node[] = [];
  /** @internal Input shapes of the first call (fix the weights). */
  builtShapes: Shape[] | null = null;
  /** @internal Weight specs, fixed at build. */
  specs: WeightSpec[] = [];
  /** @internal Bumped whenever the weights change (plans re-pack). */
  weightsVersion = 0;
  /**
   * @internal Keras config a training step would leave out (a regularizer, a constraint, a
   * Dropout noise_shape, …), read from a file: inference ignores it, training refuses the layer.
   */
  trainingRefusal: string | null = null;
  /** null: not made yet (built while deferring); made on first use. */
  private values: Float32Array[] | null = [];
  private isTrainable: boolean;

  protected constructor(className: string, options: LayerOptions) {
    if (typeof className !== 'string' || className === '' || options === null || typeof options !== 'object') {
      throw new ConfigError('Layer is the base class of the layers: construct one of them, or extend CustomLayer for your own');
    }
    this.className = className;
    if (options.name !== undefined && options.name !== null && (typeof options.name !== 'string' || options.name === '')) {
      throw new ConfigError(`${className}: name must be a non-empty string`);
    }
    if (typeof options.name === 'string' && options.name.length > 1024) throw new ConfigError(`${className}: name is longer than 1024 characters`);
    this.name = options.name ?? uniqueName(className);
    const where = `${className} '${this.name}'`;
    if (options.trainable !== undefined && options.trainable !== null && typeof options.trainable !== 'boolean') {
      throw new ConfigError(`${where}: trainable must be true or false`);
    }
    this.isTrainable = options.trainable ?? true;
    const dtype = options.dtype ?? 'float32';
    if (typeof dtype !== 'string' || !DTYPES.has(dtype)) {
      throw new ConfigError(`${where}: dtype ${showValue(dtype)} is not supported (upconv computes in float32)`);
    }
    this.dtypePolicy = dtype;
    this.batchInputShape = parseInputShape(options, where);
  }

  /** "Dense 'dense_1'" style label used in errors. */
  get label(): string {
    return `${this.className} '${this.name}'`;
  }

  get trainable(): boolean {
    return this.isTrainable;
  }

  set trainable(value: boolean) {
    if (typeof value !== 'boolean') throw new ConfigError(`${this.label}: trainable must be true or false`);
    this.isTrainable = value;
  }

  /** Whether the layer has its weights (it was called, or added to a model with a known input). */
  get built(): boolean {
    return this.builtShapes !== null;
  }

  /** Output shape of one sample for a given input sample shape (Keras's rules); throws ShapeError. */
  abstract computeOutputShape(inputShape: Shape | readonly Shape[]): Shape;

  /** Keras config (snake_case), as `layer.get_config()` writes it. */
  abstract getConfig(): Record<string, unknown>;

  /** @internal The output shape of a call on these inputs (one input unless the layer merges). */
  outputShapeFor(inputs: readonly Shape[]): Shape {
    if (inputs.length !== 1) throw new ShapeError(`${this.label}: takes one input, got ${inputs.length}`);
    return this.computeOutputShape(inputs[0]);
  }

  /** @internal The weights a call on these inputs needs, in Keras `get_weights()` order. */
  weightSpecs(_inputs: readonly Shape[]): WeightSpec[] {
    return [];
  }

  /** @internal The activation this layer's output ends with, when the loss may take its logits instead. */
  outputActivation(): 'sigmoid' | 'softmax' | null {
    return null;
  }

  /** @internal The operator that runs one call, for concrete sample shapes. */
  operator(_inputs: readonly number[][], _output: readonly number[], _call: CallArgs): Op {
    return new IdentityOp(this.name);
  }

  /**
   * @internal Checks a call's shapes and returns its output shape and weight specs, changing
   * nothing. A built layer only accepts inputs whose weights match the ones it has.
   */
  planCall(inputs: readonly Shape[]): { output: Shape; specs: WeightSpec[] } {
    const output = this.outputShapeFor(inputs);
    for (const d of output) {
      if (d !== null && (!Number.isSafeInteger(d) || d < 1)) {
        throw new ShapeError(`${this.label}: input shape ${inputs.map(shapeString).join(', ')} gives an empty or invalid output shape ${shapeString(output)}`);
      }
      if (d !== null && d > MAX_DIM) {
        throw new MemoryLimitError(`${this.label}: output shape ${shapeString(output)} has a dimension above ${MAX_DIM}, more than upconv supports`);
      }
    }
    let values = 1;
    for (const d of output) if (d !== null) values *= d;
    if (values > MAX_SAMPLE_VALUES) {
      throw new MemoryLimitError(`${this.label}: output shape ${shapeString(output)} holds ${values} values per sample, more than upconv supports (${MAX_SAMPLE_VALUES})`);
    }
    const specs = this.weightSpecs(inputs);
    if (this.built) {
      const same = specs.length === this.specs.length && specs.every((s, i) => s.shape.join() === this.specs[i].shape.join());
      if (!same) {
        throw new ShapeError(`${this.label}: was built for inputs ${this.builtShapes!.map(shapeString).join(', ')}; inputs ${inputs.map(shapeString).join(', ')} need other weights (${specs.map((s) => `${s.name} [${s.shape}]`).join(', ')})`);
      }
    }
    return { output, specs };
  }

  /** Bytes the weights of `specs` take as float32. @internal */
  static weightBytes(specs: readonly WeightSpec[]): number {
    let n = 0;
    for (const s of specs) n += product(s.shape);
    return 4 * n;
  }

  /**
   * @internal Fixes the weights for a call (first call only): checks their size against
   * `limit` before any array is made, then makes Keras's initial values.
   */
  buildFor(inputs: readonly Shape[], specs: WeightSpec[], limit = MAX_LAYER_WEIGHT_BYTES): void {
    if (this.built) return;
    const bytes = Layer.weightBytes(specs);
    // deferred (config reading): nothing is allocated here; the reader's budget bounds the total
    if (budget && deferring) {
      budget.used += bytes;
      if (budget.used > budget.max) throw budget.error(this.label, budget.used);
    } else if (bytes > limit) {
      throw new MemoryLimitError(`${this.label}: its weights (${specs.map((s) => `${s.name} [${s.shape}]`).join(', ')}) take ${bytes} bytes, more than the limit of ${limit} bytes`);
    }
    this.specs = specs;
    this.values = deferring ? null : this.initialValues();
    this.builtShapes = inputs.map((s) => [...s]);
    this.weightsVersion++;
  }

  /**
   * Calls the layer on symbolic tensors (from `Input()` or other layers' `apply`), as Keras's
   * `layer(x)`: returns the output tensor. Merge layers take a list. Builds the layer on its
   * first call; a failed call changes nothing.
   */
  apply(inputs: KerasTensor | readonly KerasTensor[], args: CallArgs = {}): KerasTensor {
    const out = this.connect(inputs, args);
    return out[0];
  }

  /** @internal apply() for any number of outputs (models return several): adds a node. */
  connect(inputs: KerasTensor | readonly KerasTensor[], args: CallArgs = {}): KerasTensor[] {
    const listCall = Array.isArray(inputs);
    const list: readonly KerasTensor[] = listCall ? (inputs as readonly KerasTensor[]) : [inputs as KerasTensor];
    if (!list.length) throw new ConfigError(`${this.label}: apply() needs at least one input tensor`);
    for (const t of list) {
      if (!(t instanceof KerasTensor)) {
        throw new ConfigError(`${this.label}: apply() takes symbolic tensors from Input() or another layer's apply(), got ${(t as unknown) instanceof Tensor ? 'a Tensor (to compute values, put the layer in a model and call predict)' : String(t)}`);
      }
    }
    const shapes = list.map((t) => t.sample);
    const outputs = this.outputShapesFor(shapes);
    const specs = outputs.specs;
    this.buildFor(shapes, specs);
    const node = new Node(this, list, listCall, { ...args });
    const batch = list[0].shape[0];
    outputs.shapes.forEach((s, i) => node.outputs.push(new KerasTensor(s, batch, node, i)));
    this.inboundNodes.push(node);
    return node.outputs;
  }

  /** @internal Output shapes of a call (several for models) and its weight specs; changes nothing. */
  outputShapesFor(inputs: readonly Shape[]): { shapes: Shape[]; specs: WeightSpec[] } {
    const { output, specs } = this.planCall(inputs);
    return { shapes: [output], specs };
  }

  /** Keras's initializers for the specs (glorot_uniform kernels, zero biases, BN ones/zeros, Embedding's uniform). */
  private initialValues(): Float32Array[] {
    return this.specs.map((s) => {
      if (s.init === 'glorot_uniform') return glorotUniform(s.shape);
      if (s.init === 'uniform_0.05') return randomUniform(s.shape, -0.05, 0.05);
      return filled(s.shape, s.init === 'ones' ? 1 : 0);
    });
  }

  /** @internal This layer's weight arrays (its own; callers copy). */
  weightArrays(): readonly Float32Array[] {
    this.values ??= this.initialValues();
    return this.values;
  }

  /** @internal The weight arrays were changed in place (a training step): plans re-pack. */
  touchWeights(): void {
    this.weightsVersion++;
  }

  /** @internal Replaces the weights with checked arrays of the specs' sizes. */
  assignWeights(values: Float32Array[]): void {
    this.values = values;
    this.weightsVersion++;
  }

  /** Copies of this layer's weights in Keras `get_weights()` order and layout. */
  getWeights(): Tensor[] {
    return this.weightArrays().map((w, i) => new Tensor(w.slice(), this.specs[i].shape));
  }

  /** Sets this layer's weights (Keras order and layout); on any error it keeps the old ones. */
  setWeights(weights: readonly (Tensor | { shape: readonly number[]; data: ArrayLike<number> })[]): void {
    if (!this.built) throw new WeightsError(`${this.label}: the layer has no weights yet; call it (apply) or add it to a model first`);
    this.assignWeights(checkWeights(weights, this.specs.map((spec) => ({ spec, label: this.label })), this.label));
  }

  /** Number of weight values (Keras `count_params`). */
  countParams(): number {
    return this.specs.reduce((n, s) => n + product(s.shape), 0);
  }

  /** @internal Weight values that are trainable now (trainable specs of a trainable layer). */
  trainableParams(): number {
    return this.trainable ? this.specs.reduce((n, s) => n + (s.trainable ? product(s.shape) : 0), 0) : 0;
  }

  /** Input shape of the first call, with a null batch (Keras's `layer.input_shape`). */
  get inputShape(): (number | null)[] | null {
    const node = this.inboundNodes.find((n) => !n.isInput);
    if (node) return node.inputs.length === 1 ? [...node.inputs[0].shape] : null;
    return this.builtShapes && this.builtShapes.length === 1 ? [null, ...this.builtShapes[0]] : null;
  }

  /** Output shape of the first call, with a null batch (Keras's `layer.output_shape`). */
  get outputShape(): (number | null)[] | null {
    const node = this.inboundNodes[0];
    return node ? [...node.outputs[0].shape] : null;
  }

  /** Common config keys, Keras order. */
  protected baseConfig(): Record<string, unknown> {
    const cfg: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: this.dtypePolicy };
    if (this.batchInputShape) cfg.batch_input_shape = [...this.batchInputShape];
    return cfg;
  }
}

/** Checks tensors against weight specs (count, shapes, finite values) and copies them. @internal */
export function checkWeights(weights: unknown, expected: readonly { spec: WeightSpec; label: string }[], where: string): Float32Array[] {
  if (!Array.isArray(weights)) throw new WeightsError(`${where}: setWeights takes an array of tensors`);
  if (weights.length !== expected.length) {
    throw new WeightsError(`${where}: setWeights got ${weights.length} arrays but the model has ${expected.length} (${expected.map((e) => `${e.label.replace(/^\S+ '(.*)'$/, '$1')}/${e.spec.name} [${e.spec.shape}]`).join(', ')})`);
  }
  return weights.map((w: unknown, i) => {
    const { spec, label } = expected[i];
    const at = `${label}: weight ${i} (${spec.name})`;
    const t = w as { shape?: unknown; data?: unknown };
    if (!t || typeof t !== 'object' || !Array.isArray(t.shape) || !t.data || typeof (t.data as { length?: unknown }).length !== 'number') {
      throw new WeightsError(`${at} must be a tensor with shape and data`);
    }
    const shape = t.shape as unknown[];
    if (shape.length !== spec.shape.length || shape.some((d, k) => d !== spec.shape[k])) {
      throw new WeightsError(`${at} has shape [${shape.join(', ')}], expected [${spec.shape.join(', ')}]`);
    }
    const data = t.data as ArrayLike<number>;
    if (data.length !== product(spec.shape)) throw new WeightsError(`${at} has ${data.length} values, expected ${product(spec.shape)}`);
    let copy: Float32Array;
    try {
      copy = Float32Array.from(data as ArrayLike<number>);
    } catch {
      throw new WeightsError(`${at}: its data must be numbers`);
    }
    const bad = firstNonFinite(copy);
    if (bad >= 0) throw new WeightsError(`${at} holds a non-finite value (${copy[bad]}) at index ${bad}`);
    return copy;
  });
}

function parseInputShape(options: LayerOptions, where: string): (number | null)[] | null {
  let dims: readonly unknown[] | undefined;
  if (options.batchInputShape !== undefined && options.batchInputShape !== null) {
    if (!Array.isArray(options.batchInputShape) || options.batchInputShape.length < 2) {
      throw new ConfigError(`${where}: batchInputShape must be [batch or null, ...dims], got ${showValue(options.batchInputShape)}`);
    }
    dims = options.batchInputShape.slice(1);
  } else if (options.inputShape !== undefined && options.inputShape !== null) {
    if (!Array.isArray(options.inputShape) || options.inputShape.length < 1) {
      throw new ConfigError(`${where}: inputShape must be a non-empty array of dimensions, got ${showValue(options.inputShape)}`);
    }
    dims = options.inputShape;
  } else if (options.inputDim !== undefined && options.inputDim !== null) {
    dims = [options.inputDim];
  } else {
    return null;
  }
  if (dims.length > 16) throw new ConfigError(`${where}: input shapes of rank above 17 are not supported`);
  for (const d of dims) {
    if (d !== null && (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1 || d > MAX_DIM)) {
      throw new ConfigError(`${where}: input shape dimensions must be integers from 1 to ${MAX_DIM} (or null), got ${showValue(dims)}`);
    }
  }
  return [null, ...(dims as (number | null)[])];
}

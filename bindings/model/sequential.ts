import { currentBackend } from '../backend/select.js';
import { ConfigError, ShapeError, UpconvError, WeightsError } from '../errors.js';
import { InputLayer } from '../layers/input_layer.js';
import { Layer } from '../layers/layer.js';
import { uniqueName } from '../layers/naming.js';
import { sizeOf, Tensor, tensor } from '../tensor.js';
import { buildPlan, type Plan, Runtime } from './plan.js';
import { shapeString, summaryText } from './summary.js';

export interface SequentialOptions {
  name?: string;
  /** Most bytes of backend memory this model may plan for (default 2 GiB). */
  memoryLimit?: number;
}

/** Anything `tensor()` accepts, or a Tensor. */
export type TensorLike = Tensor | Float32Array | readonly number[] | readonly (readonly unknown[])[];

const DEFAULT_MEMORY_LIMIT = 2 ** 31;

/** Loads weights files onto a model; registered by upconv/io, which holds the file readers. */
export type WeightsLoader = (model: Sequential, source: unknown, options?: object) => Promise<void>;
let weightsLoader: WeightsLoader | null = null;

/** Called once by upconv/io when it is imported. */
export function setWeightsLoader(loader: WeightsLoader): void {
  weightsLoader = loader;
}

/**
 * Keras's Sequential model: a chain of layers with Keras's weights order and summary, planned
 * once per batch size and run without allocating.
 */
export class Sequential {
  readonly name: string;
  /** Layers in order, without the InputLayer (as Keras's `model.layers`). */
  readonly layers: Layer[] = [];
  private inputLayer: InputLayer | null = null;
  private sampleShape: number[] | null = null;
  private limit: number;
  private runtime: Runtime | null = null;
  private plan: Plan | null = null;

  constructor(layersOrOptions?: readonly Layer[] | SequentialOptions, options: SequentialOptions = {}) {
    const opts = Array.isArray(layersOrOptions) ? options : ((layersOrOptions as SequentialOptions | undefined) ?? {});
    this.name = opts.name ?? uniqueName('Sequential');
    this.limit = DEFAULT_MEMORY_LIMIT;
    if (opts.memoryLimit !== undefined) this.memoryLimit = opts.memoryLimit;
    if (Array.isArray(layersOrOptions)) for (const l of layersOrOptions) this.add(l);
  }

  private get label(): string {
    return `Sequential '${this.name}'`;
  }

  /** Bytes of backend memory this model may use; a plan above it throws MemoryLimitError. */
  get memoryLimit(): number {
    return this.limit;
  }

  set memoryLimit(bytes: number) {
    if (typeof bytes !== 'number' || !(bytes > 0)) throw new ConfigError(`${this.label}: memoryLimit must be a positive number of bytes, got ${String(bytes)}`);
    this.limit = bytes;
    this.invalidate(); // the next predict re-plans and re-checks against the new limit
  }

  /** Appends a layer; with a known input shape it is built (and checked) at once. */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) throw new ConfigError(`${this.label}: add() takes a layer, got ${String(layer)}`);
    if (layer === this.inputLayer || this.layers.includes(layer)) throw new ConfigError(`${this.label}: ${layer.label} is already in the model`);
    if (layer instanceof InputLayer) {
      if (this.inputLayer || this.layers.length) throw new ConfigError(`${this.label}: an InputLayer must be the first layer`);
      this.inputLayer = layer;
      this.sampleShape = layer.batchInputShape!.slice(1) as number[];
      return;
    }
    if (!this.sampleShape && !this.layers.length && layer.batchInputShape) {
      this.sampleShape = layer.batchInputShape.slice(1) as number[];
    }
    if (this.sampleShape) {
      const prev = this.layers.length ? this.layers[this.layers.length - 1].outputShape! : this.sampleShape;
      layer.build(prev); // throws before the model changes
    }
    this.layers.push(layer);
    this.invalidate();
  }

  /** Whether every layer has its shapes (an input shape was given or a predict ran). */
  get built(): boolean {
    return this.sampleShape !== null && this.layers.every((l) => l.built);
  }

  /** Shape of the input with a null batch, e.g. [null, 2, 2, 1]. */
  get inputShape(): (number | null)[] | null {
    return this.sampleShape ? [null, ...this.sampleShape] : null;
  }

  get outputShape(): (number | null)[] | null {
    if (!this.built) return null;
    return [null, ...(this.layers.length ? this.layers[this.layers.length - 1].outputShape! : this.sampleShape!)];
  }

  /** Builds every layer for a sample shape (what Keras does on the first call without input shape). */
  build(inputShape?: readonly (number | null)[]): void {
    if (inputShape) {
      const dims = inputShape[0] === null || inputShape.length > (this.sampleShape?.length ?? Infinity) ? inputShape.slice(1) : inputShape;
      if (dims.some((d) => !Number.isInteger(d) || (d as number) < 1)) throw new ShapeError(`${this.label}: invalid input shape ${JSON.stringify(inputShape)}`);
      if (this.sampleShape && !sameShape(this.sampleShape, dims as number[])) {
        throw new ShapeError(`${this.label}: expects input shape ${shapeString(this.sampleShape)}, got ${shapeString(dims as number[])}`);
      }
      if (!this.sampleShape) this.buildFrom(dims as number[]);
    }
    if (!this.built) throw new UpconvError(`${this.label}: this model has not yet been built; give the first layer an inputShape or call build() / predict()`);
  }

  private buildFrom(sample: number[]): void {
    let shape = sample;
    for (const layer of this.layers) {
      layer.build(shape); // on failure nothing below is kept
      shape = layer.outputShape!;
    }
    this.sampleShape = sample;
    this.invalidate();
  }

  private invalidate(): void {
    this.runtime = null;
    this.plan = null;
  }

  /** Prints the classic Keras table (to console.log, or `print`) and returns it. */
  summary(print: ((line: string) => void) | null = console.log): string {
    this.build();
    const text = summaryText(this.layers);
    if (print) print(text);
    return text;
  }

  countParams(): number {
    this.build();
    return this.layers.reduce((n, l) => {
      const p = l.countParams();
      return n + p.trainable + p.nonTrainable;
    }, 0);
  }

  /** Copies of all weights in Keras `get_weights()` order and layout. */
  getWeights(): Tensor[] {
    this.build();
    return this.layers.flatMap((l) => {
      const specs = l.weightSpecs(l.inputShape!);
      return l.weights().map((w, i) => new Tensor(w.slice(), specs[i].shape));
    });
  }

  /**
   * Sets all weights from Keras `get_weights()` order and layout. Everything is checked first;
   * on any error the model keeps its previous weights.
   */
  setWeights(weights: readonly (Tensor | { shape: readonly number[]; data: ArrayLike<number> })[]): void {
    this.build();
    if (!Array.isArray(weights)) throw new WeightsError(`${this.label}: setWeights takes an array of tensors`);
    const expected = this.layers.flatMap((l) => l.weightSpecs(l.inputShape!).map((s) => ({ layer: l, spec: s })));
    if (weights.length !== expected.length) {
      throw new WeightsError(`${this.label}: setWeights got ${weights.length} arrays but the model has ${expected.length} (${expected.map((e) => `${e.layer.name}/${e.spec.name} [${e.spec.shape}]`).join(', ')})`);
    }
    const values = weights.map((w, i) => {
      const { layer, spec } = expected[i];
      const where = `${layer.label}: weight ${i} (${spec.name})`;
      if (!w || !Array.isArray(w.shape) || !w.data || typeof w.data.length !== 'number') {
        throw new WeightsError(`${where} must be a tensor with shape and data`);
      }
      if (!sameShape(w.shape, spec.shape)) {
        throw new WeightsError(`${where} has shape [${w.shape.join(', ')}], expected [${spec.shape.join(', ')}]`);
      }
      if (w.data.length !== sizeOf(spec.shape)) {
        throw new WeightsError(`${where} has ${w.data.length} values, expected ${sizeOf(spec.shape)}`);
      }
      const data = Float32Array.from(w.data);
      const bad = data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new WeightsError(`${where} holds a non-finite value (${data[bad]}) at index ${bad}`);
      return data;
    });
    let at = 0;
    this.layers.forEach((layer, i) => {
      const n = layer.weights().length;
      layer.assignWeights(values.slice(at, at + n));
      at += n;
      if (this.runtime) this.runtime.writeStatic(layer, i);
    });
  }

  private coerceInput(x: TensorLike, what: string): Tensor {
    const t = x instanceof Tensor ? x : tensor(x as Float32Array);
    if (!this.sampleShape && this.layers.length) this.buildFrom(t.shape.slice(1));
    this.build();
    const want = this.sampleShape!;
    if (t.rank !== want.length + 1 || !sameDims(t.shape, 1, want)) {
      const first = this.inputLayer ?? this.layers[0];
      throw new ShapeError(`${this.label}: ${what} has shape [${t.shape.join(', ')}] but ${first ? first.label : 'the model'} expects ${shapeString(want)}`);
    }
    if (t.shape[0] < 1) throw new ShapeError(`${this.label}: ${what} has an empty batch`);
    return t;
  }

  private prepare(batch: number): Plan {
    const backend = currentBackend();
    if (!this.runtime || this.runtime.backend !== backend) {
      this.plan = null;
      const rt = new Runtime(backend, this.layers);
      rt.writeAllStatics(this.layers, this.limit, this.label);
      this.runtime = rt;
    }
    if (!this.plan || this.plan.batch !== batch) {
      this.plan = null;
      this.plan = buildPlan(this.runtime, this.layers, this.sampleShape!, batch, this.limit, this.label);
    }
    return this.plan;
  }

  private run(x: Tensor, what: string): Plan {
    const plan = this.prepare(x.shape[0]);
    if (x.data !== plan.input) plan.input.set(x.data); // ioTensors() input: already in place
    // checked in the backend's memory: a SIMD scan on wasm, far faster than a JS loop
    const bad = this.runtime!.kernels.firstNonFinite(plan.input.byteOffset, plan.input.length);
    if (bad >= 0) throw new ShapeError(`${this.label}: ${what} holds a non-finite value (${x.data[bad]}) at index ${bad}`);
    const steps = plan.steps;
    for (let i = 0; i < steps.length; i++) steps[i]();
    return plan;
  }

  /** Runs the model on a batch; the result owns its data. */
  predict(x: TensorLike): Tensor {
    const t = this.coerceInput(x, 'predict input');
    const plan = this.run(t, 'predict input');
    return new Tensor(plan.output.slice(), [t.shape[0], ...this.outputShape!.slice(1) as number[]]);
  }

  /** Runs the model into a caller's tensor of the output shape; allocates nothing. */
  predictInto(x: Tensor, out: Tensor): Tensor {
    const t = this.coerceInput(x, 'predictInto input');
    const last = this.layers.length ? this.layers[this.layers.length - 1].outputShape! : this.sampleShape!;
    if (!(out instanceof Tensor) || out.rank !== last.length + 1 || out.shape[0] !== t.shape[0] || !sameDims(out.shape, 1, last)) {
      throw new ShapeError(`${this.label}: predictInto output has shape [${out?.shape?.join(', ')}], expected [${[t.shape[0], ...last].join(', ')}]`);
    }
    const plan = this.run(t, 'predictInto input');
    if (out.data !== plan.output) out.data.set(plan.output); // ioTensors() output: already there
    return out;
  }

  /**
   * Loads a weights file (Keras `.weights.h5` / `save_weights` `.h5`, or TensorFlow.js files) onto
   * this model, like Keras's `model.load_weights`. The readers live in `upconv/io` so that the core
   * stays small: import it once (`import 'upconv/io'`) to enable this method.
   */
  async loadWeights(source: unknown, options?: object): Promise<void> {
    if (!weightsLoader) {
      throw new UpconvError(`${this.label}: loadWeights needs the file readers of 'upconv/io': import 'upconv/io' once (or call its loadWeights(model, source))`);
    }
    return weightsLoader(this, source, options);
  }

  /**
   * Tensors that live in the model's own memory for one batch size. Write latents into
   * `input.data`, call `predictInto(input, output)`, read `output.data`: no copy in or out, which
   * matters for memory-bound models (upsampling). They stay valid until the model plans again
   * (another batch size, setBackend, add, memoryLimit); after that, ask again.
   */
  ioTensors(batch: number): { input: Tensor; output: Tensor } {
    if (!Number.isInteger(batch) || batch < 1) throw new ShapeError(`${this.label}: ioTensors batch must be a positive integer, got ${String(batch)}`);
    this.build();
    const plan = this.prepare(batch);
    const last = this.layers.length ? this.layers[this.layers.length - 1].outputShape! : this.sampleShape!;
    return { input: new Tensor(plan.input, [batch, ...this.sampleShape!]), output: new Tensor(plan.output, [batch, ...last]) };
  }

  /** The Keras model config (tf.keras 2 layout), readable by modelFromJSON and Keras. */
  toJSON(): Record<string, unknown> {
    const layers: unknown[] = [];
    if (this.sampleShape) {
      // Keras names the implicit input after the first layer: 'dense_1_input'
      const name = `${this.layers.length ? this.layers[0].name : this.name}_input`;
      const input = this.inputLayer ?? new InputLayer({ batchInputShape: [null, ...this.sampleShape], name });
      layers.push({ class_name: 'InputLayer', config: input.getConfig() });
    }
    for (const l of this.layers) layers.push({ class_name: l.className, config: l.getConfig() });
    // no keras_version: the activations mean what they mean in Keras 3 (see hard_sigmoid_keras2)
    return { class_name: 'Sequential', config: { name: this.name, layers }, backend: 'tensorflow' };
  }
}

/** a[from:] equals b, without slicing (predictInto allocates nothing). */
function sameDims(a: readonly number[], from: number, b: readonly number[]): boolean {
  if (a.length - from !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[from + i] !== b[i]) return false;
  return true;
}

function sameShape(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

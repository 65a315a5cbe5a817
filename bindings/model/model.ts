import { currentBackend } from '../backend/select.js';
import { ConfigError, ShapeError } from '../errors.js';
import { checkWeights, Layer, type WeightSpec } from '../layers/layer.js';
import { uniqueName } from '../layers/naming.js';
import type { KerasTensor } from '../layers/node.js';
import { type Shape, shapeString } from '../shape_rules.js';
import { Tensor, tensor } from '../tensor.js';
import { type Graph, mapGraph } from './graph.js';
import { buildPlan, type Plan } from './plan.js';
import { Program } from './program.js';
import { modelConfig } from './serialize.js';
import { summaryText } from './summary.js';
import { computeGradients, type GradientOptions, type Gradients, trainableWeightsOf } from '../train/gradients.js';
import type { Variable } from '../train/variables.js';
import {
  type CompileOptions, type Compiled, compileModel, evaluate, type EvaluateOptions, fit, type FitOptions, type History,
  trainOnBatch, type TrainOnBatchOptions,
} from '../train/trainer.js';
import { showValue } from '../show.js';

/** Anything `tensor()` accepts, or a Tensor. */
export type TensorLike = Tensor | Float32Array | readonly number[] | readonly (readonly unknown[])[];

/** One input, several inputs in `model.inputs` order, or inputs keyed by their names. */
export type ModelInput = TensorLike | readonly TensorLike[] | { readonly [inputName: string]: TensorLike };

export interface ModelOptions {
  /** The model's inputs, from `Input()`: one tensor or a list. */
  inputs: KerasTensor | readonly KerasTensor[];
  /** Its outputs, from `layer.apply()`: one tensor or a list. */
  outputs: KerasTensor | readonly KerasTensor[];
  name?: string;
  /** Most bytes of memory (weights, their packed copy and a batch's buffers) this model may use; default 1 GiB. */
  memoryLimit?: number;
}

/** Default memoryLimit: weights, their packed copy and a plan's buffers. */
export const DEFAULT_MEMORY_LIMIT = 2 ** 30;

/** Loads weights files onto a model; registered by upconv/io, which holds the file readers. @internal */
export type WeightsLoader = (model: Model, source: unknown, options?: object) => Promise<void>;
let weightsLoader: WeightsLoader | null = null;

/** Called once by upconv/io when it is imported. @internal */
export function setWeightsLoader(loader: WeightsLoader): void {
  weightsLoader = loader;
}

/** @internal Marks the constructor call of a subclass that builds its graph itself (Sequential). */
export const DEFERRED_GRAPH: unique symbol = Symbol('deferred graph');
interface DeferredInit {
  [DEFERRED_GRAPH]: true;
  name?: string;
  memoryLimit?: number;
  className: string;
}

function asList<T>(x: T | readonly T[]): readonly T[] {
  return Array.isArray(x) ? (x as readonly T[]) : [x as T];
}

/**
 * Keras's functional Model: a graph of layer calls from `Input()` tensors to outputs, run on the
 * WebAssembly core with one plan per input shape and batch size. A model is also a layer: call it
 * on tensors (`model.apply(x)`) to nest it in another model; its weights are shared.
 */
export class Model extends Layer {
  /** @internal */
  protected graphValue: Graph | null = null;
  private limit = DEFAULT_MEMORY_LIMIT;
  private program: Program | null = null;
  private plan: Plan | null = null;
  private programShapes: number[][] = [];
  private readonly one: Tensor[] = [];

  constructor(options: ModelOptions) {
    const deferred = (options as unknown as DeferredInit)?.[DEFERRED_GRAPH] === true;
    const o = (options ?? {}) as ModelOptions & Partial<DeferredInit>;
    const className = deferred ? o.className! : 'Functional';
    if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '')) throw new ConfigError(`${className}: name must be a non-empty string`);
    super(className, { name: o.name ?? uniqueName(deferred ? className : 'Model') });
    if (o.memoryLimit !== undefined) this.memoryLimit = o.memoryLimit;
    if (deferred) return;
    if (typeof options !== 'object' || options === null) throw new ConfigError('Model: takes { inputs, outputs, name? }');
    const known = new Set(['inputs', 'outputs', 'name', 'memoryLimit']);
    const unknown = Object.keys(options).filter((k) => !known.has(k));
    if (unknown.length) throw new ConfigError(`${this.label}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: inputs, outputs, name, memoryLimit)`);
    if (options.inputs === undefined || options.outputs === undefined) throw new ConfigError(`${this.label}: needs inputs and outputs`);
    const inputs = asList(options.inputs);
    const outputs = asList(options.outputs);
    if (!inputs.length || !outputs.length) throw new ConfigError(`${this.label}: needs at least one input and one output`);
    this.setGraph(mapGraph(inputs, outputs, this.label));
  }

  /** @internal */
  protected setGraph(graph: Graph): void {
    this.graphValue = graph;
    this.builtShapes = graph.inputs.map((t) => t.sample);
    this.invalidate();
  }

  /** @internal The graph (throws until the model knows its input shape). */
  get graph(): Graph {
    if (!this.graphValue) throw new ShapeError(`${this.label}: this model has not yet been built; give the first layer an inputShape or call build() / predict()`);
    return this.graphValue;
  }

  /** Set to true (e.g. from a callback) to end `fit` after the current batch. */
  stopTraining = false;
  private compiled: Compiled | null = null;

  /**
   * Configures training (Keras `compile`): the optimizer, the loss (one per output, or one for
   * all), metrics. The layers' trainable flags count as they are now: changing them later takes
   * effect at the next compile (the documented Keras contract, as tf.keras 2 implements it).
   */
  compile(options: CompileOptions): void {
    this.compiled = compileModel(this, options);
  }

  /** One gradient step on a batch; returns the loss before the update ([loss, ...metrics] with metrics). */
  trainOnBatch(x: ModelInput, y: TensorLike | readonly TensorLike[], options?: TrainOnBatchOptions): number | number[] {
    this.graph;
    return trainOnBatch(this, this.compiled, x, y, options);
  }

  /** Trains for a number of epochs (Keras `fit`); resolves to the History. */
  fit(x: ModelInput, y: TensorLike | readonly TensorLike[], options?: FitOptions): Promise<History> {
    this.graph;
    return fit(this, this.compiled, x, y, options);
  }

  /** The loss (and metrics) in inference mode, averaged over batches (Keras `evaluate`). */
  evaluate(x: ModelInput, y: TensorLike | readonly TensorLike[], options?: EvaluateOptions): number | number[] {
    this.graph;
    return evaluate(this, this.compiled, x, y, options);
  }

  /** The trainable weights now, as Variables (Keras `model.trainable_weights`). */
  get trainableWeights(): Variable[] {
    return trainableWeightsOf(this);
  }

  /**
   * The loss of a batch and its gradients with respect to `wrt` (default: the trainable weights),
   * with the layers in training mode; changes nothing. With `optimizer.applyGradients` this is the
   * custom training loop of Keras's `train_step` with `tf.GradientTape`.
   */
  computeGradients(x: ModelInput, y: TensorLike, options: GradientOptions): Gradients {
    this.graph;
    return computeGradients(this, x, y, options);
  }

  /** @internal Every layer of the model and its nested models (weighted or not), each once. */
  weightLayersAll(): Layer[] {
    const out: Layer[] = [];
    const seen = new Set<Layer>();
    const walk = (m: Model) => {
      for (const l of m.layers) {
        if (seen.has(l)) continue;
        seen.add(l);
        if (l instanceof Model) walk(l);
        else out.push(l);
      }
    };
    walk(this);
    return out;
  }

  /** The input tensors (Keras `model.inputs`). */
  get inputs(): KerasTensor[] {
    return [...this.graph.inputs];
  }

  /** The output tensors (Keras `model.outputs`). */
  get outputs(): KerasTensor[] {
    return [...this.graph.outputs];
  }

  /** Names of the input layers, in `inputs` order. */
  get inputNames(): string[] {
    return this.graph.inputs.map((t) => t.node.layer.name);
  }

  get outputNames(): string[] {
    return this.graph.outputs.map((t) => t.node.layer.name);
  }

  /** Every layer once, in Keras's `model.layers` order (a functional model lists its InputLayers). */
  get layers(): Layer[] {
    return [...this.graph.layers];
  }

  /** The layer with this name (Keras `get_layer`). */
  getLayer(name: string): Layer {
    const l = this.layers.find((x) => x.name === name);
    if (!l) throw new ConfigError(`${this.label}: no layer named ${showValue(name)} (layers: ${this.layers.map((x) => x.name).join(', ')})`);
    return l;
  }

  /** @internal Layers that hold weights, each once, in `getWeights()` order (nested models expanded). */
  weightLayers(): Layer[] {
    const out: Layer[] = [];
    const seen = new Set<Layer>();
    const walk = (m: Model) => {
      for (const l of m.layers) {
        if (l instanceof Model) walk(l);
        else if (!seen.has(l)) {
          seen.add(l);
          out.push(l);
        }
      }
    };
    walk(this);
    return out;
  }

  get built(): boolean {
    return this.graphValue !== null;
  }

  get trainable(): boolean {
    return super.trainable;
  }

  /** Setting it sets every layer of the model too (as Keras does). */
  set trainable(value: boolean) {
    super.trainable = value;
    if (this.graphValue) for (const l of this.layers) l.trainable = value;
  }

  /** Input shape with a null batch; a list for several inputs (Keras `model.input_shape`). */
  get inputShape(): (number | null)[] | null {
    if (!this.graphValue) return null;
    const s = this.graph.inputs.map((t) => [...t.shape]);
    return s.length === 1 ? s[0] : (s as unknown as (number | null)[]);
  }

  get outputShape(): (number | null)[] | null {
    if (!this.graphValue) return null;
    const s = this.graph.outputs.map((t) => [...t.shape]);
    return s.length === 1 ? s[0] : (s as unknown as (number | null)[]);
  }

  /** Bytes of backend memory this model may use; a plan above it throws MemoryLimitError. */
  get memoryLimit(): number {
    return this.limit;
  }

  set memoryLimit(bytes: number) {
    if (typeof bytes !== 'number' || !(bytes > 0) || !Number.isFinite(bytes)) throw new ConfigError(`${this.label}: memoryLimit must be a positive number of bytes, got ${String(bytes)}`);
    this.limit = bytes;
    this.invalidate(); // the next predict re-plans and re-checks against the new limit
  }

  /** @internal Drops the compiled program and plan (the next predict makes them again). */
  protected invalidate(): void {
    this.program?.memory.release?.(); // worker threads let go of it too
    this.program = null;
    this.plan = null;
    this.programShapes = [];
  }

  /**
   * Lets go of this model's backend memory (its packed weights and every batch's buffers). The
   * model stays usable: the next predict plans again. The WebAssembly engine frees the memory
   * once nothing refers to it; `ioTensors` views become invalid.
   */
  dispose(): void {
    this.invalidate();
  }

  /** Builds the model for an input shape if it has none yet (Sequential); otherwise checks it. */
  build(inputShape?: readonly (number | null)[]): void {
    if (inputShape !== undefined) this.checkBuildShape(inputShape);
    this.graph;
  }

  /** @internal */
  protected checkBuildShape(inputShape: readonly (number | null)[]): void {
    if (!Array.isArray(inputShape)) throw new ShapeError(`${this.label}: build takes an input shape such as [null, 28, 28, 1]`);
    const want = this.graph.inputs[0].shape;
    if (inputShape.length !== want.length || inputShape.some((d, i) => i > 0 && want[i] !== null && d !== want[i])) {
      throw new ShapeError(`${this.label}: expects input shape ${shapeString(want.slice(1))}, got ${showValue(inputShape)}`);
    }
  }

  /** Prints the classic Keras table (to console.log, or `print`) and returns it. */
  summary(print: ((line: string) => void) | null = console.log): string {
    if (print !== null && typeof print !== 'function') throw new ConfigError(`${this.label}: summary takes a function to print with (or null), got ${showValue(print)}`);
    const text = summaryText(this);
    if (print) print(text);
    return text;
  }

  countParams(): number {
    this.graph; // throws until built, as Keras does
    return this.weightLayers().reduce((n, l) => n + l.countParams(), 0);
  }

  /** @internal */
  trainableParams(): number {
    if (!this.trainable) return 0;
    let n = 0;
    const seen = new Set<Layer>();
    const walk = (m: Model) => {
      for (const l of m.layers) {
        if (seen.has(l)) continue;
        seen.add(l);
        n += l instanceof Model ? l.trainableParams() : l.trainableParams();
      }
    };
    walk(this);
    return n;
  }

  /** Copies of all weights in Keras `get_weights()` order and layout. */
  getWeights(): Tensor[] {
    this.graph;
    return this.weightLayers().flatMap((l) => l.getWeights());
  }

  /** @internal (layer, spec) for every weight, `getWeights()` order. */
  weightEntries(): { layer: Layer; spec: WeightSpec; label: string }[] {
    this.graph;
    return this.weightLayers().flatMap((l) => l.specs.map((spec) => ({ layer: l, spec, label: l.label })));
  }

  /**
   * Sets all weights from Keras `get_weights()` order and layout. Everything is checked first;
   * on any error the model keeps its previous weights.
   */
  setWeights(weights: readonly (Tensor | { shape: readonly number[]; data: ArrayLike<number> })[]): void {
    const entries = this.weightEntries();
    const values = checkWeights(weights, entries, this.label);
    let at = 0;
    for (const l of this.weightLayers()) {
      const n = l.specs.length;
      if (n) l.assignWeights(values.slice(at, at + n));
      at += n;
    }
  }

  // ---- as a layer in another model ----

  /** The output shape (first output) for input sample shapes, as when the model is called on them. */
  computeOutputShape(inputShape: Shape | readonly Shape[]): Shape {
    const shapes = this.outputShapesFor(this.graph.inputs.length === 1 ? [inputShape as Shape] : (inputShape as readonly Shape[])).shapes;
    return shapes[0];
  }

  /** @internal */
  outputShapesFor(inputs: readonly Shape[]): { shapes: Shape[]; specs: WeightSpec[] } {
    const g = this.graph;
    if (inputs.length !== g.inputs.length) throw new ShapeError(`${this.label}: takes ${g.inputs.length} input${g.inputs.length === 1 ? '' : 's'}, got ${inputs.length}`);
    const shapes = new Map<KerasTensor, Shape>();
    g.inputs.forEach((t, i) => {
      const want = t.sample;
      const got = inputs[i];
      if (got.length !== want.length || want.some((d, k) => d !== null && got[k] !== null && d !== got[k])) {
        throw new ShapeError(`${this.label}: input ${i} ('${t.node.layer.name}') expects ${shapeString(want)}, got ${shapeString(got)}`);
      }
      shapes.set(t, got.map((d, k) => d ?? want[k]));
    });
    for (const node of g.nodes) {
      const out = node.layer.outputShapesFor(node.inputs.map((t) => shapes.get(t)!)).shapes;
      node.outputs.forEach((t, k) => shapes.set(t, out[k]));
    }
    return { shapes: g.outputs.map((t) => shapes.get(t)!), specs: [] };
  }

  /** Calls the model on symbolic tensors; returns one tensor, or a list for several outputs. */
  apply(inputs: KerasTensor | readonly KerasTensor[]): KerasTensor;
  apply(inputs: KerasTensor | readonly KerasTensor[], args?: object): KerasTensor | KerasTensor[] {
    const out = this.connect(inputs, args as never);
    return out.length === 1 ? out[0] : out;
  }

  // ---- running ----

  /** The tensors of a predict call, one per model input, checked against the inputs' shapes. */
  /** @internal */
  coerceInputs(x: ModelInput, what: string): Tensor[] {
    const g = this.graph;
    let list: unknown[];
    if (x instanceof Tensor) list = [x];
    else if (Array.isArray(x) && x.length > 0 && x.every((t) => t instanceof Tensor)) list = x as unknown[];
    else if (Array.isArray(x) && g.inputs.length > 1 && x.length === g.inputs.length && x.every((t) => ArrayBuffer.isView(t) || Array.isArray(t))) list = x as unknown[];
    else if (x !== null && typeof x === 'object' && !Array.isArray(x) && !ArrayBuffer.isView(x)) {
      const byName = x as Record<string, unknown>;
      const names = this.inputNames;
      const extra = Object.keys(byName).filter((k) => !names.includes(k));
      if (extra.length) throw new ShapeError(`${this.label}: ${what} names unknown inputs ${extra.join(', ')} (inputs: ${names.join(', ')})`);
      list = names.map((n) => {
        if (!Object.prototype.hasOwnProperty.call(byName, n)) throw new ShapeError(`${this.label}: ${what} has no value for input '${n}'`);
        return byName[n];
      });
    } else list = [x];
    if (list.length !== g.inputs.length) throw new ShapeError(`${this.label}: ${what} gives ${list.length} input${list.length === 1 ? '' : 's'}, the model has ${g.inputs.length} (${this.inputNames.join(', ')})`);
    const tensors = list.map((t) => (t instanceof Tensor ? t : tensor(t as Float32Array)));
    let batch = -1;
    tensors.forEach((t, i) => {
      const want = g.inputs[i].shape;
      const ok = t.rank === want.length && t.data.length === t.size && want.every((d, k) => k === 0 ? d === null || d === t.shape[0] : d === null || d === t.shape[k]);
      if (!ok) {
        const name = g.inputs.length > 1 ? ` '${this.inputNames[i]}'` : '';
        throw new ShapeError(`${this.label}: ${what}${name} has shape [${t.shape.join(', ')}] but ${this.inputOwner(i)} expects ${shapeString(want.slice(1))}`);
      }
      if (t.shape[0] < 1) throw new ShapeError(`${this.label}: ${what} has an empty batch`);
      if (batch >= 0 && t.shape[0] !== batch) throw new ShapeError(`${this.label}: ${what}: all inputs need the same batch size, got ${batch} and ${t.shape[0]}`);
      batch = t.shape[0];
    });
    return tensors;
  }

  /** @internal The compiled program for these inputs' sample shapes, and the plan for their batch. */
  prepare(inputs: readonly Tensor[]): Plan {
    const backend = currentBackend();
    if (!this.program || this.program.backend !== backend || !this.sameProgramShapes(inputs)) {
      const shapes = inputs.map((t) => t.shape.slice(1));
      this.program?.memory.release?.();
      this.program = null;
      this.plan = null;
      this.program = new Program(backend, this, shapes, this.limit, this.label);
      this.programShapes = shapes;
    }
    const batch = inputs[0].shape[0];
    if (!this.plan || this.plan.batch !== batch) {
      this.plan = null;
      this.plan = buildPlan(this.program, batch, this.limit, this.label);
    }
    this.program.sync();
    return this.plan;
  }

  /**
   * @internal Plans (and packs the weights) for `batch` samples of the declared input shapes, as
   * the first predict of that batch would (see model/warmup.ts). Only the shapes are read.
   */
  planFor(batch: number): void {
    const probes = this.graph.inputs.map((t) => ({ shape: [batch, ...(t.sample as number[])] }) as unknown as Tensor);
    this.prepare(probes);
  }

  private sameProgramShapes(inputs: readonly Tensor[]): boolean {
    if (inputs.length !== this.programShapes.length) return false;
    for (let i = 0; i < inputs.length; i++) if (!sameDims(inputs[i].shape, 1, this.programShapes[i])) return false;
    return true;
  }

  private run(inputs: readonly Tensor[], what: string): Plan {
    const plan = this.prepare(inputs);
    const kernels = this.program!.kernels;
    for (let i = 0; i < inputs.length; i++) {
      const view = plan.inputs[i];
      const data = inputs[i].data;
      if (data !== view) view.set(data); // ioTensors() input: already in place
      // checked in the backend's memory: a SIMD scan on wasm, far faster than a JS loop
      const bad = kernels.firstNonFinite(view.byteOffset, view.length);
      if (bad >= 0) throw new ShapeError(`${this.label}: ${what} holds a non-finite value (${data[bad]}) at index ${bad}`);
    }
    const steps = plan.steps;
    for (let i = 0; i < steps.length; i++) steps[i]();
    return plan;
  }

  /** Runs the model on a batch; returns a Tensor (an array for several outputs) that owns its data. */
  predict(x: ModelInput): Tensor | Tensor[] {
    const inputs = this.coerceInputs(x, 'predict input');
    const plan = this.run(inputs, 'predict input');
    const batch = inputs[0].shape[0];
    const outs = plan.outputs.map((o, i) => new Tensor(o.slice(), [batch, ...this.program!.values[this.program!.outputValues[i]].shape]));
    return outs.length === 1 ? outs[0] : outs;
  }

  /** Runs the model into caller tensors of the output shapes (an array for several); allocates nothing. */
  predictInto(x: ModelInput, out: Tensor | readonly Tensor[]): Tensor | readonly Tensor[] {
    let inputs: Tensor[];
    if (x instanceof Tensor && this.graph.inputs.length === 1) {
      this.checkOne(x, 'predictInto input');
      this.one[0] = x;
      inputs = this.one;
    } else {
      inputs = this.coerceInputs(x, 'predictInto input');
    }
    const outs = out instanceof Tensor ? null : out;
    if (out instanceof Tensor ? this.graph.outputs.length !== 1 : !Array.isArray(outs) || outs.length !== this.graph.outputs.length) {
      throw new ShapeError(`${this.label}: predictInto needs ${this.graph.outputs.length === 1 ? 'one output tensor' : `an array of ${this.graph.outputs.length} output tensors`}`);
    }
    const plan = this.prepare(inputs);
    for (let i = 0; i < plan.outputs.length; i++) {
      const o = outs ? outs[i] : (out as Tensor);
      const shape = this.program!.values[this.program!.outputValues[i]].shape;
      if (!(o instanceof Tensor) || o.rank !== shape.length + 1 || o.shape[0] !== plan.batch || o.data.length !== o.size || !sameDims(o.shape, 1, shape)) {
        throw new ShapeError(`${this.label}: predictInto output${outs ? ` ${i}` : ''} has shape [${(o as Tensor | undefined)?.shape?.join(', ')}], expected [${[plan.batch, ...shape].join(', ')}]`);
      }
    }
    this.run(inputs, 'predictInto input');
    for (let i = 0; i < plan.outputs.length; i++) {
      const o = outs ? outs[i] : (out as Tensor);
      if (o.data !== plan.outputs[i]) o.data.set(plan.outputs[i]); // ioTensors() output: already there
    }
    return out;
  }

  /** Single-tensor input check without allocating. */
  private checkOne(t: Tensor, what: string): void {
    const want = this.graph.inputs[0].shape;
    let ok = t.rank === want.length && t.data.length === t.size && t.shape[0] >= 1;
    for (let k = 0; ok && k < want.length; k++) ok = want[k] === null || want[k] === t.shape[k] || k === 0;
    if (!ok) throw new ShapeError(`${this.label}: ${what} has shape [${t.shape.join(', ')}] but ${this.inputOwner(0)} expects ${shapeString(want.slice(1))}`);
  }

  /** @internal What error messages name as reading input i (the InputLayer; Sequential: its first layer). */
  protected inputOwner(i: number): string {
    return this.graph.inputs[i].node.layer.label;
  }

  /**
   * Tensors that live in the model's own memory for one batch size (single-input,
   * single-output models with known input shapes). Write latents into `input.data`, call
   * `predictInto(input, output)`, read `output.data`: no copy in or out. They stay valid until the
   * model plans again (another batch size or input shape, setBackend, memoryLimit, dispose).
   */
  ioTensors(batch: number): { input: Tensor; output: Tensor } {
    if (!Number.isSafeInteger(batch) || batch < 1) throw new ShapeError(`${this.label}: ioTensors batch must be a positive integer, got ${String(batch)}`);
    const g = this.graph;
    if (g.inputs.length !== 1 || g.outputs.length !== 1) throw new ShapeError(`${this.label}: ioTensors needs a model with one input and one output`);
    const sample = g.inputs[0].sample;
    if (sample.some((d) => d === null)) throw new ShapeError(`${this.label}: ioTensors needs a known input shape, the model has ${shapeString(sample)}`);
    const probe = new Tensor(new Float32Array(batch * (sample as number[]).reduce((a, b) => a * b, 1)), [batch, ...(sample as number[])]);
    const plan = this.prepare([probe]);
    const outShape = this.program!.values[this.program!.outputValues[0]].shape;
    return { input: new Tensor(plan.inputs[0], [batch, ...(sample as number[])]), output: new Tensor(plan.outputs[0], [batch, ...outShape]) };
  }

  /**
   * Loads a weights file (Keras `.weights.h5` / `save_weights` `.h5`, or TensorFlow.js files) onto
   * this model, like Keras's `model.load_weights`. The readers live in `upconv/io` so that the core
   * stays small: import it once (`import 'upconv/io'`) to enable this method.
   */
  async loadWeights(source: unknown, options?: object): Promise<void> {
    if (!weightsLoader) {
      throw new ConfigError(`${this.label}: loadWeights needs the file readers of 'upconv/io': import 'upconv/io' once (or call its loadWeights(model, source))`);
    }
    return weightsLoader(this, source, options);
  }

  /** The Keras model config (tf.keras 2 layout), readable by modelFromJSON and Keras. */
  toJSON(): Record<string, unknown> {
    return { class_name: this.className, config: this.getConfig(), keras_version: '2.15.0', backend: 'tensorflow' };
  }

  /** The model's config (the `config` of `toJSON()`). */
  getConfig(): Record<string, unknown> {
    return modelConfig(this);
  }
}

/** a[from:] equals b, without slicing (predictInto allocates nothing). */
function sameDims(a: readonly number[], from: number, b: readonly number[]): boolean {
  if (a.length - from !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[from + i] !== b[i]) return false;
  return true;
}


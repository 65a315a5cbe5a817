import { ConfigError, MemoryLimitError, ShapeError } from '../errors.js';
import { InputLayer } from '../layers/input_layer.js';
import { deferringWeights, Layer } from '../layers/layer.js';
import type { KerasTensor, Node } from '../layers/node.js';
import { type Shape, shapeString } from '../shape_rules.js';
import type { Tensor } from '../tensor.js';
import type { Graph } from './graph.js';
import type { EvaluateOptions, FitOptions, History, TrainOnBatchOptions } from '../train/trainer.js';
import type { GradientOptions, Gradients } from '../train/gradients.js';
import { DEFERRED_GRAPH, Model, type ModelInput, type TensorLike } from './model.js';
import { formatBytes } from './program.js';
import { showValue } from '../show.js';

export interface SequentialOptions {
  name?: string;
  /** Most bytes of memory (weights, their packed copy and a batch's buffers) this model may use; default 1 GiB. */
  memoryLimit?: number;
}

/**
 * Keras's Sequential model: a chain of layers (a model is a layer too), with Keras's weights
 * order and summary. With an input shape (on the first layer or an InputLayer) each `add` builds
 * the new layer at once; otherwise the model builds on its first `build()` or `predict()`.
 */
export class Sequential extends Model {
  private readonly chain: Layer[] = [];
  private readonly members = new Set<Layer>();
  private inputLayer: InputLayer | null = null;
  private chainGraph: ChainGraph | null = null;
  /** Whether the InputLayer was added by the user (not made from the first layer's input shape). */
  private userInput = false;
  /** Bytes of the chain's own weights (for the memory check in add). */
  private weightBytes = 0;

  constructor(layersOrOptions?: readonly Layer[] | SequentialOptions, options?: SequentialOptions) {
    const opts = (Array.isArray(layersOrOptions) ? options : (layersOrOptions as SequentialOptions | undefined)) ?? {};
    if (typeof opts !== 'object') throw new ConfigError(`Sequential: options must be an object, got ${String(opts)}`);
    const unknown = Object.keys(opts).filter((k) => k !== 'name' && k !== 'memoryLimit');
    if (unknown.length) throw new ConfigError(`Sequential: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: name, memoryLimit)`);
    super({ [DEFERRED_GRAPH]: true, className: 'Sequential', name: opts.name, memoryLimit: opts.memoryLimit } as never);
    if (layersOrOptions !== undefined && layersOrOptions !== null && !Array.isArray(layersOrOptions) && typeof layersOrOptions !== 'object') {
      throw new ConfigError(`${this.label}: takes a list of layers and/or options`);
    }
    if (Array.isArray(layersOrOptions)) for (const l of layersOrOptions) this.add(l);
  }

  /** Layers in order, without the InputLayer (as Keras's `model.layers`). */
  get layers(): Layer[] {
    return [...this.chain];
  }

  /** Appends a layer; with a known input shape it is built (and checked) at once. */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) throw new ConfigError(`${this.label}: add() takes a layer, got ${String(layer)}`);
    if (layer === this) throw new ConfigError(`${this.label}: a model cannot contain itself`);
    if (this.members.has(layer) || layer === this.inputLayer) throw new ConfigError(`${this.label}: ${layer.label} is already in the model`);
    if (layer instanceof InputLayer) {
      if (this.inputLayer || this.chain.length) throw new ConfigError(`${this.label}: an InputLayer must be the first layer`);
      this.start(layer);
      this.userInput = true;
      return;
    }
    if (!this.chainGraph && !this.chain.length && layer.batchInputShape) {
      this.start(new InputLayer({ batchInputShape: layer.batchInputShape, name: `${layer.name}_input` }));
      try {
        this.append(layer);
      } catch (e) {
        this.unstart();
        throw e;
      }
    } else if (this.chainGraph) {
      this.append(layer);
    }
    this.chain.push(layer);
    this.members.add(layer);
    this.invalidate();
  }

  /** Calls `layer` on the chain's output (checking the memory limit first) and extends the graph. */
  private append(layer: Layer): void {
    const g = this.chainGraph!;
    const from = g.outputs[0];
    const { shapes, specs } = layer.outputShapesFor([from.sample]);
    if (shapes.length !== 1) throw new ShapeError(`${this.label}: ${layer.label} has ${shapes.length} outputs; a Sequential layer must have one`);
    if (!layer.built && !deferringWeights()) {
      // the weights in JS and their packed copy in backend memory
      const need = 2 * (Layer.weightBytes(specs) + this.weightBytes);
      if (need > this.memoryLimit) {
        throw new MemoryLimitError(`${this.label}: adding ${layer.label} brings the weights to ${formatBytes(need / 2)} (${formatBytes(need)} with their packed copy), over the memory limit of ${formatBytes(this.memoryLimit)}; raise memoryLimit`);
      }
    }
    const out = layer.connect(from)[0];
    this.weightBytes += layer instanceof Model ? 0 : 4 * layer.countParams();
    g.push(layer, out);
  }

  private start(input: InputLayer): void {
    this.inputLayer = input;
    this.chainGraph = new ChainGraph(input);
    this.setGraph(this.chainGraph);
  }

  private unstart(): void {
    this.inputLayer = null;
    this.chainGraph = null;
    this.graphValue = null;
    this.builtShapes = null;
  }

  /** Builds every layer for an input shape (what Keras does on the first call without one). */
  build(inputShape?: readonly (number | null)[]): void {
    if (inputShape !== undefined && !this.graphValue) {
      if (!Array.isArray(inputShape) || inputShape.length < 2) throw new ShapeError(`${this.label}: build takes an input shape with a batch axis, e.g. [null, 28, 28, 1]`);
      const dims = inputShape.slice(1);
      if (dims.some((d) => d !== null && (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1))) throw new ShapeError(`${this.label}: invalid input shape ${showValue(inputShape)}`);
      this.buildFrom(dims as (number | null)[]);
      return;
    }
    super.build(inputShape);
  }

  /** @internal Builds the chain for a sample shape; on failure nothing changes. */
  buildFrom(sample: Shape): void {
    // dry run first: every layer's shapes and weights, with nothing made
    let shape: Shape = sample;
    let bytes = 0;
    for (const layer of this.chain) {
      const { shapes, specs } = layer.outputShapesFor([shape]);
      if (shapes.length !== 1) throw new ShapeError(`${this.label}: ${layer.label} has ${shapes.length} outputs; a Sequential layer must have one`);
      if (!layer.built) bytes += Layer.weightBytes(specs);
      shape = shapes[0];
    }
    if (2 * bytes > this.memoryLimit) {
      throw new MemoryLimitError(`${this.label}: building for ${shapeString(sample)} needs ${formatBytes(2 * bytes)} for the weights and their packed copy, over the memory limit of ${formatBytes(this.memoryLimit)}; raise memoryLimit`);
    }
    const first = this.chain[0];
    this.start(new InputLayer({ batchInputShape: [null, ...sample], name: `${first ? first.name : this.name}_input` }));
    this.weightBytes = 0;
    try {
      for (const layer of this.chain) this.append(layer);
    } catch (e) {
      this.unstart(); // cannot happen after the dry run, but never leave half a graph
      throw e;
    }
    this.invalidate();
  }

  /** @internal A deferred Sequential nested in another model builds on its first call. */
  buildFor(inputs: readonly Shape[]): void {
    if (!this.graphValue) this.buildFrom(inputs[0]);
  }

  /** @internal */
  outputShapesFor(inputs: readonly Shape[]): { shapes: Shape[]; specs: [] } {
    if (this.graphValue) return super.outputShapesFor(inputs) as { shapes: Shape[]; specs: [] };
    if (inputs.length !== 1) throw new ShapeError(`${this.label}: takes one input, got ${inputs.length}`);
    let shape: Shape = inputs[0];
    for (const layer of this.chain) shape = layer.outputShapesFor([shape]).shapes[0];
    return { shapes: [shape], specs: [] };
  }

  /** Runs the model on a batch; the result owns its data. */
  predict(x: ModelInput): Tensor {
    this.buildOnFirstCall(x);
    return super.predict(x) as Tensor;
  }

  /** Runs the model into a caller's tensor of the output shape; allocates nothing. */
  predictInto(x: ModelInput, out: Tensor): Tensor {
    this.buildOnFirstCall(x);
    return super.predictInto(x, out) as Tensor;
  }

  /** One gradient step on a batch (builds the model on its first call, as predict does). */
  trainOnBatch(x: ModelInput, y: TensorLike | readonly TensorLike[], options?: TrainOnBatchOptions): number | number[] {
    this.buildOnFirstCall(x);
    return super.trainOnBatch(x, y, options);
  }

  fit(x: ModelInput, y: TensorLike | readonly TensorLike[], options?: FitOptions): Promise<History> {
    this.buildOnFirstCall(x);
    return super.fit(x, y, options);
  }

  evaluate(x: ModelInput, y: TensorLike | readonly TensorLike[], options?: EvaluateOptions): number | number[] {
    this.buildOnFirstCall(x);
    return super.evaluate(x, y, options);
  }

  computeGradients(x: ModelInput, y: TensorLike, options: GradientOptions): Gradients {
    this.buildOnFirstCall(x);
    return super.computeGradients(x, y, options);
  }

  private buildOnFirstCall(x: ModelInput): void {
    if (this.graphValue || !this.chain.length) return;
    const t = x as Tensor;
    const shape = t && Array.isArray((t as { shape?: unknown }).shape) ? t.shape : null;
    if (!shape) return; // the base class reports what is wrong with x
    if (shape.length < 2) throw new ShapeError(`${this.label}: predict input has shape [${shape.join(', ')}]; it needs a batch axis`);
    this.buildFrom(shape.slice(1));
  }

  /** The Keras model config (tf.keras 2 layout), readable by modelFromJSON and Keras. */
  toJSON(): Record<string, unknown> {
    // no keras_version: the activations mean what they mean in Keras 3 (see hard_sigmoid_keras2)
    return { class_name: 'Sequential', config: this.getConfig(), backend: 'tensorflow' };
  }

  /** The Sequential config: its name and layers (an InputLayer first when the input shape is known). */
  getConfig(): Record<string, unknown> {
    const layers: unknown[] = [];
    if (this.inputLayer) layers.push({ class_name: 'InputLayer', config: this.inputLayer.getConfig() });
    for (const l of this.chain) layers.push({ class_name: l.className, config: l.getConfig() });
    return { name: this.name, layers };
  }

  /** @internal */
  protected inputOwner(): string {
    return this.userInput || !this.chain.length ? this.inputLayer!.label : this.chain[0].label;
  }

  /** @internal Whether the model reads its input through an InputLayer (tf.keras 2 node offset). */
  get hasInputLayer(): boolean {
    return this.inputLayer !== null;
  }
}

/** A chain's graph, extended in O(1) per layer (Keras's order is the chain's order). */
class ChainGraph implements Graph {
  readonly inputs: KerasTensor[];
  readonly outputs: KerasTensor[];
  readonly nodes: Node[] = [];
  readonly layers: Layer[];
  private depths: Map<Node, number> | null = null;

  constructor(input: InputLayer) {
    this.inputs = [input.output];
    this.outputs = [input.output];
    this.layers = [input];
  }

  push(layer: Layer, out: KerasTensor): void {
    this.nodes.push(out.node);
    this.layers.push(layer);
    this.outputs[0] = out;
    this.depths = null;
  }

  /** The output node at depth 0, each earlier node one deeper. */
  get depth(): Map<Node, number> {
    if (!this.depths) {
      const all = [this.inputs[0].node, ...this.nodes];
      this.depths = new Map(all.map((n, i) => [n, all.length - 1 - i]));
    }
    return this.depths;
  }
}

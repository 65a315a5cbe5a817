/**
 * The symbolic side of Keras's functional API: a KerasTensor is a layer call's output (its shape
 * and where it came from), a Node is one call of a layer on some tensors. Models are graphs of
 * Nodes; Sequential is the chain case.
 */
import { ConfigError } from '../errors.js';
import type { Shape } from '../shape_rules.js';
import type { Layer } from './layer.js';

/** Keyword arguments fixed into a call (Keras node kwargs). */
export interface CallArgs {
  /** `training=True` at graph construction: BatchNormalization uses batch statistics. */
  readonly training?: boolean;
  /** Other keyword arguments a file's node carries (e.g. TFOpLambda's `block_size`). @internal */
  readonly kwargs?: Readonly<Record<string, unknown>>;
  /** @internal A training step of a model whose compile froze this layer (BN: inference mode). */
  readonly frozen?: boolean;
  /** @internal Leave out a sigmoid/softmax activation: the loss takes the logits. */
  readonly linearOutput?: boolean;
}

/**
 * A symbolic tensor: the output of `Input()` or of `layer.apply(...)`. It holds no data; pass it
 * on to other layers' `apply`, then to `new Model({ inputs, outputs })`.
 */
export class KerasTensor {
  /** Shape with the batch axis first (null: any size). */
  readonly shape: readonly (number | null)[];
  /** @internal */
  readonly node: Node;
  /** @internal */
  readonly index: number;

  /** @internal */
  constructor(sample: Shape, batch: number | null, node: Node, index: number) {
    if (!Array.isArray(sample) || !(node instanceof Node)) throw new ConfigError('KerasTensor: made by Input() and layer.apply(), not by new KerasTensor()');
    this.shape = Object.freeze([batch, ...sample]);
    this.node = node;
    this.index = index;
  }

  /** The sample shape (no batch axis). @internal */
  get sample(): Shape {
    return this.shape.slice(1);
  }

  /** "dense_1/0" style name: the producing layer and output index. */
  get name(): string {
    return this.node.outputs.length > 1 ? `${this.node.layer.name}/${this.index}` : this.node.layer.name;
  }

  toString(): string {
    return `<KerasTensor shape=(${this.shape.map((d) => (d === null ? 'None' : d)).join(', ')}), name=${this.name}>`;
  }
}

/** One call of a layer (not exported from the package; its members are internal). */
export class Node {
  readonly layer: Layer;
  readonly inputs: readonly KerasTensor[];
  /** Whether the layer was called on a list (merge layers) rather than one tensor. */
  readonly listCall: boolean;
  readonly args: CallArgs;
  readonly outputs: KerasTensor[] = [];

  constructor(layer: Layer, inputs: readonly KerasTensor[], listCall: boolean, args: CallArgs) {
    this.layer = layer;
    this.inputs = inputs;
    this.listCall = listCall;
    this.args = args;
  }

  /** This node's position in its layer's inbound nodes (Keras's node_index). */
  get index(): number {
    return this.layer.inboundNodes.indexOf(this);
  }

  /** Whether this is an input node (an InputLayer's own node). */
  get isInput(): boolean {
    return this.inputs.length === 0;
  }
}

/** Keras-style handles to layer weights (`model.trainableWeights`), for custom training loops. */
import type { Layer } from '../layers/layer.js';
import { Tensor } from '../tensor.js';

/** One weight array of a layer: its name, shape and current value (Keras `Variable`). */
export class Variable {
  /** @internal */
  readonly layer: Layer;
  /** @internal */
  readonly index: number;

  /** @internal */
  constructor(layer: Layer, index: number) {
    this.layer = layer;
    this.index = index;
  }

  /** "dense_1/kernel" */
  get name(): string {
    return `${this.layer.name}/${this.layer.specs[this.index].name}`;
  }

  get shape(): number[] {
    return [...this.layer.specs[this.index].shape];
  }

  get trainable(): boolean {
    return this.layer.specs[this.index].trainable;
  }

  /** A copy of the current value. */
  read(): Tensor {
    return new Tensor(this.layer.weightArrays()[this.index].slice(), this.shape);
  }
}

const cache = new WeakMap<Layer, Variable[]>();

/** The variables of a layer (the same objects every time, so optimizers can keep slots per variable). */
export function variablesOf(layer: Layer): Variable[] {
  let v = cache.get(layer);
  if (!v || v.length !== layer.specs.length) {
    v = layer.specs.map((_, i) => new Variable(layer, i));
    cache.set(layer, v);
  }
  return v;
}

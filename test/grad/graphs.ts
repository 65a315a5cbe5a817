/**
 * Helpers for gradient checks of models that are not a plain chain (several outputs, shared
 * layers, nested models, Dropout masks): oracle param sets read from upconv layers, and the
 * gradients of a trainOnBatch step read back from an SGD(lr = 1) update (w₀ − w₁ = g).
 */
import { type Layer, type Model, SGD, type Tensor, type TrainOnBatchOptions, tensor } from '../../bindings/index.js';
import type { OGraph, ParamSet } from './oracle/graph.js';

/** The oracle's params for a layer: its current weights in float64; all trainable unless said. */
export function paramsOf(layer: Layer, trainable = true): ParamSet {
  const ws = layer.getWeights();
  return { name: layer.name, values: ws.map((w) => Float64Array.from(w.data)), trainable: ws.map(() => trainable) };
}

/**
 * Gradients of one trainOnBatch step per weight of `layers` (Keras order), read from the SGD
 * update with learning rate 1: g = w₀ − w₁ (exact up to the float32 rounding of w₁). The weights
 * are put back afterwards.
 */
export function sgdGradients(model: Model, layers: readonly Layer[], x: Tensor | Tensor[], y: Tensor | Tensor[], loss: string | string[],
                             options?: TrainOnBatchOptions): { loss: number; grads: Float64Array[][] } {
  const before = layers.map((l) => l.getWeights());
  model.compile({ optimizer: new SGD({ learningRate: 1 }), loss: loss as never });
  const l = model.trainOnBatch(x as never, y as never, options) as number;
  const grads = layers.map((layer, i) => layer.getWeights().map((w, j) => Float64Array.from(before[i][j].data, (v, k) => v - w.data[k])));
  layers.forEach((layer, i) => layer.setWeights(before[i]));
  return { loss: l, grads };
}

export function t(data: Float32Array, shape: number[]): Tensor {
  return tensor(data, shape);
}

/** Two single-input, single-output chains one after the other (the second reads the first's output). */
export function concat(a: OGraph, b: OGraph): OGraph {
  const shift = a.nodes.length;
  const nodes = [...a.nodes, ...b.nodes.map((n) => ({ ...n, inputs: n.inputs.map((v) => (v === 0 ? a.outputs[0] : v + shift)) }))];
  return { inputs: 1, nodes, outputs: [b.outputs[0] + shift] };
}

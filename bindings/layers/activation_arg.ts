/**
 * A layer's `activation` argument: a Keras activation name, or (as Keras 3 serializes some) a
 * weightless activation layer such as `new LeakyReLU(0.2)`, applied in place after the layer.
 */
import { type ActivationName, type ActivationSpec, resolveActivation } from '../activations.js';
import { ConfigError } from '../errors.js';
import { ChainOp } from '../ops/chain.js';
import type { Op } from '../ops/op.js';
import { Layer } from './layer.js';

export type ActivationArg = ActivationName | Layer | null;

/** Layer classes that can stand for an activation (weightless, shape-preserving). */
const ACTIVATION_LAYERS = new Set(['LeakyReLU', 'ReLU', 'ELU', 'Softmax', 'Activation']);

export interface ResolvedActivation {
  spec: ActivationSpec;
  layer: Layer | null;
}

export function resolveActivationArg(value: unknown, where: string): ResolvedActivation {
  if (value instanceof Layer) {
    if (!ACTIVATION_LAYERS.has(value.className)) {
      throw new ConfigError(`${where}: a ${value.className} layer cannot be an activation (only ${[...ACTIVATION_LAYERS].join(', ')})`);
    }
    return { spec: resolveActivation('linear', where), layer: value };
  }
  return { spec: resolveActivation(value, where), layer: null };
}

/** The host op, followed by the activation layer's op when the activation is a layer. */
export function withActivationLayer(host: Op, layer: Layer | null, output: readonly number[]): Op {
  if (!layer) return host;
  return new ChainOp(host.layerName, host, layer.operator([[...output]], output, {}));
}

/** The activation as Keras writes it in a config: a name, or the serialized layer. */
export function activationConfig(r: ResolvedActivation): unknown {
  if (!r.layer) return r.spec.name;
  return { module: 'keras.layers', class_name: r.layer.className, config: r.layer.getConfig(), registered_name: null };
}

/**
 * A model's config in the Keras 3 layout (`config.json` of a `.keras` file), converted from the
 * tf.keras 2 configs the core writes (`layer.getConfig()`, `model.toJSON()`):
 *
 * - every object is `{module, class_name, config, registered_name[, build_config]}`
 *   (keras/src/saving/serialization_lib.py :: serialize_keras_object): layers in 'keras.layers',
 *   initializers in 'keras.initializers', Sequential in 'keras', Functional in
 *   'keras.src.models.functional' with registered_name 'Functional';
 * - `dtype` is a DTypePolicy object; InputLayer has `batch_shape`; `batch_input_shape` leaves the
 *   layers; LeakyReLU's `alpha` is `negative_slope`; BatchNormalization's axis is an int and it
 *   gains `synchronized`; Conv2DTranspose has no `groups`;
 * - `build_config: {input_shape}` is the shape of a layer's first call (Sequential: its input;
 *   Functional: null, as Functional.build(None) records it);
 * - functional nodes are `{args: [tensor | [tensors]], kwargs}`, a tensor
 *   `{class_name: '__keras_tensor__', config: {shape, dtype, keras_history: [layer, node, index]}}`.
 *   Node indices count the calls that belong to the model; a nested Functional counts from 1 (its
 *   own node 0), a nested Sequential from 0 (Keras 3's Sequential is no Functional subclass),
 *   as models/functional.py :: Functional.get_config numbers them.
 *
 * Only keys every Keras 3 release accepts are written (newer keys such as InputLayer's `ragged` /
 * `optional` are left out: older releases reject unknown keyword arguments).
 */
import { ModelFormatError } from '../errors.js';
import { InputLayer } from '../layers/input_layer.js';
import type { Layer } from '../layers/layer.js';
import type { KerasTensor, Node } from '../layers/node.js';
import { Model } from '../model/model.js';
import { callKwargs } from '../model/serialize.js';
import { Sequential } from '../model/sequential.js';
import { activationFor } from './save_common.js';

type Config = Record<string, unknown>;

/** Layer classes of keras.layers (module 'keras.layers'); other classes are custom objects. */
const KERAS_LAYERS = new Set([
  'InputLayer', 'Dense', 'Reshape', 'Flatten', 'Dropout', 'Activation', 'LeakyReLU', 'ReLU', 'ELU', 'Softmax', 'PReLU',
  'UpSampling2D', 'BatchNormalization', 'LayerNormalization', 'GroupNormalization', 'Conv2D', 'Conv2DTranspose',
  'DepthwiseConv2D', 'SeparableConv2D', 'ZeroPadding2D', 'Cropping2D', 'Embedding', 'Add', 'Subtract', 'Multiply',
  'Average', 'Maximum', 'Minimum', 'Concatenate', 'GaussianNoise', 'GaussianDropout', 'SpatialDropout2D',
]);

/** Keras 3's DTypePolicy object for a policy name. */
export function dtypePolicy(name: string): Config {
  return { module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null };
}

function isObject(x: unknown): x is Config {
  return !!x && typeof x === 'object' && !Array.isArray(x);
}

/** A tf.keras 2 initializer `{class_name, config}` as Keras 3 serializes it. */
function initializer(x: unknown): unknown {
  if (!isObject(x) || typeof x.class_name !== 'string') return x;
  return { module: 'keras.initializers', class_name: x.class_name, config: isObject(x.config) ? { ...x.config } : {}, registered_name: null };
}

/** A layer's tf.keras 2 config as the Keras 3 `config` of the same layer. */
export function keras3LayerConfig(className: string, config: Config, where: string): Config {
  const out: Config = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === 'batch_input_shape') continue;
    if (k === 'dtype') out.dtype = typeof v === 'string' ? dtypePolicy(v) : v;
    else if (k.endsWith('_initializer')) out[k] = initializer(v);
    else if (k === 'activation') out[k] = keras3Activation(v, `${where}: ${className} '${String(config.name)}'`);
    else out[k] = v;
  }
  switch (className) {
    case 'LeakyReLU':
      if ('alpha' in out) {
        out.negative_slope = out.alpha;
        delete out.alpha;
      }
      break;
    case 'BatchNormalization':
      if (Array.isArray(out.axis)) {
        if (out.axis.length !== 1) throw new ModelFormatError(`${where}: BatchNormalization '${String(config.name)}' normalises over several axes, which Keras 3 does not take`);
        out.axis = out.axis[0];
      }
      out.synchronized ??= false;
      break;
    case 'Conv2DTranspose':
      delete out.groups;
      break;
    case 'Dense':
      if (out.activity_regularizer === null) delete out.activity_regularizer;
      break;
  }
  return out;
}

/** An activation value for Keras 3: a name, or a layer given as the activation (converted too). */
function keras3Activation(act: unknown, where: string): unknown {
  const a = activationFor(act, 3, where);
  if (isObject(a) && typeof a.class_name === 'string' && isObject(a.config)) {
    return { module: a.module ?? 'keras.layers', class_name: a.class_name, config: keras3LayerConfig(a.class_name, a.config, where), registered_name: a.registered_name ?? null };
  }
  return a;
}

/** The Keras 3 entry of a leaf layer (`{module, class_name, config, registered_name, build_config}`). */
function leafEntry(layer: Layer, where: string): Config {
  const cls = layer.className;
  if (layer instanceof InputLayer) {
    const c = layer.getConfig();
    return {
      module: 'keras.layers', class_name: 'InputLayer',
      config: { batch_shape: c.batch_input_shape, dtype: c.dtype, sparse: false, name: layer.name }, registered_name: null,
    };
  }
  const known = KERAS_LAYERS.has(cls);
  const config = layer.getConfig();
  const entry: Config = {
    module: known ? 'keras.layers' : null,
    class_name: cls,
    config: known ? keras3LayerConfig(cls, config, where) : { ...config, ...(typeof config.dtype === 'string' ? { dtype: dtypePolicy(config.dtype) } : {}) },
    registered_name: known ? null : cls,
  };
  const first = layer.inboundNodes[0];
  if (first) entry.build_config = { input_shape: first.listCall ? first.inputs.map((t) => [...t.shape]) : [...first.inputs[0].shape] };
  return entry;
}

/** A model's entry: Sequential or Functional, with their nested entries. */
function modelEntry(model: Model, where: string): Config {
  if (model instanceof Sequential) {
    const layers: Config[] = [];
    const input = model.hasInputLayer ? model.graph.inputs[0].node.layer : null;
    if (input) layers.push(leafEntry(input, where));
    for (const l of model.layers) layers.push(entryOf(l, `${where} > ${model.name}`));
    const shape = [...model.graph.inputs[0].shape];
    return {
      module: 'keras', class_name: 'Sequential',
      config: { name: model.name, trainable: model.trainable, dtype: dtypePolicy(model.dtypePolicy), layers, build_input_shape: shape },
      registered_name: null, build_config: { input_shape: shape },
    };
  }
  return {
    module: 'keras.src.models.functional', class_name: 'Functional',
    config: functionalConfig(model, `${where} > ${model.name}`), registered_name: 'Functional', build_config: { input_shape: null },
  };
}

function entryOf(layer: Layer, where: string): Config {
  return layer instanceof Model ? modelEntry(layer, where) : leafEntry(layer, where);
}

/** Keras 3's node index of a call, among the calls that belong to the model. */
function nodeIndexer(model: Model): (node: Node) => number {
  const kept = new Set<Node>(model.graph.depth.keys());
  return (node) => {
    let k = 0;
    for (const n of node.layer.inboundNodes) {
      if (n === node) break;
      if (kept.has(n)) k++;
    }
    return k + (node.layer instanceof Model && !(node.layer instanceof Sequential) ? 1 : 0);
  };
}

function tensorRecord(t: KerasTensor, index: (n: Node) => number): Config {
  const producer = t.node.layer;
  const dtype = producer instanceof InputLayer ? producer.inputDtype : 'float32';
  return { class_name: '__keras_tensor__', config: { shape: [...t.shape], dtype, keras_history: [producer.name, index(t.node), t.index] } };
}

/** A functional model's config: its layers with Keras 3 nodes, input_layers, output_layers. */
function functionalConfig(model: Model, where: string): Config {
  const g = model.graph;
  const kept = new Set<Node>(g.depth.keys());
  const index = nodeIndexer(model);
  const layers = g.layers.map((layer) => {
    const entry = entryOf(layer, where);
    const nodes = layer.inboundNodes.filter((n) => kept.has(n) && !n.isInput).map((n) => {
      const args = n.listCall ? [n.inputs.map((t) => tensorRecord(t, index))] : [tensorRecord(n.inputs[0], index)];
      return { args, kwargs: callKwargs(n) };
    });
    return { ...entry, name: layer.name, inbound_nodes: nodes };
  });
  return {
    name: model.name,
    trainable: model.trainable,
    layers,
    input_layers: g.inputs.map((t) => [t.node.layer.name, 0, t.index]),
    output_layers: g.outputs.map((t) => [t.node.layer.name, index(t.node), t.index]),
  };
}

/** The serialized model, as `config.json` of a `.keras` file holds it. */
export function keras3ModelConfig(model: Model): Config {
  return modelEntry(model, 'saveModel');
}

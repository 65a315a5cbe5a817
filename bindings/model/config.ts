/**
 * The one reader of Keras model configs, for `modelFromJSON` and every loader in upconv/io:
 * Sequential and functional models in the tf.keras 2 / tf.js, standalone Keras 2.2 and Keras 3
 * layouts, nested models at any depth (shared when called twice), every unsupported item listed
 * at once. Layers are built without initial weights (a loader sets them from the file; otherwise
 * Keras's initializers run on first use), so reading a config never allocates weights.
 */
import { resolveActivation } from '../activations.js';
import { MemoryLimitError, ModelFormatError, UpconvError } from '../errors.js';
import { InputLayer } from '../layers/input_layer.js';
import { deferInitialWeights, type Layer } from '../layers/layer.js';
import { snakeCase } from '../layers/naming.js';
import type { KerasTensor } from '../layers/node.js';
import { resolveActivationArg } from '../layers/activation_arg.js';
import { checkLayerEntry, dtypeName, layerFromEntry } from '../layers/registry.js';
import {
  isObject, isStandaloneKeras2, kerasMajor, type NodeSpec, readEndpoints, readNode, type TensorRef, unwrapModelConfig,
} from './config_layout.js';
import { Model } from './model.js';
import { Sequential } from './sequential.js';
import { showValue } from '../show.js';

type Config = Record<string, unknown>;

/** Where a layer came from in the file (what weight files address it by). */
export interface LayerOrigin {
  /** Class name in the file. */
  readonly fileClass: string;
  /** Keras 3 saving_lib path, e.g. ['layers', 'sequential', 'layers', 'dense_1']. */
  readonly v3Path: string[];
}

export interface ReadModel {
  model: Model;
  origins: Map<Layer, LayerOrigin>;
  kerasVersion: string | null;
  /** Dtype policies computed in float32 (mixed_float16, mixed_bfloat16), for a note. */
  mixedPolicies: string[];
}

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);
const FLOAT_POLICIES = new Set(['float32', 'mixed_float16', 'mixed_bfloat16']);
const MAX_DEPTH = 16;
const MAX_LAYERS = 100_000;

/** Name of the activation that computes Keras 2's hard_sigmoid, clip(0.2·x + 0.5, 0, 1). */
export const KERAS2_HARD_SIGMOID = 'hard_sigmoid_keras2';

interface Ctx {
  problems: string[];
  origins: Map<Layer, LayerOrigin>;
  version: string | null;
  major: number | null;
  mixed: Set<string>;
  layerCount: number;
}

/** The message of an error met while building; a MemoryLimitError is not a problem of the file's content and goes on. */
function problemOf(e: unknown): string {
  if (e instanceof MemoryLimitError) throw e;
  return (e as Error).message;
}

/** A problem-free Keras layer entry, with the rewrites files need (Keras 2 hard_sigmoid, Keras 3 activation objects). */
function leafEntry(layer: Config, where: string, ctx: Ctx): Config | null {
  const cls = layer.class_name as string;
  const problems = checkLayerEntry(layer, where);
  if (!isObject(layer.config)) {
    ctx.problems.push(...problems);
    return null;
  }
  const config: Config = { ...layer.config };
  const label = `${where} (${cls} '${String(config.name).slice(0, 128)}')`;
  const dtype = dtypeName(config.dtype);
  if (dtype !== undefined && !FLOAT_POLICIES.has(dtype)) {
    problems.push(`${label}: dtype '${dtype.slice(0, 64)}' is not supported (upconv computes in float32)`);
  } else if (dtype !== undefined) {
    if (dtype !== 'float32') ctx.mixed.add(dtype);
    config.dtype = dtype;
  }
  if ('activation' in config) {
    let act = config.activation;
    if (isObject(act) && typeof act.config === 'string' && (act.class_name === 'function' || act.module === 'keras.activations')) act = act.config;
    if (act === 'hard_sigmoid' && ctx.major !== null && ctx.major < 3) act = KERAS2_HARD_SIGMOID;
    if (isObject(act) && typeof act.class_name === 'string' && isObject(act.config)) {
      // Keras 3: a serialized layer (LeakyReLU, ReLU, …) applied as the activation
      const inner = leafEntry({ class_name: act.class_name, config: act.config }, `${label}: its activation`, ctx);
      if (inner) {
        try {
          config.activation = resolveActivationArg(layerFromEntry(inner, `${label}: its activation`), label).layer;
        } catch (e) {
          problems.push(problemOf(e));
        }
      }
    } else {
      try {
        resolveActivation(act, label);
        config.activation = act;
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
  }
  if (problems.length) {
    ctx.problems.push(...problems);
    return null;
  }
  return { class_name: cls, config };
}

/** saving_lib names: snake_case(class) then _1, _2 … per class, in the container's file order. */
function v3Names(entries: readonly unknown[]): Map<unknown, string> {
  const used = new Map<string, number>();
  const out = new Map<unknown, string>();
  for (const e of entries) {
    if (!isObject(e) || typeof e.class_name !== 'string') continue;
    const base = snakeCase(e.class_name.replace(/\W+/g, ''));
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    out.set(e, n === undefined ? base : `${base}_${n + 1}`);
  }
  return out;
}

function entryName(e: Config): string | undefined {
  const n = e.name ?? (isObject(e.config) ? e.config.name : undefined);
  return typeof n === 'string' ? n : undefined;
}

function inputLayerFrom(e: Config, where: string, ctx: Ctx): InputLayer | null {
  const c = isObject(e.config) ? e.config : {};
  let shape = (c.batch_input_shape ?? c.batch_shape) as unknown;
  if (!shape && Array.isArray(c.input_shape)) shape = [null, ...c.input_shape];
  if (!shape && Array.isArray(c.shape)) shape = [null, ...c.shape];
  if (!Array.isArray(shape) || shape.length < 2) {
    ctx.problems.push(`${where}: InputLayer has no input shape`);
    return null;
  }
  const dtype = dtypeName(c.dtype);
  if (dtype !== undefined && !['float32', 'int32', 'int64'].includes(dtype)) {
    ctx.problems.push(`${where}: InputLayer dtype '${dtype.slice(0, 64)}' is not supported (upconv computes in float32)`);
    return null;
  }
  if (c.sparse === true || c.ragged === true) {
    ctx.problems.push(`${where}: sparse or ragged inputs are not supported`);
    return null;
  }
  try {
    return new InputLayer({ batchInputShape: shape as (number | null)[], name: typeof c.name === 'string' ? c.name : entryName(e), dtype: dtype as 'float32' });
  } catch (e2) {
    ctx.problems.push(`${where}: ${(e2 as Error).message}`);
    return null;
  }
}

/** Reads a layer entry of a model: a nested model, or a leaf layer (null on problems). */
function layerOf(e: unknown, where: string, v3Path: string[], depth: number, ctx: Ctx): Layer | null {
  if (!isObject(e)) {
    ctx.problems.push(`${where}: not an object`);
    return null;
  }
  if (typeof e.class_name !== 'string') {
    ctx.problems.push(`${where}: missing class_name`);
    return null;
  }
  if (++ctx.layerCount > MAX_LAYERS) {
    if (ctx.layerCount === MAX_LAYERS + 1) ctx.problems.push(`${where}: the model has more than ${MAX_LAYERS} layers`);
    return null;
  }
  if (MODEL_CLASSES.has(e.class_name)) return readModelEntry(e, where, v3Path, depth + 1, ctx);
  const entry = leafEntry(e, where, ctx);
  if (!entry) return null;
  try {
    const layer = layerFromEntry(entry, where);
    ctx.origins.set(layer, { fileClass: e.class_name, v3Path });
    return layer;
  } catch (err) {
    ctx.problems.push(problemOf(err));
    return null;
  }
}

function readModelEntry(entry: Config, where: string, v3Path: string[], depth: number, ctx: Ctx): Model | null {
  const cls = entry.class_name as string;
  const cfg = entry.config;
  const name = isObject(cfg) && typeof cfg.name === 'string' ? cfg.name : entryName(entry);
  const at = depth === 0 ? `model '${name ?? 'model'}'` : `${where}: nested ${cls} '${name ?? ''}'`;
  if (depth > MAX_DEPTH) {
    ctx.problems.push(`${at}: models nested more than ${MAX_DEPTH} deep`);
    return null;
  }
  const model = cls === 'Sequential' ? readSequential(cfg, name, at, v3Path, depth, ctx) : readFunctional(cfg, name, at, v3Path, depth, ctx);
  if (model && isObject(cfg) && cfg.trainable === false) model.trainable = false;
  return model;
}

function readSequential(cfg: unknown, name: string | undefined, where: string, v3Path: string[], depth: number, ctx: Ctx): Sequential | null {
  const list = Array.isArray(cfg) ? cfg : isObject(cfg) ? cfg.layers : undefined;
  if (!Array.isArray(list)) {
    ctx.problems.push(`${where}: the Sequential config has no layers list`);
    return null;
  }
  const names = v3Names(list);
  let input: InputLayer | null = null;
  const layers: (Layer | null)[] = [];
  const before = ctx.problems.length;
  list.forEach((e, i) => {
    const at = `${where}: layer ${i}`;
    if (isObject(e) && e.class_name === 'InputLayer') {
      if (i !== 0) ctx.problems.push(`${at}: an InputLayer must be the first layer`);
      else input = inputLayerFrom(e, at, ctx);
      return;
    }
    layers.push(layerOf(e, at, [...v3Path, 'layers', names.get(e) ?? `layer_${i}`], depth, ctx));
  });
  if (ctx.problems.length > before) return null;
  const model = new Sequential({ name });
  if (!input) {
    // Keras 3 records the built input shape in build_config
    const bc = isObject(cfg) && isObject(cfg.build_config) ? cfg.build_config : undefined;
    const shape = bc?.input_shape;
    const firstShape = layers[0]?.batchInputShape;
    if (!firstShape && Array.isArray(shape) && shape.length >= 2) input = new InputLayer({ batchInputShape: shape as (number | null)[] });
  }
  try {
    if (input) model.add(input);
    for (const l of layers) model.add(l!);
  } catch (e) {
    ctx.problems.push(`${where}: ${problemOf(e)}`);
    return null;
  }
  return model;
}

function readFunctional(cfg: unknown, name: string | undefined, where: string, v3Path: string[], depth: number, ctx: Ctx): Model | null {
  if (!isObject(cfg) || !Array.isArray(cfg.layers)) {
    ctx.problems.push(`${where}: the functional config has no layers list`);
    return null;
  }
  const entries = cfg.layers as unknown[];
  const names = v3Names(entries);
  const before = ctx.problems.length;
  const created = new Map<string, Layer>();
  const pending = new Map<Layer, NodeSpec[]>();
  const order: Layer[] = [];
  entries.forEach((e, i) => {
    const at = `${where}: layer ${i}`;
    if (!isObject(e)) {
      ctx.problems.push(`${at}: not a Keras layer entry`);
      return;
    }
    const lname = entryName(e);
    if (lname === undefined) {
      ctx.problems.push(`${at}: the entry has no name`);
      return;
    }
    if (created.has(lname)) {
      ctx.problems.push(`${at}: two layers are named '${lname.slice(0, 128)}'`);
      return;
    }
    const layer = e.class_name === 'InputLayer' ? inputLayerFrom(e, at, ctx) : layerOf(e, at, [...v3Path, 'layers', names.get(e) ?? `layer_${i}`], depth, ctx);
    if (!layer) return;
    created.set(lname, layer);
    order.push(layer);
    const nodes = Array.isArray(e.inbound_nodes) ? e.inbound_nodes : [];
    const specs: NodeSpec[] = [];
    nodes.forEach((n, k) => {
      const spec = readNode(n);
      if (!spec) ctx.problems.push(`${at} ('${lname.slice(0, 128)}'): inbound node ${k} cannot be read (${showValue(n).slice(0, 120)})`);
      else specs.push(spec);
    });
    if (specs.length) pending.set(layer, specs);
  });
  const inputRefs = readEndpoints(cfg.input_layers);
  const outputRefs = readEndpoints(cfg.output_layers);
  if (!inputRefs || !inputRefs.length) ctx.problems.push(`${where}: input_layers is missing or unreadable`);
  if (!outputRefs || !outputRefs.length) ctx.problems.push(`${where}: output_layers is missing or unreadable`);
  if (ctx.problems.length > before) return null;

  // which call of a layer a reference means (a nested model's own node 0 is not listed)
  const offset = (layer: Layer): number => {
    if (!(layer instanceof Model)) return 0;
    if (!(layer instanceof Sequential)) return 1;
    if (ctx.major !== null && ctx.major >= 3) return 0;
    if (isStandaloneKeras2(ctx.version)) return 1;
    return layer.hasInputLayer ? 1 : 0;
  };
  const tensorOf = (r: TensorRef): KerasTensor | null => {
    const layer = created.get(r.name);
    if (!layer) return null;
    const k = r.node - offset(layer);
    let node = layer.inboundNodes[k];
    // writers disagree on a nested Sequential's node 0: once all its calls exist, a reference
    // one past them means the other convention
    if (!node && layer instanceof Sequential && !pending.has(layer) && k === layer.inboundNodes.length) node = layer.inboundNodes[k - 1];
    return node?.outputs[r.tensor] ?? null;
  };
  const missing = (r: TensorRef) => `'${r.name.slice(0, 128)}' [${r.node}][${r.tensor}]`;

  // Keras's functional_from_config: process nodes in layer order until all are done
  for (let progress = true; pending.size && progress;) {
    progress = false;
    for (const layer of order) {
      const queue = pending.get(layer);
      if (!queue) continue;
      while (queue.length) {
        const spec = queue[0];
        const inputs = spec.refs.map(tensorOf);
        if (inputs.some((t) => t === null)) break;
        try {
          layer.connect(spec.listCall ? (inputs as KerasTensor[]) : inputs[0]!, { training: spec.training, kwargs: spec.kwargs });
        } catch (e) {
          ctx.problems.push(`${where}: calling ${layer.label} on ${spec.refs.map(missing).join(', ')}: ${problemOf(e)}`);
          return null;
        }
        queue.shift();
        progress = true;
      }
      if (!queue.length) pending.delete(layer);
    }
  }
  if (pending.size) {
    for (const [layer, queue] of pending) {
      const absent = queue[0].refs.filter((r) => !tensorOf(r)).map(missing);
      ctx.problems.push(`${where}: ${layer.label} reads ${absent.join(', ')}, which no layer produces (a missing layer, a cycle or a wrong node index)`);
    }
    return null;
  }
  const resolve = (refs: TensorRef[], what: string): KerasTensor[] | null => {
    const out: KerasTensor[] = [];
    for (const r of refs) {
      const t = tensorOf(r);
      if (!t) {
        ctx.problems.push(`${where}: ${what} ${missing(r)} does not exist`);
        return null;
      }
      out.push(t);
    }
    return out;
  };
  const inputs = resolve(inputRefs!, 'input');
  const outputs = resolve(outputRefs!, 'output');
  if (!inputs || !outputs) return null;
  try {
    return new Model({ inputs, outputs, name });
  } catch (e) {
    ctx.problems.push(`${where}: ${problemOf(e)}`);
    return null;
  }
}

export interface ReadOptions {
  /** The Keras version that wrote the file (undefined: read it from the config; null: unknown). */
  kerasVersion?: string | null;
  /** Most bytes of weights the model may have (checked as layers are built, before anything else). */
  maxWeightBytes?: number;
  /** The error for a model over maxWeightBytes. */
  tooLarge?: (layer: string, bytes: number) => Error;
}

/**
 * Reads a Keras model config (any layout, any wrapper) into a model. Returns every problem
 * found instead of throwing for unsupported content.
 */
export function readModelConfig(json: unknown, options: ReadOptions = {}): { read: ReadModel | null; problems: string[] } {
  const { config, kerasVersion: inner } = unwrapModelConfig(json);
  const version = options.kerasVersion === undefined ? inner : options.kerasVersion;
  const ctx: Ctx = { problems: [], origins: new Map(), version, major: kerasMajor(version), mixed: new Set(), layerCount: 0 };
  if (!isObject(config) || typeof config.class_name !== 'string') {
    return { read: null, problems: ['the model config has no class_name (expected a Keras model config)'] };
  }
  if (!MODEL_CLASSES.has(config.class_name)) {
    return { read: null, problems: [`the top-level object is a '${config.class_name.slice(0, 64)}', not a Sequential or functional model`] };
  }
  const model = deferInitialWeights(() => readModelEntry(config, 'model', [], 0, ctx), options.maxWeightBytes, options.tooLarge);
  if (!model || ctx.problems.length) return { read: null, problems: ctx.problems.length ? ctx.problems : ['the model could not be read'] };
  return { read: { model, origins: ctx.origins, kerasVersion: version, mixedPolicies: [...ctx.mixed] }, problems: [] };
}

/** Builds a model from a Keras model config (JSON string or parsed object); a Sequential config gives a Sequential. */
export function modelFromJSON(json: string | object): Model {
  let parsed: unknown = json;
  if (typeof json === 'string') {
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      throw new ModelFormatError(`modelFromJSON: not valid JSON (${(e as Error).message})`);
    }
  } else if (json === null || typeof json !== 'object') {
    throw new ModelFormatError(`modelFromJSON: takes a Keras model config (JSON text or object), got ${json === null ? 'null' : typeof json}`);
  }
  let result: ReturnType<typeof readModelConfig>;
  try {
    result = readModelConfig(parsed);
  } catch (e) {
    if (e instanceof UpconvError) throw new ModelFormatError(`modelFromJSON: ${e.message}`);
    throw e;
  }
  if (!result.read) throw new ModelFormatError(`modelFromJSON: ${result.problems.length} problem(s):\n  ${result.problems.join('\n  ')}`);
  warnMixed(result.read.mixedPolicies, 'modelFromJSON');
  return result.read.model;
}

const warned = new Set<string>();

/** One console warning per policy: mixed-precision models compute in float32 here. */
export function warnMixed(policies: readonly string[], where: string): void {
  for (const p of policies) {
    if (warned.has(p)) continue;
    warned.add(p);
    console.warn(`upconv: ${where}: the model uses the '${p}' dtype policy; upconv keeps float32 variables and computes in float32`);
  }
}

/**
 * Turns a saved Keras model config (Keras 2.x / tf.keras / Keras 3 / tf.js modelTopology) into
 * the flat chain of layers upconv runs, and lists every reason it cannot, all at once.
 *
 * Accepted shapes: a Sequential; a Functional/Model whose layers form one linear chain from its
 * single input to its single output; and any nesting of those (a Sequential inside a Model, as
 * older GAN code builds generators). Anything else (several inputs or outputs, branches, shared
 * layers, an unsupported layer class, config key, activation or dtype) becomes a problem string.
 *
 * The tree is kept alongside the flat list because weight files address layers through it:
 * legacy .h5 by top-level layer (a nested model is one weight group), Keras 3 .keras by
 * class-name paths (`layers/sequential/layers/dense_1/vars/0`), tf.js by weight names.
 */
import { resolveActivation } from '../activations.js';
import { snakeCase } from '../layers/naming.js';
import { checkLayerEntry } from '../layers/registry.js';

type Config = Record<string, unknown>;

/** A layer upconv will build, with where its weights live in each file layout. */
export interface LeafSpec {
  /** The entry given to the core's layer registry (possibly rewritten, see REWRITES). */
  entry: { class_name: string; config: Config };
  /** Class name in the file (before any rewrite). */
  fileClass: string;
  name: string;
  trainable: boolean;
  /** Names of the enclosing nested models, outermost first (the top model excluded). */
  scope: string[];
  /** Keras 3 saving_lib path of the layer, e.g. ['layers', 'sequential', 'layers', 'dense_1']. */
  v3Path: string[];
}

export interface LeafNode {
  kind: 'leaf';
  leaf: LeafSpec;
}

export interface ModelNode {
  kind: 'model';
  name: string;
  className: string;
  trainable: boolean;
  children: TreeNode[];
}

export type TreeNode = LeafNode | ModelNode;

export interface NormalizedModel {
  name: string | undefined;
  /** The model's input, from the first InputLayer, a first layer's batch_input_shape, or build_config. */
  input: { batchInputShape: (number | null)[]; name?: string; dtype?: string } | null;
  /** The top model (its children are the top-level layers, InputLayers left out). */
  root: ModelNode;
  leaves: LeafSpec[];
  kerasVersion: string | null;
  problems: string[];
}

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/**
 * Name of an activation that computes Keras 2's hard_sigmoid, clip(0.2·x + 0.5, 0, 1). Keras 3
 * changed `hard_sigmoid` to relu6(x + 3) / 6; files written by Keras < 3 (and tf.js) mean the old
 * one. Configs from those files are rewritten to this name when the core knows it.
 */
export const KERAS2_HARD_SIGMOID = 'hard_sigmoid_keras2';

function dtypeName(dtype: unknown): string | undefined {
  if (dtype === undefined || dtype === null) return undefined;
  if (typeof dtype === 'string') return dtype;
  const cfg = (dtype as Config).config as Config | undefined;
  return typeof cfg?.name === 'string' ? cfg.name : JSON.stringify(dtype);
}

function isObject(x: unknown): x is Config {
  return !!x && typeof x === 'object' && !Array.isArray(x);
}

/** Keras major version from "2.10.0", "2.3.0-tf", "3.6.0" (null when unknown). */
export function kerasMajor(version: string | null): number | null {
  const m = /^(\d+)\./.exec(version ?? '');
  return m ? Number(m[1]) : null;
}

function activationProblem(value: unknown, where: string): string | null {
  try {
    resolveActivation(value, where);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

function supportsActivation(name: string): boolean {
  return activationProblem(name, '') === null;
}

/**
 * Layer classes from Keras that are exactly a core layer with other arguments. Returns the entry
 * to build, or a problem string.
 */
const REWRITES: Record<string, (c: Config) => { class_name: string; config: Config } | string> = {
  ReLU: (c) => {
    const max = c.max_value ?? null;
    const slope = Number(c.negative_slope ?? 0);
    const threshold = Number(c.threshold ?? 0);
    const base = keep(c);
    if (threshold !== 0) return `threshold ${threshold} is not supported`;
    if (slope === 0 && max === null) return { class_name: 'Activation', config: { ...base, activation: 'relu' } };
    if (slope === 0 && max === 6) return { class_name: 'Activation', config: { ...base, activation: 'relu6' } };
    if (max === null) return { class_name: 'LeakyReLU', config: { ...base, negative_slope: slope } };
    return `max_value ${String(max)} with negative_slope ${slope} is not supported`;
  },
  ELU: (c) => {
    const alpha = Number(c.alpha ?? 1);
    if (alpha !== 1) return `alpha ${alpha} is not supported (only the default 1.0)`;
    return { class_name: 'Activation', config: { ...keep(c), activation: 'elu' } };
  },
  Softmax: (c) => {
    const axis = c.axis ?? -1;
    const ok = axis === -1 || (Array.isArray(axis) && axis.length === 1 && axis[0] === -1);
    if (!ok) return `axis ${JSON.stringify(axis)} is not supported (only the last axis)`;
    return { class_name: 'Activation', config: { ...keep(c), activation: 'softmax' } };
  },
};

function keep(c: Config): Config {
  const out: Config = {};
  for (const k of ['name', 'trainable', 'dtype', 'batch_input_shape', 'batch_shape']) if (k in c) out[k] = c[k];
  return out;
}

/** Finds the model config in the layouts files carry it in. */
export function unwrapModelConfig(json: unknown): { config: Config; kerasVersion: string | null } {
  let node = json as Config;
  let version: string | null = null;
  const take = (n: Config) => {
    if (typeof n.keras_version === 'string') version ??= n.keras_version;
  };
  if (isObject(node) && isObject(node.modelTopology)) {
    node = node.modelTopology;
    take(node);
  }
  if (isObject(node) && isObject(node.model_config)) {
    take(node);
    node = node.model_config;
  }
  if (isObject(node)) take(node);
  return { config: node, kerasVersion: version };
}

interface Ctx {
  problems: string[];
  leaves: LeafSpec[];
  input: NormalizedModel['input'];
  kerasMajor: number | null;
}

/**
 * Normalizes a model config; never throws for unsupported content (see `problems`).
 * `kerasVersion`: the version that wrote the file (undefined: read it from the config; null:
 * none, activation names are taken as the core's own).
 */
export function normalizeModelConfig(json: unknown, kerasVersion?: string | null): NormalizedModel {
  const { config, kerasVersion: inner } = unwrapModelConfig(json);
  const version = kerasVersion === undefined ? inner : kerasVersion;
  const ctx: Ctx = { problems: [], leaves: [], input: null, kerasMajor: kerasMajor(version) };
  const empty: ModelNode = { kind: 'model', name: 'model', className: 'Sequential', trainable: true, children: [] };
  if (!isObject(config) || typeof config.class_name !== 'string') {
    ctx.problems.push('the model config has no class_name (expected a Keras model config)');
    return { name: undefined, input: null, root: empty, leaves: [], kerasVersion: version, problems: ctx.problems };
  }
  if (!MODEL_CLASSES.has(config.class_name)) {
    ctx.problems.push(`the top-level object is a '${config.class_name}', not a Sequential or Functional model`);
    return { name: undefined, input: null, root: empty, leaves: [], kerasVersion: version, problems: ctx.problems };
  }
  const root = parseModel(config, [], [], 0, ctx, true);
  if (!ctx.input) {
    // Keras 3 records the built input shape in build_config
    const bc = config.build_config as Config | undefined;
    const shape = bc?.input_shape;
    if (Array.isArray(shape) && shape.length >= 2) ctx.input = { batchInputShape: shape as (number | null)[] };
  }
  if (!ctx.input && ctx.leaves.length) ctx.problems.push('the model has no input shape (no InputLayer, batch_input_shape or build_config)');
  if (!ctx.leaves.length) ctx.problems.push('the model has no layers');
  return { name: root.name, input: ctx.input, root, leaves: ctx.leaves, kerasVersion: version, problems: ctx.problems };
}

function modelName(entry: Config): string {
  const cfg = isObject(entry.config) ? entry.config : {};
  return String(cfg.name ?? entry.name ?? 'model');
}

function parseModel(entry: Config, v3Path: string[], scope: string[], depth: number, ctx: Ctx, top: boolean): ModelNode {
  const cls = entry.class_name as string;
  const name = modelName(entry);
  const cfgRaw = entry.config;
  const node: ModelNode = {
    kind: 'model', name, className: cls, children: [],
    trainable: isObject(cfgRaw) ? cfgRaw.trainable !== false : true,
  };
  const where = top ? `model '${name}'` : `nested ${cls} '${name}'`;
  if (depth > 16) {
    ctx.problems.push(`${where}: models nested more than 16 deep`);
    return node;
  }
  let layers: Config[];
  let fileOrder: Config[];
  if (cls === 'Sequential') {
    const list = Array.isArray(cfgRaw) ? cfgRaw : isObject(cfgRaw) ? cfgRaw.layers : undefined;
    if (!Array.isArray(list)) {
      ctx.problems.push(`${where}: the Sequential config has no layers list`);
      return node;
    }
    layers = list as Config[];
    fileOrder = layers;
  } else {
    const chain = functionalChain(cfgRaw, where, ctx);
    if (!chain) return node;
    layers = chain;
    fileOrder = (cfgRaw as Config).layers as Config[];
  }
  // Keras saving_lib names each layer of a container snake_case(class name), then _1, _2, … per
  // class, in the container's order
  const used = new Map<string, number>();
  const v3Names = new Map<unknown, string>();
  for (const layer of fileOrder) {
    if (!isObject(layer) || typeof layer.class_name !== 'string') continue;
    const base = snakeCase(layer.class_name.replace(/\W+/g, ''));
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    v3Names.set(layer, n === undefined ? base : `${base}_${n + 1}`);
  }
  const innerScope = top ? scope : [...scope, name];
  layers.forEach((layer, i) => {
    if (!isObject(layer) || typeof layer.class_name !== 'string') {
      ctx.problems.push(`${where}: layer ${i} is not a Keras layer entry`);
      return;
    }
    const lcls = layer.class_name;
    const path = [...v3Path, 'layers', v3Names.get(layer)!];
    if (lcls === 'InputLayer') {
      takeInput(layer, ctx, `${where}: layer ${i}`);
      return;
    }
    if (MODEL_CLASSES.has(lcls)) {
      node.children.push(parseModel(layer, path, innerScope, depth + 1, ctx, false));
      return;
    }
    const leaf = parseLeaf(layer, i, where, path, innerScope, ctx);
    if (leaf) node.children.push({ kind: 'leaf', leaf });
  });
  return node;
}

function takeInput(layer: Config, ctx: Ctx, where: string): void {
  const c = isObject(layer.config) ? layer.config : {};
  let shape = (c.batch_input_shape ?? c.batch_shape) as (number | null)[] | undefined;
  if (!shape && Array.isArray(c.input_shape)) shape = [null, ...(c.input_shape as number[])];
  if (!shape && Array.isArray(c.shape)) shape = [null, ...(c.shape as number[])];
  if (!Array.isArray(shape) || shape.length < 2) {
    ctx.problems.push(`${where}: InputLayer has no input shape`);
    return;
  }
  const dtype = dtypeName(c.dtype);
  if (dtype !== undefined && dtype !== 'float32') ctx.problems.push(`${where}: InputLayer dtype '${dtype}' is not supported (upconv computes in float32)`);
  if (c.sparse === true || c.ragged === true) ctx.problems.push(`${where}: sparse or ragged inputs are not supported`);
  if (!ctx.input) {
    ctx.input = { batchInputShape: shape, name: typeof c.name === 'string' ? c.name : undefined };
  } else if (JSON.stringify(ctx.input.batchInputShape.slice(1)) !== JSON.stringify(shape.slice(1))) {
    ctx.problems.push(`${where}: InputLayer shape ${JSON.stringify(shape)} disagrees with the outer input ${JSON.stringify(ctx.input.batchInputShape)}`);
  }
}

function parseLeaf(layer: Config, index: number, where: string, v3Path: string[], scope: string[], ctx: Ctx): LeafSpec | null {
  const fileClass = layer.class_name as string;
  if (!isObject(layer.config)) {
    ctx.problems.push(`${where}: layer ${index} (${fileClass}): missing config object`);
    return null;
  }
  let entry: { class_name: string; config: Config } = { class_name: fileClass, config: { ...layer.config } };
  const name = String(entry.config.name ?? `${fileClass}_${index}`);
  const label = `${where}: layer ${index} (${fileClass} '${name}')`;
  const rewrite = REWRITES[fileClass];
  if (rewrite) {
    const r = rewrite(entry.config);
    if (typeof r === 'string') {
      ctx.problems.push(`${label}: ${r}`);
      return null;
    }
    entry = r;
  }
  const problems = checkLayerEntry(entry, index).map((p) => `${where}: ${p}`);
  const dtype = dtypeName(entry.config.dtype);
  if (dtype !== undefined && dtype !== 'float32') problems.push(`${label}: dtype '${dtype}' is not supported (upconv computes in float32)`);
  if ('activation' in entry.config) {
    let act = entry.config.activation;
    if (act === 'hard_sigmoid' && ctx.kerasMajor !== null && ctx.kerasMajor < 3) {
      // Keras 2 and tf.js mean clip(0.2x + 0.5, 0, 1); Keras 3 means relu6(x + 3) / 6
      if (supportsActivation(KERAS2_HARD_SIGMOID)) act = KERAS2_HARD_SIGMOID;
      else problems.push(`${label}: activation 'hard_sigmoid' of Keras 2 (clip(0.2x + 0.5, 0, 1)) is not available in this build`);
      entry = { ...entry, config: { ...entry.config, activation: act } };
    }
    if (isObject(act)) {
      // Keras 3 may serialize a built-in activation as {class_name: 'function', config: 'relu'}
      const inner = (act as Config).config;
      if (typeof inner === 'string') {
        act = inner;
        entry = { ...entry, config: { ...entry.config, activation: inner } };
      }
    }
    const p = activationProblem(act, label);
    if (p) problems.push(p);
  }
  ctx.problems.push(...problems);
  const leaf: LeafSpec = {
    entry, fileClass, name, scope, v3Path,
    trainable: entry.config.trainable !== false,
  };
  if (!ctx.input) {
    const bis = (entry.config.batch_input_shape ?? entry.config.batch_shape) as (number | null)[] | undefined;
    if (Array.isArray(bis) && bis.length >= 2) ctx.input = { batchInputShape: bis };
  }
  ctx.leaves.push(leaf);
  return leaf;
}

// ---- Functional models ---------------------------------------------------------------------

/** [layer name, …] references in one inbound node, for Keras 2 / tf.js and Keras 3 layouts. */
function nodeSources(node: unknown): string[] | null {
  if (Array.isArray(node)) {
    // Keras 2: [[name, node_index, tensor_index, kwargs], …]
    const out: string[] = [];
    for (const t of node) {
      if (!Array.isArray(t) || typeof t[0] !== 'string') return null;
      out.push(t[0]);
    }
    return out;
  }
  if (isObject(node) && 'args' in node) {
    // Keras 3: {args: [tensor or [tensors]], kwargs: {…}}
    const out: string[] = [];
    const visit = (x: unknown, depth: number): void => {
      if (depth > 8) return;
      if (Array.isArray(x)) x.forEach((y) => visit(y, depth + 1));
      else if (isObject(x)) {
        if (x.class_name === '__keras_tensor__' && isObject(x.config) && Array.isArray(x.config.keras_history)) {
          out.push(String(x.config.keras_history[0]));
        } else {
          Object.values(x).forEach((y) => visit(y, depth + 1));
        }
      }
    };
    visit(node.args, 0);
    if (isObject(node.kwargs)) visit(node.kwargs, 0);
    return out;
  }
  return null;
}

/** Names in input_layers / output_layers: [[name, i, j], …] or a single [name, i, j]. */
function endpointNames(x: unknown): string[] | null {
  if (!Array.isArray(x)) return null;
  if (typeof x[0] === 'string') return [x[0]];
  const out: string[] = [];
  for (const t of x) {
    if (!Array.isArray(t) || typeof t[0] !== 'string') return null;
    out.push(t[0]);
  }
  return out;
}

/** The layers of a Functional config in chain order, or null (problems recorded) when it is not a chain. */
function functionalChain(cfg: unknown, where: string, ctx: Ctx): Config[] | null {
  if (!isObject(cfg) || !Array.isArray(cfg.layers)) {
    ctx.problems.push(`${where}: the Functional config has no layers list`);
    return null;
  }
  const layers = cfg.layers as Config[];
  const byName = new Map<string, Config>();
  const problems: string[] = [];
  for (const l of layers) {
    const n = isObject(l) ? String(l.name ?? (isObject(l.config) ? l.config.name : '')) : '';
    if (!n) {
      problems.push(`${where}: a layer entry has no name`);
      continue;
    }
    byName.set(n, l);
  }
  const inputs = endpointNames(cfg.input_layers);
  const outputs = endpointNames(cfg.output_layers);
  if (!inputs || inputs.length !== 1) problems.push(`${where}: a functional model with ${inputs?.length ?? 'no'} inputs is not supported (one input only)`);
  if (!outputs || outputs.length !== 1) problems.push(`${where}: a functional model with ${outputs?.length ?? 'no'} outputs is not supported (one output only)`);
  const source = new Map<string, string>();
  const consumers = new Map<string, string[]>();
  for (const [n, l] of byName) {
    const nodes = Array.isArray(l.inbound_nodes) ? l.inbound_nodes : [];
    if (l.class_name === 'InputLayer') continue;
    if (nodes.length !== 1) {
      problems.push(`${where}: layer '${n}' is ${nodes.length ? `called ${nodes.length} times (shared layers are not supported)` : 'not connected'}`);
      continue;
    }
    const srcs = nodeSources(nodes[0]);
    if (!srcs || srcs.length !== 1) {
      problems.push(`${where}: layer '${n}' takes ${srcs ? srcs.length : 'unreadable'} inputs; only a linear chain of single-input layers is supported`);
      continue;
    }
    source.set(n, srcs[0]);
    consumers.set(srcs[0], [...(consumers.get(srcs[0]) ?? []), n]);
  }
  for (const [from, to] of consumers) {
    if (to.length > 1) problems.push(`${where}: the output of '${from}' feeds ${to.length} layers (${to.join(', ')}); branches are not supported`);
  }
  if (problems.length || !inputs || !outputs) {
    ctx.problems.push(...problems);
    return null;
  }
  const chain: Config[] = [];
  let cur = inputs[0];
  const seen = new Set<string>();
  for (;;) {
    const l = byName.get(cur);
    if (!l) {
      ctx.problems.push(`${where}: layer '${cur}' is referenced but not defined`);
      return null;
    }
    if (seen.has(cur)) {
      ctx.problems.push(`${where}: the layer graph has a cycle at '${cur}'`);
      return null;
    }
    seen.add(cur);
    chain.push(l);
    if (cur === outputs[0]) break;
    const next = consumers.get(cur);
    if (!next) {
      ctx.problems.push(`${where}: the chain from '${inputs[0]}' stops at '${cur}' before reaching the output '${outputs[0]}'`);
      return null;
    }
    cur = next[0];
  }
  const off = [...byName.keys()].filter((n) => !seen.has(n));
  if (off.length) {
    ctx.problems.push(`${where}: layers not on the path from input to output: ${off.join(', ')}`);
    return null;
  }
  return chain;
}

/** Leaves of a subtree, in order. */
export function leavesOf(node: TreeNode): LeafSpec[] {
  return node.kind === 'leaf' ? [node.leaf] : node.children.flatMap(leavesOf);
}

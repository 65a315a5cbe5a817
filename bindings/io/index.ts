/**
 * upconv/io: run models trained in Python. A separate entry point, so the core stays small.
 *
 *   import { loadModel, loadWeights, saveModel } from 'upconv/io';
 *   const g = await loadModel('generator.h5');          // or .keras, a tf.js model.json / folder,
 *   const y = g.predict(z);                              // a URL, a Blob/File, bytes, {modelJSON, weightData}
 *
 * Formats are told apart by content, not by file name:
 * - HDF5 (signature \x89HDF\r\n\x1a\n) with a `model_config` attribute: a Keras 1–3 full model
 *   (`model.save('x.h5')`), weights under `model_weights`;
 * - zip with `config.json` + `model.weights.h5`: a Keras `.keras` file (Keras 2.13+ and 3);
 * - JSON with `modelTopology` + `weightsManifest`: a TensorFlow.js Layers model, shards read next
 *   to it (or a zip holding such a folder);
 * - weights-only files (Keras 2 `save_weights('x.h5')`, Keras 3 `x.weights.h5`) go through
 *   `loadWeights(model, source)` onto a model built in code.
 * `Sequential.loadWeights` is not a method of the core class on purpose: it would pull this
 * entry (HDF5 and zip readers) into every bundle that uses the core.
 *
 * Every problem is found at load time: unsupported layers, options, activations and dtypes are
 * listed together (UnsupportedModelError), memory limits are checked before anything is
 * allocated (MemoryLimitError), weight names and shapes before anything is read (WeightsError),
 * and damaged files fail with CorruptFileError / UnknownFormatError / FileSourceError.
 */
import { ModelFormatError, UpconvError, WeightsError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { Model, setWeightsLoader } from '../model/model.js';
import { planAtLoad, startBackend } from '../model/warmup.js';
import {
  asModel, assignRefs, checkWeightBytes, finish, type Limits, prepare, v3Paths, type WeightRef,
} from './assemble.js';
import { CorruptFileError, FileSourceError } from './errors.js';
import { detectFormat, unknownFormat } from './format.js';
import { H5File } from './hdf5/file.js';
import { legacyRefs, stringAttr } from './keras_h5.js';
import { isV3Weights, v3Refs } from './keras_v3.js';
import { kerasWeightsBound } from './limits.js';
import { type CheckedLoadOptions, checkLoadOptions } from './options.js';
import { type BinarySource, openSource, type Opened, safeRelative, sourceOptions, toBytes } from './source.js';
import { groupsFromConcatenated, isTfjsModelJSON, loadTfjs, type ModelArtifacts, readShards, type TfjsModelJSON } from './tfjs.js';
import { ZipArchive } from './zip.js';
import { type KerasBytesOptions, saveKerasBytes, saveModelToPath } from './save.js';
import { tfjsArtifacts, type TfjsSaveOptions } from './save_tfjs.js';

export { CorruptFileError, FileSourceError, UnknownFormatError, UnsafePathError, UnsupportedModelError } from './errors.js';
export { ConfigError, ModelFormatError, WeightsError, MemoryLimitError, ShapeError, UpconvError } from '../errors.js';
export type { ModelArtifacts, TfjsModelJSON, TfjsWeightEntry, TfjsWeightsGroup } from './tfjs.js';
export type { BinarySource } from './source.js';
export type { KerasBytesOptions, KerasFileFormat } from './save.js';

/** tf.js in-memory artifacts: the model.json (object, text or bytes) and its weights. */
export interface TfjsArtifacts {
  modelJSON: TfjsModelJSON | string | ArrayBuffer | ArrayBufferView | Blob;
  /**
   * All weight groups' shards concatenated (as tf.js `io.fromMemory` takes them), or a list of
   * buffers to concatenate, or Files named as in the manifest's `paths`.
   */
  weightData?: ArrayBuffer | ArrayBufferView | Blob | (ArrayBuffer | ArrayBufferView | Blob)[];
}

export type ModelSource = BinarySource | TfjsArtifacts;

export interface LoadOptions {
  /** Most bytes of float32 weights a loaded model may hold (default 1 GiB). */
  maxWeightBytes?: number;
  /**
   * Largest file, zip entry or shard group read (default 2 GiB). Whatever it allows, a model
   * file is read head first: one whose first MiB is no model format fails there, and a JSON
   * model file (model.json) may have at most 64 MiB.
   */
  maxFileBytes?: number;
  /**
   * fetch() used for URLs (default: globalThis.fetch). It is called with `redirect: 'manual'`
   * and a `signal`; every redirect is checked before it is followed (weight shards must stay in
   * the model.json's folder on its origin), and the final URL of a fetch that follows redirects
   * itself is checked too.
   */
  fetch?: typeof fetch;
  /** Name used in error messages for byte sources. */
  name?: string;
  /**
   * Longest wait, in ms, for an HTTP response or for the next piece of its body (default
   * 30 000); a whole load over HTTP, model file and shards, ends after 20 × timeoutMs.
   * A stalled or endless server ends in a FileSourceError.
   */
  timeoutMs?: number;
  /** Aborts a load over HTTP (a FileSourceError). */
  signal?: AbortSignal;
}

function parseJSON(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8').decode(bytes));
  } catch (e) {
    throw new CorruptFileError(`${what}: not valid JSON (${(e as Error).message})`);
  }
}

function openH5(bytes: Uint8Array, name: string): H5File {
  try {
    return new H5File(bytes, name);
  } catch (e) {
    throw wrap(e, name);
  }
}

/** Turns stray runtime errors from reading a damaged file into CorruptFileError. */
function wrap(e: unknown, name: string): Error {
  if (e instanceof UpconvError) return e;
  if (e instanceof RangeError || e instanceof TypeError) return new CorruptFileError(`${name}: the file is damaged (${e.message})`);
  return e as Error;
}

// ---- Keras .h5 ----------------------------------------------------------------------------

function modelFromH5(file: H5File, what: string, limits: Limits): Model {
  const root = file.root;
  const cfgText = stringAttr(file, root, 'model_config');
  if (cfgText === undefined) {
    if (file.attr(root, 'layer_names') !== undefined || file.attr(root, 'layer_names0') !== undefined || isV3Weights(file)) {
      throw new ModelFormatError(`${what}: this file holds only weights (no model config); build the model in code and call loadWeights(model, source)`);
    }
    throw new ModelFormatError(`${what}: an HDF5 file without a Keras model_config attribute; not a Keras model file`);
  }
  const config = parseJSON(new TextEncoder().encode(cfgText), `${what} (model_config)`);
  const version = stringAttr(file, root, 'keras_version') ?? null;
  const p = prepare(config, version, what, limits);
  const weights = file.get('model_weights');
  if (!weights || !weights.isGroup) throw new ModelFormatError(`${what}: the file has a model config but no model_weights group (saved without weights?)`);
  return finish(p, legacyRefs(file, weights, 'model_weights/', p.model, what), what);
}

// ---- Keras .keras (zip) -----------------------------------------------------------------------

function modelFromKerasZip(zip: ZipArchive, what: string, limits: Limits): Model {
  const config = parseJSON(zip.read('config.json', 64 * 2 ** 20), `${what} (config.json)`);
  let version: string | null | undefined;
  if (zip.has('metadata.json')) {
    const meta = parseJSON(zip.read('metadata.json', 2 ** 20), `${what} (metadata.json)`) as { keras_version?: unknown };
    if (typeof meta?.keras_version === 'string') version = meta.keras_version;
  }
  const p = prepare(config, version ?? '3', what, limits);
  if (!zip.has('model.weights.h5')) {
    if (zip.has('model.weights.npz')) throw new ModelFormatError(`${what}: weights saved as model.weights.npz (weights_format="npz") are not supported; save with the default h5 weights`);
    throw new CorruptFileError(`${what}: the .keras archive has no model.weights.h5`);
  }
  const file = openH5(zip.read('model.weights.h5', kerasWeightsBound(p.layers, limits)), `${what}:model.weights.h5`);
  return finish(p, v3Refs(file, p.layers, v3Paths(p.model, p.origins), what), what);
}

// ---- dispatch -------------------------------------------------------------------------------

async function modelFromOpened(src: Opened, limits: Limits): Promise<Model> {
  const what = src.name;
  const kind = detectFormat(src.bytes);
  if (kind === 'hdf5') return modelFromH5(openH5(src.bytes, what), what, limits);
  if (kind === 'zip') {
    const zip = new ZipArchive(src.bytes, what);
    if (zip.has('config.json')) return modelFromKerasZip(zip, what, limits);
    const json = [...zip.entries.keys()].find((n) => n === 'model.json' || n.endsWith('/model.json'));
    if (json) {
      const dir = json.slice(0, json.length - 'model.json'.length);
      const model = parseJSON(zip.read(json, 64 * 2 ** 20), `${what}:${json}`);
      return loadTfjs(model, (_g, paths, need) => readShards(paths, need, async (p, max) => {
        const name = dir + safeRelative(p, `${what}:${json}`).join('/');
        if (!zip.has(name)) throw new FileSourceError(`${what}: weight shard '${p}' is not in the archive`);
        return zip.read(name, limits.maxFileBytes, max);
      }), `${what}:${json}`, limits);
    }
    throw new ModelFormatError(`${what}: a zip archive without config.json (Keras .keras) or model.json (TensorFlow.js); it holds ${[...zip.entries.keys()].slice(0, 10).join(', ')}`);
  }
  if (kind === 'json') {
    const json = parseJSON(src.bytes, what);
    if (isTfjsModelJSON(json)) {
      const sibling = src.sibling;
      const readGroup = async (_group: number, paths: string[], need: number) => {
        if (!sibling) {
          throw new FileSourceError(`${what}: a model.json given as bytes cannot find its weight shards; pass its path or URL, or {modelJSON, weightData}`);
        }
        return readShards(paths, need, sibling);
      };
      return loadTfjs(json, readGroup, what, limits);
    }
    if (json && typeof json === 'object' && 'class_name' in json) {
      throw new ModelFormatError(`${what}: a Keras model config without weights; use modelFromJSON from 'upconv' for the architecture alone`);
    }
    throw new ModelFormatError(`${what}: JSON that is neither a TensorFlow.js model.json nor a Keras model config`);
  }
  throw unknownFormat(src.bytes, src.name);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function isArtifacts(x: unknown): x is TfjsArtifacts {
  return !!x && typeof x === 'object' && 'modelJSON' in (x as object);
}

async function modelFromArtifacts(a: TfjsArtifacts, options: CheckedLoadOptions, limits: Limits): Promise<Model> {
  const what = options.name ?? 'model.json';
  const json: unknown = typeof a.modelJSON === 'string' ? parseJSON(new TextEncoder().encode(a.modelJSON), what)
    : a.modelJSON instanceof ArrayBuffer || ArrayBuffer.isView(a.modelJSON) || (typeof Blob !== 'undefined' && a.modelJSON instanceof Blob)
      ? parseJSON(await toBytes(a.modelJSON, 'modelJSON'), what) : a.modelJSON;
  if (!isTfjsModelJSON(json)) throw new ModelFormatError(`${what}: not a TensorFlow.js Layers model.json (no modelTopology / weightsManifest)`);
  const data = a.weightData;
  const list = data === undefined ? [] : Array.isArray(data) ? data : [data];
  const named = list.length > 0 && list.every((x) => !!x && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string');
  if (named) {
    // Files picked by a user: match them to the manifest paths by file name
    const byName = new Map(list.map((f) => [(f as unknown as { name: string }).name, f]));
    return loadTfjs(json, (_g, paths, need) => readShards(paths, need, async (p, max) => {
      const base = p.split('/').pop()!;
      const f = byName.get(p) ?? byName.get(base);
      if (!f) throw new FileSourceError(`${what}: weight shard '${p}' is not among the given files (${[...byName.keys()].join(', ')})`);
      return toBytes(f, `weight shard '${p}'`, max);
    }), what, limits);
  }
  const all = concat(await Promise.all(list.map((x, i) => toBytes(x, `weightData[${i}]`))));
  return loadTfjs(json, groupsFromConcatenated(json, all, what, limits), what, limits);
}

/**
 * Loads a model saved by Keras (.h5, .keras) or TensorFlow.js (model.json + shards) and returns a
 * ready model (its weights set, nothing left to build): a `Sequential` for a Sequential file, a
 * functional `Model` otherwise.
 */
export async function loadModel(source: ModelSource, options?: LoadOptions): Promise<Model> {
  const checked = checkLoadOptions(options, 'loadModel');
  const { limits } = checked;
  startBackend(); // compiles and warms up the kernels while the file is read and parsed
  try {
    const model = isArtifacts(source)
      ? await modelFromArtifacts(source, checked, limits)
      : await modelFromOpened(await openSource(source as BinarySource, sourceOptions(checked)), limits);
    planAtLoad(model); // the first predict finds its plan and packed weights ready
    return model;
  } catch (e) {
    throw wrap(e, checked.name ?? (typeof source === 'string' ? source : 'model'));
  }
}

/**
 * Sets a built model's weights from a weights file: Keras 2 `save_weights('x.h5')`, Keras 3
 * `x.weights.h5`, a full-model .h5 or .keras (their weights), or a tf.js model (by layer name).
 * Matching follows the format: Keras 2 by order of layers with weights, Keras 3 by layer order
 * and type, tf.js by name. The model keeps its old weights if anything does not fit.
 */
export async function loadWeights(model: Model, source: ModelSource, options?: LoadOptions): Promise<void> {
  const checked = checkLoadOptions(options, 'loadWeights');
  const { limits } = checked;
  const target = asModel(model, 'loadWeights');
  const what = checked.name ?? (typeof source === 'string' ? source : 'weights');
  const layers = checkWeightBytes(target, what, limits);
  try {
    if (isArtifacts(source)) {
      assignFrom(await modelFromArtifacts(source, checked, limits), target, layers, what);
      return;
    }
    const src = await openSource(source as BinarySource, sourceOptions(checked));
    await weightsFromOpened(src, target, layers, limits);
  } catch (e) {
    throw wrap(e, what);
  }
}

async function weightsFromOpened(src: Opened, model: Model, layers: Layer[], limits: Limits): Promise<void> {
  const what = src.name;
  const kind = detectFormat(src.bytes);
  const fromH5 = (file: H5File): void => {
    if (isV3Weights(file)) return assignRefs(layers, v3Refs(file, layers, v3Paths(model), what), what);
    const mw = file.get('model_weights');
    return assignRefs(layers, legacyRefs(file, mw ?? file.root, mw ? 'model_weights/' : '', model, what), what);
  };
  if (kind === 'hdf5') return fromH5(openH5(src.bytes, what));
  if (kind === 'zip') {
    const zip = new ZipArchive(src.bytes, what);
    if (zip.has('model.weights.h5')) return fromH5(openH5(zip.read('model.weights.h5', kerasWeightsBound(layers, limits)), `${what}:model.weights.h5`));
  }
  // a tf.js model (or anything else that is a whole model): load it, then match layers by name
  assignFrom(await modelFromOpened(src, limits), model, layers, what);
}

/**
 * A loaded model's weights onto `layers` of a model: by layer name when every layer with weights
 * finds its namesake (as tf.js matches), else by order (as Keras 2 does); shapes checked.
 */
function assignFrom(loaded: Model, model: Model, layers: Layer[], what: string): void {
  const mine = layers.filter((l) => l.specs.length);
  const theirs = loaded.weightLayers().filter((l) => l.specs.length);
  const byName = new Map(theirs.map((l) => [l.name, l]));
  const named = mine.every((l) => byName.has(l.name));
  if (!named && mine.length !== theirs.length) {
    throw new WeightsError(`${what}: the file has ${theirs.length} layers with weights (${theirs.map((l) => l.name).join(', ')}), the model ${model.label} ${mine.length} (${mine.map((l) => l.name).join(', ')}), and their names differ`);
  }
  const refs = new Map<Layer, WeightRef[]>();
  mine.forEach((layer, i) => {
    const src = named ? byName.get(layer.name)! : theirs[i];
    const arrays = src.weightArrays();
    refs.set(layer, src.specs.map((s, j) => ({ where: `${src.label}/${s.name}`, shape: s.shape, read: () => arrays[j].slice() })));
  });
  assignRefs(mine, refs, what);
}

export type { SaveDtype, TfjsSaveOptions } from './save_tfjs.js';

/**
 * Saves a model.
 * - `saveModel(model, options?)`: TensorFlow.js artifacts in memory (`{modelJSON, weightData}`);
 *   `options.dtype` 'float16' | 'uint8' | 'uint16' quantizes the weights as
 *   tensorflowjs_converter does (see TfjsSaveOptions).
 * - `saveModel(model, { format: 'keras' | 'h5' })`: the bytes of a Keras 3 `.keras` file or of a
 *   legacy Keras `.h5` full-model file (any runtime; e.g. for a download in a browser).
 * - `saveModel(model, path, options?)` (Node, Deno, Bun): writes the file the path names —
 *   `gen.keras`, `gen.h5`, or TensorFlow.js files (`model.json`, or a folder); resolves when written.
 * Keras reads both Keras files (`keras.models.load_model`); upconv's `loadModel` reads all three.
 * Optimizer state is not saved.
 */
export function saveModel(model: Model, options?: TfjsSaveOptions): ModelArtifacts;
export function saveModel(model: Model, options: KerasBytesOptions): Uint8Array;
export function saveModel(model: Model, path: string, options?: TfjsSaveOptions): Promise<void>;
export function saveModel(model: Model, target?: string | TfjsSaveOptions | KerasBytesOptions, options?: TfjsSaveOptions): ModelArtifacts | Uint8Array | Promise<void> {
  if (typeof target === 'string') return saveModelToPath(model, target, options, tfjsArtifacts);
  if (target !== null && typeof target === 'object' && 'format' in target) return saveKerasBytes(model, target);
  return tfjsArtifacts(model, (target ?? undefined) as TfjsSaveOptions | undefined);
}

// `model.loadWeights(source)` on core models works once this entry is imported
setWeightsLoader((model, source, options) => loadWeights(model, source as ModelSource, options as LoadOptions));

/**
 * TensorFlow.js Layers format: `model.json` ({format: 'layers-model', modelTopology,
 * weightsManifest}) plus binary weight shards. In each manifest group the weights lie back to
 * back across the group's shards, concatenated in `paths` order (tfjs-core io/io_utils.ts);
 * in-memory artifacts carry all groups concatenated as one `weightData`.
 *
 * Weights are matched to layers by name, as tf.js does (`<layer>/<weight>`, also accepted with
 * the names of enclosing nested models in front). Weight dtypes and quantization follow
 * tfjs-core's decodeWeights exactly: float32, int32 and bool, and float32/int32 weights quantized
 * as uint8 / uint16 (affine: q·scale + min, rounded for int32) or float16 (float32 only); any
 * other combination is a ModelFormatError. Shards are read only up to the last weight the model
 * uses, and a manifest that lists a shard twice is refused.
 */
import { ModelFormatError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { Model } from '../model/model.js';
import { checkRefs, finish, formatBytes, type Limits, prepare, product, scopes, throwWeightProblems, type WeightRef } from './assemble.js';
import { CorruptFileError } from './errors.js';
import { halfToFloat } from './half.js';

export interface TfjsWeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

export interface TfjsWeightsGroup {
  paths: string[];
  weights: TfjsWeightEntry[];
}

export interface TfjsModelJSON {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: Record<string, unknown>;
  weightsManifest: TfjsWeightsGroup[];
  [key: string]: unknown;
}

/**
 * Bytes of one weights group (its shards concatenated, in `paths` order), at least `needed` of
 * them when the shards hold that many: the manifest's weights up to the last one the model
 * uses. `group` indexes weightsManifest.
 */
export type GroupReader = (group: number, paths: string[], needed: number) => Promise<Uint8Array>;

/** Reads one shard, at most `maxBytes` of it. */
export type ShardReader = (path: string, maxBytes: number) => Promise<Uint8Array>;

/**
 * A group's bytes from its shards, read one after the other and each only up to the bytes still
 * needed (a huge or endless shard costs no more than the manifest declares); the result is short
 * when the shards are.
 */
export async function readShards(paths: string[], needed: number, read: ShardReader): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let got = 0;
  for (const p of paths) {
    if (got >= needed) break;
    const bytes = await read(p, needed - got);
    const part = bytes.length > needed - got ? bytes.subarray(0, needed - got) : bytes;
    parts.push(part);
    got += part.length;
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(got);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * What tfjs-core's decodeWeights (io/io_utils.ts) reads without a quantization block, in bytes
 * per value. It also knows 'string' and 'complex64', which no upconv layer holds; 'uint8',
 * 'uint16' and 'float16' exist only as quantization dtypes.
 */
const PLAIN_DTYPES = new Map<string, number>([['float32', 4], ['int32', 4], ['bool', 1]]);
const OTHER_TFJS_DTYPES = new Set(['string', 'complex64']);
const QUANTIZED_DTYPES = new Set(['uint8', 'uint16', 'float16']);

interface Quantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  scale: number;
  min: number;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  quantization?: Quantization;
  group: number;
  offset: number;
  byteLength: number;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return !!x && typeof x === 'object' && !Array.isArray(x);
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Whether parsed JSON is a tf.js Layers model.json. */
export function isTfjsModelJSON(json: unknown): json is TfjsModelJSON {
  return isObject(json) && isObject(json.modelTopology) && own(json, 'weightsManifest');
}

/**
 * The dtype and quantization of one manifest entry, by tfjs-core's rules (decodeWeights):
 * a quantization block needs dtype uint8 or uint16 (with numeric `scale` and `min`) or float16
 * (only for float32 weights); a quantized weight is float32 or int32; an unquantized one is
 * float32, int32 or bool. Anything else is a ModelFormatError, never bytes read as something.
 */
function checkDtype(w: Record<string, unknown>, what: string): { dtype: ManifestEntry['dtype']; quantization?: Quantization; per: number } {
  const name = `${what}: weight '${String(w.name).slice(0, 200)}'`;
  const dtype = w.dtype;
  if (typeof dtype !== 'string' || !(PLAIN_DTYPES.has(dtype) || OTHER_TFJS_DTYPES.has(dtype) || QUANTIZED_DTYPES.has(dtype))) {
    throw new ModelFormatError(`${name} has dtype ${JSON.stringify(dtype)?.slice(0, 100)}, which is not a tf.js weight dtype (float32, int32, bool, string, complex64)`);
  }
  if (!own(w, 'quantization')) {
    if (OTHER_TFJS_DTYPES.has(dtype)) throw new ModelFormatError(`${name} has dtype '${dtype}'; upconv layers hold float32, int32 or bool weights`);
    if (!PLAIN_DTYPES.has(dtype)) {
      throw new ModelFormatError(`${name} has dtype '${dtype}' without a quantization block; tf.js stores ${dtype} only as the quantized form of a float32 or int32 weight`);
    }
    return { dtype: dtype as ManifestEntry['dtype'], per: PLAIN_DTYPES.get(dtype)! };
  }
  const q = w.quantization;
  if (!isObject(q)) throw new ModelFormatError(`${name} has a quantization that is not an object`);
  const qd = q.dtype;
  if (typeof qd !== 'string' || !QUANTIZED_DTYPES.has(qd)) {
    throw new ModelFormatError(`${name} has quantization dtype ${JSON.stringify(qd)?.slice(0, 100)}; tf.js knows 'uint8', 'uint16' and 'float16'`);
  }
  if (dtype !== 'float32' && dtype !== 'int32') throw new ModelFormatError(`${name} of dtype '${dtype}' cannot be quantized (tf.js quantizes float32 and int32 weights)`);
  if (qd === 'float16') {
    if (dtype !== 'float32') throw new ModelFormatError(`${name} is quantized with float16, which tf.js allows only for float32 weights, not ${dtype}`);
    return { dtype, quantization: { dtype: 'float16', scale: 1, min: 0 }, per: 2 };
  }
  const { scale, min } = q;
  if (typeof scale !== 'number' || typeof min !== 'number' || !Number.isFinite(scale) || !Number.isFinite(min)) {
    throw new ModelFormatError(`${name} is quantized with ${qd} but its scale and min are ${JSON.stringify(scale)} and ${JSON.stringify(min)}, not finite numbers`);
  }
  return { dtype, quantization: { dtype: qd as 'uint8' | 'uint16', scale, min }, per: qd === 'uint8' ? 1 : 2 };
}

/** A shard path in a canonical form, to find paths listed twice ('a.bin', './a.bin', 'x//a.bin'). */
function shardKey(p: string): string {
  return p.split('/').filter((s) => s !== '' && s !== '.').join('/');
}

function parseManifest(manifest: unknown, what: string, limits: Limits): { entries: ManifestEntry[]; groupBytes: number[]; groups: TfjsWeightsGroup[] } {
  if (!Array.isArray(manifest)) throw new CorruptFileError(`${what}: weightsManifest is not a list`);
  const entries: ManifestEntry[] = [];
  const groupBytes: number[] = [];
  const seenPaths = new Map<string, number>();
  manifest.forEach((group, g) => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights) || group.paths.some((p) => typeof p !== 'string')) {
      throw new CorruptFileError(`${what}: weightsManifest group ${g} is not {paths: [...], weights: [...]}`);
    }
    for (const p of group.paths as string[]) {
      const key = shardKey(p);
      if (seenPaths.has(key)) {
        throw new CorruptFileError(`${what}: the weightsManifest lists the shard '${p.slice(0, 200)}' twice (groups ${seenPaths.get(key)} and ${g}); each shard holds its own bytes`);
      }
      seenPaths.set(key, g);
    }
    let offset = 0;
    for (const w of group.weights as unknown[]) {
      if (!isObject(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) ||
        w.shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) {
        throw new CorruptFileError(`${what}: weightsManifest group ${g} has a malformed weight entry ${JSON.stringify(w)?.slice(0, 200)}`);
      }
      const { dtype, quantization, per } = checkDtype(w, what);
      const shape = w.shape as number[];
      const byteLength = product(shape) * per;
      if (!Number.isSafeInteger(byteLength) || byteLength > limits.maxFileBytes) {
        throw new ModelFormatError(`${what}: weight '${w.name}' of shape [${shape.join(', ')}] is larger than maxFileBytes`);
      }
      entries.push({ name: w.name, shape, dtype, quantization, group: g, offset, byteLength });
      offset += byteLength;
      if (offset > limits.maxFileBytes) throw new ModelFormatError(`${what}: weights group ${g} needs more than maxFileBytes`);
    }
    groupBytes.push(offset);
  });
  return { entries, groupBytes, groups: manifest as TfjsWeightsGroup[] };
}

/** One weight's values, decoded as tfjs-core's decodeWeights decodes them, as float32. */
function decode(e: ManifestEntry, data: Uint8Array): Float32Array {
  const bytes = data.subarray(e.offset, e.offset + e.byteLength);
  const n = product(e.shape);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  const q = e.quantization;
  if (q) {
    const { scale, min } = q;
    const round = e.dtype === 'int32'; // tfjs rounds dequantized int32 weights (into an Int32Array: no -0)
    if (q.dtype === 'float16') {
      for (let i = 0; i < n; i++) out[i] = halfToFloat(v.getUint16(2 * i, true));
    } else if (q.dtype === 'uint8') {
      for (let i = 0; i < n; i++) out[i] = round ? Math.round(v.getUint8(i) * scale + min) + 0 : v.getUint8(i) * scale + min;
    } else {
      for (let i = 0; i < n; i++) out[i] = round ? Math.round(v.getUint16(2 * i, true) * scale + min) + 0 : v.getUint16(2 * i, true) * scale + min;
    }
    return out;
  }
  if (e.dtype === 'float32') {
    for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
  } else if (e.dtype === 'int32') {
    for (let i = 0; i < n; i++) out[i] = v.getInt32(4 * i, true);
  } else {
    for (let i = 0; i < n; i++) out[i] = v.getUint8(i); // bool: tfjs keeps the bytes
  }
  return out;
}

/** Loads a tf.js Layers model from its parsed model.json and a way to read its shards. */
export async function loadTfjs(json: unknown, readGroup: GroupReader, what: string, limits: Limits): Promise<Model> {
  if (!isTfjsModelJSON(json)) throw new ModelFormatError(`${what}: not a TensorFlow.js Layers model.json (no modelTopology / weightsManifest)`);
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new ModelFormatError(`${what}: a TensorFlow.js '${String(json.format)}' is not supported (only 'layers-model'; graph models cannot be imported)`);
  }
  // upconv's own files name activations as the core does; others follow their Keras version
  const ownFile = typeof json.generatedBy === 'string' && json.generatedBy.startsWith('upconv');
  const topo = json.modelTopology;
  // tf.js itself follows Keras 2 (e.g. hard_sigmoid); "tfjs-layers x.y" is no Keras version
  const v = typeof topo.keras_version === 'string' && /^\d+\./.test(topo.keras_version) ? topo.keras_version : '2';
  const p = prepare(json, ownFile ? null : v, what, limits);
  const { entries, groupBytes, groups } = parseManifest(json.weightsManifest, what, limits);
  const byName = new Map<string, ManifestEntry[]>();
  for (const e of entries) byName.set(e.name, [...(byName.get(e.name) ?? []), e]);
  const problems: string[] = [];
  const scopeOf = scopes(p.model);
  const chosen: ManifestEntry[][] = p.layers.map((layer) => layer.specs.map((spec) => {
    const full = [...(scopeOf.get(layer) ?? []), layer.name, spec.name].join('/');
    const short = `${layer.name}/${spec.name}`;
    let hits = byName.get(full) ?? byName.get(short) ?? [];
    if (!hits.length) hits = entries.filter((e) => e.name.endsWith(`/${short}`));
    if (hits.length !== 1) {
      problems.push(hits.length ? `weight '${short}' matches ${hits.length} manifest entries (${hits.map((h) => h.name).join(', ')})` : `weight '${short}' of layer '${layer.name}' is not in the weightsManifest`);
    }
    return hits[0];
  }));
  throwWeightProblems(what, problems);
  const data = new Map<number, Uint8Array>();
  const refs = new Map<Layer, WeightRef[]>();
  p.layers.forEach((layer, i) => refs.set(layer, chosen[i].map((e) => ({
    where: `weight '${e.name}'`,
    shape: e.shape,
    read: () => decode(e, data.get(e.group)!),
  }))));
  checkRefs(p.layers, refs, what);
  // each group is read up to the end of the last weight the model uses, and no further
  const needed = new Map<number, number>();
  for (const e of chosen.flat()) needed.set(e.group, Math.max(needed.get(e.group) ?? 0, e.offset + e.byteLength));
  let total = 0;
  for (const n of needed.values()) total += n;
  if (total > limits.maxFileBytes) throw new ModelFormatError(`${what}: the weights the model uses span ${formatBytes(total)} of shards, more than maxFileBytes (${formatBytes(limits.maxFileBytes)})`);
  for (const [g, need] of [...needed].sort((a, b) => a[0] - b[0])) {
    const bytes = await readGroup(g, groups[g].paths, need);
    if (bytes.length < need) {
      throw new CorruptFileError(`${what}: the shards of weights group ${g} (${groups[g].paths.join(', ')}) hold ${bytes.length} bytes but the manifest needs ${need}; a shard is missing or truncated`);
    }
    data.set(g, bytes);
  }
  return finish(p, refs, what);
}

/** Splits one buffer holding every group's shards back to back (tf.js in-memory artifacts). */
export function groupsFromConcatenated(json: TfjsModelJSON, all: Uint8Array, what: string, limits: Limits): GroupReader {
  const { groupBytes } = parseManifest(json.weightsManifest, what, limits);
  const starts: number[] = [];
  let at = 0;
  for (const n of groupBytes) {
    starts.push(at);
    at += n;
  }
  return async (g) => {
    const start = starts[g];
    return all.subarray(Math.min(start, all.length), Math.min(start + groupBytes[g], all.length));
  };
}

/** What `saveModel` returns: a model.json object and the one weights file it names. */
export interface ModelArtifacts {
  modelJSON: TfjsModelJSON;
  weightData: ArrayBuffer;
}

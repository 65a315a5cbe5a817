/**
 * TensorFlow.js Layers format: `model.json` ({format: 'layers-model', modelTopology,
 * weightsManifest}) plus binary weight shards. In each manifest group the weights lie back to
 * back across the group's shards, concatenated in `paths` order (tfjs-core io/io_utils.ts);
 * in-memory artifacts carry all groups concatenated as one `weightData`.
 *
 * Weights are matched to layers by name, as tf.js does (`<layer>/<weight>`, also accepted with
 * the names of enclosing nested models in front). Supported weight dtypes: float32 and int32,
 * and tf.js quantization (uint8 / uint16 affine, float16).
 */
import { ModelFormatError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { Model } from '../model/model.js';
import { checkRefs, finish, type Limits, prepare, product, scopes, throwWeightProblems, type WeightRef } from './assemble.js';
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

/** Bytes of one weights group (its shards concatenated); `group` indexes weightsManifest. */
export type GroupReader = (group: number, paths: string[], expectedBytes: number) => Promise<Uint8Array>;

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

interface ManifestEntry extends TfjsWeightEntry {
  group: number;
  offset: number;
  byteLength: number;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return !!x && typeof x === 'object' && !Array.isArray(x);
}

/** Whether parsed JSON is a tf.js Layers model.json. */
export function isTfjsModelJSON(json: unknown): json is TfjsModelJSON {
  return isObject(json) && isObject(json.modelTopology) && 'weightsManifest' in json;
}

function parseManifest(manifest: unknown, what: string, limits: Limits): { entries: ManifestEntry[]; groupBytes: number[]; groups: TfjsWeightsGroup[] } {
  if (!Array.isArray(manifest)) throw new CorruptFileError(`${what}: weightsManifest is not a list`);
  const entries: ManifestEntry[] = [];
  const groupBytes: number[] = [];
  manifest.forEach((group, g) => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights) || group.paths.some((p) => typeof p !== 'string')) {
      throw new CorruptFileError(`${what}: weightsManifest group ${g} is not {paths: [...], weights: [...]}`);
    }
    let offset = 0;
    for (const w of group.weights as unknown[]) {
      if (!isObject(w) || typeof w.name !== 'string' || typeof w.dtype !== 'string' || !Array.isArray(w.shape) ||
        w.shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) {
        throw new CorruptFileError(`${what}: weightsManifest group ${g} has a malformed weight entry ${JSON.stringify(w).slice(0, 200)}`);
      }
      const q = isObject(w.quantization) ? w.quantization : undefined;
      const stored = q ? String(q.dtype) : w.dtype;
      const per = BYTES[stored];
      if (!per || (q && !['uint8', 'uint16', 'float16'].includes(stored))) {
        throw new ModelFormatError(`${what}: weight '${w.name}' has dtype '${stored}', which upconv cannot read (float32, int32, or tf.js uint8/uint16/float16 quantization)`);
      }
      const n = product(w.shape as number[]);
      const byteLength = n * per;
      if (!Number.isSafeInteger(byteLength) || byteLength > limits.maxFileBytes) {
        throw new ModelFormatError(`${what}: weight '${w.name}' of shape [${(w.shape as number[]).join(', ')}] is larger than maxFileBytes`);
      }
      entries.push({ ...(w as unknown as TfjsWeightEntry), group: g, offset, byteLength });
      offset += byteLength;
    }
    if (offset > limits.maxFileBytes) throw new ModelFormatError(`${what}: weights group ${g} needs ${offset} bytes, more than maxFileBytes`);
    groupBytes.push(offset);
  });
  return { entries, groupBytes, groups: manifest as TfjsWeightsGroup[] };
}

function decode(e: ManifestEntry, data: Uint8Array): Float32Array {
  const bytes = data.subarray(e.offset, e.offset + e.byteLength);
  const n = product(e.shape);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  const q = e.quantization;
  if (q) {
    const scale = Number(q.scale ?? 1);
    const min = Number(q.min ?? 0);
    for (let i = 0; i < n; i++) {
      if (q.dtype === 'uint8') out[i] = v.getUint8(i) * scale + min;
      else if (q.dtype === 'uint16') out[i] = v.getUint16(2 * i, true) * scale + min;
      else out[i] = halfToFloat(v.getUint16(2 * i, true));
    }
    return out;
  }
  if (e.dtype === 'float32') {
    for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
  } else if (e.dtype === 'int32') {
    for (let i = 0; i < n; i++) out[i] = v.getInt32(4 * i, true);
  } else {
    for (let i = 0; i < n; i++) out[i] = v.getUint8(i);
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
  const own = typeof json.generatedBy === 'string' && json.generatedBy.startsWith('upconv');
  const topo = json.modelTopology;
  // tf.js itself follows Keras 2 (e.g. hard_sigmoid); "tfjs-layers x.y" is no Keras version
  const v = typeof topo.keras_version === 'string' && /^\d+\./.test(topo.keras_version) ? topo.keras_version : '2';
  const p = prepare(json, own ? null : v, what, limits);
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
  const needed = [...new Set(chosen.flat().map((e) => e.group))].sort((a, b) => a - b);
  for (const g of needed) {
    const bytes = await readGroup(g, groups[g].paths, groupBytes[g]);
    if (bytes.length < groupBytes[g]) {
      throw new CorruptFileError(`${what}: the shards of weights group ${g} (${groups[g].paths.join(', ')}) hold ${bytes.length} bytes but the manifest needs ${groupBytes[g]}; a shard is missing or truncated`);
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

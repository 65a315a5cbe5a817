/**
 * saveModel's TensorFlow.js form: a model.json object and one weights file, weights float32 or
 * quantized exactly as tensorflowjs_converter quantizes them (quantize.ts).
 */
import { checkKeys } from '../args.js';
import { showValue } from '../show.js';
import { ConfigError, ModelFormatError, WeightsError } from '../errors.js';
import type { Model } from '../model/model.js';
import { asModel, scopes } from './assemble.js';
import { floatToHalf, quantizeAffine } from './quantize.js';
import { safeRelative } from './source.js';
import type { ModelArtifacts, TfjsWeightEntry } from './tfjs.js';

/** How saveModel stores weights. */
export type SaveDtype = 'float32' | 'float16' | 'uint8' | 'uint16';

/** Options of the TensorFlow.js form of saveModel. */
export interface TfjsSaveOptions {
  /** Name of the weights file the model.json points to (default 'group1-shard1of1.bin'). */
  weightsFile?: string;
  /**
   * How weights are stored (default 'float32', exact). 'float16', 'uint8' and 'uint16' write
   * them quantized as `tensorflowjs_converter --quantize_float16 / --quantize_uint8 /
   * --quantize_uint16` does, with a `quantization` block per weight: half the size (float16,
   * 3 significant digits), a quarter (uint8: each weight array mapped linearly onto 256 levels,
   * error at most half a level) or half (uint16, 65536 levels). loadModel and tf.js read them
   * back as float32. float16 refuses weights beyond ±65504 (the converter would write Infinity).
   */
  dtype?: SaveDtype;
}

const KEYS = ['weightsFile', 'dtype'] as const;
const DTYPES: readonly SaveDtype[] = ['float32', 'float16', 'uint8', 'uint16'];

/**
 * The TensorFlow.js Layers format: a model.json object and one weights file (write them as
 * `model.json` and `options.weightsFile` side by side, or hand both to
 * `loadModel({modelJSON, weightData})`, e.g. in a worker that should not carry the HDF5 reader).
 * Weights are named `<layer>/<weight>`, in get_weights() order, little-endian float32 unless
 * `options.dtype` quantizes them. Unknown options are ConfigErrors.
 */
export function tfjsArtifacts(model: Model, options: TfjsSaveOptions = {}): ModelArtifacts {
  const m = asModel(model, 'saveModel');
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ConfigError(`saveModel: options must be an object, got ${showValue(options)}`);
  checkKeys(options, KEYS, 'saveModel');
  const dtype = options.dtype ?? 'float32';
  if (!DTYPES.includes(dtype)) throw new ConfigError(`saveModel: unknown dtype ${JSON.stringify(dtype)} (expected ${DTYPES.map((d) => `'${d}'`).join(', ')})`);
  const weightsFile = options.weightsFile ?? 'group1-shard1of1.bin';
  safeRelative(weightsFile, 'saveModel');
  const { keras_version: kerasVersion, backend, ...modelConfig } = m.toJSON() as Record<string, unknown>;
  const scopeOf = scopes(m);
  const names = new Set<string>();
  const entries: TfjsWeightEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const layer of m.weightLayers()) {
    const prefix = [...(scopeOf.get(layer) ?? []), layer.name].join('/');
    if (names.has(prefix)) throw new ModelFormatError(`saveModel: two layers are named '${prefix}'; tf.js matches weights by name`);
    names.add(prefix);
    const values = layer.weightArrays();
    layer.specs.forEach((s, i) => {
      const { entry, bytes } = encode(`${prefix}/${s.name}`, [...s.shape], values[i], dtype);
      entries.push(entry);
      parts.push(bytes);
    });
  }
  const buffer = new ArrayBuffer(parts.reduce((n, p) => n + p.length, 0));
  const out = new Uint8Array(buffer);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return {
    modelJSON: {
      format: 'layers-model',
      generatedBy: 'upconv',
      convertedBy: null,
      modelTopology: { keras_version: kerasVersion, backend, model_config: modelConfig },
      weightsManifest: [{ paths: [weightsFile], weights: entries }],
    },
    weightData: buffer,
  };
}

/** One weight's manifest entry and bytes, as tensorflowjs_converter writes them. */
function encode(name: string, shape: number[], v: Float32Array, dtype: SaveDtype): { entry: TfjsWeightEntry; bytes: Uint8Array } {
  if (dtype === 'float32') {
    const bytes = new Uint8Array(v.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < v.length; i++) view.setFloat32(4 * i, v[i], true);
    return { entry: { name, shape, dtype: 'float32' }, bytes };
  }
  if (dtype === 'float16') {
    const bytes = new Uint8Array(v.length * 2);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < v.length; i++) {
      const h = floatToHalf(v[i]);
      if ((h & 0x7c00) === 0x7c00) throw new WeightsError(`saveModel: weight '${name}' holds ${v[i]} at index ${i}, beyond float16's range (±65504); save with dtype 'float32' or 'uint8'`);
      view.setUint16(2 * i, h, true);
    }
    return { entry: { name, shape, dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } }, bytes };
  }
  const { values, scale, min } = quantizeAffine(v, dtype);
  const bytes = new Uint8Array(values.byteLength);
  if (dtype === 'uint8') bytes.set(values as Uint8Array);
  else {
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) view.setUint16(2 * i, values[i], true);
  }
  // key order as the converter writes it: dtype, then the metadata (min, scale), original_dtype
  return { entry: { name, shape, dtype: 'float32', quantization: { dtype, min, scale, original_dtype: 'float32' } }, bytes };
}

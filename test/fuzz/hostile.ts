/**
 * Hostile configs of issue #9 (items 1 and 3), applied to one small generator saved in all
 * three formats upconv reads: tf.js artifacts (model.json), a Keras 3 `.keras` (config.json) and
 * a legacy `.h5` (its model_config attribute, rewritten in place). Each case runs through
 * `loadModel` in a fuzz child (a time and a memory bound, the process must stay alive) and must
 * end in one of the named errors it lists, or, where it allows 'ok', load a model whose
 * outputs equal the unedited model's.
 */
import { unzipSync, zipSync } from 'fflate';
import { Conv2D, Conv2DTranspose, Dense, Reshape, Sequential, setSeed, UpSampling2D } from '../../bindings/index.js';
import { H5File } from '../../bindings/io/hdf5/file.js';
import { loadModel, saveModel } from '../../bindings/io/index.js';
import { stringAttr } from '../../bindings/io/keras_h5.js';
import type { Model } from '../../bindings/model/model.js';

type Json = Record<string, unknown>;

/** What a case may end in: error class names, and 'ok' for a load equal to the original. */
export interface HostileCase {
  name: string;
  /** Edits the layer entry `{class_name, config, …}` of the layer called `layer` (in place). */
  layer: string;
  edit: (entry: Json) => void;
  allowed: string[];
}

const set = (key: string, value: unknown) => (e: Json) => { (e.config as Json)[key] = value; };
const own = (o: Json, key: string, value: unknown) => Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
const INVALID = ['UnsupportedModelError', 'ConfigError', 'ModelFormatError'];
const TOO_LARGE = [...INVALID, 'MemoryLimitError'];

export const CASES: HostileCase[] = [
  // sizes (item 1): refused before anything of that size exists
  { name: 'a stride of 2^40', layer: 'deconv', edit: set('strides', [2 ** 40, 2 ** 40]), allowed: INVALID },
  { name: 'a stride of 1e308', layer: 'deconv', edit: set('strides', [1e308, 1]), allowed: INVALID },
  { name: 'a kernel of 1e308', layer: 'conv', edit: set('kernel_size', [1e308, 1e308]), allowed: INVALID },
  { name: 'a kernel of 2^31', layer: 'deconv', edit: set('kernel_size', [2 ** 31, 2 ** 31]), allowed: INVALID },
  { name: 'a kernel of 1.5', layer: 'conv', edit: set('kernel_size', [1.5, 1.5]), allowed: INVALID },
  { name: 'a dilation of 2^31', layer: 'conv', edit: set('dilation_rate', [2 ** 31, 2 ** 31]), allowed: INVALID },
  { name: 'an upsampling of 1e6', layer: 'up', edit: set('size', [1e6, 1e6]), allowed: TOO_LARGE },
  { name: 'an upsampling of 2^53', layer: 'up', edit: set('size', [2 ** 53, 1]), allowed: TOO_LARGE },
  { name: 'a billion units', layer: 'dense', edit: set('units', 1e9), allowed: TOO_LARGE },
  { name: '2^31 filters', layer: 'conv', edit: set('filters', 2 ** 31), allowed: TOO_LARGE },
  { name: 'a reshape to 2^53', layer: 'reshape', edit: set('target_shape', [2 ** 53, 1, 1]), allowed: INVALID },
  { name: 'a reshape to NaN-like strings', layer: 'reshape', edit: set('target_shape', ['NaN', 2, 4]), allowed: INVALID },
  { name: 'negative output padding', layer: 'deconv', edit: set('output_padding', [-1, -1]), allowed: INVALID },
  // names from Object.prototype (item 3): unknown names, never inherited ones
  ...['constructor', '__proto__', 'toString', 'hasOwnProperty'].flatMap((n): HostileCase[] => [
    { name: `activation '${n}'`, layer: 'conv', edit: set('activation', n), allowed: INVALID },
    { name: `class_name '${n}'`, layer: 'conv', edit: (e) => { e.class_name = n; }, allowed: INVALID },
    { name: `padding '${n}'`, layer: 'conv', edit: set('padding', n), allowed: INVALID },
    { name: `interpolation '${n}'`, layer: 'up', edit: set('interpolation', n), allowed: INVALID },
    { name: `data_format '${n}'`, layer: 'conv', edit: set('data_format', n), allowed: INVALID },
    { name: `kernel_initializer class '${n}'`, layer: 'conv', edit: set('kernel_initializer', { class_name: n, config: {} }), allowed: [...INVALID, 'ok'] },
    // an own key named like a prototype member: ignored or refused, never a TypeError
    { name: `a config key '${n}'`, layer: 'conv', edit: (e) => own(e.config as Json, n, { units: 3 }), allowed: [...INVALID, 'ok'] },
  ]),
  { name: 'config null', layer: 'conv', edit: (e) => { e.config = null; }, allowed: INVALID },
  { name: 'config a list', layer: 'conv', edit: (e) => { e.config = [1, 2]; }, allowed: INVALID },
];

export type Format = 'tfjs' | 'keras' | 'h5';
export const FORMATS: Format[] = ['tfjs', 'keras', 'h5'];

/** The generator every case edits (seeded: the same weights in parent and child). */
export function hostileBase(): Sequential {
  setSeed(11);
  return new Sequential([
    new Dense(2 * 2 * 4, { inputShape: [8], name: 'dense' }),
    new Reshape([2, 2, 4], { name: 'reshape' }),
    new UpSampling2D({ size: [2, 2], name: 'up' }),
    new Conv2D(3, [3, 3], { padding: 'same', activation: 'relu', name: 'conv' }),
    new Conv2DTranspose(2, [4, 4], { strides: [2, 2], padding: 'same', activation: 'tanh', name: 'deconv' }),
  ]);
}

function layerEntry(modelConfig: Json, layer: string): Json {
  const layers = (modelConfig.config as Json).layers as Json[];
  const e = layers.find((l) => (l.config as Json)?.name === layer);
  if (!e) throw new Error(`no layer ${layer} in the config`);
  return e;
}

/** The edited file of case `c` in `format`, and how to load it. */
export function hostileSource(model: Sequential, format: Format, c: HostileCase): () => Promise<Model> {
  const limits = { maxWeightBytes: 256 * 2 ** 20, maxFileBytes: 512 * 2 ** 20, name: `${format}: ${c.name}` };
  if (format === 'tfjs') {
    const art = saveModel(model);
    const json = JSON.parse(JSON.stringify(art.modelJSON)) as Json;
    c.edit(layerEntry((json.modelTopology as Json).model_config as Json, c.layer));
    const text = JSON.stringify(json);
    return () => loadModel({ modelJSON: text, weightData: art.weightData }, limits);
  }
  if (format === 'keras') {
    const entries = unzipSync(saveModel(model, { format: 'keras' }));
    const config = JSON.parse(new TextDecoder().decode(entries['config.json'])) as Json;
    c.edit(layerEntry(config, c.layer));
    entries['config.json'] = new TextEncoder().encode(JSON.stringify(config));
    const bytes = zipSync(entries, { level: 1 });
    return () => loadModel(bytes, limits);
  }
  // .h5: the model_config string rewritten in place, padded with spaces to its length
  const bytes = saveModel(model, { format: 'h5' });
  const file = new H5File(bytes, 'hostile.h5');
  const text = stringAttr(file, file.root, 'model_config')!;
  const config = JSON.parse(text) as Json;
  c.edit(layerEntry(config, c.layer));
  const edited = new TextEncoder().encode(JSON.stringify(config));
  const old = new TextEncoder().encode(text);
  if (edited.length > old.length) throw new Error(`${c.name}: the edited model_config is longer than the original`);
  const at = Buffer.from(bytes).indexOf(Buffer.from(old));
  if (at < 0 || Buffer.from(bytes).indexOf(Buffer.from(old), at + 1) >= 0) throw new Error('model_config is not stored once, contiguously');
  const out = bytes.slice();
  out.fill(0x20, at, at + old.length);
  out.set(edited, at);
  return () => loadModel(out, limits);
}

/** Case i of the hostile item: cases × formats, in that order. */
export function hostileCount(): number {
  return CASES.length * FORMATS.length;
}

export function hostileCase(i: number): { format: Format; c: HostileCase } {
  return { c: CASES[Math.floor(i / FORMATS.length)], format: FORMATS[i % FORMATS.length] };
}

/**
 * The legacy Keras HDF5 full-model file, `model.save('x.h5')` of tf.keras 2
 * (tf_keras/saving/legacy/hdf5_format.py :: save_model_to_hdf5, save_weights_to_hdf5_group),
 * with the attribute types h5py gives Keras's values:
 *
 *   /                       model_config (JSON, bytes → vlen ASCII), keras_version, backend (str → vlen UTF-8)
 *   /model_weights          layer_names (vlen ASCII list), backend, keras_version (vlen ASCII)
 *   /model_weights/<layer>  weight_names: ['<layer>/<weight>:0', …] (vlen ASCII), or an empty
 *                           float64 array for a layer without weights (numpy's np.asarray([]))
 *   /model_weights/<layer>/<layer>/<weight>:0   the float32 dataset (the name's '/' makes the subgroup)
 *   /model_weights/top_level_model_weights      the model's own weights: none
 *
 * A nested model is one layer: its group lists all its sublayers' weights as
 * '<sublayer>/<weight>:0', trainable first (save_common.ts :: nestedLegacyOrder). String lists
 * larger than HDF5's 64 KiB object-header limit are split into `<name>0`, `<name>1`, … as Keras
 * splits them. Optimizer state (`optimizer_weights`, `training_config`) is not written.
 */
import { ModelFormatError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { Model } from '../model/model.js';
import { f64, H5Group, str, writeHdf5 } from './hdf5/writer.js';
import { KERAS2_VERSION, keras2Activations, nestedLegacyOrder, pyJson } from './save_common.js';

/** Keras's HDF5_OBJECT_HEADER_LIMIT: the most bytes of one attribute (as a numpy array). */
const HEADER_LIMIT = 64512;

const utf8 = new TextEncoder();

/**
 * Keras's save_attributes_to_hdf5_group: a string list as one attribute, or split into chunks
 * `name0`, `name1`, … (numpy's array_split) while its numpy form (fixed width = the longest
 * item) is larger than the object header limit.
 */
export function setStringList(group: H5Group, name: string, values: readonly string[]): void {
  const width = Math.max(1, ...values.map((v) => utf8.encode(v).length));
  if (width > HEADER_LIMIT) throw new ModelFormatError(`saveModel: the name '${values.find((v) => utf8.encode(v).length === width)!.slice(0, 64)}…' is longer than the ${HEADER_LIMIT} bytes an HDF5 attribute can hold`);
  // (each item also takes 16 bytes in the attribute as a vlen reference: where Keras's rule would
  // leave a list too long for one HDF5 header message, h5py would fail; split further instead)
  let chunks = 1;
  while (Math.ceil(values.length / chunks) * Math.max(width, 16) > HEADER_LIMIT) chunks++;
  if (chunks === 1) {
    group.attr(name, values.length ? str(values, 'ascii') : f64([]));
    return;
  }
  // numpy.array_split: the first (n mod k) chunks get one more item
  const base = Math.floor(values.length / chunks);
  const extra = values.length % chunks;
  let at = 0;
  for (let i = 0; i < chunks; i++) {
    const n = base + (i < extra ? 1 : 0);
    group.attr(`${name}${i}`, str(values.slice(at, at + n), 'ascii'));
    at += n;
  }
}

/** The weights one top-level layer stores: [name as written, values, shape]. */
function layerWeights(layer: Layer): { name: string; values: Float32Array; shape: number[] }[] {
  if (layer instanceof Model) {
    return nestedLegacyOrder(layer).map(({ layer: l, spec }) => ({
      name: `${l.name}/${l.specs[spec].name}:0`, values: l.weightArrays()[spec], shape: l.specs[spec].shape,
    }));
  }
  const arrays = layer.weightArrays();
  return layer.specs.map((s, i) => ({ name: `${layer.name}/${s.name}:0`, values: arrays[i], shape: s.shape }));
}

/** The bytes of a legacy Keras .h5 file holding the model's config and weights. */
export function legacyH5Bytes(model: Model): Uint8Array {
  const json = model.toJSON() as Record<string, unknown>;
  const version = typeof json.keras_version === 'string' ? json.keras_version : KERAS2_VERSION;
  const backend = typeof json.backend === 'string' ? json.backend : 'tensorflow';
  const config = keras2Activations({ class_name: json.class_name, config: json.config });
  const root = new H5Group();
  root.attr('backend', str(backend));
  root.attr('keras_version', str(version));
  root.attr('model_config', str(pyJson(config), 'ascii'));
  const mw = root.group('model_weights');
  const layers = model.layers;
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) throw new ModelFormatError(`saveModel: two layers of ${model.label} are named '${l.name}'; Keras .h5 files keep weights by layer name`);
    names.add(l.name);
  }
  setStringList(mw, 'layer_names', layers.map((l) => l.name));
  mw.attr('backend', str(backend, 'ascii'));
  mw.attr('keras_version', str(version, 'ascii'));
  for (const layer of [...layers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const g = mw.group(layer.name);
    const weights = layerWeights(layer);
    setStringList(g, 'weight_names', weights.map((w) => w.name));
    const seen = new Set<string>();
    for (const w of weights) {
      if (seen.has(w.name)) throw new ModelFormatError(`saveModel: ${layer.label} has two weights named '${w.name}' (two sublayers with one name); rename one`);
      seen.add(w.name);
      g.dataset(w.name, w.shape, w.values);
    }
  }
  if (!names.has('top_level_model_weights')) mw.group('top_level_model_weights').attr('weight_names', f64([]));
  return writeHdf5(root);
}

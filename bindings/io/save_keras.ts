/**
 * A Keras 3 `.keras` file (keras/src/saving/saving_lib.py :: save_model): a zip of stored
 * entries `metadata.json` ({keras_version, date_saved}), `config.json` (keras3_config.ts) and
 * `model.weights.h5`, in that order.
 *
 * The weights file is saving_lib's tree (_save_state / _save_container_state, H5IOStore): every
 * saveable gets a group `<path>/vars` whose attribute `name` is its name (Keras 3.6+), holding
 * its variables as datasets `0`, `1`, … in the layer's variable order (trainable, then
 * non-trainable); the top model's own group is `vars` at the root; a model's layers sit in
 * `layers/<snake_case(class)>[_<n>]` (n counting repeats of a class in that model's `layers`
 * list, shared layers saved once, where first met); nested models repeat the pattern:
 *
 *   vars                          (name: the model)
 *   layers/dense/vars/0, 1        (name: 'dense_1', …)
 *   layers/sequential/vars
 *   layers/sequential/layers/conv2d_transpose/vars/0, 1
 *
 * Optimizer state is not written (no `optimizer/vars` and no `compile_config`): a loaded model is
 * not compiled.
 */
import type { Layer } from '../layers/layer.js';
import { Model } from '../model/model.js';
import { snakeCase } from '../layers/naming.js';
import { H5Group, str, writeHdf5 } from './hdf5/writer.js';
import { keras3ModelConfig } from './keras3_config.js';
import { KERAS3_VERSION, pyJson } from './save_common.js';
import { zipStored } from './zip_writer.js';

/** The `model.weights.h5` tree of a model (saving_lib's layout). */
export function keras3WeightsTree(model: Model): H5Group {
  const root = new H5Group();
  const visited = new Set<unknown>();
  const save = (saveable: Layer, path: string) => {
    if (visited.has(saveable)) return;
    visited.add(saveable);
    const vars = path === '' ? root.group('vars') : root.group(`${path}/vars`);
    vars.attr('name', str(saveable.name));
    if (!(saveable instanceof Model)) {
      const arrays = saveable.weightArrays();
      saveable.specs.forEach((s, i) => vars.dataset(String(i), s.shape, arrays[i]));
      return;
    }
    const used = new Map<string, number>();
    for (const layer of saveable.layers) {
      const base = snakeCase(layer.className.replace(/\W+/g, ''));
      const n = used.get(base);
      used.set(base, n === undefined ? 0 : n + 1);
      const name = n === undefined ? base : `${base}_${n + 1}`;
      save(layer, path === '' ? `layers/${name}` : `${path}/layers/${name}`);
    }
  };
  save(model, '');
  return root;
}

/** saving_lib's date_saved: local time as "%Y-%m-%d@%H:%M:%S". */
function dateSaved(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The bytes of a `.keras` file holding the model. */
export function kerasZipBytes(model: Model, now = new Date()): Uint8Array {
  const enc = new TextEncoder();
  const config = pyJson(keras3ModelConfig(model));
  const metadata = pyJson({ keras_version: KERAS3_VERSION, date_saved: dateSaved(now) });
  const weights = writeHdf5(keras3WeightsTree(model));
  return zipStored([
    { name: 'metadata.json', data: enc.encode(metadata) },
    { name: 'config.json', data: enc.encode(config) },
    { name: 'model.weights.h5', data: weights, date: now },
  ]);
}

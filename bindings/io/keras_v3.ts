/**
 * The Keras saving_lib format: a `.keras` zip (`metadata.json`, `config.json`,
 * `model.weights.h5`) and bare `.weights.h5` files.
 *
 * In the weights file a layer's variables sit at `<path>/vars/<i>`, i = 0, 1, … in the layer's
 * variable order (trainable then non-trainable, which is Keras's get_weights order for the layers
 * upconv has). The path is built from class names, never layer names
 * (keras/src/saving/saving_lib.py :: _save_container_state): inside each model's `layers`
 * container every layer is `snake_case(ClassName)` plus `_1`, `_2`, … for repeats of a class,
 * e.g. `layers/dense`, `layers/dense_1`, `layers/sequential/layers/conv2d_transpose`. Keras 2.13
 * wrote the same tree under `_layer_checkpoint_dependencies` instead of `layers`, which Keras 3
 * itself still accepts; both are read here, and matched by layer order and type.
 */
import type { Layer } from '../layers/layer.js';
import { throwWeightProblems, type WeightRef } from './assemble.js';
import type { H5File, H5Object } from './hdf5/file.js';

const LEGACY_CONTAINER = '_layer_checkpoint_dependencies';

/** The `vars` group of a layer at `path`, trying the Keras 3 and Keras 2.13 container names. */
function varsGroup(file: H5File, path: string[]): { group: H5Object; path: string } | null {
  for (const p of [path, path.map((s) => (s === 'layers' ? LEGACY_CONTAINER : s))]) {
    const joined = [...p, 'vars'].join('/');
    const g = file.get(joined);
    if (g && g.isGroup) return { group: g, path: joined };
  }
  return null;
}

/** What the file has at the level where a layer was expected (for error messages). */
function siblings(file: H5File, path: string[]): string {
  for (const p of [path, path.map((s) => (s === 'layers' ? LEGACY_CONTAINER : s))]) {
    const parent = file.get(p.slice(0, -1).join('/'));
    if (parent && parent.isGroup) {
      const names = [...file.links(parent).keys()];
      return `${p.slice(0, -1).join('/')}/ has ${names.length ? names.join(', ') : 'nothing'}`;
    }
  }
  return 'the file has no layers group';
}

function layerRefs(file: H5File, path: string[], count: number, label: string, problems: string[]): WeightRef[] {
  const found = varsGroup(file, path);
  if (!found) {
    problems.push(`${label}: no weights at ${path.join('/')}/vars (${siblings(file, path)})`);
    return [];
  }
  const names = [...file.links(found.group).keys()];
  if (names.length !== count) {
    problems.push(`${label}: expects ${count} weight arrays, ${found.path} has ${names.length}`);
    return [];
  }
  const refs: WeightRef[] = [];
  for (let i = 0; i < count; i++) {
    const obj = file.get(String(i), found.group);
    const where = `${found.path}/${i}`;
    if (!obj || !obj.isDataset) {
      problems.push(`${label}: ${where} is missing`);
      continue;
    }
    const { shape } = file.datasetInfo(obj);
    refs.push({ where, shape, read: () => file.readFloat32(obj, where) });
  }
  return refs;
}

/** Weight references for every layer with weights, at its saving_lib path. */
export function v3Refs(file: H5File, layers: readonly Layer[], paths: ReadonlyMap<Layer, string[]>, what: string): Map<Layer, WeightRef[]> {
  const problems: string[] = [];
  const refs = new Map<Layer, WeightRef[]>();
  for (const layer of layers) {
    const count = layer.specs.length;
    if (!count) continue;
    refs.set(layer, layerRefs(file, paths.get(layer)!, count, layer.label, problems));
  }
  throwWeightProblems(what, problems);
  return refs;
}

/** Whether an HDF5 file looks like a saving_lib weights file. */
export function isV3Weights(file: H5File): boolean {
  return !!(file.get('layers') || file.get(LEGACY_CONTAINER) || file.get('vars'));
}

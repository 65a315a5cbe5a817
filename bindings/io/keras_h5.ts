/**
 * Keras "legacy" HDF5 files: `model.save('x.h5')` (Keras 1–3, tf.keras) and
 * `model.save_weights('x.h5')` (Keras 2).
 *
 * Layout (keras/src/legacy/saving/legacy_h5_format.py):
 *   /                      attrs model_config (JSON), keras_version, backend[, training_config]
 *   /model_weights         attrs layer_names[, layer_names0, layer_names1 …], keras_version, backend
 *   /model_weights/<layer> attrs weight_names (e.g. "dense_1/kernel:0" or, Keras 3, "dense/kernel")
 *   /model_weights/<layer>/<weight name>   the dataset (the name's '/' makes subgroups)
 * A weights-only file has the `model_weights` content at its root.
 *
 * Matching is Keras's own (load_weights_from_hdf5_group): top-level layers that have weights,
 * in order, against saved layers whose weight_names are not empty, in order; within a layer,
 * weight_names order. A nested model is one saved layer holding all its sublayers' weights; those
 * are matched by name (".../<layer>/<weight>"), else in the order Keras wrote them (trainable
 * weights of all sublayers, then the non-trainable ones).
 */
import { WeightsError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { Model } from '../model/model.js';
import { throwWeightProblems, type WeightRef } from './assemble.js';
import { CorruptFileError } from './errors.js';
import type { H5File, H5Object } from './hdf5/file.js';

/** A string-list attribute, joined from Keras's `name0`, `name1`, … chunks when it was split. */
export function stringListAttr(file: H5File, obj: H5Object, name: string): string[] | undefined {
  const whole = file.attr(obj, name);
  if (whole !== undefined) return toStrings(whole);
  const parts: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const part = file.attr(obj, `${name}${i}`);
    if (part === undefined) break;
    parts.push(...toStrings(part));
  }
  return parts.length ? parts : undefined;
}

function toStrings(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  return v === undefined || v === '' ? [] : [String(v)];
}

export function stringAttr(file: H5File, obj: H5Object, name: string): string | undefined {
  const v = file.attr(obj, name);
  if (v === undefined) return undefined;
  return Array.isArray(v) ? (v.length === 1 ? String(v[0]) : undefined) : String(v);
}

/** One weight a layer wants. */
interface Wanted {
  layer: Layer;
  spec: number;
}

/** A reference to one dataset below `group`. */
function ref(file: H5File, group: H5Object, path: string, where: string, full: string): WeightRef | string {
  const obj = file.get(path, group);
  if (!obj || !obj.isDataset) return `${where}: dataset '${full}' listed in weight_names is missing`;
  const { shape } = file.datasetInfo(obj);
  return { where: `'${full}'`, shape, read: () => file.readFloat32(obj, `'${full}'`) };
}

const stripIndex = (n: string) => n.replace(/:\d+$/, '');

/** Saved layers that hold weights: [name, weight_names] in file order. */
function savedLayers(file: H5File, group: H5Object, what: string): { name: string; group: H5Object; weights: string[] }[] {
  const names = stringListAttr(file, group, 'layer_names');
  if (!names) throw new CorruptFileError(`${what}: the weights group has no 'layer_names' attribute`);
  const out: { name: string; group: H5Object; weights: string[] }[] = [];
  for (const name of names) {
    const g = file.get(name, group);
    if (!g) throw new CorruptFileError(`${what}: layer_names lists '${name}' but there is no such group`);
    const weights = stringListAttr(file, g, 'weight_names') ?? [];
    if (weights.length) out.push({ name, group: g, weights });
  }
  return out;
}

const wantedOf = (l: Layer): Wanted[] => l.specs.map((_, spec) => ({ layer: l, spec }));

/** For each wanted weight, the index of the saved name ".../<layer>/<weight>[:0]", or null if not unique. */
function matchByName(names: string[], wanted: Wanted[]): number[] | null {
  const used = new Set<number>();
  const out: number[] = [];
  for (const w of wanted) {
    const key = `${w.layer.name}/${w.layer.specs[w.spec].name}`;
    const hits = names.map((n, i) => [stripIndex(n), i] as const).filter(([n]) => n === key || n.endsWith(`/${key}`));
    if (hits.length !== 1 || used.has(hits[0][1])) return null;
    used.add(hits[0][1]);
    out.push(hits[0][1]);
  }
  return out;
}

/** tf.keras / Keras 2 order of a nested model's weights: all trainable, then all non-trainable. */
function legacyOrder(unit: Layer): Wanted[] {
  const seen = new Set<Layer>();
  const isTrainable = (w: Wanted) => w.layer.specs[w.spec].trainable;
  const trainable = (l: Layer): Wanted[] => {
    if (l instanceof Model) return l.trainable ? l.layers.flatMap(trainable) : [];
    return l.trainable ? wantedOf(l).filter(isTrainable) : [];
  };
  const nonTrainable = (l: Layer): Wanted[] => {
    if (l instanceof Model) return l.trainable ? l.layers.flatMap(nonTrainable) : l.layers.flatMap(all);
    return l.trainable ? wantedOf(l).filter((w) => !isTrainable(w)) : wantedOf(l);
  };
  const all = (l: Layer): Wanted[] => [...trainable(l), ...nonTrainable(l)];
  const taken = new Map<Layer, Set<number>>();
  return all(unit).filter((w) => {
    const specs = taken.get(w.layer) ?? new Set<number>();
    taken.set(w.layer, specs);
    if (specs.has(w.spec)) return false; // a layer shared by two nested models has one set of weights
    specs.add(w.spec);
    return true;
  });
}

/**
 * Weight references from a legacy weights group (Keras's load_weights_from_hdf5_group): the
 * model's top-level layers that have weights, in order, against the saved layers whose
 * weight_names are not empty, in order. A nested model is one saved layer: its weights are
 * matched by name, else in the order Keras wrote them (trainable first).
 */
export function legacyRefs(file: H5File, group: H5Object, prefix: string, model: Model, what: string): Map<Layer, WeightRef[]> {
  const units = model.layers.filter((l) => l.countParams() > 0);
  const saved = savedLayers(file, group, what);
  if (saved.length !== units.length) {
    throw new WeightsError(`${what}: the file has weights for ${saved.length} layers (${saved.map((s) => s.name).join(', ')}) but the model has ${units.length} layers with weights (${units.map((u) => u.name).join(', ')})`);
  }
  const refs = new Map<Layer, WeightRef[]>();
  const problems: string[] = [];
  units.forEach((unit, k) => {
    const s = saved[k];
    let wanted: Wanted[];
    let order: number[] | null;
    if (!(unit instanceof Model)) {
      wanted = wantedOf(unit);
      order = wanted.map((_, j) => j);
    } else {
      wanted = unit.weightLayers().flatMap(wantedOf);
      order = matchByName(s.weights, wanted);
      if (!order) {
        wanted = legacyOrder(unit);
        order = wanted.map((_, j) => j);
      }
    }
    if (s.weights.length !== wanted.length) {
      problems.push(`layer '${unit.name}' expects ${wanted.length} weights, saved layer '${s.name}' has ${s.weights.length} (${s.weights.join(', ')})`);
      return;
    }
    wanted.forEach((w, j) => {
      const r = ref(file, s.group, s.weights[order![j]], `saved layer '${s.name}'`, `${prefix}${s.name}/${s.weights[order![j]]}`);
      if (typeof r === 'string') {
        problems.push(r);
        return;
      }
      const list = refs.get(w.layer) ?? new Array<WeightRef>(w.layer.specs.length);
      list[w.spec] = r;
      refs.set(w.layer, list);
    });
  });
  throwWeightProblems(what, problems);
  return refs;
}

/**
 * What the Keras file writers (save_h5.ts, save_keras.ts) share: JSON as Python's json.dumps
 * writes it, activation names as the target Keras major version spells them, the weights of a
 * nested model in tf.keras 2's order, and the Keras version strings written.
 */
import { ModelFormatError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { Model } from '../model/model.js';

/** The Keras versions the written files say they come from (the layouts follow these versions). */
export const KERAS2_VERSION = '2.15.0';
export const KERAS3_VERSION = '3.6.0';

/** JSON with Python's json.dumps separators (", " and ": "), as Keras writes model configs. */
export function pyJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== undefined) parts.push(`${JSON.stringify(k)}: ${pyJson(v)}`);
  }
  return `{${parts.join(', ')}}`;
}

/**
 * An activation (a config's `activation` value) as Keras `major` reads it. upconv names Keras 2's
 * hard_sigmoid `hard_sigmoid_keras2` and Keras 3's `hard_sigmoid`; each exists in one major only,
 * and a layer given as an activation (Keras 3) has no Keras 2 form.
 */
export function activationFor(act: unknown, major: 2 | 3, where: string): unknown {
  if (major === 2) {
    if (act === 'hard_sigmoid_keras2') return 'hard_sigmoid';
    if (act === 'hard_sigmoid') throw new ModelFormatError(`${where}: Keras 3's hard_sigmoid (relu6(x + 3) / 6) has no Keras 2 name; save as .keras`);
    if (act !== null && typeof act === 'object') throw new ModelFormatError(`${where}: a layer used as an activation is Keras 3 only; save as .keras`);
    return act;
  }
  if (act === 'hard_sigmoid_keras2') throw new ModelFormatError(`${where}: Keras 2's hard_sigmoid (clip(0.2·x + 0.5, 0, 1)) has no Keras 3 name; save as .h5`);
  return act;
}

/** Every `activation` in a tf.keras 2 model config, rewritten for Keras 2 (a copy). */
export function keras2Activations(config: unknown, where = 'saveModel'): unknown {
  if (Array.isArray(config)) return config.map((c) => keras2Activations(c, where));
  if (config === null || typeof config !== 'object') return config;
  const out: Record<string, unknown> = {};
  const name = (config as Record<string, unknown>).name;
  for (const [k, v] of Object.entries(config as Record<string, unknown>)) {
    out[k] = k === 'activation' ? activationFor(v, 2, `${where}: layer '${String(name)}'`) : keras2Activations(v, where);
  }
  return out;
}

/** One weight of a nested model: its layer and index in the layer's weights. */
export interface NestedWeight {
  layer: Layer;
  spec: number;
}

/**
 * tf.keras 2's weights of a nested model as `model.save('x.h5')` stores them in the model's one
 * group: the trainable weights of all its sublayers, then the non-trainable ones (a frozen
 * sublayer's weights all count as non-trainable), each shared layer once. The reader
 * (keras_h5.ts) matches them back by name, and by this order when names do not fit.
 */
export function nestedLegacyOrder(unit: Model): NestedWeight[] {
  const all = (l: Layer): NestedWeight[] => l.specs.map((_, spec) => ({ layer: l, spec }));
  const trainable = (l: Layer): NestedWeight[] => {
    if (l instanceof Model) return l.trainable ? l.layers.flatMap(trainable) : [];
    return l.trainable ? all(l).filter((w) => l.specs[w.spec].trainable) : [];
  };
  const nonTrainable = (l: Layer): NestedWeight[] => {
    if (l instanceof Model) return l.trainable ? l.layers.flatMap(nonTrainable) : l.layers.flatMap((s) => [...trainable(s), ...nonTrainable(s)]);
    return l.trainable ? all(l).filter((w) => !l.specs[w.spec].trainable) : all(l);
  };
  const seen = new Set<string>();
  const ids = new Map<Layer, number>();
  return [...trainable(unit), ...nonTrainable(unit)].filter((w) => {
    const id = `${ids.get(w.layer) ?? ids.set(w.layer, ids.size).get(w.layer)}:${w.spec}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

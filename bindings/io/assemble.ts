/**
 * From a model config and a weight source to a ready model, in an order that fails early and
 * cheaply: unsupported content (all of it at once, from the core's config reader, which builds
 * the layers without weights) → the weights' total size against maxWeightBytes → weight names and
 * shapes against the file (before anything is read) → reading, with every value checked finite.
 * No random initial weights are ever made for a loaded model.
 */
import { firstNonFinite } from '../args.js';
import { MemoryLimitError, ModelFormatError, ShapeError, UpconvError, WeightsError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { snakeCase } from '../layers/naming.js';
import { type LayerOrigin, readModelConfig, warnMixed } from '../model/config.js';
import { Model } from '../model/model.js';
import { UnsupportedModelError } from './errors.js';

/** Limits on what a file may make us allocate. */
export interface Limits {
  /** Most bytes of float32 weights a model may hold (default 1 GiB). */
  maxWeightBytes: number;
  /** Largest file, zip entry or shard set read (default 2 GiB). */
  maxFileBytes: number;
}

export const DEFAULT_LIMITS: Limits = { maxWeightBytes: 2 ** 30, maxFileBytes: 2 ** 31 };

/** One stored weight array: its shape (known without reading) and how to read it. */
export interface WeightRef {
  where: string;
  shape: number[];
  read: () => Float32Array;
}

/** A model read from a config, with no weights yet. */
export interface Prepared {
  model: Model;
  /** Layers with weights, `getWeights()` order (nested models expanded, shared layers once). */
  layers: Layer[];
  origins: Map<Layer, LayerOrigin>;
  mixedPolicies: string[];
}

export function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** The weights a model needs, checked against maxWeightBytes (nothing allocated). */
export function checkWeightBytes(model: Model, what: string, limits: Limits): Layer[] {
  const layers = model.weightLayers();
  let total = 0;
  for (const layer of layers) {
    total += 4 * layer.countParams();
    if (total > limits.maxWeightBytes) {
      throw new MemoryLimitError(`${what}: ${layer.label} brings the weights to ${formatBytes(total)}, more than maxWeightBytes (${formatBytes(limits.maxWeightBytes)}); pass a larger maxWeightBytes if the file is trusted`);
    }
  }
  return layers;
}

/** Reads a config into a model without weights; throws UnsupportedModelError listing every problem. */
export function prepare(config: unknown, kerasVersion: string | null | undefined, what: string, limits: Limits): Prepared {
  const tooLarge = (layer: string, bytes: number) => new MemoryLimitError(`${what}: ${layer} brings the weights to ${formatBytes(bytes)}, more than maxWeightBytes (${formatBytes(limits.maxWeightBytes)}); pass a larger maxWeightBytes if the file is trusted`);
  const { read, problems } = readModelConfig(config, { kerasVersion, maxWeightBytes: limits.maxWeightBytes, tooLarge });
  if (!read) throw new UnsupportedModelError(what, problems);
  if (!read.model.built) throw new UnsupportedModelError(what, ['the model has no input shape (no InputLayer, batch_input_shape or build_config)']);
  const layers = checkWeightBytes(read.model, what, limits);
  return { model: read.model, layers, origins: read.origins, mixedPolicies: read.mixedPolicies };
}

/** Checks every reference (count and shape) against what the layers expect; reads nothing. */
export function checkRefs(layers: readonly Layer[], refs: ReadonlyMap<Layer, WeightRef[]>, what: string): void {
  const problems: string[] = [];
  for (const layer of layers) {
    const want = layer.specs;
    const got = refs.get(layer) ?? [];
    if (got.length !== want.length) {
      problems.push(`${layer.label}: expects ${want.length} weight arrays (${want.map((s) => `${s.name} [${s.shape}]`).join(', ')}), the file has ${got.length}`);
      continue;
    }
    want.forEach((s, j) => {
      if (got[j].shape.length !== s.shape.length || got[j].shape.some((d, k) => d !== s.shape[k])) {
        problems.push(`${layer.label}: ${s.name} should be [${s.shape.join(', ')}] but ${got[j].where} is [${got[j].shape.join(', ')}]`);
      }
    });
  }
  throwWeightProblems(what, problems);
}

/** Checks every reference, reads them all (checking values), then sets the weights. */
export function assignRefs(layers: readonly Layer[], refs: ReadonlyMap<Layer, WeightRef[]>, what: string): void {
  checkRefs(layers, refs, what);
  const values = layers.map((layer) => (refs.get(layer) ?? []).map((r, j) => {
    const v = r.read();
    const n = product(layer.specs[j].shape);
    if (v.length !== n) throw new WeightsError(`${what}: ${r.where} holds ${v.length} values, expected ${n}`);
    const bad = firstNonFinite(v);
    if (bad >= 0) throw new WeightsError(`${what}: ${r.where} holds a non-finite value (${v[bad]}) at index ${bad}`);
    return v;
  }));
  layers.forEach((layer, i) => { if (layer.specs.length) layer.assignWeights(values[i]); });
}

/** Sets a prepared model's weights from references and returns the model. */
export function finish(p: Prepared, refs: ReadonlyMap<Layer, WeightRef[]>, what: string): Model {
  assignRefs(p.layers, refs, what);
  warnMixed(p.mixedPolicies, what);
  return p.model;
}

/** Throws a WeightsError listing `problems` when there are any. */
export function throwWeightProblems(what: string, problems: string[]): void {
  if (problems.length) throw new WeightsError(`${what}: ${problems.length} weight problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`);
}

/** A model argument of loadWeights / saveModel. */
export function asModel(model: unknown, where: string): Model {
  if (!(model instanceof Model)) throw new ModelFormatError(`${where}: the first argument must be a model (Sequential or Model)`);
  if (!model.built) {
    // the core builds what it can; a model with no input shape anywhere cannot be
    try {
      model.build();
    } catch (e) {
      // the core's own "not yet been built" is said again here with the caller's name
      const unbuilt = e instanceof ShapeError && /not yet been built/.test(e.message);
      if (e instanceof UpconvError && e.name !== 'UpconvError' && !unbuilt) throw e;
      throw new ShapeError(`${where}: ${model.label} has not yet been built (no input shape); give its first layer an inputShape or call build([null, ...]) first`);
    }
  }
  return model;
}

/**
 * Keras 3 saving_lib paths of every layer with weights: inside each model's `layers` container
 * a layer is snake_case(class) then _1, _2 … per class in the container's order; a file's own
 * paths (origins) win over computed ones.
 */
export function v3Paths(model: Model, origins?: ReadonlyMap<Layer, LayerOrigin>): Map<Layer, string[]> {
  const out = new Map<Layer, string[]>();
  const walk = (m: Model, prefix: string[]) => {
    const used = new Map<string, number>();
    for (const l of m.layers) {
      const base = snakeCase(l.className.replace(/\W+/g, ''));
      const n = used.get(base);
      used.set(base, n === undefined ? 0 : n + 1);
      const path = [...prefix, 'layers', n === undefined ? base : `${base}_${n + 1}`];
      if (l instanceof Model) walk(l, path);
      else if (!out.has(l)) out.set(l, origins?.get(l)?.v3Path ?? path);
    }
  };
  walk(model, []);
  return out;
}

/** Names of the models enclosing each layer (outermost first, the top model left out). */
export function scopes(model: Model): Map<Layer, string[]> {
  const out = new Map<Layer, string[]>();
  const walk = (m: Model, scope: string[]) => {
    for (const l of m.layers) {
      if (l instanceof Model) walk(l, [...scope, l.name]);
      else if (!out.has(l)) out.set(l, scope);
    }
  };
  walk(model, []);
  return out;
}

/**
 * From a normalized config and a weight source to a ready Sequential, in an order that fails
 * early and cheaply: unsupported content (all of it at once) → shapes and memory limits (before
 * anything is allocated) → weight names and shapes against the file (before anything is read) →
 * reading, with every value checked finite → layers get their weights before they are built, so
 * no random initial weights are ever made for a loaded model.
 */
import { MemoryLimitError, ShapeError, WeightsError } from '../errors.js';
import { InputLayer } from '../layers/input_layer.js';
import type { Layer, WeightSpec } from '../layers/layer.js';
import { layerFromEntry } from '../layers/registry.js';
import { Sequential } from '../model/sequential.js';
import { UnsupportedModelError } from './errors.js';
import type { LeafSpec, NormalizedModel } from './keras_config.js';

/** Limits on what a file may make us allocate. */
export interface Limits {
  /** Most bytes of float32 weights a model may hold (default 1 GiB). */
  maxWeightBytes: number;
  /** Largest file, zip entry or shard set read (default 2 GiB). */
  maxFileBytes: number;
}

export const DEFAULT_LIMITS: Limits = { maxWeightBytes: 2 ** 30, maxFileBytes: 2 ** 31 };

/** Largest number of values one sample may hold in any layer (the core's own bound). */
const MAX_SAMPLE_VALUES = 2 ** 30;

/** One stored weight array: its shape (known without reading) and how to read it. */
export interface WeightRef {
  where: string;
  shape: number[];
  read: () => Float32Array;
}

export interface Prepared {
  norm: NormalizedModel;
  layers: Layer[];
  /** Weights each layer expects, Keras order. */
  specs: WeightSpec[][];
  index: Map<LeafSpec, number>;
  batchInputShape: (number | null)[];
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

/** Builds unbuilt layers and walks their shapes; throws before anything large is allocated. */
export function prepare(norm: NormalizedModel, what: string, limits: Limits): Prepared {
  if (norm.problems.length) throw new UnsupportedModelError(what, norm.problems);
  const bis = norm.input!.batchInputShape;
  const dims = bis.slice(1);
  if (dims.some((d) => !Number.isInteger(d) || (d as number) < 1 || (d as number) > MAX_SAMPLE_VALUES)) {
    throw new UnsupportedModelError(what, [`input shape ${JSON.stringify(bis)} has a dimension that is not a positive integer`]);
  }
  const problems: string[] = [];
  const layers: Layer[] = [];
  for (const leaf of norm.leaves) {
    try {
      layers.push(layerFromEntry(leaf.entry));
    } catch (e) {
      problems.push(`layer '${leaf.name}': ${(e as Error).message}`);
    }
  }
  if (problems.length) throw new UnsupportedModelError(what, problems);
  let shape = dims as number[];
  const specs: WeightSpec[][] = [];
  let total = 0;
  if (product(shape) > MAX_SAMPLE_VALUES) throw new MemoryLimitError(`${what}: the input holds ${product(shape)} values per sample, more than upconv supports`);
  for (const layer of layers) {
    let out: number[];
    try {
      out = layer.computeOutputShape(shape);
    } catch (e) {
      throw new ShapeError(`${what}: ${(e as Error).message}`);
    }
    if (out.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new ShapeError(`${what}: ${layer.label} turns (None, ${shape.join(', ')}) into (None, ${out.join(', ')})`);
    }
    if (product(out) > MAX_SAMPLE_VALUES) {
      throw new MemoryLimitError(`${what}: ${layer.label} would output ${product(out)} values per sample, more than upconv supports (${MAX_SAMPLE_VALUES})`);
    }
    const s = layer.weightSpecs(shape);
    for (const w of s) total += product(w.shape);
    if (total * 4 > limits.maxWeightBytes) {
      throw new MemoryLimitError(`${what}: ${layer.label} brings the weights to ${formatBytes(total * 4)}, more than maxWeightBytes (${formatBytes(limits.maxWeightBytes)}); pass a larger maxWeightBytes if the file is trusted`);
    }
    specs.push(s);
    shape = out;
  }
  const index = new Map<LeafSpec, number>();
  norm.leaves.forEach((l, i) => index.set(l, i));
  return { norm, layers, specs, index, batchInputShape: bis };
}

/** Checks every reference (count and shape) against what the layers expect; reads nothing. */
export function checkRefs(p: Prepared, refs: WeightRef[][], what: string): void {
  const problems: string[] = [];
  p.layers.forEach((layer, i) => {
    const want = p.specs[i];
    const got = refs[i] ?? [];
    if (got.length !== want.length) {
      problems.push(`${layer.label}: expects ${want.length} weight arrays (${want.map((s) => `${s.name} [${s.shape}]`).join(', ')}), the file has ${got.length}`);
      return;
    }
    want.forEach((s, j) => {
      if (got[j].shape.length !== s.shape.length || got[j].shape.some((d, k) => d !== s.shape[k])) {
        problems.push(`${layer.label}: ${s.name} should be [${s.shape.join(', ')}] but ${got[j].where} is [${got[j].shape.join(', ')}]`);
      }
    });
  });
  throwWeightProblems(what, problems);
}

/** Checks every reference, then reads and installs the weights and builds the model. */
export function finish(p: Prepared, refs: WeightRef[][], what: string): Sequential {
  checkRefs(p, refs, what);
  p.layers.forEach((layer, i) => {
    const values = refs[i].map((r, j) => {
      const v = r.read();
      if (v.length !== product(p.specs[i][j].shape)) throw new WeightsError(`${what}: ${r.where} holds ${v.length} values, expected ${product(p.specs[i][j].shape)}`);
      for (let k = 0; k < v.length; k++) {
        if (!Number.isFinite(v[k])) throw new WeightsError(`${what}: ${r.where} holds a non-finite value (${v[k]}) at index ${k}`);
      }
      return v;
    });
    layer.assignWeights(values); // kept by build(): the shapes match, so no initial weights are made
  });
  // names must be unique in one model; flattening nested models can repeat them
  const seen = new Set<string>();
  for (const layer of p.layers) {
    let name = layer.name;
    for (let k = 1; seen.has(name); k++) name = `${layer.name}_${k}`;
    layer.name = name;
    seen.add(name);
  }
  const model = new Sequential({ name: p.norm.name });
  const inputName = p.norm.input?.name ?? `${p.layers[0]?.name ?? 'model'}_input`;
  model.add(new InputLayer({ batchInputShape: p.batchInputShape, name: inputName }));
  for (const layer of p.layers) model.add(layer);
  return model;
}

/** Throws a WeightsError listing `problems` when there are any. */
export function throwWeightProblems(what: string, problems: string[]): void {
  if (problems.length) throw new WeightsError(`${what}: ${problems.length} weight problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`);
}

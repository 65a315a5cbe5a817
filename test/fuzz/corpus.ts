/**
 * What the fuzz suite mutates: the fixture files of test/io/fixtures, synthetic tf.js models
 * built in code (float32 and quantized), and, when ../shared exists beside the repository, the
 * real generators in ../shared/models. The parent and every child compute the same list (the
 * parent passes the folders it uses).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** test/io/fixtures of the repository at `root`. */
export const fixturesOf = (root: string) => join(root, 'test', 'io', 'fixtures');

export type Kind =
  /** loadModel on the mutated bytes. */
  | 'model'
  /** loadWeights onto the tiny model. */
  | 'weights'
  /** Every object of an HDF5 file read through H5File (fixtures/structures.json lists them). */
  | 'walk'
  /** A .keras: one of its entries mutated (config.json as JSON), re-zipped; or the zip bytes. */
  | 'keras'
  /** tf.js artifacts: model.json fields, shard bytes, or a folder loaded by path. */
  | 'tfjs'
  /** The hostile configs of hostile.ts, one per index (not random: every case every run). */
  | 'hostile';

export interface Item {
  id: string;
  kind: Kind;
  /** A file (fixtures, shared) or a synthetic model's name. */
  source: string;
  /** Relative share of the mutants. */
  weight: number;
  /** Mutants per child process (large files load slower). */
  batch: number;
  /**
   * Time bound of one mutant in ms (default MUTANT_MS, 10 s). The real models get 30 s: an
   * undamaged fastsrgan takes 1-4 s to load and predict alone on 2 cores and up to 7 s when the
   * machine is shared, so 10 s would report load as hangs; a mutant that truly hangs still ends
   * there.
   */
  mutantMs?: number;
}

const SHARED_MUTANT_MS = 30_000;

/** Synthetic tf.js models the child builds (see child.ts). */
export const SYNTHETIC = ['tiny-float32', 'tiny-uint8', 'tiny-float16', 'upsample-float32'] as const;

/** The corpus of the repository at `root`, with the real models of `sharedModels` (../shared/models) when it exists. */
export function corpus(root: string, sharedModels: string | null): { items: Item[]; sharedNote: string | null } {
  const f = (name: string) => join(fixturesOf(root), name);
  const SHARED_MODELS = sharedModels ?? '';
  const items: Item[] = [
    { id: 'keras2_v0.h5', kind: 'model', source: f('keras2_v0.h5'), weight: 3, batch: 400 },
    { id: 'keras2_latest.h5', kind: 'model', source: f('keras2_latest.h5'), weight: 3, batch: 400 },
    { id: 'keras2_dense.h5', kind: 'model', source: f('keras2_dense.h5'), weight: 2, batch: 300 },
    { id: 'keras2_nested.h5', kind: 'model', source: f('keras2_nested.h5'), weight: 2, batch: 400 },
    { id: 'keras2_nested_order.h5', kind: 'model', source: f('keras2_nested_order.h5'), weight: 1, batch: 400 },
    { id: 'keras2_weights.h5', kind: 'weights', source: f('keras2_weights.h5'), weight: 1, batch: 400 },
    { id: 'keras3.weights.h5', kind: 'weights', source: f('keras3.weights.h5'), weight: 1, batch: 400 },
    { id: 'keras3_nested.keras', kind: 'keras', source: f('keras3_nested.keras'), weight: 4, batch: 300 },
    { id: 'structures.h5', kind: 'walk', source: f('structures.h5'), weight: 2, batch: 300 },
    { id: 'chunks_v0.h5', kind: 'walk', source: f('chunks_v0.h5'), weight: 1, batch: 400 },
    ...SYNTHETIC.map((s): Item => ({ id: `tfjs:${s}`, kind: 'tfjs', source: s, weight: 3, batch: 300 })),
    { id: 'hostile', kind: 'hostile', source: 'hostile.ts', weight: 0, batch: 200 },
  ];
  if (!sharedModels) return { items, sharedNote: null };
  if (!existsSync(SHARED_MODELS)) {
    return { items, sharedNote: `skipped the real models: ${SHARED_MODELS} does not exist (it is not part of the repository)` };
  }
  for (const dir of readdirSync(SHARED_MODELS).sort()) {
    const d = join(SHARED_MODELS, dir);
    let files: string[];
    try {
      files = readdirSync(d).sort();
    } catch {
      continue;
    }
    for (const name of files) {
      if (name.endsWith('.h5')) items.push({ id: `shared:${dir}/${name}`, kind: 'model', source: join(d, name), weight: 1, batch: 60, mutantMs: SHARED_MUTANT_MS });
      if (name.endsWith('.keras')) items.push({ id: `shared:${dir}/${name}`, kind: 'keras', source: join(d, name), weight: 1, batch: 100, mutantMs: SHARED_MUTANT_MS });
    }
    if (existsSync(join(d, 'tfjs', 'model.json'))) items.push({ id: `shared:${dir}/tfjs`, kind: 'tfjs', source: join(d, 'tfjs', 'model.json'), weight: 1, batch: 80, mutantMs: SHARED_MUTANT_MS });
  }
  return { items, sharedNote: null };
}

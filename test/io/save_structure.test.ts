/**
 * The files saveModel writes against files Keras wrote for the same architecture: the real
 * generators in ../shared/models/ (skipped with a message when that folder is missing) and the
 * synthetic Keras-layout fixtures in fixtures/. A model is loaded from the Keras file, saved by
 * upconv in the same format, and the two HDF5 trees are compared: group and dataset names,
 * dataset shapes and values, attribute names, and the string-list attributes' values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../../bindings/io/index.js';
import { H5File, type H5Object } from '../../bindings/io/hdf5/file.js';
import { ZipArchive } from '../../bindings/io/zip.js';
import { MODELS } from './shared.js';
import { fixtureBytes } from './tiny.js';
import { describeShared } from '../util/shared.js';

interface Entry {
  kind: 'group' | 'dataset';
  attrs: string[];
  shape?: number[];
  values?: number[];
}

/** Every object below the root: path → kind, attribute names, dataset shape and values. */
function listTree(f: H5File, rename: (path: string) => string = (p) => p): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (obj: H5Object, path: string) => {
    const e: Entry = { kind: obj.isGroup ? 'group' : 'dataset', attrs: f.attributeNames(obj).sort() };
    if (obj.isDataset) {
      e.shape = f.datasetInfo(obj).shape;
      e.values = Array.from(f.readFloat32(obj, path));
    }
    out.set(rename(path), e);
    if (obj.isGroup) for (const [name, addr] of f.links(obj)) walk(f.object(addr), `${path}/${name}`);
  };
  walk(f.root, '');
  return out;
}

function compareTrees(mine: Map<string, Entry>, theirs: Map<string, Entry>, ignoreAttrs: readonly string[] = []): void {
  expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
  for (const [path, t] of theirs) {
    const m = mine.get(path)!;
    expect(m.kind, path).toBe(t.kind);
    expect(m.attrs.filter((a) => !ignoreAttrs.includes(a)), path).toEqual(t.attrs.filter((a) => !ignoreAttrs.includes(a)));
    if (t.kind === 'dataset') {
      expect(m.shape, path).toEqual(t.shape);
      expect(m.values, path).toEqual(t.values);
    }
  }
}

function compareStringLists(mine: H5File, theirs: H5File, paths: string[], names: string[]): void {
  for (const p of paths) {
    const a = mine.get(p)!;
    const b = theirs.get(p)!;
    for (const n of names) {
      const want = theirs.attr(b, n);
      if (want !== undefined) expect(mine.attr(a, n), `${p} @${n}`).toEqual(want);
    }
  }
}

async function h5RoundTrip(bytes: Uint8Array, name: string): Promise<{ mine: H5File; theirs: H5File }> {
  const model = await loadModel(bytes, { name });
  return { mine: new H5File(saveModel(model, { format: 'h5' }), `upconv:${name}`), theirs: new H5File(bytes, name) };
}

function groupsOf(f: H5File): string[] {
  return [...listTree(f).entries()].filter(([, e]) => e.kind === 'group').map(([p]) => p);
}

const REAL_H5 = [
  ['wgan-mnist3-convtranspose', 'generator_model.h5', 'Keras 2.10, Sequential'],
  ['dcgan-fashion-convtranspose', 'generator.h5', 'Keras 2.8, Sequential'],
  ['fashion-gan-upsampling2d', 'generator.h5', 'Keras 2.10, Sequential'],
] as const;


describeShared('.h5 written by upconv vs the real Keras-written .h5 of the same model (../shared/models)', () => {
  it.each(REAL_H5)('%s/%s (%s): same tree, attributes, shapes, weights and name lists', async (dir, file) => {
    const { mine, theirs } = await h5RoundTrip(new Uint8Array(readFileSync(join(MODELS, dir, file))), file);
    compareTrees(listTree(mine), listTree(theirs));
    compareStringLists(mine, theirs, groupsOf(theirs), ['layer_names', 'weight_names', 'backend']);
    expect(mine.attr(mine.root, 'backend')).toBe(theirs.attr(theirs.root, 'backend'));
    // the config: same classes and names (values such as initializers are not kept by upconv)
    const cfg = (f: H5File) => JSON.parse(String(f.attr(f.root, 'model_config'))) as { class_name: string; config: { layers: { class_name: string; config: { name: string } }[] } };
    expect(cfg(mine).config.layers.map((l) => [l.class_name, l.config.name])).toEqual(cfg(theirs).config.layers.map((l) => [l.class_name, l.config.name]));
  });

  it('mnist-gan-dotkeras/generator.keras (Keras 2.13 saving_lib): the same weights tree (Keras 3 names the container `layers`)', async () => {
    const bytes = new Uint8Array(readFileSync(join(MODELS, 'mnist-gan-dotkeras', 'generator.keras')));
    const zip = new ZipArchive(bytes, 'generator.keras');
    const theirs = new H5File(zip.read('model.weights.h5', 1e8), 'generator.keras:model.weights.h5');
    const mineZip = new ZipArchive(saveModel(await loadModel(bytes), { format: 'keras' }), 'upconv.keras');
    expect([...mineZip.entries.keys()]).toEqual([...zip.entries.keys()]);
    const mine = new H5File(mineZip.read('model.weights.h5', 1e8), 'upconv:model.weights.h5');
    // Keras 3.6+ records each saveable's name on its vars group; 2.13 did not
    compareTrees(listTree(mine), listTree(theirs, (p) => p.replace('_layer_checkpoint_dependencies', 'layers')), ['name']);
  });
});

describe('files written by upconv vs the Keras-layout fixtures (fixtures/make_fixtures.py)', () => {
  it('keras2_nested.h5 (Functional with a nested Sequential): the nested group holds every sublayer weight, trainable first', async () => {
    const { mine, theirs } = await h5RoundTrip(fixtureBytes('keras2_nested.h5'), 'keras2_nested.h5');
    // the fixture follows Keras 2.9, which had no top_level_model_weights group (2.10+ writes it, as the real files show)
    const tree = listTree(mine);
    expect(tree.delete('/model_weights/top_level_model_weights')).toBe(true);
    compareTrees(tree, listTree(theirs));
    compareStringLists(mine, theirs, groupsOf(theirs), ['layer_names', 'weight_names']);
  });

  it('keras3_nested.keras (Keras 3 .keras, nested Sequential): the same weights tree', async () => {
    const bytes = fixtureBytes('keras3_nested.keras');
    const theirs = new H5File(new ZipArchive(bytes, 'f').read('model.weights.h5', 1e8), 'fixture');
    const mine = new H5File(new ZipArchive(saveModel(await loadModel(bytes), { format: 'keras' }), 'm').read('model.weights.h5', 1e8), 'mine');
    compareTrees(listTree(mine), listTree(theirs), ['name']);
  });
});

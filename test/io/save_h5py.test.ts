/**
 * The files saveModel writes, opened by h5py (Debian's python3-h5py, i.e. libhdf5 itself): names,
 * shapes, dtypes, storage, attribute values and HDF5 types, compared with what upconv wrote and
 * with what Keras wrote in the real files of ../shared/models. Skipped, with a message, when
 * /usr/bin/python3 or h5py is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Layer, Model } from '../../bindings/index.js';
import { loadModel, saveModel } from '../../bindings/io/index.js';
import { ZipArchive } from '../../bindings/io/zip.js';
import { MODELS_UNDER_TEST, sequentialModel } from './save_models.js';
import { MODELS } from './shared.js';
import { itShared, needs } from '../util/shared.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'h5py_inspect.py');
const probe = existsSync(PYTHON) ? spawnSync(PYTHON, ['-c', 'import h5py, numpy'], { encoding: 'utf8' }) : null;
const haveH5py = probe?.status === 0;
if (!haveH5py) console.log(`save_h5py.test.ts: skipped: ${existsSync(PYTHON) ? 'h5py is not installed for /usr/bin/python3 (apt-get install python3-h5py)' : '/usr/bin/python3 is missing'}`);

interface AttrInfo { type: string; cset?: 'ascii' | 'utf8'; shape: number[]; value: unknown }
interface Obj { kind: 'group' | 'dataset'; attrs: Record<string, AttrInfo>; links?: string[]; shape?: number[]; dtype?: string; layout?: string; values?: number[] }
type Tree = Record<string, Obj>;
interface H5Report { superblock: number; tree: Tree }
interface KerasReport { entries: { name: string; stored: boolean; size: number }[]; config: unknown; metadata: Record<string, string>; weights: Tree }

function inspect<T>(...files: string[]): Record<string, T> {
  const r = spawnSync(PYTHON, [SCRIPT, ...files], { encoding: 'utf8', maxBuffer: 512 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`h5py_inspect.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const dir = mkdtempSync(join(tmpdir(), 'upconv-h5py-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const vlen = (cset: 'ascii' | 'utf8', shape: number[]) => ({ type: 'vlen-str', cset, shape });

/** What a legacy .h5 of `model` must hold, as h5py reports it. */
function checkLegacy(report: H5Report, model: Model): void {
  const t = report.tree;
  expect(report.superblock).toBe(0);
  expect(t['/'].links).toEqual(['model_weights']);
  expect(t['/'].attrs.backend).toMatchObject({ ...vlen('utf8', []), value: 'tensorflow' });
  expect(t['/'].attrs.keras_version).toMatchObject(vlen('utf8', []));
  expect(t['/'].attrs.model_config).toMatchObject(vlen('ascii', []));
  const config = JSON.parse(t['/'].attrs.model_config.value as string);
  expect(config.class_name).toBe(model.className);
  const mw = t['/model_weights'];
  expect(mw.attrs.layer_names).toEqual({ ...vlen('ascii', [model.layers.length]), value: model.layers.map((l) => l.name) });
  expect(mw.attrs.backend).toMatchObject({ ...vlen('ascii', []), value: 'tensorflow' });
  expect(mw.attrs.keras_version.value).toBe(t['/'].attrs.keras_version.value);
  // Keras's loader: each layer group's weight_names, each name a dataset path below the group
  let datasets = 0;
  for (const layer of model.layers) {
    const g = t[`/model_weights/${layer.name}`];
    const names = g.attrs.weight_names;
    const weights = layerWeights(layer);
    if (!weights.length) {
      expect(names).toEqual({ type: 'f64', shape: [0], value: [] });
      continue;
    }
    expect(names).toMatchObject(vlen('ascii', [weights.length]));
    expect(names.value).toEqual(weights.map((w) => w.name));
    weights.forEach((w) => {
      const ds = t[`/model_weights/${layer.name}/${w.name}`];
      expect(ds).toMatchObject({ kind: 'dataset', shape: w.shape, dtype: '<f4', layout: 'contiguous' });
      expect(ds.values).toEqual(Array.from(w.values));
      datasets++;
    });
  }
  expect(Object.values(t).filter((o) => o.kind === 'dataset').length).toBe(datasets);
}

/**
 * The weights a top-level layer's group holds, in Keras's order: a layer's own order; a nested
 * model's `trainable_weights + non_trainable_weights` over its sublayers (a frozen layer's all
 * non-trainable).
 */
function layerWeights(layer: Layer): { name: string; shape: number[]; values: Float32Array }[] {
  const entry = (l: Layer, i: number) => ({ name: `${l.name}/${l.specs[i].name}:0`, shape: l.specs[i].shape, values: l.weightArrays()[i], trainable: l.trainable && l.specs[i].trainable });
  if (!('weightLayers' in layer)) return layer.specs.map((_, i) => entry(layer, i));
  const all = (layer as Model).weightLayers().flatMap((l) => l.specs.map((_, i) => entry(l, i)));
  return [...all.filter((w) => w.trainable), ...all.filter((w) => !w.trainable)];
}

const h5py = needs(haveH5py, 'h5py for /usr/bin/python3 (apt-get install python3-h5py)');

h5py.describe('h5py opens what saveModel writes', () => {
  describe.each(MODELS_UNDER_TEST)('%s', (_name, make) => {
    it('.h5: names, shapes, dtypes, storage, attribute values and types as Keras writes them', () => {
      const m = make();
      const path = write('model.h5', saveModel(m, { format: 'h5' }));
      checkLegacy(inspect<H5Report>(path)[path], m);
    });

    it('.keras: stored zip entries, config.json and metadata.json, model.weights.h5 with saving_lib paths', () => {
      const m = make();
      const bytes = saveModel(m, { format: 'keras' });
      const path = write('model.keras', bytes);
      const r = inspect<KerasReport>(path)[path];
      expect(r.entries.map((e) => [e.name, e.stored])).toEqual([['metadata.json', true], ['config.json', true], ['model.weights.h5', true]]);
      const zip = new ZipArchive(bytes, 'model.keras');
      expect(r.config).toEqual(JSON.parse(new TextDecoder().decode(zip.read('config.json', 1e7))));
      expect(r.metadata.keras_version).toMatch(/^3\./);
      const t = r.weights;
      expect(t['/vars'].attrs.name).toMatchObject({ ...vlen('utf8', []), value: m.name });
      // every layer with weights: its variables, in order, at a vars group named after it
      const datasets = Object.entries(t).filter(([, o]) => o.kind === 'dataset');
      const byLayer = new Map<string, number[][]>();
      for (const [p, o] of datasets) {
        const group = t[p.slice(0, p.lastIndexOf('/'))];
        const name = group.attrs.name.value as string;
        const list = byLayer.get(name) ?? [];
        list[Number(p.slice(p.lastIndexOf('/') + 1))] = o.values!;
        byLayer.set(name, list);
        expect(o).toMatchObject({ dtype: '<f4', layout: 'contiguous' });
      }
      const layers = m.weightLayers().filter((l) => l.specs.length);
      expect([...byLayer.keys()].sort()).toEqual(layers.map((l) => l.name).sort());
      for (const l of layers) expect(byLayer.get(l.name)).toEqual(l.weightArrays().map((a) => Array.from(a)));
    });
  });

  itShared('the attribute types match a real Keras 2.10 .h5 of the same model, path by path', async () => {
    const original = join(MODELS, 'wgan-mnist3-convtranspose', 'generator_model.h5');
    const mine = write('wgan.h5', saveModel(await loadModel(original), { format: 'h5' }));
    const r = inspect<H5Report>(original, mine);
    const a = r[original].tree;
    const b = r[mine].tree;
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const [p, o] of Object.entries(a)) {
      expect(Object.keys(b[p].attrs).sort(), p).toEqual(Object.keys(o.attrs).sort());
      for (const [k, v] of Object.entries(o.attrs)) expect({ type: b[p].attrs[k].type, cset: b[p].attrs[k].cset, shape: b[p].attrs[k].shape }, `${p} @${k}`).toEqual({ type: v.type, cset: v.cset, shape: v.shape });
      if (o.kind === 'dataset') expect({ shape: b[p].shape, dtype: b[p].dtype, layout: b[p].layout, values: b[p].values }, p).toEqual({ shape: o.shape, dtype: o.dtype, layout: o.layout, values: o.values });
    }
    expect(r[mine].superblock).toBe(r[original].superblock);
  }, 300_000); // h5py on a real model: 193 s under a load of 12 on 2 cores (60 s default)

  it('libhdf5 can also modify the file (h5py append mode): its B-trees and heaps are consistent', () => {
    const m = sequentialModel();
    const path = write('append.h5', saveModel(m, { format: 'h5' }));
    const bias = `model_weights/${m.layers[0].name}/${m.layers[0].name}/bias:0`;
    const py = `
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'a') as f:
    g = f['model_weights']
    for i in range(40): g.create_dataset(f'extra{i}', data=np.arange(3, dtype='f4'))
    g.attrs['note'] = 'added'
with h5py.File(sys.argv[1], 'r') as f:
    print(len(f['model_weights']), f['model_weights'].attrs['note'], f[sys.argv[2]].shape)
`;
    const r = spawnSync(PYTHON, ['-c', py, path, bias], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`${m.layers.length + 1 + 40} added (${m.layers[0].specs[1].shape[0]},)`);
    expect(readFileSync(path).length).toBeGreaterThan(0);
  });
});

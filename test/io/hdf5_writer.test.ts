import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UpconvError } from '../../bindings/errors.js';
import { H5File } from '../../bindings/io/hdf5/file.js';
import { f64, fixedStr, H5Group, str, writeHdf5 } from '../../bindings/io/hdf5/writer.js';
import { setStringList } from '../../bindings/io/save_h5.js';

/** A tree with what model files need and the structures that grow: > 8 and > 256 links (multi-level B-trees), many strings. */
function bigTree(): H5Group {
  const root = new H5Group();
  root.attr('backend', str('tensorflow')).attr('model_config', str('{"é": "ü"}', 'ascii')).attr('fixed', fixedStr(['ab', 'cde'])).attr('empty', f64([])).attr('pi', f64(3.25));
  const many = root.group('many');
  for (let i = 0; i < 700; i++) many.dataset(`d${i}`, [(i % 3) + 1], Float32Array.from({ length: (i % 3) + 1 }, (_, k) => i + k / 8));
  for (let i = 0; i < 20; i++) root.group(`g${i}/sub`).attr('i', str(String(i)));
  root.dataset('scalar', [], Float32Array.of(3.5));
  root.dataset('steps', [], [7], 'int64');
  root.dataset('rank4', [4, 4, 3, 2], Float32Array.from({ length: 96 }, (_, i) => i * 0.5 - 7));
  root.dataset('none', [0, 3], new Float32Array(0));
  return root;
}

describe('HDF5 writer, read back by upconv\'s reader', () => {
  const f = new H5File(writeHdf5(bigTree()), 'big.h5');

  it('attributes: vlen (UTF-8 and ASCII) and fixed-length strings, float64 scalars and empty arrays', () => {
    expect(f.attr(f.root, 'backend')).toBe('tensorflow');
    expect(f.attr(f.root, 'model_config')).toBe('{"é": "ü"}');
    expect(f.attr(f.root, 'fixed')).toEqual(['ab', 'cde']);
    expect(f.attr(f.root, 'empty')).toEqual([]);
    expect(f.attr(f.root, 'pi')).toBe(3.25);
    expect(f.attr(f.get('g13/sub')!, 'i')).toBe('13');
  });

  it('groups with hundreds of links (B-trees over many symbol nodes), datasets of every rank', () => {
    const many = f.get('many')!;
    expect(f.links(many).size).toBe(700);
    for (let i = 0; i < 700; i += 37) expect(Array.from(f.readFloat32(f.get(`d${i}`, many)!, 'd'))).toEqual(Array.from({ length: (i % 3) + 1 }, (_, k) => i + k / 8));
    expect(Array.from(f.readFloat32(f.get('scalar')!, 's'))).toEqual([3.5]);
    expect(Array.from(f.readFloat32(f.get('steps')!, 's'))).toEqual([7]);
    expect(f.datasetInfo(f.get('rank4')!).shape).toEqual([4, 4, 3, 2]);
    expect(f.readFloat32(f.get('rank4')!, 'r')[95]).toBe(95 * 0.5 - 7);
    expect(f.datasetInfo(f.get('none')!).shape).toEqual([0, 3]);
  });

  it('refuses bad names, shapes and attributes too large for a header message', () => {
    const g = new H5Group();
    expect(() => g.dataset('a', [2, 2], new Float32Array(3))).toThrow(UpconvError);
    expect(() => g.group('x').attr('', str('a'))).toThrow(/invalid attribute name/);
    g.dataset('d', [1], new Float32Array(1));
    expect(() => g.group('d')).toThrow(/is a dataset/);
    expect(() => g.dataset('d', [1], new Float32Array(1))).toThrow(/exists already/);
    const big = new H5Group().attr('names', str(Array.from({ length: 5000 }, (_, i) => `n${i}`)));
    expect(() => writeHdf5(big)).toThrow(/more than an object header message holds/);
  });

  it('long string lists are split into name0, name1, … as Keras does, and read back whole', () => {
    const g = new H5Group();
    const names = Array.from({ length: 5000 }, (_, i) => `layer_with_a_long_name_${i}`);
    setStringList(g, 'layer_names', names);
    expect([...g.attrs.keys()].length).toBeGreaterThan(1);
    expect([...g.attrs.keys()][0]).toBe('layer_names0');
    const back = new H5File(writeHdf5(g), 'split.h5');
    const joined = [...g.attrs.keys()].flatMap((k) => back.attr(back.root, k) as string[]);
    expect(joined).toEqual(names);
  });
});

const PYTHON = '/usr/bin/python3';
const haveH5py = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import h5py'], { encoding: 'utf8' }).status === 0;
if (!haveH5py) console.log('hdf5_writer.test.ts: the h5py check is skipped: /usr/bin/python3 with h5py (python3-h5py) is not available');

describe.skipIf(!haveH5py)('HDF5 writer, read by h5py', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upconv-h5w-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('h5py lists the same tree, attribute types and values', () => {
    const path = join(dir, 'big.h5');
    writeFileSync(path, writeHdf5(bigTree()));
    const py = `
import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
t = lambda a: (type(f.attrs.get_id(a).get_type()).__name__, f.attrs.get_id(a).get_type().is_variable_str() if hasattr(f.attrs.get_id(a).get_type(), 'is_variable_str') else None)
print(json.dumps({
  'links': sorted(f.keys()), 'many': len(f['many']), 'd699': f['many/d699'][()].tolist(),
  'scalar': float(f['scalar'][()]), 'steps': int(f['steps'][()]), 'steps_dtype': f['steps'].dtype.str, 'rank4': f['rank4'][3, 3, 2, 1].item(),
  'none': list(f['none'].shape), 'backend': f.attrs['backend'], 'config': f.attrs['model_config'],
  'fixed': [x.decode() for x in f.attrs['fixed']], 'empty': f.attrs['empty'].tolist(), 'types': {a: t(a) for a in f.attrs},
  'sub': f['g13/sub'].attrs['i']}))
`;
    const r = spawnSync(PYTHON, ['-c', py, path], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout);
    expect(got).toEqual({
      links: ['g0', 'g1', 'g10', 'g11', 'g12', 'g13', 'g14', 'g15', 'g16', 'g17', 'g18', 'g19', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9', 'many', 'none', 'rank4', 'scalar', 'steps'],
      many: 700, d699: [699], scalar: 3.5, steps: 7, steps_dtype: '<i8', rank4: 47.5 - 7, none: [0, 3],
      backend: 'tensorflow', config: '{"é": "ü"}', fixed: ['ab', 'cde'], empty: [],
      types: { backend: ['TypeStringID', true], model_config: ['TypeStringID', true], fixed: ['TypeStringID', false], empty: ['TypeFloatID', null], pi: ['TypeFloatID', null] },
      sub: '13',
    });
  });
});

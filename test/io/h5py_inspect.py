"""Lists what h5py (libhdf5) sees in HDF5 files and .keras archives, as JSON on stdout.

Used by save_h5py.test.ts to check the files upconv writes with an independent reader:
  /usr/bin/python3 h5py_inspect.py FILE...
For each FILE: an .h5 is opened with h5py; a .keras is opened with zipfile (entries, their
compression, config.json and metadata.json parsed) and its model.weights.h5 with h5py from
memory. Every group and dataset is listed with its attributes (value, HDF5 type class, string
kind and character set, shape) and, for datasets, shape, dtype, storage layout and values.
"""
import io
import json
import sys
import zipfile

import h5py
import numpy as np


def attr_info(obj, name):
    aid = obj.attrs.get_id(name)
    t = aid.get_type()
    info = {'shape': list(aid.get_space().shape)}
    if isinstance(t, h5py.h5t.TypeStringID):
        info['type'] = 'vlen-str' if t.is_variable_str() else 'fixed-str'
        info['cset'] = 'utf8' if t.get_cset() == h5py.h5t.CSET_UTF8 else 'ascii'
    elif isinstance(t, h5py.h5t.TypeFloatID):
        info['type'] = f'f{t.get_size() * 8}'
    elif isinstance(t, h5py.h5t.TypeIntegerID):
        info['type'] = f'i{t.get_size() * 8}'
    else:
        info['type'] = type(t).__name__
    v = obj.attrs[name]
    if isinstance(v, np.ndarray):
        v = [x.decode('utf8') if isinstance(x, bytes) else x.item() if hasattr(x, 'item') else x for x in v.tolist()]
    elif isinstance(v, bytes):
        v = v.decode('utf8')
    elif hasattr(v, 'item'):
        v = v.item()
    info['value'] = v
    return info


def tree(f):
    out = {}

    def visit(name, obj):
        entry = {'attrs': {k: attr_info(obj, k) for k in obj.attrs.keys()}}
        if isinstance(obj, h5py.Dataset):
            entry['kind'] = 'dataset'
            entry['shape'] = list(obj.shape)
            entry['dtype'] = obj.dtype.str
            entry['layout'] = {0: 'compact', 1: 'contiguous', 2: 'chunked'}[obj.id.get_create_plist().get_layout()]
            entry['values'] = np.asarray(obj[()], dtype=np.float64).reshape(-1).tolist()
        else:
            entry['kind'] = 'group'
            entry['links'] = sorted(obj.keys())
        out['/' + name if name else '/'] = entry

    visit('', f)
    f.visititems(visit)
    return out


def inspect(path):
    if path.endswith('.keras'):
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            entries = [{'name': i.filename, 'stored': i.compress_type == zipfile.ZIP_STORED, 'size': i.file_size} for i in infos]
            config = json.loads(z.read('config.json'))
            metadata = json.loads(z.read('metadata.json'))
            with h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r') as f:
                weights = tree(f)
        return {'entries': entries, 'config': config, 'metadata': metadata, 'weights': weights}
    with h5py.File(path, 'r') as f:
        return {'superblock': f.id.get_create_plist().get_version()[0], 'tree': tree(f)}


if __name__ == '__main__':
    print(json.dumps({p: inspect(p) for p in sys.argv[1:]}))

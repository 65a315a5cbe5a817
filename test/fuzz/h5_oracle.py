"""libhdf5 (through h5py) as the oracle for "this HDF5 file is damaged", for the fuzz suite's
UPCONV_FUZZ_H5PY mode: reads every object, attribute and dataset of each file given on stdin
(one path a line), each file in its own child process (libhdf5 aborts on some damage), and
prints one JSON line per file: {"file": ..., "ok": true} or {"file": ..., "ok": false, "why": ...}.
Run with /usr/bin/python3 (Debian's python3-h5py).
"""
import json
import subprocess
import sys


def read_all(path):
    import h5py
    with h5py.File(path, 'r') as f:
        def visit(name, obj):
            for k in obj.attrs:
                obj.attrs[k]
            if isinstance(obj, h5py.Dataset):
                obj[()]
        for k in f.attrs:
            f.attrs[k]
        f.visititems(visit)


if __name__ == '__main__' and sys.argv[1:2] == ['--one']:
    read_all(sys.argv[2])
elif __name__ == '__main__':
    for line in sys.stdin:
        path = line.strip()
        if not path:
            continue
        r = subprocess.run([sys.executable, __file__, '--one', path], capture_output=True, text=True, timeout=60)
        if r.returncode == 0:
            print(json.dumps({'file': path, 'ok': True}), flush=True)
        else:
            why = (r.stderr.strip().splitlines() or ['(no message)'])[-1][:300]
            print(json.dumps({'file': path, 'ok': False, 'why': why if r.returncode == 1 else f'libhdf5 aborted ({r.returncode}): {why}'}), flush=True)

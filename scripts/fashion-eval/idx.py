"""Reads the original Fashion-MNIST IDX files (Zalando's release; Debian's dataset-fashion-mnist
installs them gzipped under /usr/share/datasets/fashion-mnist/), plain or gzipped."""
import gzip
import os
import struct

import numpy as np

DEFAULT_DIR = '/usr/share/datasets/fashion-mnist'

CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
           'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']


def read_idx(path):
    """An unsigned-byte IDX file as a uint8 array of the shape in its header."""
    if not os.path.exists(path) and os.path.exists(path + '.gz'):
        path += '.gz'
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        raw = f.read()
    if len(raw) < 4:
        raise ValueError(f'{path}: {len(raw)} bytes, not an IDX file')
    zero, dtype, rank = struct.unpack('>HBB', raw[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f'{path}: not an unsigned-byte IDX file (magic {raw[:4].hex()})')
    shape = struct.unpack(f'>{rank}I', raw[4:4 + 4 * rank])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank)
    if data.size != int(np.prod(shape)):
        raise ValueError(f'{path}: {data.size} bytes of data for shape {list(shape)}')
    return data.reshape(shape)


def load_split(split, data_dir=DEFAULT_DIR):
    """(images float32 [n, 28, 28] in [0, 1], labels int64 [n]) of 'train' or 'test'."""
    prefix = {'train': 'train', 'test': 't10k'}[split]
    images = read_idx(os.path.join(data_dir, f'{prefix}-images-idx3-ubyte'))
    labels = read_idx(os.path.join(data_dir, f'{prefix}-labels-idx1-ubyte'))
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        raise ValueError(f'{data_dir}: {split} images {images.shape} and labels {labels.shape} do not match')
    return images.astype(np.float32) / 255.0, labels.astype(np.int64)

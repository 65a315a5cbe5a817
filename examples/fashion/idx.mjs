// Reads the original Fashion-MNIST IDX files (Zalando's release, MIT; Debian's dataset-fashion-mnist
// installs them under /usr/share/datasets/fashion-mnist/), plain or gzipped.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

/** The class names, in label order. */
export const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function readIdx(dir, name) {
  for (const file of [name, `${name}.gz`]) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const raw = readFileSync(path);
    const bytes = file.endsWith('.gz') ? gunzipSync(raw) : raw;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const magic = view.getUint32(0);
    if (magic >>> 8 !== 0x08) throw new Error(`${path}: not an unsigned-byte IDX file (magic ${magic.toString(16)})`);
    const rank = magic & 0xff;
    const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
    const data = bytes.subarray(4 + 4 * rank);
    if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`${path}: ${data.length} bytes for shape [${shape}]`);
    return { shape, data };
  }
  throw new Error(`${join(dir, name)}(.gz) not found: install Debian's dataset-fashion-mnist, or pass --data with a folder of Zalando's four IDX files`);
}

/** Images as float32 in [-1, 1] (N, 28, 28, 1) and their labels. */
export function loadFashion(dir = DEFAULT_DIR, split = 'train') {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = readIdx(dir, `${prefix}-images-idx3-ubyte`);
  const labels = readIdx(dir, `${prefix}-labels-idx1-ubyte`);
  const n = images.shape[0];
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 127.5 - 1;
  return { x, labels: Uint8Array.from(labels.data), n, shape: [n, images.shape[1], images.shape[2], 1] };
}

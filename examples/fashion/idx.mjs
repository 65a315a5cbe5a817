// Reads the original Fashion-MNIST IDX files (Zalando's release, MIT; Debian's dataset-fashion-mnist
// installs them under /usr/share/datasets/fashion-mnist/), plain or gzipped, from a folder (Node).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CLASSES, idxNames, parseIdx } from './idx-parse.mjs';

export { CLASSES };

export const DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

function readIdx(dir, name) {
  for (const file of [name, `${name}.gz`]) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const raw = readFileSync(path);
    return parseIdx(file.endsWith('.gz') ? gunzipSync(raw) : raw, path);
  }
  throw new Error(`${join(dir, name)}(.gz) not found: install Debian's dataset-fashion-mnist, or pass --data with a folder of Zalando's four IDX files`);
}

/** Images as float32 in [-1, 1] (N, 28, 28, 1) and their labels. */
export function loadFashion(dir = DEFAULT_DIR, split = 'train') {
  const names = idxNames(split);
  const images = readIdx(dir, names.images);
  const labels = readIdx(dir, names.labels);
  const n = images.shape[0];
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 127.5 - 1;
  return { x, labels: Uint8Array.from(labels.data), n, shape: [n, images.shape[1], images.shape[2], 1] };
}

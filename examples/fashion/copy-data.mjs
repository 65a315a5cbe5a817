// Copies Fashion-MNIST's IDX files (gzipped, as Zalando ships them; plain files are gzipped on the
// way) from a folder into a page's folder, where the page fetches them from its own origin.
//
//   node examples/fashion/copy-data.mjs --to <folder> [--data /usr/share/datasets/fashion-mnist] [--splits train,t10k]
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { idxNames } from './idx-parse.mjs';

export const DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

/** Copies the splits' files from `from` to `to` (skipping those already there with the same size); returns the copied names. */
export function copyFashionData(from, to, splits = ['train', 't10k']) {
  mkdirSync(to, { recursive: true });
  const copied = [];
  for (const split of splits) {
    for (const stem of Object.values(idxNames(split))) {
      const gz = join(from, `${stem}.gz`);
      const plain = join(from, stem);
      const target = join(to, `${stem}.gz`);
      if (existsSync(gz)) {
        if (existsSync(target) && statSync(target).size === statSync(gz).size) continue;
        copyFileSync(gz, target);
      } else if (existsSync(plain)) {
        writeFileSync(target, gzipSync(readFileSync(plain)));
      } else {
        throw new Error(`${gz} (or ${plain}) not found: install Debian's dataset-fashion-mnist, or pass --data with a folder of Zalando's IDX files`);
      }
      copied.push(`${stem}.gz`);
    }
  }
  return copied;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values: a } = parseArgs({ options: { data: { type: 'string', default: DEFAULT_DIR }, to: { type: 'string' }, splits: { type: 'string', default: 'train,t10k' } } });
  if (!a.to) {
    console.error('usage: node examples/fashion/copy-data.mjs --to <folder> [--data <folder of the IDX files>] [--splits train,t10k]');
    process.exit(2);
  }
  try {
    const copied = copyFashionData(a.data, a.to, a.splits.split(','));
    console.log(copied.length ? `copied ${copied.join(', ')} to ${a.to}` : `${a.to} already has the data`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * @tensorflow/tfjs as a reference for the io tests, from the root node_modules or from bench/'s
 * (where the lean install keeps it). Tests that need it are skipped without it, with the tag
 * `[skipped: needs …]` in their title.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function resolve(): string | null {
  for (const from of [join(ROOT, 'package.json'), join(ROOT, 'bench', 'package.json')]) {
    try {
      return createRequire(from).resolve('@tensorflow/tfjs');
    } catch {
      /* not there */
    }
  }
  return null;
}

const path = resolve();
export const hasTfjs = path !== null;
export const tfjsTitle = (title: string) => (hasTfjs ? title : `${title} [skipped: needs @tensorflow/tfjs (npm ci --prefix bench)]`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function importTfjs(): Promise<any> {
  if (!path) throw new Error('@tensorflow/tfjs is not installed');
  return import(pathToFileURL(path).href);
}

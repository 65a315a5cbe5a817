/**
 * saveModel's Keras forms: bytes of a `.keras` or `.h5` file (any runtime), and writing a file
 * chosen by its path (Node, Deno, Bun): `.keras`, `.h5` / `.hdf5`, or TensorFlow.js files
 * (`model.json`, another `.json` name, or a folder that gets model.json and its weights shard).
 * Files are written to a temporary name next to the target and renamed, so a failed save never
 * leaves half a file under the target's name.
 */
import { ConfigError } from '../errors.js';
import { showValue } from '../show.js';
import type { Model } from '../model/model.js';
import { asModel } from './assemble.js';
import { FileSourceError } from './errors.js';
import { legacyH5Bytes } from './save_h5.js';
import { kerasZipBytes } from './save_keras.js';
import { hasFileSystem } from './source.js';
import type { ModelArtifacts } from './tfjs.js';

/** The Keras file formats saveModel writes as bytes. */
export type KerasFileFormat = 'keras' | 'h5';

/** `saveModel(model, { format })`: the bytes of a Keras file instead of tf.js artifacts. */
export interface KerasBytesOptions {
  /** 'keras': a Keras 3 `.keras` zip; 'h5': a legacy Keras (tf.keras 2) HDF5 full-model file. */
  format: KerasFileFormat;
}

const FORMATS: readonly KerasFileFormat[] = ['keras', 'h5'];

/** Bytes of a Keras file of the model. */
export function saveKerasBytes(model: Model, options: KerasBytesOptions): Uint8Array {
  const m = asModel(model, 'saveModel');
  const unknown = Object.keys(options).filter((k) => k !== 'format');
  if (unknown.length) throw new ConfigError(`saveModel: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} with format (known: format)`);
  if (!FORMATS.includes(options.format)) throw new ConfigError(`saveModel: format must be 'keras' or 'h5', got ${showValue(options.format)}`);
  return options.format === 'keras' ? kerasZipBytes(m) : legacyH5Bytes(m);
}

type Target = { kind: 'file'; format: KerasFileFormat } | { kind: 'tfjs-json' } | { kind: 'tfjs-folder' };

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1];
}

function dirName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? '.' : i === 0 ? path.slice(0, 1) : path.slice(0, i);
}

/** What a path asks for, from its name. */
function targetOf(path: string, isDirectory: boolean): Target {
  const name = baseName(path).toLowerCase();
  if (isDirectory || name === '' || name === '.' || name === '..') return { kind: 'tfjs-folder' };
  if (name.endsWith('.weights.h5')) {
    throw new ConfigError(`saveModel: '${baseName(path)}' names a Keras 3 weights-only file; saveModel writes whole models: use .keras, .h5, model.json or a folder`);
  }
  if (name.endsWith('.keras')) return { kind: 'file', format: 'keras' };
  if (name.endsWith('.h5') || name.endsWith('.hdf5')) return { kind: 'file', format: 'h5' };
  if (name.endsWith('.json')) return { kind: 'tfjs-json' };
  if (!name.includes('.')) return { kind: 'tfjs-folder' };
  throw new ConfigError(`saveModel: cannot tell a format from '${baseName(path)}'; use a .keras or .h5 file, a model.json, or a folder (for TensorFlow.js files)`);
}

interface Fs {
  stat(path: string): Promise<{ isDirectory(): boolean }>;
  mkdir(path: string): Promise<unknown>;
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
}

async function nodeFs(): Promise<Fs> {
  const spec = 'node:fs/promises'; // a variable: bundlers must not pull node:fs into browser builds
  try {
    return (await import(/* @vite-ignore */ /* webpackIgnore: true */ spec)) as Fs;
  } catch {
    throw new FileSourceError('saveModel: writing a path needs a file system (Node, Deno or Bun); in a browser use saveModel(model, { format }) for the bytes');
  }
}

async function isDirectory(fs: Fs, path: string): Promise<boolean | null> {
  try {
    return (await fs.stat(path)).isDirectory();
  } catch {
    return null; // does not exist
  }
}

/** Writes `data` to `path` through a temporary file in the same folder. */
async function writeAtomic(fs: Fs, path: string, data: Uint8Array | string): Promise<void> {
  const dir = dirName(path);
  if ((await isDirectory(fs, dir)) !== true) throw new FileSourceError(`saveModel: the folder ${dir} does not exist`);
  const tmp = `${path}.${Math.random().toString(36).slice(2, 10)}.tmp`;
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof FileSourceError) throw e;
    throw new FileSourceError(`saveModel: cannot write ${path}: ${(e as Error).message}`);
  }
}

/**
 * Writes the model to `path`: the format follows the name (`.keras`, `.h5`, `.json`, a folder).
 * `tfjsOptions` go to the TensorFlow.js writer and are refused for Keras files.
 */
export async function saveModelToPath<O extends object>(model: Model, path: string, tfjsOptions: O | undefined,
  tfjs: (model: Model, options: O) => ModelArtifacts): Promise<void> {
  const m = asModel(model, 'saveModel');
  if (path === '') throw new ConfigError('saveModel: empty path');
  if (!hasFileSystem()) throw new FileSourceError('saveModel: writing a path needs a file system (Node, Deno or Bun); in a browser use saveModel(model, { format }) for the bytes');
  const fs = await nodeFs();
  const target = targetOf(path, (await isDirectory(fs, path)) === true || /[\\/]$/.test(path));
  if (target.kind === 'file') {
    const keys = Object.keys(tfjsOptions ?? {});
    if (keys.length) throw new ConfigError(`saveModel: option${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')} apply to TensorFlow.js files, not to a .${target.format === 'keras' ? 'keras' : 'h5'} file`);
    await writeAtomic(fs, path, target.format === 'keras' ? kerasZipBytes(m) : legacyH5Bytes(m));
    return;
  }
  const artifacts = tfjs(m, (tfjsOptions ?? {}) as O);
  let dir: string;
  let jsonPath: string;
  if (target.kind === 'tfjs-folder') {
    dir = path.replace(/[\\/]+$/, '') || path;
    const exists = await isDirectory(fs, dir);
    if (exists === false) throw new FileSourceError(`saveModel: ${dir} exists and is not a folder (TensorFlow.js files go into a folder; give a new name or a .keras / .h5 file)`);
    if (exists === null) {
      if ((await isDirectory(fs, dirName(dir))) !== true) throw new FileSourceError(`saveModel: the folder ${dirName(dir)} does not exist`);
      try {
        await fs.mkdir(dir);
      } catch (e) {
        throw new FileSourceError(`saveModel: cannot create the folder ${dir}: ${(e as Error)?.message}`);
      }
    }
    jsonPath = `${dir}/model.json`;
  } else {
    dir = dirName(path);
    jsonPath = path;
  }
  const shards = artifacts.modelJSON.weightsManifest.flatMap((g) => g.paths);
  // saveModel writes one shard holding every weight
  await writeAtomic(fs, `${dir}/${shards[0]}`, new Uint8Array(artifacts.weightData));
  await writeAtomic(fs, jsonPath, JSON.stringify(artifacts.modelJSON));
}

/**
 * What a file is, from its first bytes, and how much of it may be read once that is known.
 * Files and HTTP bodies are read in two steps: a head of at most SNIFF_BYTES, then the rest up
 * to the bound its format allows. A file that is none of the formats fails after its head (a
 * 2 GiB sparse file or an endless stream of zeros costs 1 MiB, not maxFileBytes), and JSON
 * (a model.json: topology and manifest, no weights) is read up to MAX_JSON_BYTES.
 */
import { formatBytes } from './assemble.js';
import { FileSourceError, UnknownFormatError } from './errors.js';
import { findSuperblock } from './hdf5/superblock.js';

export type Kind = 'hdf5' | 'zip' | 'json' | 'unknown';

/**
 * The head read before anything else: the HDF5 signature may follow a user block of 512 bytes
 * to 1 MiB (libhdf5 allows larger ones; Keras and h5py write none), a zip and JSON start within
 * the first bytes.
 */
export const SNIFF_BYTES = 2 ** 20 + 8;

/** Most bytes of a model.json (or any JSON model file): topology and manifest, not weights. */
export const MAX_JSON_BYTES = 64 * 2 ** 20;

/** What a file is, from its first bytes (the whole file, or at least its SNIFF_BYTES head). */
export function detectFormat(bytes: Uint8Array): Kind {
  if (bytes.length >= 8 && findSuperblock(bytes) >= 0) return 'hdf5';
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6)) return 'zip';
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && i < 4096 && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b) return 'json';
  return 'unknown';
}

export function unknownFormat(bytes: Uint8Array, name: string): UnknownFormatError {
  if (!bytes.length) return new UnknownFormatError(`${name}: the file is empty`);
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return new UnknownFormatError(`${name}: unknown format (starts with ${head}); expected a Keras .h5 (HDF5), a .keras (zip) or a TensorFlow.js model.json`);
}

/**
 * The most bytes a model file whose head is `head` may have: maxFileBytes for HDF5 and zip,
 * MAX_JSON_BYTES for JSON. Throws UnknownFormatError for anything else, unless the head is the
 * whole file (then the format reader says what is wrong, e.g. an empty file).
 */
export function boundFor(head: Uint8Array, complete: boolean, name: string, maxFileBytes: number): number {
  const kind = detectFormat(head);
  if (kind === 'json') return Math.min(maxFileBytes, MAX_JSON_BYTES);
  if (kind === 'unknown' && !complete) throw unknownFormat(head, name);
  return maxFileBytes;
}

/** The error for a file past its format's bound. */
export function tooLarge(label: string, size: number | null, bound: number, maxFileBytes: number): FileSourceError {
  const what = bound < maxFileBytes ? `${formatBytes(bound)}, the most a JSON model file may hold` : `maxFileBytes (${formatBytes(maxFileBytes)})`;
  return new FileSourceError(size === null
    ? `${label} is larger than ${what}; stopped reading after ${formatBytes(bound)}`
    : `${label} is ${formatBytes(size)}, more than ${what}`);
}

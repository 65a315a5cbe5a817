/**
 * Turns what a caller hands to loadModel into bytes, plus (for a path or URL) a way to read the
 * files next to it (tf.js weight shards). Works without Node: paths use `node:fs/promises`
 * through a dynamic import that bundlers leave alone, so browsers and workers never load it.
 *
 * Every read is bounded while it happens, never after: paths must be regular files (a FIFO,
 * a device or a folder used as a shard is refused before it is opened), files are read up to
 * their size at open time; URLs go through http.ts (redirects checked hop by hop, timeouts,
 * bodies read chunk by chunk up to the limit); a shard is read only up to the bytes the
 * manifest still needs.
 */
import { UpconvError } from '../errors.js';
import { formatBytes } from './assemble.js';
import { FileSourceError, UnsafePathError } from './errors.js';
import { boundFor, SNIFF_BYTES, tooLarge } from './format.js';
import { anyHttp, type Deadline, fetchChecked, type HttpOptions, readBody, underFolder } from './http.js';
import { DEADLINE_FACTOR, timeoutOf } from './limits.js';
import type { CheckedLoadOptions } from './options.js';

/** Bytes, a path (Node, Deno, Bun), a URL, a Blob/File or a fetch Response. */
export type BinarySource = string | URL | Blob | ArrayBuffer | ArrayBufferView | Response;

export interface Opened {
  bytes: Uint8Array;
  /** Short name for messages (file name, URL or 'bytes'). */
  name: string;
  /**
   * Reads a file next to this one (a relative path from a model.json), at most `maxBytes` of
   * it; absent for bytes, Blobs and Responses.
   */
  sibling?: (relative: string, maxBytes: number) => Promise<Uint8Array>;
  /** Set when the source was a folder: `bytes` are its model.json. */
  isDirectory?: boolean;
}

export interface SourceOptions {
  maxFileBytes: number;
  fetch?: typeof fetch;
  name?: string;
  /** Idle timeout of HTTP requests in ms (default 30 000); a whole load ends after 20 × this. */
  timeoutMs?: number;
  /** Aborts a load over HTTP. */
  signal?: AbortSignal;
}

interface Stats {
  size: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO?(): boolean;
  isCharacterDevice?(): boolean;
  isBlockDevice?(): boolean;
  isSocket?(): boolean;
}

interface FileHandle {
  stat(): Promise<Stats>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

type NodeFs = {
  stat(path: string): Promise<Stats>;
  open(path: string, flags: number | string): Promise<FileHandle>;
  constants?: { O_RDONLY?: number; O_NONBLOCK?: number };
};

const g = globalThis as unknown as { process?: { versions?: { node?: string } }; Deno?: unknown; Bun?: unknown };

/** Whether this runtime has a file system we can reach through node:fs (Node, Deno, Bun). */
export function hasFileSystem(): boolean {
  return !!(g.process?.versions?.node || g.Deno || g.Bun);
}

async function nodeFs(): Promise<NodeFs> {
  const spec = 'node:fs/promises'; // a variable: bundlers must not pull node:fs into browser builds
  try {
    return (await import(/* @vite-ignore */ /* webpackIgnore: true */ spec)) as NodeFs;
  } catch {
    throw new FileSourceError('reading a path needs a file system (Node, Deno or Bun); in a browser pass a URL, a File/Blob or the bytes');
  }
}

function isUrlString(s: string): boolean {
  // a scheme of 2+ letters (so "C:\\models\\g.h5" stays a Windows path)
  return /^[a-z][a-z0-9+.-]+:/i.test(s);
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

function dirName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? '.' : i === 0 ? path.slice(0, 1) : path.slice(0, i);
}

/**
 * Checks a relative path from a model.json (a shard name) and returns its segments. Refuses
 * absolute paths, other schemes or hosts, '..', NUL, and paths that name no file ('', '.'):
 * a shard list must name files in its folder.
 */
export function safeRelative(rel: unknown, what: string): string[] {
  if (typeof rel !== 'string' || rel.length === 0 || rel.length > 4096) throw new UnsafePathError(`${what}: shard path ${JSON.stringify(rel)} is not a file name`);
  let decoded = rel;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    /* keep the raw text */
  }
  for (const p of [rel, decoded]) {
    if (p.includes('\0') || /^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('/') || p.startsWith('\\') || p.startsWith('//')) {
      throw new UnsafePathError(`${what}: shard path '${rel}' points outside the model's folder`);
    }
    const segs = p.split(/[\\/]/);
    if (segs.some((s) => s === '..')) throw new UnsafePathError(`${what}: shard path '${rel}' points outside the model's folder`);
  }
  const segs = rel.split('/').filter((s) => s !== '' && s !== '.');
  if (!segs.length || rel.endsWith('/')) throw new UnsafePathError(`${what}: shard path '${rel}' names a folder, not a file`);
  return segs;
}

/** Given a file's head (and whether it is the whole file), the most bytes it may have. */
export type Bound = (head: Uint8Array, complete: boolean) => number;

/** The bound of a model file (format.ts): unknown formats fail after the head, JSON is capped. */
function modelBound(name: string, maxFileBytes: number): Bound {
  return (head, complete) => boundFor(head, complete, name, maxFileBytes);
}

function kindOf(info: Stats): string {
  if (info.isFIFO?.()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice?.()) return 'a character device';
  if (info.isBlockDevice?.()) return 'a block device';
  if (info.isSocket?.()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a regular file: its whole content (refused above maxBytes) or, with `want`, at most
 * `want` bytes of it. Anything but a regular file is refused before it is opened, and checked
 * again on the open handle (opened non-blocking, so a FIFO swapped in cannot block the open).
 */
async function readRegularFile(fs: NodeFs, path: string, label: string, maxBytes: number, want?: number, bound?: Bound): Promise<Uint8Array> {
  const check = (info: Stats) => {
    if (info.isDirectory()) throw new FileSourceError(`${label} is a folder, not a file`);
    if (!info.isFile()) throw new FileSourceError(`${label} is ${kindOf(info)}; upconv reads model files, not devices or pipes`);
    if (want === undefined && info.size > maxBytes) throw new FileSourceError(`${label} is ${formatBytes(info.size)}, more than maxFileBytes (${formatBytes(maxBytes)})`);
  };
  check(await fs.stat(path));
  const c = fs.constants;
  const flags = c && typeof c.O_RDONLY === 'number' ? c.O_RDONLY | (c.O_NONBLOCK ?? 0) : 'r';
  const handle = await fs.open(path, flags);
  const readInto = async (out: Uint8Array, from: number): Promise<number> => {
    let at = from;
    while (at < out.length) {
      const { bytesRead } = await handle.read(out, at, out.length - at, at);
      if (bytesRead === 0) break; // the file shrank since stat
      at += bytesRead;
    }
    return at;
  };
  try {
    const info = await handle.stat();
    check(info);
    let n = Math.min(info.size, want ?? maxBytes);
    let head: Uint8Array | null = null;
    if (bound) {
      // the head first: its format decides how much more may be read
      head = new Uint8Array(Math.min(n, SNIFF_BYTES));
      const got = await readInto(head, 0);
      if (got < head.length) return head.subarray(0, got);
      const limit = bound(head, head.length === n);
      if (n > limit) throw tooLarge(label, n, limit, maxBytes);
      if (n === head.length) return head;
    }
    const out = new Uint8Array(n);
    if (head) out.set(head);
    n = await readInto(out, head ? head.length : 0);
    return n === out.length ? out : out.subarray(0, n);
  } finally {
    await handle.close();
  }
}

function fsError(e: unknown, label: string, missing: string): Error {
  if (e instanceof UpconvError) return e;
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new FileSourceError(missing);
  return new FileSourceError(`cannot read ${label}: ${(e as Error).message}`);
}

async function readPath(path: string, opts: SourceOptions): Promise<Opened> {
  const fs = await nodeFs();
  let info: Stats;
  try {
    info = await fs.stat(path);
  } catch (e) {
    throw fsError(e, path, `no such file: ${path}`);
  }
  if (info.isDirectory()) {
    // a tf.js model folder: read its model.json
    const dir = path.replace(/[\\/]+$/, '');
    const inner = `${dir}/model.json`;
    try {
      await fs.stat(inner);
    } catch {
      let savedModel = false;
      try {
        await fs.stat(`${dir}/saved_model.pb`);
        savedModel = true;
      } catch {
        /* not one either */
      }
      throw new FileSourceError(savedModel
        ? `${path} is a TensorFlow SavedModel, which upconv cannot read; save the model with model.save('generator.h5') or as .keras`
        : `${path} is a folder without a model.json`);
    }
    return { ...(await readPath(inner, opts)), isDirectory: true };
  }
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(fs, path, path, opts.maxFileBytes, undefined, modelBound(baseName(path), opts.maxFileBytes));
  } catch (e) {
    throw fsError(e, path, `no such file: ${path}`);
  }
  const dir = dirName(path);
  return {
    bytes,
    name: baseName(path),
    sibling: async (rel, maxBytes) => {
      const segs = safeRelative(rel, baseName(path));
      const full = [dir, ...segs].join('/');
      try {
        return await readRegularFile(fs, full, `${baseName(path)}: weight shard '${rel}' (${full})`, opts.maxFileBytes, maxBytes);
      } catch (e) {
        throw fsError(e, full, `${baseName(path)}: weight shard '${rel}' not found next to it (${full})`);
      }
    },
  };
}

function deadlineOf(opts: SourceOptions): Deadline {
  const timeoutMs = timeoutOf(opts.timeoutMs, 'loadModel');
  return { at: Date.now() + DEADLINE_FACTOR * timeoutMs, timeoutMs, signal: opts.signal };
}

function httpOptions(opts: SourceOptions, url: URL): HttpOptions {
  const f = opts.fetch ?? globalThis.fetch;
  if (typeof f !== 'function') throw new FileSourceError(`cannot fetch ${url.href}: no fetch() in this runtime; pass one as the fetch option`);
  return { fetch: f.bind(globalThis), deadline: deadlineOf(opts) };
}

async function readUrl(url: URL, opts: SourceOptions): Promise<Opened> {
  if (url.protocol === 'file:' && hasFileSystem()) {
    let path = decodeURIComponent(url.pathname);
    if (/^\/[a-zA-Z]:/.test(path)) path = path.slice(1); // file:///C:/… on Windows
    return readPath(path, opts);
  }
  const http = httpOptions(opts, url);
  const main = await fetchChecked(url, url.href, anyHttp, http);
  const bytes = await readBody(main.res, url.href, { maxBytes: opts.maxFileBytes, bound: modelBound(url.href, opts.maxFileBytes) }, http.deadline, main.abort);
  const finalUrl = main.url;
  const web = finalUrl.protocol === 'http:' || finalUrl.protocol === 'https:';
  // shards resolve against the model.json's final URL (after its redirects) and stay in its folder
  // (a data: URL has no folder: it can hold a .h5 or .keras, not a model.json with shards)
  const dir = web ? new URL('.', finalUrl) : finalUrl;
  return {
    bytes,
    name: (web ? baseName(finalUrl.pathname) : '') || finalUrl.href.slice(0, 200),
    sibling: !web ? undefined : async (rel, maxBytes) => {
      const segs = safeRelative(rel, finalUrl.href);
      const target = new URL(segs.join('/'), dir);
      const rule = underFolder(dir);
      const problem = rule(target, finalUrl);
      if (problem) throw new UnsafePathError(`${finalUrl.href}: shard path '${rel}' ${problem}`);
      const label = `weight shard ${target.href}`;
      const got = await fetchChecked(target, label, rule, http);
      return readBody(got.res, label, { maxBytes: opts.maxFileBytes, want: maxBytes }, http.deadline, got.abort);
    },
  };
}

/** Reads any supported source into memory. */
export async function openSource(source: BinarySource, opts: SourceOptions): Promise<Opened> {
  if (typeof source === 'string') {
    if (source.length === 0) throw new FileSourceError('loadModel: empty path');
    if (isUrlString(source)) {
      let url: URL;
      try {
        url = new URL(source);
      } catch {
        throw new FileSourceError(`loadModel: ${JSON.stringify(source.slice(0, 200))} is not a valid URL`);
      }
      return readUrl(url, opts);
    }
    if (hasFileSystem()) return readPath(source, opts);
    const base = (globalThis as { location?: { href: string } }).location?.href;
    let url: URL;
    try {
      url = new URL(source, base);
    } catch {
      throw new FileSourceError(`loadModel: ${JSON.stringify(source.slice(0, 200))} is neither a path this runtime can read nor a URL`);
    }
    return readUrl(url, opts);
  }
  // bytes first: in Node the first look at the Response or Blob global loads its fetch stack (tens of ms)
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: opts.name ?? 'bytes' };
  if (ArrayBuffer.isView(source)) {
    return { bytes: new Uint8Array(source.buffer, source.byteOffset, source.byteLength), name: opts.name ?? 'bytes' };
  }
  if (typeof URL !== 'undefined' && source instanceof URL) return readUrl(source, opts);
  if (typeof Response !== 'undefined' && source instanceof Response) {
    const label = source.url || opts.name || 'response';
    const bytes = await readBody(source, label, { maxBytes: opts.maxFileBytes, bound: modelBound(label, opts.maxFileBytes) }, deadlineOf(opts), () => {});
    return { bytes, name: source.url ? baseName(new URL(source.url).pathname) : opts.name ?? 'response' };
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    if (source.size > opts.maxFileBytes) throw new FileSourceError(`the Blob is ${formatBytes(source.size)}, more than maxFileBytes (${formatBytes(opts.maxFileBytes)})`);
    const name = (source as Blob & { name?: string }).name || opts.name || 'Blob';
    if (source.size > SNIFF_BYTES) {
      // a File may be on disk: its head decides whether the rest is read
      const limit = modelBound(name, opts.maxFileBytes)(new Uint8Array(await source.slice(0, SNIFF_BYTES).arrayBuffer()), false);
      if (source.size > limit) throw tooLarge(name, source.size, limit, opts.maxFileBytes);
    }
    return { bytes: new Uint8Array(await source.arrayBuffer()), name };
  }
  throw new FileSourceError(`loadModel: cannot read a source of type ${source === null ? 'null' : typeof source} (expected a path, URL, Blob/File, bytes, or {modelJSON, weightData})`);
}

/**
 * Bytes of a Blob, ArrayBuffer or view; at most `maxBytes` of them when given (a Blob is
 * sliced before it is read). Bytes are checked first: a Blob check would make Node load its
 * fetch stack.
 */
export async function toBytes(x: unknown, what: string, maxBytes = Infinity): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (x instanceof ArrayBuffer) bytes = new Uint8Array(x);
  else if (ArrayBuffer.isView(x)) bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  else if (typeof Blob !== 'undefined' && x instanceof Blob) return new Uint8Array(await (x.size > maxBytes ? x.slice(0, maxBytes) : x).arrayBuffer());
  else throw new FileSourceError(`${what} must be an ArrayBuffer, a typed array or a Blob`);
  return bytes.length > maxBytes ? bytes.subarray(0, maxBytes) : bytes;
}

/** The options openSource takes, from loadModel's checked ones (options.ts). */
export function sourceOptions(o: CheckedLoadOptions): SourceOptions {
  return { maxFileBytes: o.limits.maxFileBytes, fetch: o.fetch, name: o.name, timeoutMs: o.timeoutMs, signal: o.signal };
}

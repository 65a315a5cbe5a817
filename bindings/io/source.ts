/**
 * Turns what a caller hands to loadModel into bytes, plus (for a path or URL) a way to read the
 * files next to it (tf.js weight shards). Works without Node: paths use `node:fs/promises`
 * through a dynamic import that bundlers leave alone, so browsers and workers never load it.
 */
import { FileSourceError, UnsafePathError } from './errors.js';
import { formatBytes } from './assemble.js';

/** Bytes, a path (Node, Deno, Bun), a URL, a Blob/File or a fetch Response. */
export type BinarySource = string | URL | Blob | ArrayBuffer | ArrayBufferView | Response;

export interface Opened {
  bytes: Uint8Array;
  /** Short name for messages (file name, URL or 'bytes'). */
  name: string;
  /** Reads a file next to this one (a relative path from a model.json); absent for bytes and Blobs. */
  sibling?: (relative: string) => Promise<Uint8Array>;
  /** Lists the model folder when the source was a directory holding model.json. */
  isDirectory?: boolean;
}

export interface SourceOptions {
  maxFileBytes: number;
  fetch?: typeof fetch;
  name?: string;
}

type NodeFs = {
  stat(path: string): Promise<{ size: number; isDirectory(): boolean }>;
  readFile(path: string): Promise<Uint8Array>;
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
 * absolute paths, other schemes or hosts, '..' and NUL: a shard list must stay in its folder.
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
  return rel.split('/').filter((s) => s !== '' && s !== '.');
}

async function readPath(path: string, opts: SourceOptions): Promise<Opened> {
  const fs = await nodeFs();
  let info: { size: number; isDirectory(): boolean };
  try {
    info = await fs.stat(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new FileSourceError(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${(e as Error).message}`);
  }
  if (info.isDirectory()) {
    // a tf.js model folder: read its model.json
    const inner = `${path.replace(/[\\/]+$/, '')}/model.json`;
    try {
      await fs.stat(inner);
    } catch {
      let savedModel = false;
      try {
        await fs.stat(`${path.replace(/[\\/]+$/, '')}/saved_model.pb`);
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
  if (info.size > opts.maxFileBytes) throw new FileSourceError(`${path} is ${formatBytes(info.size)}, more than maxFileBytes (${formatBytes(opts.maxFileBytes)})`);
  const buf = await fs.readFile(path);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const dir = dirName(path);
  return {
    bytes,
    name: baseName(path),
    sibling: async (rel) => {
      const segs = safeRelative(rel, baseName(path));
      const full = [dir, ...segs].join('/');
      try {
        const info2 = await fs.stat(full);
        if (info2.size > opts.maxFileBytes) throw new FileSourceError(`${full} is larger than maxFileBytes`);
      } catch (e) {
        if (e instanceof FileSourceError) throw e;
        throw new FileSourceError(`${baseName(path)}: weight shard '${rel}' not found next to it (${full})`);
      }
      const b = await fs.readFile(full);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
  };
}

async function readResponse(res: Response, label: string, opts: SourceOptions): Promise<Uint8Array> {
  if (!res.ok) throw new FileSourceError(`${label}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  const declared = Number(res.headers?.get?.('content-length') ?? NaN);
  if (declared > opts.maxFileBytes) throw new FileSourceError(`${label} is ${formatBytes(declared)}, more than maxFileBytes`);
  const buf = new Uint8Array(await res.arrayBuffer());
  if (buf.length > opts.maxFileBytes) throw new FileSourceError(`${label} is ${formatBytes(buf.length)}, more than maxFileBytes`);
  return buf;
}

async function readUrl(url: URL, opts: SourceOptions): Promise<Opened> {
  if (url.protocol === 'file:' && hasFileSystem()) {
    let path = decodeURIComponent(url.pathname);
    if (/^\/[a-zA-Z]:/.test(path)) path = path.slice(1); // file:///C:/… on Windows
    return readPath(path, opts);
  }
  const f = opts.fetch ?? globalThis.fetch;
  if (typeof f !== 'function') throw new FileSourceError(`cannot fetch ${url.href}: no fetch() in this runtime`);
  let res: Response;
  try {
    res = await f(url.href);
  } catch (e) {
    throw new FileSourceError(`cannot fetch ${url.href}: ${(e as Error).message}`);
  }
  const bytes = await readResponse(res, url.href, opts);
  const dir = new URL('.', url);
  return {
    bytes,
    name: baseName(url.pathname) || url.href,
    sibling: async (rel) => {
      const segs = safeRelative(rel, url.href);
      const target = new URL(segs.join('/'), dir);
      if (target.origin !== dir.origin || !target.pathname.startsWith(dir.pathname)) {
        throw new UnsafePathError(`${url.href}: shard path '${rel}' points outside the model's folder`);
      }
      let r: Response;
      try {
        r = await f(target.href);
      } catch (e) {
        throw new FileSourceError(`cannot fetch weight shard ${target.href}: ${(e as Error).message}`);
      }
      return readResponse(r, target.href, opts);
    },
  };
}

/** Reads any supported source into memory. */
export async function openSource(source: BinarySource, opts: SourceOptions): Promise<Opened> {
  if (typeof source === 'string') {
    if (source.length === 0) throw new FileSourceError('loadModel: empty path');
    if (isUrlString(source)) return readUrl(new URL(source), opts);
    if (hasFileSystem()) return readPath(source, opts);
    const base = (globalThis as { location?: { href: string } }).location?.href;
    return readUrl(new URL(source, base), opts);
  }
  // bytes first: in Node the first look at the Response or Blob global loads its fetch stack (tens of ms)
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: opts.name ?? 'bytes' };
  if (ArrayBuffer.isView(source)) {
    return { bytes: new Uint8Array(source.buffer, source.byteOffset, source.byteLength), name: opts.name ?? 'bytes' };
  }
  if (typeof URL !== 'undefined' && source instanceof URL) return readUrl(source, opts);
  if (typeof Response !== 'undefined' && source instanceof Response) {
    const bytes = await readResponse(source, source.url || 'response', opts);
    return { bytes, name: source.url ? baseName(new URL(source.url).pathname) : opts.name ?? 'response' };
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    if (source.size > opts.maxFileBytes) throw new FileSourceError(`the Blob is ${formatBytes(source.size)}, more than maxFileBytes`);
    const name = (source as Blob & { name?: string }).name;
    return { bytes: new Uint8Array(await source.arrayBuffer()), name: name || opts.name || 'Blob' };
  }
  throw new FileSourceError(`loadModel: cannot read a source of type ${source === null ? 'null' : typeof source} (expected a path, URL, Blob/File, bytes, or {modelJSON, weightData})`);
}

/** Bytes of a Blob, ArrayBuffer or view. */
export async function toBytes(x: unknown, what: string): Promise<Uint8Array> {
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  if (typeof Blob !== 'undefined' && x instanceof Blob) return new Uint8Array(await x.arrayBuffer());
  throw new FileSourceError(`${what} must be an ArrayBuffer, a typed array or a Blob`);
}

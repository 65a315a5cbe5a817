/**
 * Seeded mutations of model files: bytes (bit flips, interesting values, integer fields set to
 * huge or boundary values near structure signatures, truncation, duplicated or deleted chunks)
 * and JSON (field values replaced by huge, negative, fractional, 1e308, string or
 * Object.prototype-named values; keys renamed to __proto__/constructor; arrays duplicated,
 * emptied, nested deep). The same seed always gives the same mutant.
 */
import { Rng } from '../util/rng.js';

/** A per-mutant seed from the run's seed, the corpus item and the mutant's index. */
export function mutantSeed(base: number, item: number, index: number): number {
  let h = Math.imul(base ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(item + 1, 0xc2b2ae35) ^ Math.imul(index + 1, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h | 0;
}

const SIGNATURES = ['OHDR', 'OCHK', 'TREE', 'HEAP', 'SNOD', 'BTHD', 'BTIN', 'BTLF', 'FRHP', 'FHIB', 'FHDB', 'GCOL', 'FAHD', 'FADB',
  'PK\x01\x02', 'PK\x03\x04', 'PK\x05\x06', '\x89HDF'];

/** Offsets of structure signatures (HDF5 and zip) in `bytes`, for targeted damage. */
export function signatureOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  const first = new Set(SIGNATURES.map((s) => s.charCodeAt(0)));
  for (let p = 0; p + 4 <= bytes.length && out.length < 100_000; p++) {
    if (!first.has(bytes[p])) continue;
    for (const s of SIGNATURES) {
      if (bytes[p + 1] === s.charCodeAt(1) && bytes[p + 2] === s.charCodeAt(2) && bytes[p + 3] === s.charCodeAt(3) && bytes[p] === s.charCodeAt(0)) {
        out.push(p);
        break;
      }
    }
  }
  return out;
}

const BYTE_VALUES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x20];

function intValues(length: number): number[] {
  return [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
    length - 1, length, length + 1, 2 ** 31, 2 ** 32 + 1, 2 ** 40, 2 ** 53 - 1, 2 ** 62, 2 ** 64 - 1];
}

/** Writes `value` as an unsigned `size`-byte integer at `at` (little- or big-endian); saturates past 2^64. */
function writeInt(b: Uint8Array, at: number, size: number, value: number, bigEndian: boolean): void {
  let v = BigInt(Math.min(Math.max(0, Math.floor(value)), 2 ** 64 - 1)) & ((1n << BigInt(8 * size)) - 1n);
  for (let i = 0; i < size && at + i < b.length; i++) {
    const byte = Number(v & 0xffn);
    v >>= 8n;
    b[bigEndian ? at + size - 1 - i : at + i] = byte;
  }
}

export interface Mutant {
  bytes: Uint8Array;
  /** What was done, for the report. */
  how: string[];
}

/** One to three byte-level mutations of `src`. */
export function mutateBytes(src: Uint8Array, rng: Rng, signatures: number[]): Mutant {
  let b = src.slice();
  const how: string[] = [];
  const n = rng.int(1, 3);
  for (let k = 0; k < n && b.length > 0; k++) {
    const op = rng.int(0, 9);
    const at = rng.int(0, b.length - 1);
    if (op <= 1) {
      const bits = rng.int(1, 4);
      for (let i = 0; i < bits; i++) b[at + rng.int(0, Math.min(15, b.length - 1 - at))] ^= 1 << rng.int(0, 7);
      how.push(`flip ${bits} bits near ${at}`);
    } else if (op === 2) {
      const v = rng.pick(BYTE_VALUES);
      const len = rng.int(1, 8);
      b.fill(v, at, Math.min(b.length, at + len));
      how.push(`fill ${len} bytes at ${at} with 0x${v.toString(16)}`);
    } else if (op <= 5) {
      // an integer field near a structure signature (or anywhere)
      const base = signatures.length && rng.next() < 0.8 ? rng.pick(signatures) : at;
      const pos = Math.min(b.length - 1, base + rng.int(0, 63));
      const size = rng.pick([1, 2, 4, 8]);
      const v = rng.pick(intValues(b.length));
      const be = rng.next() < 0.1;
      writeInt(b, pos, size, v, be);
      how.push(`u${8 * size}${be ? 'be' : ''} ${v} at ${pos}${base !== at ? ` (signature at ${base})` : ''}`);
    } else if (op === 6) {
      const cut = rng.int(0, b.length - 1);
      b = b.slice(0, cut);
      how.push(`truncate to ${cut}`);
    } else if (op === 7) {
      const len = Math.min(rng.int(1, 4096), b.length - at);
      const to = rng.int(0, b.length - 1);
      const chunk = b.slice(at, at + len);
      if (rng.next() < 0.5) {
        b.set(chunk.subarray(0, Math.min(chunk.length, b.length - to)), to);
        how.push(`copy ${len} bytes from ${at} over ${to}`);
      } else {
        const out = new Uint8Array(b.length + chunk.length);
        out.set(b.subarray(0, to));
        out.set(chunk, to);
        out.set(b.subarray(to), to + chunk.length);
        b = out;
        how.push(`insert a copy of ${len} bytes from ${at} at ${to}`);
      }
    } else if (op === 8) {
      const len = Math.min(rng.int(1, 4096), b.length - at);
      const out = new Uint8Array(b.length - len);
      out.set(b.subarray(0, at));
      out.set(b.subarray(at + len), at);
      b = out;
      how.push(`delete ${len} bytes at ${at}`);
    } else {
      const v = rng.int(0, 255);
      b[at] = v;
      how.push(`byte ${at} = ${v}`);
    }
  }
  return { bytes: b, how };
}

/** Keys of Keras and tf.js configs worth aiming at. */
const TARGET_KEYS = new Set(['strides', 'kernel_size', 'filters', 'units', 'target_shape', 'batch_input_shape', 'batch_shape', 'input_shape',
  'dilation_rate', 'size', 'padding', 'activation', 'class_name', 'name', 'shape', 'dtype', 'paths', 'quantization', 'axis', 'momentum',
  'epsilon', 'alpha', 'negative_slope', 'groups', 'use_bias', 'data_format', 'output_padding', 'interpolation', 'weights', 'trainable',
  'layers', 'config', 'scale', 'min', 'inbound_nodes', 'input_layers', 'output_layers', 'rate', 'center', 'build_config', 'registered_name',
  'module', 'weightsManifest', 'modelTopology', 'format', 'keras_version', 'dims', 'max_value', 'threshold', 'theta']);

const PROTO_NAMES = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__', 'prototype'];
const NUMBERS = [0, -1, 1, 2, 3, 0.5, 1.5, -0.5, 1e9, 2 ** 31, 2 ** 31 - 1, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, 1e-308, 5e-324,
  65535, 100000, 1e6, 1e7, 46341, 2 ** 16 + 1, 2 ** 20, -(2 ** 31)];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Site {
  parent: Json[] | { [k: string]: Json } | null;
  key: string | number;
  value: Json;
  /** Where it is, for the report: a.b[2].c */
  path: string;
}

function sites(root: Json): Site[] {
  const out: Site[] = [{ parent: null, key: '', value: root, path: '' }];
  const stack: Site[] = [out[0]];
  while (stack.length && out.length < 200_000) {
    const s = stack.pop()!;
    const v = s.value;
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        const c = { parent: v, key: i, value: x, path: `${s.path}[${i}]` };
        out.push(c);
        stack.push(c);
      });
    } else if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        const c = { parent: v, key: k, value: v[k], path: s.path ? `${s.path}.${k}` : k };
        out.push(c);
        stack.push(c);
      }
    }
  }
  return out;
}

function defineOwn(o: { [k: string]: Json }, k: string, v: Json): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function interesting(rng: Rng, like: Json): Json {
  const r = rng.next();
  if (typeof like === 'number' && r < 0.5) {
    const ops = [() => like * 1e6, () => -like, () => like + 1, () => like - 1, () => like * 2 ** 20, () => like + 0.5, () => rng.pick(NUMBERS)];
    return rng.pick(ops)();
  }
  if (Array.isArray(like) && like.length && r < 0.5) return like.map((x) => (typeof x === 'number' ? rng.pick(NUMBERS) : x));
  const pool: Json[] = [...NUMBERS, ...PROTO_NAMES, '', 'x'.repeat(rng.int(1, 3) === 1 ? 100_000 : 10), null, true, false, [], {},
    [rng.pick(NUMBERS), rng.pick(NUMBERS)], [null, rng.pick(NUMBERS), rng.pick(NUMBERS), 1], 'same', 'valid', 'float16', 'uint16',
    'relu', 'linear', 'bilinear', 'channels_first', 'Lambda', 'Sequential', 'Functional', '../w.bin', '/etc/passwd', '.', 'NaN'];
  return rng.pick(pool);
}

/** One to four mutations of a parsed JSON document; returns its text. */
export function mutateJson(src: Json, rng: Rng): { text: string; how: string[] } {
  const root = JSON.parse(JSON.stringify(src)) as Json;
  const how: string[] = [];
  const n = rng.int(1, 4);
  let doc = root;
  for (let k = 0; k < n; k++) {
    const all = sites(doc);
    const targeted = all.filter((s) => typeof s.key === 'string' && TARGET_KEYS.has(s.key));
    const s = targeted.length && rng.next() < 0.6 ? rng.pick(targeted) : rng.pick(all);
    const op = rng.int(0, 9);
    const set = (v: Json) => {
      if (s.parent === null) doc = v;
      else if (Array.isArray(s.parent)) s.parent[s.key as number] = v;
      else defineOwn(s.parent, s.key as string, v);
    };
    const where = s.path.replace(/^modelTopology\.model_config\.config\./, '…').replace(/^config\./, '…').slice(-90) || '(root)';
    if (op <= 4) {
      const v = interesting(rng, s.value);
      set(v);
      how.push(`${where} = ${JSON.stringify(v)?.slice(0, 60)}`);
    } else if (op === 5 && Array.isArray(s.value) && s.value.length) {
      const times = rng.pick([1, 2, 399]);
      const extra = Array.from({ length: times }, () => JSON.parse(JSON.stringify(rng.pick(s.value as Json[]))) as Json);
      (s.value as Json[]).push(...extra);
      how.push(`${where}: ${times} duplicated element(s)`);
    } else if (op === 6 && s.parent && !Array.isArray(s.parent)) {
      delete s.parent[s.key as string];
      how.push(`delete ${where}`);
    } else if (op === 7 && s.parent && !Array.isArray(s.parent)) {
      const name = rng.pick(PROTO_NAMES);
      const v = s.parent[s.key as string];
      if (rng.next() < 0.5) delete s.parent[s.key as string];
      defineOwn(s.parent, name, v);
      how.push(`key ${where} → ${name}`);
    } else if (op === 8) {
      let v: Json = s.value;
      const depth = rng.pick([50, 2000, 20000]);
      for (let i = 0; i < depth; i++) v = [v];
      set(v);
      how.push(`${where} nested ${depth} deep`);
      break; // (the next mutation would copy the deep value recursively)
    } else if (Array.isArray(s.value)) {
      set(rng.next() < 0.5 ? [] : s.value.slice().reverse());
      how.push(`${where}: emptied or reversed`);
    } else {
      const v = typeof s.value === 'string' ? rng.pick(PROTO_NAMES) : rng.pick(NUMBERS);
      set(v);
      how.push(`${where} = ${JSON.stringify(v)}`);
    }
  }
  return { text: stringify(doc), how };
}

/** JSON.stringify without recursion (mutants nest deeper than the call stack). */
function stringify(v: Json): string {
  const parts: string[] = [];
  const stack: ({ text: string } | { value: Json })[] = [{ value: v }];
  while (stack.length) {
    const t = stack.pop()!;
    if ('text' in t) {
      parts.push(t.text);
      continue;
    }
    const x = t.value;
    if (Array.isArray(x)) {
      stack.push({ text: ']' });
      for (let i = x.length - 1; i >= 0; i--) {
        stack.push({ value: x[i] });
        if (i > 0) stack.push({ text: ',' });
      }
      stack.push({ text: '[' });
    } else if (x && typeof x === 'object') {
      stack.push({ text: '}' });
      const keys = Object.keys(x);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({ value: x[keys[i]] });
        stack.push({ text: `${JSON.stringify(keys[i])}:` });
        if (i > 0) stack.push({ text: ',' });
      }
      stack.push({ text: '{' });
    } else {
      parts.push(JSON.stringify(x) ?? 'null');
    }
  }
  return parts.join('');
}

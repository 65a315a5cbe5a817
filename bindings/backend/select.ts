import { BackendError, ConfigError } from '../errors.js';
import type { Backend } from './kernels.js';
import { referenceBackend } from './reference.js';
import { moduleFlavour, supportedFlavours, type WasmFlavour, wasmBackend } from './wasm.js';

/**
 * Which backend runs, and how the WebAssembly module is obtained.
 * States: not loaded → (init or first use) → loaded with one flavour. `setBackend('js')` switches
 * to the TypeScript reference at any time; models re-plan on their next predict.
 */

export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string | Response;

export interface InitOptions {
  /** Force a build: 'relaxed-simd' | 'simd' | 'scalar' (default: the best this engine validates). */
  flavour?: 'relaxed-simd' | 'simd' | 'scalar';
}

/** How an entry point supplies a build's bytes synchronously (inlined), if it can. */
export type BytesProvider = (flavour: WasmFlavour) => Uint8Array | null;

let provider: BytesProvider | null = null;
let wasm: Backend | null = null;
/** Backends built from the entry point's own bytes, one per flavour (compiled once). */
const builtIn = new Map<WasmFlavour, Backend>();
let useWasm = true;

/** Entry points call this once with their way of finding the builds. */
export function setBytesProvider(p: BytesProvider): void {
  provider = p;
}

function pickFlavours(options: InitOptions): WasmFlavour[] {
  const supported = supportedFlavours();
  if (!options.flavour) return supported;
  const wanted = `wasm-${options.flavour}` as WasmFlavour;
  if (!['wasm-relaxed-simd', 'wasm-simd', 'wasm-scalar'].includes(wanted)) {
    throw new ConfigError(`init: unknown flavour '${options.flavour}' (expected 'relaxed-simd', 'simd' or 'scalar')`);
  }
  if (!supported.includes(wanted)) throw new BackendError(`init: this engine cannot run the ${wanted} build (it supports: ${supported.join(', ') || 'no WebAssembly'})`);
  return [wanted];
}

async function toModule(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof Response !== 'undefined' && source instanceof Response) {
    return WebAssembly.compile(await source.arrayBuffer());
  }
  if (source instanceof URL || typeof source === 'string') {
    const res = await fetch(source);
    if (!res.ok) throw new BackendError(`init: fetching ${String(source)} failed with HTTP ${res.status}`);
    return WebAssembly.compile(await res.arrayBuffer());
  }
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  throw new ConfigError('init: source must be a WebAssembly.Module, bytes, a URL or a Response');
}

/**
 * Loads the WebAssembly core (idempotent). With no source, the entry point's own build for the
 * best flavour this engine supports; with a source, that module. Without WebAssembly the
 * reference backend is used.
 */
export async function init(source?: WasmSource, options: InitOptions = {}): Promise<void> {
  if (source === undefined) {
    if (wasm && !options.flavour) return;
    const found = defaultBytes(options);
    if (found) {
      if (!builtIn.has(found.flavour)) {
        builtIn.set(found.flavour, wasmBackend(await WebAssembly.compile(found.bytes as BufferSource), found.flavour));
      }
      wasm = builtIn.get(found.flavour)!;
    }
    return;
  }
  const module = await toModule(source);
  wasm = wasmBackend(module, moduleFlavour(module, 'wasm-simd'));
}

/** The entry point's bytes for the best usable flavour; null when there is no WebAssembly. */
function defaultBytes(options: InitOptions): { flavour: WasmFlavour; bytes: Uint8Array } | null {
  const flavours = pickFlavours(options);
  if (!flavours.length) {
    useWasm = false; // no WebAssembly at all: the reference backend is the fallback
    return null;
  }
  if (!provider) throw new BackendError('upconv: this entry point has no built-in WebAssembly; call init(source) with the .wasm');
  for (const flavour of flavours) {
    const bytes = provider(flavour);
    if (bytes) return { flavour, bytes };
  }
  throw new BackendError(`upconv: no WebAssembly build available for ${flavours.join(', ')}`);
}

function loadDefaultSync(): void {
  const found = defaultBytes({});
  if (found) {
    if (!builtIn.has(found.flavour)) {
      builtIn.set(found.flavour, wasmBackend(new WebAssembly.Module(found.bytes as BufferSource), found.flavour));
    }
    wasm = builtIn.get(found.flavour)!;
  }
}

/** 'wasm' (default) or 'js' (the plain TypeScript reference). */
export function setBackend(name: 'wasm' | 'js'): void {
  if (name !== 'wasm' && name !== 'js') throw new ConfigError(`setBackend: unknown backend '${String(name)}' (expected 'wasm' or 'js')`);
  useWasm = name === 'wasm';
}

/** The backend that runs: 'wasm-relaxed-simd' | 'wasm-simd' | 'wasm-scalar' | 'js'. */
export function getBackend(): string {
  return currentBackend().name;
}

/** The backend models plan on now (loads the built-in WebAssembly on first use). */
export function currentBackend(): Backend {
  if (!useWasm) return referenceBackend;
  if (!wasm) loadDefaultSync();
  return useWasm && wasm ? wasm : referenceBackend;
}

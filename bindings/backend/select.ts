import { BackendError, ConfigError, UpconvError } from '../errors.js';
import { showValue } from '../show.js';
import type { Backend } from './kernels.js';
import { referenceBackend } from './reference.js';
import { moduleFlavour, supportedFlavours, type WasmFlavour, wasmBackend } from './wasm.js';

/**
 * Which backend runs, and how the WebAssembly module is obtained.
 * 1. An entry point registers how it finds its builds (`setWasmProvider`): inlined bytes (Node,
 *    Deno, Bun), modules imported by the bundler (workerd), or a fetch beside the module (browser).
 * 2. `init()` picks the best flavour this engine validates and compiles it once; a synchronous
 *    provider also lets a model load it on first use without `init`.
 * 3. `setBackend('js')` switches to the TypeScript reference at any time; models re-plan on their
 *    next predict.
 */

export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string | Response;

export interface InitOptions {
  /** Force a build: 'relaxed-simd' | 'simd' | 'scalar' (default: the best this engine validates). */
  flavour?: 'relaxed-simd' | 'simd' | 'scalar';
}

/** How an entry point supplies its builds. */
export interface WasmProvider {
  /** Synchronously, as bytes or a compiled module (null: not available this way). */
  sync?(flavour: WasmFlavour): Uint8Array | WebAssembly.Module | null;
  /** Asynchronously, e.g. a URL beside the module. */
  load?(flavour: WasmFlavour): Promise<WasmSource>;
}

let provider: WasmProvider | null = null;
let wasm: Backend | null = null;
/** Backends built from the entry point's own builds, one per flavour (compiled once). */
const builtIn = new Map<WasmFlavour, Backend>();
let useWasm = true;

/** Entry points call this once with their way of finding the builds. */
export function setWasmProvider(p: WasmProvider): void {
  provider = p;
}

function pickFlavours(options: InitOptions): WasmFlavour[] {
  const supported = supportedFlavours();
  if (options.flavour === undefined) return supported;
  if (typeof options.flavour !== 'string') throw new ConfigError(`init: flavour must be 'relaxed-simd', 'simd' or 'scalar', got ${showValue(options.flavour)}`);
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
    if (!source.ok) throw new BackendError(`init: the .wasm response has HTTP status ${source.status}`);
    return WebAssembly.compile(await source.arrayBuffer());
  }
  if (source instanceof URL || typeof source === 'string') {
    let res: Response;
    try {
      res = await fetch(source);
    } catch (e) {
      throw new BackendError(`init: fetching ${String(source)} failed (${(e as Error).message}); pass the .wasm to init() yourself`);
    }
    if (!res.ok) throw new BackendError(`init: fetching ${String(source)} failed with HTTP ${res.status}; pass the .wasm to init() yourself`);
    return WebAssembly.compile(await res.arrayBuffer());
  }
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  throw new ConfigError('init: source must be a WebAssembly.Module, bytes, a URL or a Response');
}

function remember(flavour: WasmFlavour, module: WebAssembly.Module): Backend {
  if (!builtIn.has(flavour)) builtIn.set(flavour, wasmBackend(module, flavour));
  return builtIn.get(flavour)!;
}

/**
 * Loads the WebAssembly core (idempotent). With no source, the entry point's own build for the
 * best flavour this engine supports; with a source, that module. Without WebAssembly the
 * reference backend is used.
 */
export async function init(source?: WasmSource, options: InitOptions = {}): Promise<void> {
  try {
    await initOnce(source, options ?? {});
  } catch (e) {
    if (e instanceof UpconvError) throw e;
    // a CompileError for bytes that are not WebAssembly, a TypeError for a source of the wrong kind
    throw new BackendError(`init: cannot load the WebAssembly core from ${showValue(source, 60)}: ${(e as Error)?.message ?? showValue(e)}`);
  }
}

async function initOnce(source: WasmSource | undefined, options: InitOptions): Promise<void> {
  if (typeof options !== 'object') throw new ConfigError(`init: options must be an object, got ${showValue(options)}`);
  if (source !== undefined) {
    const module = await toModule(source);
    wasm = wasmBackend(module, moduleFlavour(module, 'wasm-simd'));
    return;
  }
  if (wasm && !options.flavour) return;
  const flavours = pickFlavours(options);
  if (!flavours.length) {
    useWasm = false; // no WebAssembly at all: the reference backend is the fallback
    return;
  }
  for (const flavour of flavours) {
    if (builtIn.has(flavour)) {
      wasm = builtIn.get(flavour)!;
      return;
    }
    const found = provider?.sync?.(flavour);
    if (found) {
      wasm = remember(flavour, found instanceof WebAssembly.Module ? found : await WebAssembly.compile(found as BufferSource));
      return;
    }
    if (provider?.load) {
      wasm = remember(flavour, await toModule(await provider.load(flavour)));
      return;
    }
  }
  throw new BackendError(`upconv: this entry point has no built-in ${flavours.join(' or ')} build; call init(source) with the .wasm`);
}

function loadSync(): void {
  const flavours = pickFlavours({});
  if (!flavours.length) {
    useWasm = false;
    return;
  }
  for (const flavour of flavours) {
    const known = builtIn.get(flavour);
    if (known) {
      wasm = known;
      return;
    }
    const found = provider?.sync?.(flavour);
    if (!found) continue;
    wasm = remember(flavour, found instanceof WebAssembly.Module ? found : new WebAssembly.Module(found as BufferSource));
    return;
  }
  throw new BackendError('upconv: the WebAssembly core is not loaded yet; call `await init()` first (or setBackend(\'js\'))');
}

/** 'wasm' (default) or 'js' (the plain TypeScript reference). */
export function setBackend(name: 'wasm' | 'js'): void {
  if (name !== 'wasm' && name !== 'js') throw new ConfigError(`setBackend: unknown backend ${showValue(name)} (expected 'wasm' or 'js')`);
  useWasm = name === 'wasm';
}

/** What runs models: a WebAssembly build, or the plain TypeScript reference. */
export type BackendName = 'wasm-relaxed-simd' | 'wasm-simd' | 'wasm-scalar' | 'js';

/** The backend that runs: 'wasm-relaxed-simd' | 'wasm-simd' | 'wasm-scalar' | 'js'. */
export function getBackend(): BackendName {
  return currentBackend().name;
}

/** The backend models plan on now (loads a synchronously available build on first use). */
export function currentBackend(): Backend {
  if (!useWasm) return referenceBackend;
  if (!wasm) loadSync();
  return useWasm && wasm ? wasm : referenceBackend;
}

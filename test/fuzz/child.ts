/**
 * One fuzz batch, run in its own process by fuzz.test.ts (bundled by esbuild first):
 *   node child.mjs '{"item": 3, "start": 0, "end": 300, "base": 1}'
 * For each mutant it writes a line `{"i": n, "start": true}` before and
 * `{"i": n, "outcome": ...}` after, synchronously, so the parent knows which mutant a crash or a
 * hang belongs to. Outcomes: 'ok' (loaded; finite outputs of the shape the model declares, the
 * wasm and js backends agreeing), 'ok-nonfinite' (loaded; both backends give the same
 * non-finite outputs: mutated weights or activations overflow float32), 'ok-overflow' (loaded;
 * the backends differ after an overflow, which makes sums depend on their order), 'named' (an
 * UpconvError subclass, with its name), or a violation: 'raw' (any other error), 'output' (a
 * load whose outputs are wrong), 'memory' (the process's peak RSS passed the bound).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { Conv2D, Conv2DTranspose, Dense, init, Reshape, Sequential, setBackend, setSeed, tensor, UpSampling2D } from '../../bindings/index.js';
import { firstNonFinite } from '../../bindings/args.js';
import { UpconvError } from '../../bindings/errors.js';
import type { Model } from '../../bindings/model/model.js';
import { H5File } from '../../bindings/io/hdf5/file.js';
import { loadModel, loadWeights, saveModel, type TfjsModelJSON } from '../../bindings/io/index.js';
import { tinyModel, tinyWeights } from '../io/tiny.js';
import { Rng } from '../util/rng.js';
import { corpus, fixturesOf, type Item } from './corpus.js';
import { type HostileCase, hostileBase, hostileCase, hostileSource } from './hostile.js';
import { mutantSeed, mutateBytes, mutateJson, signatureOffsets } from './mutate.js';

/** Peak resident memory allowed for the whole child (the harness also caps V8's heap). */
export const MAX_RSS = 1024 * 2 ** 20;
const LIMITS = { maxWeightBytes: 256 * 2 ** 20, maxFileBytes: 512 * 2 ** 20, timeoutMs: 2000 };

const job = JSON.parse(process.argv[2]) as { root: string; shared: string; tmp: string; item: number; start: number; end: number; base: number; dump?: string; keepLoaded?: string };
const item: Item = corpus(job.root, job.shared).items[job.item];
// a folder of the harness's own (removed by it even when this process is killed)
mkdirSync(job.tmp, { recursive: true });
const tmp = mkdtempSync(join(job.tmp, 'child-'));

function emit(x: unknown): void {
  writeSync(1, `${JSON.stringify(x)}\n`);
}

type Json = Parameters<typeof mutateJson>[0];

/** Synthetic tf.js artifacts (deterministic). */
function synthetic(name: string): { modelJSON: TfjsModelJSON; weightData: ArrayBuffer } {
  if (name.startsWith('tiny-')) {
    const m = tinyModel();
    m.setWeights(tinyWeights());
    return saveModel(m, { dtype: name.slice(5) as 'float32' });
  }
  setSeed(7);
  const m = new Sequential([
    new Dense(2 * 2 * 4, { inputShape: [8], name: 'dense' }),
    new Reshape([2, 2, 4], { name: 'reshape' }),
    new UpSampling2D({ size: [2, 2], name: 'up' }),
    new Conv2D(3, [3, 3], { padding: 'same', activation: 'relu', name: 'conv' }),
    new Conv2DTranspose(2, [4, 4], { strides: [2, 2], padding: 'same', activation: 'tanh', name: 'deconv' }),
  ]);
  return saveModel(m);
}

interface Base {
  bytes?: Uint8Array;
  signatures?: number[];
  json?: Json;
  shard?: Uint8Array;
  signaturesShard?: number[];
  entries?: Record<string, Uint8Array>;
  walk?: { path: string; attrs: Record<string, unknown>; links?: string[] }[];
}

function prepareBase(): Base {
  if (item.kind === 'hostile') return {};
  if (item.kind === 'tfjs') {
    if (item.source.endsWith('model.json')) {
      const json = JSON.parse(readFileSync(item.source, 'utf8')) as TfjsModelJSON;
      const dir = item.source.slice(0, -'model.json'.length);
      const shard = new Uint8Array(readFileSync(join(dir, json.weightsManifest[0].paths[0])));
      return { json: json as unknown as Json, shard, signaturesShard: [] };
    }
    const art = synthetic(item.source);
    return { json: art.modelJSON as unknown as Json, shard: new Uint8Array(art.weightData), signaturesShard: [] };
  }
  const bytes = new Uint8Array(readFileSync(item.source));
  if (item.kind === 'keras') return { bytes, signatures: signatureOffsets(bytes), entries: unzipSync(bytes) };
  if (item.kind === 'walk') {
    const all = JSON.parse(readFileSync(join(fixturesOf(job.root), 'structures.json'), 'utf8'));
    const name = item.source.split('/').pop()!;
    return { bytes, signatures: signatureOffsets(bytes), walk: all[name] };
  }
  return { bytes, signatures: signatureOffsets(bytes) };
}

const base = prepareBase();
const sigCache = new Map<string, number[]>();


/**
 * Loaded model → 'ok' or a violation: one sample is predicted on the wasm and the js backend;
 * the output must have the model's output shape, and the backends must agree (a load that
 * left a model inconsistent computes garbage on one of them). Non-finite outputs where both
 * agree are 'ok-nonfinite' (mutated weights or activations can overflow float32 legitimately).
 */
function check(model: Model): { outcome: string; detail?: string } {
  model.memoryLimit = 256 * 2 ** 20;
  const rng = new Rng(1);
  const xs = model.inputs.map((t) => {
    const dims = t.shape.slice(1).map((d) => d ?? 8);
    return tensor(Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.normal()), [1, ...dims]);
  });
  const runs: { data: Float32Array; shape: number[] }[][] = [];
  // the js reference is slow on large images (fastsrgan's 384×384 output: ~50 s a sample):
  // there only the wasm result is checked (shape, and finite unless the weights overflow)
  const values = (shape: readonly (number | null)[]) => shape.slice(1).reduce((a: number, d) => a * (d ?? 8), 1);
  const small = model.outputs.every((t) => values(t.shape) <= 2 ** 16) && model.inputs.every((t) => values(t.shape) <= 2 ** 16);
  for (const backend of small ? (['wasm', 'js'] as const) : (['wasm'] as const)) {
    setBackend(backend);
    try {
      const y = model.predict(xs.length === 1 ? xs[0] : xs);
      runs.push((Array.isArray(y) ? y : [y]).map((t) => ({ data: t.data.slice(), shape: [...t.shape] })));
    } catch (e) {
      setBackend('wasm');
      if (e instanceof UpconvError) return { outcome: 'named', detail: `predict on ${backend}: ${e.name}` };
      return { outcome: 'raw', detail: `predict on ${backend}: ${(e as Error).name}: ${(e as Error).message}` };
    }
  }
  setBackend('wasm');
  const [wasm, js = runs[0]] = runs;
  const declared = model.outputs.map((t) => t.shape.slice(1));
  if (wasm.length !== declared.length || js.length !== declared.length) {
    return { outcome: 'output', detail: `${wasm.length} outputs (js ${js.length}) but the model declares ${declared.length}` };
  }
  let largest = 0;
  for (const t of model.getWeights()) for (const v of t.data) largest = Math.max(largest, Math.abs(v));
  let nonFinite = false;
  for (let o = 0; o < wasm.length; o++) {
    const [w, j, want] = [wasm[o], js[o], declared[o]];
    const got = w.shape.slice(1);
    if (w.shape[0] !== 1 || got.length !== want.length || got.some((d, i) => want[i] !== null && want[i] !== d) || w.shape.join() !== j.shape.join()) {
      return { outcome: 'output', detail: `output ${o} has shape [${w.shape}] (js [${j.shape}]) but the model declares [null, ${want}]` };
    }
    nonFinite ||= firstNonFinite(w.data) >= 0 || firstNonFinite(j.data) >= 0;
    for (let i = 0; i < w.data.length; i++) {
      const a = w.data[i];
      const b = j.data[i];
      const same = Number.isNaN(a) ? Number.isNaN(b) : a === b || Math.abs(a - b) <= 1e-3 * (1 + Math.abs(b));
      if (same) continue;
      // float32 overflow inside a layer makes the result depend on the summation order
      if (nonFinite || firstNonFinite(w.data) >= 0 || firstNonFinite(j.data) >= 0 || largest > 1e15) {
        return { outcome: 'ok-overflow', detail: `backends differ after an overflow (largest |weight| ${largest.toExponential(1)})` };
      }
      return { outcome: 'output', detail: `output ${o}[${i}]: wasm ${a}, js ${b} (largest |weight| ${largest.toExponential(1)})` };
    }
  }
  if (!nonFinite) return { outcome: 'ok' };
  return { outcome: 'ok-nonfinite', detail: `non-finite outputs, the same on both backends (largest |weight| ${largest.toExponential(1)})` };
}

/** The HDF5 bytes of the current mutant (for the libhdf5 oracle), when it has any. */
let h5: Uint8Array | null = null;

/** The unedited model of the hostile cases, and its outputs on the check's inputs. */
let hostileModel: Sequential | null = null;

/** A hostile case's outcome: one of the errors it allows, or a load equal to the unedited model. */
function checkHostile(c: HostileCase, outcome: string, detail: string | undefined, loaded: Model | null): { outcome: string; detail?: string } {
  if (outcome === 'named') {
    if (c.allowed.includes(detail!)) return { outcome, detail };
    return { outcome: 'unexpected', detail: `${detail}, but the case allows ${c.allowed.join(' / ')}` };
  }
  if (outcome !== 'ok' || !loaded) return { outcome, detail };
  if (!c.allowed.includes('ok')) return { outcome: 'unexpected', detail: `it loaded, but the case allows only ${c.allowed.join(' / ')}` };
  const rng = new Rng(3);
  const x = tensor(Float32Array.from({ length: 8 }, () => rng.normal()), [1, 8]);
  const want = hostileModel!.predict(x).data;
  const got = (loaded.predict(x) as { data: Float32Array }).data;
  const bad = want.findIndex((v, i) => Math.abs(v - got[i]) > 1e-6 * (1 + Math.abs(v)));
  if (got.length !== want.length || bad >= 0) return { outcome: 'unexpected', detail: `it loaded with other outputs than the unedited model (index ${bad}: ${got[bad]} vs ${want[bad]})` };
  return { outcome };
}

async function run(rng: Rng, i: number): Promise<{ how: string[]; result: () => Promise<Model | 'walked'>; hostile?: HostileCase }> {
  const name = item.id;
  h5 = null;
  if (item.kind === 'hostile') {
    hostileModel ??= hostileBase();
    const { format, c } = hostileCase(i);
    return { how: [`${format}: ${c.name}`], result: hostileSource(hostileModel, format, c), hostile: c };
  }
  if (item.kind === 'model' || item.kind === 'weights' || item.kind === 'walk') {
    const m = mutateBytes(base.bytes!, rng, base.signatures!);
    if (job.dump) writeFileSync(job.dump, m.bytes);
    if (item.source.endsWith('.h5')) h5 = m.bytes;
    if (item.kind === 'model') return { how: m.how, result: () => loadModel(m.bytes, { ...LIMITS, name }) };
    if (item.kind === 'weights') {
      return {
        how: m.how,
        result: async () => {
          const t = tinyModel();
          await loadWeights(t, m.bytes, { ...LIMITS, name });
          return t;
        },
      };
    }
    return {
      how: m.how,
      result: async () => {
        const file = new H5File(m.bytes, name);
        for (const o of base.walk!) {
          const obj = o.path === '/' ? file.root : file.get(o.path);
          if (!obj) continue;
          for (const k of Object.keys(o.attrs)) file.attr(obj, k);
          if (o.links) for (const l of file.links(obj).keys()) file.get(l, obj);
          else if (obj.isDataset) file.readFloat32(obj, o.path);
        }
        return 'walked';
      },
    };
  }
  if (item.kind === 'keras') {
    const entries = base.entries!;
    const r = rng.next();
    let bytes: Uint8Array;
    let how: string[];
    if (r < 0.15) {
      ({ bytes, how } = mutateBytes(base.bytes!, rng, base.signatures!));
    } else {
      const target = r < 0.55 ? 'config.json' : r < 0.9 ? 'model.weights.h5' : 'metadata.json';
      const copy = { ...entries };
      if (target.endsWith('.json')) {
        const m = mutateJson(JSON.parse(new TextDecoder().decode(entries[target])) as Json, rng);
        copy[target] = new TextEncoder().encode(m.text);
        how = [`${target}:`, ...m.how];
      } else {
        let sigs = sigCache.get(target);
        if (!sigs) sigCache.set(target, (sigs = signatureOffsets(entries[target])));
        const m = mutateBytes(entries[target], rng, sigs);
        copy[target] = m.bytes;
        h5 = m.bytes;
        how = [`${target}:`, ...m.how];
      }
      bytes = zipSync(copy, { level: 1 });
    }
    if (job.dump) writeFileSync(job.dump, bytes);
    return { how, result: () => loadModel(bytes, { ...LIMITS, name }) };
  }
  // tf.js
  const r = rng.next();
  if (r < 0.25) {
    const m = mutateBytes(base.shard!, rng, base.signaturesShard!);
    if (job.dump) writeFileSync(job.dump, m.bytes);
    const weightData = m.bytes.slice().buffer;
    return { how: ['shard:', ...m.how], result: () => loadModel({ modelJSON: base.json as never, weightData }, { ...LIMITS, name }) };
  }
  const m = mutateJson(base.json!, rng);
  if (job.dump) writeFileSync(job.dump, m.text);
  if (r < 0.75) {
    return { how: m.how, result: () => loadModel({ modelJSON: m.text, weightData: base.shard!.slice().buffer }, { ...LIMITS, name }) };
  }
  // as a folder, so that shard paths are resolved and read
  const dir = join(tmp, 'm');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.json'), m.text);
  const original = (base.json as unknown as TfjsModelJSON).weightsManifest[0].paths[0];
  writeFileSync(join(dir, original), base.shard!);
  return { how: ['(folder)', ...m.how], result: () => loadModel(join(dir, 'model.json'), { ...LIMITS, name }) };
}

async function main(): Promise<void> {
  await init();
  setBackend('wasm');
  for (let i = job.start; i < job.end; i++) {
    emit({ i, start: true });
    const rng = new Rng(mutantSeed(job.base, job.item, i));
    const t0 = performance.now();
    let outcome: string;
    let detail: string | undefined;
    let how: string[] = [];
    let hostile: HostileCase | undefined;
    let loaded: Model | null = null;
    try {
      const r = await run(rng, i);
      how = r.how;
      hostile = r.hostile;
      emit({ i, how }); // before loading: a hang or a crash still says what the mutant was
      const m = await r.result();
      if (m !== 'walked') loaded = m;
      ({ outcome, detail } = m === 'walked' ? { outcome: 'ok', detail: undefined } : check(m));
    } catch (e) {
      if (e instanceof UpconvError) {
        outcome = 'named';
        detail = e.name;
      } else {
        outcome = 'raw';
        const err = e as Error;
        detail = `${err?.name}: ${String(err?.message).slice(0, 300)} @ ${String(err?.stack ?? '').split('\n').slice(1, 4).join(' | ')}`;
      }
    }
    if (hostile) ({ outcome, detail } = checkHostile(hostile, outcome, detail, loaded));
    const ms = performance.now() - t0;
    if (job.keepLoaded && h5 && outcome.startsWith('ok')) writeFileSync(join(job.keepLoaded, `${job.item}-${i}.h5`), h5);
    const rss = process.resourceUsage().maxRSS * 1024;
    emit({ i, outcome, detail, how, ms: Math.round(ms), rss });
    if (rss > MAX_RSS) {
      emit({ i, outcome: 'memory', detail: `peak RSS ${(rss / 2 ** 20).toFixed(0)} MiB after this mutant`, how });
      break;
    }
  }
}

main().then(() => {
  rmSync(tmp, { recursive: true, force: true });
}, (e) => {
  emit({ fatal: String((e as Error)?.stack ?? e) });
  rmSync(tmp, { recursive: true, force: true });
  process.exitCode = 2;
});

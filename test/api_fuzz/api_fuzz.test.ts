// The API fuzz: seeded random calls of every public function, constructor and model method with
// hostile arguments (NaN, 1e308, 2^53, BigInt, Symbol, typed arrays of every kind, prototype
// names, null-prototype objects, nested garbage). Every call must return or throw an UpconvError
// subclass, and a model that refused a call must predict exactly what it predicted before.
// UPCONV_API_FUZZ=N runs N calls per group (default 300), UPCONV_API_FUZZ_SEED=S another run.
import { afterAll, describe, expect, it } from 'vitest';
import * as U from '../../bindings/index.js';
import { args, pick, show, value } from './calls.js';

const N = Number(process.env.UPCONV_API_FUZZ || 300);
/** UPCONV_API_FUZZ_SEED=S shifts every group's seed (a different run). */
const SEED = Number(process.env.UPCONV_API_FUZZ_SEED || 0);

interface Failure { call: string; error: string }

async function attempt(call: string, f: () => unknown, failures: Failure[]): Promise<'ok' | 'refused'> {
  try {
    const out = f();
    if (out instanceof Promise) await out;
    return 'ok';
  } catch (e) {
    if (e instanceof U.UpconvError) return 'refused';
    failures.push({ call, error: `${(e as Error)?.constructor?.name}: ${String((e as Error)?.message ?? e).slice(0, 200)}` });
    return 'refused';
  }
}

/** One example per kind of failure (the called name and the error's first words). */
function report(failures: Failure[]): string {
  const kinds = new Map<string, Failure>();
  for (const f of failures) {
    const key = `${f.call.split('(')[0]} ${f.error.replace(/[\d"'`].*$/, '').slice(0, 60)}`;
    if (!kinds.has(key)) kinds.set(key, f);
  }
  return `${failures.length} calls failed, ${kinds.size} kinds:\n${[...kinds.values()].slice(0, 40).map((f) => `${f.call.slice(0, 300)}\n    → ${f.error}`).join('\n')}`;
}

const exported = Object.entries(U) as [string, unknown][];
const layerClasses = exported.filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof U.Layer && v !== U.Model && v !== U.Sequential && v !== U.CustomLayer) as [string, new (...a: unknown[]) => U.Layer][];
const functions = exported.filter(([k, v]) => typeof v === 'function' && !/^[A-Z]/.test(k) && !['init', 'setBackend', 'registerLayer', 'resetNames', 'setSeed'].includes(k)) as [string, (...a: unknown[]) => unknown][];
const otherClasses = exported.filter(([k, v]) => typeof v === 'function' && /^[A-Z]/.test(k) && !layerClasses.some(([n]) => n === k) && !/Error$/.test(k)) as [string, new (...a: unknown[]) => unknown][];

afterAll(() => {
  U.setBackend('wasm');
});

describe(`API fuzz (${N} calls per group; UPCONV_API_FUZZ=N for more)`, () => {
  it(`constructs every layer class (${layerClasses.length}) from hostile arguments: a layer or an UpconvError, and a layer that constructs either builds or refuses`, async () => {
    const r = U.mulberry32(101 + SEED);
    const failures: Failure[] = [];
    for (let i = 0; i < N * 4; i++) {
      const [name, C] = pick(r, layerClasses);
      const a = args(r);
      let layer: U.Layer | null = null;
      await attempt(`new ${name}(${a.map(show).join(', ')})`, () => { layer = new C(...a); }, failures);
      if (!layer) continue;
      const shape = pick(r, [[4], [3, 3, 2], [5, 5, 1], [2, 2, 4], [1]]);
      const built = layer as U.Layer;
      await attempt(`new ${name}(${a.map(show).join(', ')}) on input [${shape}] → predict`, () => {
        const m = new U.Sequential([new U.InputLayer({ inputShape: shape }), built], { memoryLimit: 64 * 2 ** 20 });
        m.predict(U.tensor(new Float32Array(2 * shape.reduce((x, y) => x * y, 1)).fill(0.5), [2, ...shape]));
      }, failures);
    }
    expect(failures.length, report(failures)).toBe(0);
  });

  it('calls every exported function with hostile arguments', async () => {
    const r = U.mulberry32(202 + SEED);
    const failures: Failure[] = [];
    for (let i = 0; i < N * 2; i++) {
      const [name, f] = pick(r, functions);
      const a = args(r);
      await attempt(`${name}(${a.map(show).join(', ')})`, () => f(...a), failures);
    }
    for (let i = 0; i < N; i++) {
      const [name, C] = pick(r, otherClasses);
      const a = args(r);
      await attempt(`new ${name}(${a.map(show).join(', ')})`, () => new C(...a), failures);
    }
    expect(failures.length, report(failures)).toBe(0);
  });

  it('init, setBackend, setSeed and registerLayer refuse garbage with UpconvErrors and keep the backend', async () => {
    const r = U.mulberry32(303 + SEED);
    const failures: Failure[] = [];
    await U.init();
    U.setBackend('wasm');
    const before = U.getBackend();
    for (let i = 0; i < N; i++) {
      const a = args(r);
      const which = pick(r, ['init', 'setBackend', 'setSeed', 'registerLayer'] as const);
      if (which === 'init') await attempt(`init(${a.map(show).join(', ')})`, () => U.init(...(a as [])), failures);
      else if (which === 'setBackend') await attempt(`setBackend(${a.map(show).join(', ')})`, () => U.setBackend(...(a as [never])), failures);
      else if (which === 'setSeed') await attempt(`setSeed(${a.map(show).join(', ')})`, () => U.setSeed(...(a as [never])), failures);
      else await attempt(`registerLayer(${a.map(show).join(', ')})`, () => U.registerLayer(...(a as [never, never])), failures);
      U.setBackend('wasm');
    }
    await U.init();
    U.setBackend('wasm');
    expect(U.getBackend()).toBe(before);
    expect(failures.length, report(failures)).toBe(0);
  });

  it('a model refuses hostile method calls with UpconvErrors and predicts exactly as before each one', async () => {
    const r = U.mulberry32(404 + SEED);
    const failures: Failure[] = [];
    U.setSeed(5);
    const model = new U.Sequential([
      new U.Dense(8, { inputShape: [4], activation: 'relu' }), new U.Reshape([2, 2, 2]),
      new U.UpSampling2D(), new U.Conv2D(1, 3, { padding: 'same', activation: 'tanh' }),
    ]);
    const x = U.tensor(new Float32Array([0.1, -0.2, 0.3, 0.4, 1, 2, 3, 4]), [2, 4]);
    const want = Array.from(model.predict(x).data);
    const methods = ['predict', 'predictInto', 'add', 'pop', 'compile', 'trainOnBatch', 'evaluate', 'fit', 'getLayer', 'setWeights', 'summary',
      'computeGradients', 'countParams', 'toJSON', 'getWeights', 'loadWeights'] as const;
    for (let i = 0; i < N * 2; i++) {
      const method = pick(r, methods);
      if (method === 'pop' || method === 'add') continue; // they change the model by design
      const a = args(r);
      if (r() < 0.3) a.unshift(U.tensor(new Float32Array(8).fill(pick(r, [0, 1, NaN, Infinity, -1e30])), pick(r, [[2, 4], [4, 2], [8], [1, 2, 4]])));
      if (method === 'summary' && a[0] === undefined) a[0] = null; // not console.log
      const outcome = await attempt(`model.${method}(${a.map(show).join(', ')})`, () => (model as unknown as Record<string, (...b: unknown[]) => unknown>)[method](...a), failures);
      if (outcome === 'refused') {
        const now = Array.from(model.predict(x).data);
        if (now.some((v, j) => v !== want[j])) {
          failures.push({ call: `model.${method}(${a.map(show).join(', ')})`, error: 'the model predicts differently after a refused call' });
          break;
        }
      } else if (['compile', 'trainOnBatch', 'fit', 'setWeights', 'loadWeights'].includes(method)) {
        // a call that succeeded may legitimately change weights: start again from the original
        model.setWeights(model.getWeights()); // no-op, keeps the model usable
        want.splice(0, want.length, ...Array.from(model.predict(x).data));
      }
    }
    expect(failures.length, report(failures)).toBe(0);
  });

  it('tensor() and Tensor refuse hostile data and shapes; a tensor\'s shape cannot be changed behind its data', async () => {
    const r = U.mulberry32(505 + SEED);
    const failures: Failure[] = [];
    for (let i = 0; i < N * 2; i++) {
      const a = [value(r), value(r)];
      await attempt(`tensor(${a.map(show).join(', ')})`, () => U.tensor(...(a as [never, never])), failures);
      await attempt(`new Tensor(${a.map(show).join(', ')})`, () => new U.Tensor(...(a as [never, never])), failures);
    }
    const t = U.tensor(new Float32Array(8), [2, 4]);
    expect(() => (t.shape as number[]).push(1)).toThrow(TypeError); // frozen
    expect(() => { (t.shape as number[])[0] = 4; }).toThrow(TypeError);
    expect(t.shape).toEqual([2, 4]);
    expect(failures.length, report(failures)).toBe(0);
  });
});

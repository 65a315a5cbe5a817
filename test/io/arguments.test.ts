/**
 * Hostile arguments to the io entry (issue #9 items 4 and 8): options that are not what they
 * claim, custom fetch functions that return anything, HTTP bodies that trickle forever, and
 * models that are not built. Every failure is a named UpconvError subclass (never the base
 * class, never a raw TypeError), nothing rejects unhandled, and a load over HTTP has a default
 * timeout.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Dense, Sequential, tensor } from '../../bindings/index.js';
import {
  ConfigError, FileSourceError, loadModel, loadWeights, saveModel, ShapeError, UpconvError,
} from '../../bindings/io/index.js';
import { DEADLINE_FACTOR, DEFAULT_TIMEOUT_MS } from '../../bindings/io/limits.js';
import { fixtureBytes, tinyModel, tinyWeights } from './tiny.js';

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(() => { throw new Error('expected the call to fail'); }, (e: Error) => e);
}

/** A named subclass: the base UpconvError says nothing about what went wrong. */
function expectNamed(e: Error, cls: typeof UpconvError = UpconvError): void {
  expect(e, `${e.name}: ${e.message}`).toBeInstanceOf(cls);
  expect(e.name).not.toBe('UpconvError');
}

const h5 = fixtureBytes('keras2_v0.h5');
const URL_ = 'http://127.0.0.1:9/m/model.json';

/** Collects unhandled rejections while `f` runs (and a little after, for late ones). */
async function unhandledDuring(f: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const on = (e: unknown) => seen.push(e);
  process.on('unhandledRejection', on);
  try {
    await f();
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    process.off('unhandledRejection', on);
  }
  return seen;
}

describe('loadModel / loadWeights options', () => {
  const bad: [string, unknown, RegExp][] = [
    ['null', null, /options must be an object/],
    ['a string', 'fast', /options must be an object/],
    ['an array', [1], /options must be an object/],
    ['a typo', { maxWeightByte: 10 }, /unknown option "maxWeightByte"/],
    ['__proto__ as an own key', JSON.parse('{"__proto__": {"maxWeightBytes": 1}}'), /unknown option "__proto__"/],
    ['maxFileBytes as a string', { maxFileBytes: '1' }, /maxFileBytes must be a positive number of bytes, got "1"/],
    ['maxWeightBytes NaN', { maxWeightBytes: NaN }, /maxWeightBytes must be a positive number of bytes, got NaN/],
    ['maxWeightBytes 0', { maxWeightBytes: 0 }, /maxWeightBytes must be a positive/],
    ['a BigInt limit', { maxFileBytes: 10n }, /got 10n/],
    ['fetch not a function', { fetch: 3 }, /fetch option must be a function/],
    ['name a Symbol', { name: Symbol('q') }, /name option must be a non-empty string, got Symbol\(q\)/],
    ['name empty', { name: '' }, /name option must be a non-empty string/],
    ['signal a number', { signal: 3 }, /signal option must be an AbortSignal/],
    ['signal a plain object', { signal: { aborted: false } }, /signal option must be an AbortSignal/],
    ['timeoutMs a string', { timeoutMs: '30' }, /timeoutMs must be a positive number/],
    ['a getter that throws', { get maxFileBytes() { throw new RangeError('no'); } }, /options object cannot be read/],
  ];

  it.each(bad)('%s: a ConfigError before anything is read', async (_what, options, message) => {
    let called = false;
    const fetch = () => { called = true; return new Promise(() => {}); };
    // the same options with a fetch that must never be called (getters copied, not run)
    const withFetch = options && typeof options === 'object' && !Array.isArray(options) && !Object.hasOwn(options, 'fetch')
      ? Object.defineProperties({ fetch }, Object.getOwnPropertyDescriptors(options)) : options;
    for (const e of [
      await rejection(loadModel(h5, options as never)),
      await rejection(loadModel(URL_, withFetch as never)),
      await rejection(loadWeights(tinyModel(), h5, options as never)),
    ]) {
      expectNamed(e, ConfigError);
      expect(e.message).toMatch(message);
    }
    expect(called).toBe(false);
  });

  it('good options still load', async () => {
    const m = await loadModel(h5, { maxWeightBytes: 2 ** 20, maxFileBytes: 2 ** 20, name: 'gen.h5', timeoutMs: 5, signal: new AbortController().signal });
    const z = tensor([[0.1, -0.2, 0.3]]);
    expect(Array.from(m.predict(z).data)).toEqual(Array.from((await loadModel(h5)).predict(z).data));
  });

  it('the name option is used in messages, cut to 200 characters', async () => {
    const e = await rejection(loadModel(new Uint8Array([1, 2, 3]), { name: 'x'.repeat(10_000) }));
    expectNamed(e);
    expect(e.message.length).toBeLessThan(400);
  });
});

describe('custom fetch functions', () => {
  const returns: [string, unknown][] = [
    ['null', null],
    ['a number', 3],
    ['a plain object', { ok: true }],
    ['a status without headers', { status: 200, ok: true }],
  ];
  it.each(returns)('a fetch resolving to %s is a FileSourceError', async (_what, value) => {
    const e = await rejection(loadModel(URL_, { fetch: (async () => value) as never }));
    expectNamed(e, FileSourceError);
    expect(e.message).toMatch(/the fetch function returned .*, not a Response/);
  });

  it('a fetch that throws synchronously, or rejects with a non-Error, is a FileSourceError', async () => {
    for (const fetch of [() => { throw new TypeError('sync'); }, () => Promise.reject(42), () => Promise.reject(null)]) {
      const e = await rejection(loadModel(URL_, { fetch: fetch as never }));
      expectNamed(e, FileSourceError);
      expect(e.message).toMatch(/cannot fetch http:\/\/127\.0\.0\.1:9\/m\/model\.json/);
    }
  });

  it('a Response-like object whose body is no stream is a FileSourceError', async () => {
    const fake = { status: 200, ok: true, headers: new Headers(), body: 3, url: URL_ };
    const e = await rejection(loadModel(URL_, { fetch: (async () => fake) as never }));
    expectNamed(e, FileSourceError);
    expect(e.message).toMatch(/the response body cannot be read/);
  });

  it('a signal whose addEventListener throws: a FileSourceError, and the late fetch rejection is handled', async () => {
    const signal = { aborted: false, addEventListener() { throw new Error('listener'); }, removeEventListener() {} };
    const fetch = () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 10));
    let e: Error | undefined;
    const unhandled = await unhandledDuring(async () => {
      e = await rejection(loadModel(URL_, { fetch: fetch as never, signal: signal as never }));
    });
    expectNamed(e!, FileSourceError);
    expect(unhandled).toEqual([]);
  });
});

describe('HTTP time bounds', () => {
  afterEach(() => { vi.useRealTimers(); });

  it(`without timeoutMs a stalled request ends after the default ${DEFAULT_TIMEOUT_MS} ms (fake clock)`, async () => {
    vi.useFakeTimers();
    let called!: () => void;
    const asked = new Promise<void>((r) => { called = r; });
    const fetch = () => { called(); return new Promise(() => {}); };
    let settled: Error | null = null;
    const p = loadModel(URL_, { fetch: fetch as never }).then(() => { throw new Error('loaded'); }, (e: Error) => { settled = e; });
    await asked;
    await vi.advanceTimersByTimeAsync(DEFAULT_TIMEOUT_MS - 1);
    expect(settled).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expectNamed(settled!, FileSourceError);
    expect(settled!.message).toMatch(new RegExp(`no data for ${DEFAULT_TIMEOUT_MS} ms \\(timeoutMs\\)`));
  });

  it(`a body that trickles a byte before every timeout ends at the deadline (${DEADLINE_FACTOR} × timeoutMs)`, async () => {
    let sent = 0;
    const fetch = async () => new Response(new ReadableStream<Uint8Array>({
      async pull(c) {
        await new Promise((r) => setTimeout(r, 10));
        sent++;
        c.enqueue(new Uint8Array([0x20]));
      },
    }));
    const e = await rejection(loadModel(URL_, { fetch: fetch as never, timeoutMs: 40 }));
    expectNamed(e, FileSourceError);
    expect(e.message).toMatch(/took longer than its deadline \(20 × timeoutMs/);
    // every byte came within the idle timeout: only the deadline could end it
    expect(sent).toBeGreaterThan(DEADLINE_FACTOR);
  });
});

describe('other arguments', () => {
  it('weightData holding null or a number is a FileSourceError', async () => {
    const art = saveModel((() => { const m = tinyModel(); m.setWeights(tinyWeights()); return m; })());
    for (const weightData of [[null], [3], 3, 'bytes']) {
      const e = await rejection(loadModel({ modelJSON: art.modelJSON, weightData } as never));
      expectNamed(e, FileSourceError);
      expect(e.message).toMatch(/must be an ArrayBuffer, a typed array or a Blob/);
    }
  });

  it('a data: URL holding an .h5 loads (it has no folder, so no shards)', async () => {
    const url = `data:application/octet-stream;base64,${Buffer.from(h5).toString('base64')}`;
    const m = await loadModel(url);
    const ref = await loadModel(h5);
    const z = tensor([[0.1, -0.2, 0.3]]);
    expect(Array.from(m.predict(z).data)).toEqual(Array.from(ref.predict(z).data));
  });

  it('a model without an input shape: loadWeights and saveModel give a ShapeError, and the model stays unbuilt', async () => {
    const m = new Sequential([new Dense(2)]);
    const e = await rejection(loadWeights(m, h5));
    expectNamed(e, ShapeError);
    expect(e.message).toMatch(/has not yet been built \(no input shape\)/);
    let thrown: unknown;
    try {
      saveModel(m);
    } catch (x) {
      thrown = x;
    }
    expectNamed(thrown as Error, ShapeError);
    expect(m.built).toBe(false);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError, Conv2D, Conv2DTranspose, Dense, getBackend, getThreads, init, LeakyReLU, Reshape, Sequential, setBackend, setSeed,
  tensor, type Tensor,
} from '../../bindings/index.js';
import { Act, packedFloats } from '../../bindings/backend/kernels.js';
import { currentBackend } from '../../bindings/backend/select.js';
import type { Pool } from '../../bindings/backend/threads/pool.js';
import { bitDiff, forceSplit, resetTuning, settle, useThreads } from '../util/threads.js';

/**
 * The pool's life: a kernel that traps in a chunk (on the calling thread or in a worker) throws
 * and leaves the pool working; dispose and re-planning let the workers drop a model's memory;
 * many models at once; init switching between thread counts and back; the option checks.
 */
function generator(seed: number): Sequential {
  setSeed(seed);
  const m = new Sequential();
  m.add(new Dense(7 * 7 * 32, { inputDim: 20 }));
  m.add(new LeakyReLU({ alpha: 0.2 }));
  m.add(new Reshape([7, 7, 32]));
  m.add(new Conv2DTranspose(16, 4, { strides: 2, padding: 'same' }));
  m.add(new LeakyReLU({ alpha: 0.2 }));
  m.add(new Conv2D(1, 5, { padding: 'same', activation: 'tanh' }));
  return m;
}
const latents = (n: number) => tensor(new Float32Array(n * 20).map((_, i) => Math.sin(i * 0.7)), [n, 20]);

let pool: Pool;
beforeAll(async () => {
  pool = await useThreads(2);
});

describe('a kernel that traps in a chunk', () => {
  /** igemm over 64 rows whose last 4 input pointers lie past the end of memory. */
  function trapping() {
    const { memory, kernels } = currentBackend().createMemory(1 << 24);
    const M = 64, K = 8, N = 8;
    const base = memory.base;
    memory.ensure(base + 65536);
    const x = base, w = x + 4 * K * M, inPtrs = w + 4 * packedFloats(1, K, N), outPtrs = inPtrs + 4 * M, out = outPtrs + 4 * M;
    const u32 = new Uint32Array(memory.buffer);
    const f32 = new Float32Array(memory.buffer);
    for (let i = 0; i < K * M; i++) f32[(x >>> 2) + i] = i % 7;
    for (let i = 0; i < packedFloats(1, K, N); i++) f32[(w >>> 2) + i] = (i % 5) - 2;
    const table = (bad: boolean) => {
      for (let m = 0; m < M; m++) {
        u32[(inPtrs >>> 2) + m] = bad && m >= M - 4 ? 0xfffffff0 : x + 4 * K * m;
        u32[(outPtrs >>> 2) + m] = out + 4 * N * m;
      }
    };
    const call = () => kernels.igemm(M, 1, K, N, inPtrs, outPtrs, w, Act.Linear, 0);
    const result = () => new Float32Array(memory.buffer, out, M * N).slice();
    return { memory, table, call, result };
  }

  it.each([[false, 'on the calling thread'], [true, 'in a worker']] as const)('throws, and the pool keeps working (%s, %s)', async (workersOnly) => {
    const t = trapping();
    await settle(pool);
    t.table(false);
    t.call(); // not split (default tuning): the reference result
    const want = t.result();
    forceSplit(pool, workersOnly);
    try {
      t.table(true);
      expect(() => t.call()).toThrow(workersOnly ? /failed in a worker thread/ : /out of bounds|failed in a worker thread/);
      t.table(false);
      t.call();
      expect(bitDiff(t.result(), want)).toBeNull();
    } finally {
      resetTuning(pool);
    }
    // a model runs threaded afterwards
    const m = generator(1);
    expect(m.predict(latents(8)).shape).toEqual([8, 14, 14, 1]);
    t.memory.release?.();
  });
});

describe('an error in the calling thread\'s chunk', () => {
  it('is rethrown after the chunks in flight finish, and the next task runs', async () => {
    const t = { units: 64, grain: 4 };
    const split = { kernel: 'activation', args: [0, 0, 64, 0, 0], units: t.units, grain: t.grain, ns: 1e9, count: 2, start: -1, end: -1, advance: [0, 4, 1, 4] };
    forceSplit(pool);
    pool.setThreads(1); // no worker takes work: the calling thread runs (and fails) the first chunk
    let calls = 0;
    try {
      expect(() => pool.run(0, 0, () => {
        calls++;
        throw new Error('boom');
      }, split)).toThrow('boom');
      expect(calls).toBe(1);
      let ran = 0;
      pool.run(0, 0, () => { ran++; }, split);
      expect(ran).toBeGreaterThan(1);
    } finally {
      pool.setThreads(2);
      resetTuning(pool);
    }
  });
});

describe('models and their shared memories', () => {
  it('dispose lets the workers drop the memory; the model plans again on its next predict', async () => {
    const m = generator(2);
    const x = latents(16);
    const before = pool.attachedCount;
    const y1 = m.predict(x) as Tensor;
    expect(pool.attachedCount).toBe(before + 1);
    await settle(pool);
    m.dispose();
    expect(pool.attachedCount).toBe(before);
    await settle(pool); // the workers read the detach
    const y2 = m.predict(x) as Tensor;
    expect(pool.attachedCount).toBe(before + 1);
    expect(bitDiff(y2.data, y1.data)).toBeNull();
    m.dispose();
  });

  it('a new input shape replaces the memory in the workers too', async () => {
    const m = new Sequential();
    m.add(new Conv2D(4, 3, { padding: 'same', inputShape: [null, null, 2] }));
    const before = pool.attachedCount;
    m.predict(tensor(new Float32Array(2 * 8 * 8 * 2).fill(1), [2, 8, 8, 2]));
    m.predict(tensor(new Float32Array(2 * 9 * 9 * 2).fill(1), [2, 9, 9, 2]));
    expect(pool.attachedCount).toBe(before + 1);
    m.dispose();
    expect(pool.attachedCount).toBe(before);
  });

  it('many models at once, each bit-identical to one thread', async () => {
    const x = latents(12);
    const models = Array.from({ length: 24 }, (_, i) => generator(100 + i));
    await init({ threads: 1 });
    const one = models.map((m) => (m.predict(x) as Tensor).data);
    await init({ threads: 2 });
    const before = pool.attachedCount;
    forceSplit(pool);
    try {
      models.forEach((m) => m.predict(x)); // plans and attaches all
      expect(pool.attachedCount).toBe(before + models.length);
      await settle(pool);
      models.forEach((m, i) => expect(bitDiff((m.predict(x) as Tensor).data, one[i]), `model ${i}`).toBeNull());
    } finally {
      resetTuning(pool);
    }
    for (const m of models) m.dispose();
    expect(pool.attachedCount).toBe(before);
  });
});

describe('init and getThreads', () => {
  it('switches between one thread and the pool, keeping the workers', async () => {
    const m = generator(3);
    const x = latents(10);
    const workers = pool.workerCount;
    await init({ threads: 1 });
    expect(getThreads()).toEqual({ threads: 1, reason: null });
    const backend = getBackend();
    const y1 = m.predict(x) as Tensor;
    await init({ threads: 2 });
    expect(getThreads()).toEqual({ threads: 2, reason: null });
    expect(getBackend()).toBe(backend);
    const y2 = m.predict(x) as Tensor;
    expect(bitDiff(y2.data, y1.data)).toBeNull();
    await init(); // no options: keeps what runs
    expect(getThreads().threads).toBe(2);
    await init({ threads: 2 });
    expect(pool.workerCount).toBe(workers);
    setBackend('js');
    expect(getThreads().threads).toBe(1);
    setBackend('wasm');
    expect(getThreads().threads).toBe(2);
    await init({ threads: 2, flavour: 'simd' });
    expect(getBackend()).toBe('wasm-simd');
    await init({ threads: 1, flavour: 'simd' });
    expect(getBackend()).toBe('wasm-simd');
    expect(bitDiff((m.predict(x) as Tensor).data, (await (async () => { await init({ threads: 2, flavour: 'simd' }); return m.predict(x) as Tensor; })()).data)).toBeNull();
    m.dispose();
  });

  it("'auto' is min(4, ceil(cores / 2)), at least 1", async () => {
    const { availableParallelism } = await import('node:os');
    await init({ threads: 'auto' });
    expect(getThreads()).toEqual({ threads: Math.max(1, Math.min(4, Math.ceil(availableParallelism() / 2))), reason: null });
    await init({ threads: 2 });
  });

  it('grows the pool when more threads are asked for', async () => {
    await init({ threads: 3 });
    expect(getThreads()).toEqual({ threads: 3, reason: null });
    expect(pool.workerCount).toBeGreaterThanOrEqual(2);
    const m = generator(4);
    const x = latents(9);
    const y3 = m.predict(x) as Tensor;
    await init({ threads: 1 });
    expect(bitDiff((m.predict(x) as Tensor).data, y3.data)).toBeNull();
    await init({ threads: 2 });
    m.dispose();
  });

  it('checks its options', async () => {
    for (const threads of [0, -1, 1.5, NaN, '2', null]) {
      await expect(init({ threads: threads as never })).rejects.toThrow(ConfigError);
    }
    await expect(init({ threads: 2, flavour: 'scalar' })).rejects.toThrow(/scalar/);
    await expect(init({ thread: 2 } as never)).rejects.toThrow(/unknown option 'thread'/);
    expect(getThreads().threads).toBe(2); // nothing changed
  });
});

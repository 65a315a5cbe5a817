import { afterEach, describe, expect, it } from 'vitest';
import { Dense, getBackend, getThreads, init, Sequential, tensor, type Tensor } from '../../bindings/index.js';
import { decodeBase64 } from '../../bindings/backend/base64.js';
import { setWasmProvider, type WasmProvider } from '../../bindings/backend/select.js';
import type { SpawnWorker } from '../../bindings/backend/threads/pool.js';
import { cores, scriptSpawner } from '../../bindings/backend/threads/ports.js';
import {
  WASM_RELAXED_B64, WASM_SCALAR_B64, WASM_SIMD_B64, WASM_THREADS_B64, WASM_THREADS_RELAXED_B64,
} from '../../bindings/backend/wasm_inline.js';

/**
 * Why fewer threads run: each reason getThreads() gives, made happen in Node by the entry point's
 * provider or the globals the check reads, and the model then runs on one thread with the
 * single-thread build. (This file runs in its own process: the last case breaks the pool for good,
 * as a failed self-test does.)
 */
const sync: WasmProvider['sync'] = (f) => decodeBase64(f === 'wasm-relaxed-simd' ? WASM_RELAXED_B64 : f === 'wasm-simd' ? WASM_SIMD_B64 : WASM_SCALAR_B64);
const threadsWith = (spawner: () => Promise<SpawnWorker | null>): WasmProvider => ({
  sync,
  threads: {
    module: (f) => decodeBase64(f === 'wasm-relaxed-simd' ? WASM_THREADS_RELAXED_B64 : WASM_THREADS_B64),
    spawner,
    cores,
  },
});

async function expectOneThread(reason: string): Promise<void> {
  await init({ threads: 2 });
  expect(getThreads()).toEqual({ threads: 1, reason });
  expect(getBackend()).toMatch(/^wasm-/);
  const m = new Sequential();
  m.add(new Dense(300, { inputDim: 40 }));
  const y = m.predict(tensor(new Float32Array(64 * 40).fill(0.5), [64, 40])) as Tensor;
  expect(y.shape).toEqual([64, 300]);
}

afterEach(() => setWasmProvider(threadsWith(scriptSpawner)));

describe('getThreads() reasons', () => {
  it('runtime-has-no-threads: the entry point offers no threads (workerd)', async () => {
    setWasmProvider({ sync });
    await expectOneThread('runtime-has-no-threads');
  });

  it('not-cross-origin-isolated: a page without COOP/COEP', async () => {
    setWasmProvider(threadsWith(scriptSpawner));
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated = false;
    try {
      await expectOneThread('not-cross-origin-isolated');
    } finally {
      delete (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    }
  });

  it('no-shared-memory: no SharedArrayBuffer', async () => {
    setWasmProvider(threadsWith(scriptSpawner));
    const g = globalThis as { SharedArrayBuffer?: unknown };
    const sab = g.SharedArrayBuffer;
    delete g.SharedArrayBuffer;
    try {
      await expectOneThread('no-shared-memory');
    } finally {
      g.SharedArrayBuffer = sab;
    }
  });

  it('no-workers: the runtime cannot start a worker', async () => {
    setWasmProvider(threadsWith(async () => null));
    await expectOneThread('no-workers');
    setWasmProvider(threadsWith(async () => () => {
      throw new Error('Worker is not defined');
    }));
    await expectOneThread('no-workers');
  });

  it("self-test-failed: a runtime whose workers do not share the model's memory (Bun's open bugs)", async () => {
    // workers that get a copy of each memory instead of the shared one
    setWasmProvider(threadsWith(async () => {
      const real = (await scriptSpawner())!;
      return () => {
        const w = real();
        return {
          ...w,
          postMessage: (m: unknown) => {
            const msg = m as { t: string; memory?: WebAssembly.Memory };
            if (msg.t !== 'attach' || !msg.memory) return w.postMessage(m);
            const pages = msg.memory.buffer.byteLength / 65536;
            const copy = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
            new Uint8Array(copy.buffer).set(new Uint8Array(msg.memory.buffer));
            w.postMessage({ ...msg, memory: copy });
          },
        };
      };
    }));
    await expectOneThread('self-test-failed');
    // and for good: the pool is not started again
    setWasmProvider(threadsWith(scriptSpawner));
    await expectOneThread('self-test-failed');
  });
});

import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Pool, type SpawnWorker } from '../../bindings/backend/threads/pool.js';
import { WORKER_SOURCE } from '../../bindings/backend/threads/worker_source.js';

/**
 * The worker script listens where the parent's messages arrive. Bun's worker_threads workers also
 * define a Web-Worker-like `self` (with postMessage), but deliver the parent's messages on
 * parentPort only: a script that chose `self` whenever it exists never answered, and Bun ran on
 * one thread ('no-workers'). Here a Node worker is given such a `self` before the script runs.
 */
function spawner(prelude: string): SpawnWorker {
  return () => {
    const w = new Worker(`${prelude}\n${WORKER_SOURCE}`, { eval: true });
    let handler: (m: { t: string }) => void = () => {};
    w.on('message', (m) => handler(m));
    w.unref();
    return { postMessage: (m) => w.postMessage(m), onMessage: (h) => { handler = h; }, terminate: () => { void w.terminate(); } };
  };
}

describe('the worker script', () => {
  it.each([
    ['a plain worker_threads worker', ''],
    ["a worker_threads worker that also has a `self` (as Bun's have)", 'globalThis.self = { postMessage: function () { throw new Error("the parent never reads self"); } };'],
  ])('starts and answers in %s', async (_, prelude) => {
    const pool = await Pool.start(spawner(prelude), ['igemm'], 1, 5000);
    try {
      expect(pool.workerCount).toBe(1);
      expect(pool.lastError).toBeNull();
    } finally {
      pool.terminate();
    }
  });
});

/**
 * Worker starters: Node, Deno and Bun through `node:worker_threads` (an eval'd script; unref'd,
 * so an idle pool never keeps the process alive — Deno's Web Workers cannot be unref'd), a Web
 * Worker where that module is missing (from a Blob URL, or a URL the caller gives: browsers).
 */
import type { SpawnWorker, WorkerPort } from './pool.js';
import { navigatorCores, webPort } from './web_port.js';
import { WORKER_SOURCE } from './worker_source.js';

type Handler = Parameters<WorkerPort['onMessage']>[0];

interface NodeWorker {
  postMessage(m: unknown): void;
  on(event: string, h: (m: never) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

/** Starts workers from WORKER_SOURCE: worker_threads when the runtime has it, else a Blob-URL module worker. */
export async function scriptSpawner(): Promise<SpawnWorker | null> {
  type WorkerThreads = { Worker?: new (src: string, o: { eval: boolean }) => NodeWorker };
  const wt = await (import('node:worker_threads') as unknown as Promise<WorkerThreads>).catch(() => null);
  if (wt?.Worker) {
    const W = wt.Worker;
    return () => {
      const w = new W(WORKER_SOURCE, { eval: true });
      let handler: Handler = () => {};
      w.on('message', (m: never) => handler(m));
      w.on('error', (e: never) => handler({ t: 'error', message: String((e as Error)?.message ?? e) }));
      w.unref(); // after the listeners: adding a 'message' listener refs the worker's port again
      return {
        postMessage: (m) => w.postMessage(m),
        onMessage: (h) => { handler = h; },
        terminate: () => { void w.terminate(); },
      };
    };
  }
  if (typeof Worker === 'function' && typeof Blob === 'function' && typeof URL.createObjectURL === 'function') {
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    return () => webPort(new Worker(url, { type: 'module' }));
  }
  return null;
}

/** Logical cores: navigator.hardwareConcurrency, or Node's os module. */
export async function cores(): Promise<number> {
  const n = navigatorCores();
  if (n) return n;
  try {
    const os = await import('node:os') as unknown as { availableParallelism?: () => number; cpus: () => unknown[] };
    return os.availableParallelism?.() ?? os.cpus().length;
  } catch {
    return 1;
  }
}

/** Web Workers (browsers; module workers elsewhere) as the pool's WorkerPort. */
import type { WorkerPort } from './pool.js';

type Handler = Parameters<WorkerPort['onMessage']>[0];

export function webPort(w: Worker): WorkerPort {
  return {
    postMessage: (m) => w.postMessage(m),
    onMessage: (h: Handler) => { w.onmessage = (e: MessageEvent) => h(e.data); },
    terminate: () => w.terminate(),
  };
}

/** navigator.hardwareConcurrency, or 0 where there is none. */
export function navigatorCores(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n > 0 ? n : 0;
}

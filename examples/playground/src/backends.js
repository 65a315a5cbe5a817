// The backends this browser can run, each with a way to switch to it: the three WebAssembly builds
// (relaxed SIMD, SIMD, scalar; init's flavour), the plain-JavaScript reference (setBackend('js')),
// and threads when this upconv has them (init({ threads }) and getThreads(): one more entry, which
// reports why it runs on one thread where it must, e.g. a page that is not cross-origin isolated).
import * as U from 'upconv';

const FLAVOURS = [
  ['relaxed-simd', 'wasm-relaxed-simd', 'WebAssembly relaxed SIMD'],
  ['simd', 'wasm-simd', 'WebAssembly SIMD'],
  ['scalar', 'wasm-scalar', 'WebAssembly scalar'],
];

/** The threads API, where this build of upconv has it (null otherwise). */
export function threadsApi() {
  const api = { ...U }; // a copy of the namespace: bundlers do not warn while upconv has no getThreads
  const getThreads = api.getThreads;
  return typeof getThreads === 'function' ? { getThreads } : null;
}

/** One thread again, on the given single-thread flavour. */
async function singleThread(flavour) {
  if (threadsApi()) await U.init({ threads: 1 });
  U.setBackend('wasm');
  await U.init(undefined, { flavour });
}

/**
 * Every backend: { id, label, activate() → Promise<void> (throws where this browser cannot) }.
 * The last, 'threads', only where upconv has threads.
 */
export function backendList() {
  const list = FLAVOURS.map(([flavour, id, label]) => ({ id, label, activate: () => singleThread(flavour) }));
  list.push({
    id: 'js',
    label: 'plain JavaScript (reference)',
    async activate() {
      U.setBackend('js');
    },
  });
  const threads = threadsApi();
  if (threads) {
    list.push({
      id: 'threads',
      label: 'WebAssembly SIMD, threads',
      async activate() {
        U.setBackend('wasm');
        // at least 2 (init's 'auto' takes half the cores: 1 on a 2-core machine), at most 4
        await U.init({ threads: Math.min(4, Math.max(2, navigator.hardwareConcurrency || 2)) });
        const t = threads.getThreads();
        this.note = t.threads > 1 ? `${t.threads} threads` : `1 thread (${t.reason ?? 'no reason given'})`;
      },
    });
  }
  return list;
}

/** The best single-thread build this browser validates (what init() picks), as a flavour name. */
export async function bestFlavour() {
  for (const [flavour] of FLAVOURS) {
    try {
      await singleThread(flavour);
      return flavour;
    } catch {
      /* not supported here: try the next */
    }
  }
  U.setBackend('js');
  return null;
}

/** What the page says about threads: available, how many, or why not. */
export function threadsStatus() {
  if (!threadsApi()) return 'threads: not in this build of upconv';
  if (!globalThis.crossOriginIsolated) return 'threads: 1 (not cross-origin isolated)';
  return 'threads: available (Compare runs them)';
}

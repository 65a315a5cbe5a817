/**
 * The thread pool of the calling thread: workers started once per process and reused, one control
 * block (protocol.ts), and `run`, which publishes one kernel call cut into chunks and takes a
 * share of them itself. The calling thread never blocks in Atomics.wait: it runs chunks until none
 * is left, then spins only while chunks that workers already took finish (a worker that is asleep
 * or busy attaching simply takes none). So a browser's main thread can run a threaded model too.
 */
import { BackendError } from '../../errors.js';
import * as P from './protocol.js';
import { chunkArgs, type Split } from './splits.js';

/** A started worker as the pool sees it (worker_threads or a Web Worker behind one shape). */
export interface WorkerPort {
  postMessage(message: unknown): void;
  /** Messages from the worker ('ready', 'error'). */
  onMessage(handler: (message: { t: string; index?: number; message?: string }) => void): void;
  terminate(): void;
}

/** Starts one worker running WORKER_SOURCE (each entry point knows how). */
export type SpawnWorker = () => WorkerPort;

interface Attached {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
}


export class Pool {
  readonly control: SharedArrayBuffer;
  private readonly I: Int32Array;
  private readonly F: Float64Array;
  private readonly workers: WorkerPort[] = [];
  private readonly attached = new Map<number, Attached>();
  private nextId = 1;
  private gen = 0;
  private threads = 1;
  private readonly scratch: number[] = [];
  /** The last message a worker reported as an error (attach failures). */
  lastError: string | null = null;
  /** Tasks smaller than this (estimated ns) run on the calling thread alone. */
  splitNs = 30000;
  /** Chunks per thread a task aims at (a thread that falls behind leaves its share to the others). */
  chunksPerThread = 4;
  /** A chunk should be worth at least this much work (ns) against the cost of claiming it. */
  minChunkNs = 4000;
  /** Tests: false lets the workers run every chunk (the calling thread takes what is left after 10 s). */
  callerTakesWork = true;
  /** Tasks run through the pool so far. */
  tasks = 0;

  private constructor(private readonly spawn: SpawnWorker, private readonly names: readonly string[]) {
    this.control = new SharedArrayBuffer(P.BYTES);
    this.I = new Int32Array(this.control);
    this.F = new Float64Array(this.control);
    this.I[P.SPIN_US] = 300;
  }

  /** A pool with `workers` started workers, resolved when all of them answered. */
  static async start(spawn: SpawnWorker, names: readonly string[], workers: number, timeoutMs = 10_000): Promise<Pool> {
    const pool = new Pool(spawn, names);
    await pool.grow(workers, timeoutMs);
    return pool;
  }

  get workerCount(): number {
    return this.workers.length;
  }

  /** Threads that take work now (the calling one included). */
  get threadCount(): number {
    return this.threads;
  }

  /** Starts workers until there are `n`. */
  async grow(n: number, timeoutMs = 10_000): Promise<void> {
    n = Math.min(n, P.MAX_WORKERS);
    const started: Promise<void>[] = [];
    while (this.workers.length < n) {
      const index = this.workers.length;
      let w: WorkerPort;
      try {
        w = this.spawn();
      } catch (e) {
        throw new BackendError(`upconv: could not start a worker thread (${(e as Error).message})`);
      }
      this.workers.push(w);
      started.push(new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new BackendError(`upconv: worker thread ${index} did not start within ${timeoutMs} ms`)), timeoutMs);
        w.onMessage((m) => {
          if (m.t === 'ready') {
            clearTimeout(timer);
            resolve();
          } else if (m.t === 'error') {
            this.lastError = m.message ?? 'unknown error';
          }
        });
      }));
      this.mail(index, { t: 'init', control: this.control, names: this.names, index });
      for (const [id, a] of this.attached) this.mail(index, { t: 'attach', id, memory: a.memory, module: a.module });
    }
    await Promise.all(started);
  }

  /** How many threads take work (1 … workers + 1). */
  setThreads(n: number): void {
    this.threads = Math.max(1, Math.min(n, this.workers.length + 1));
    Atomics.store(this.I, P.ACTIVE, this.threads - 1);
  }

  /** Posts a message to worker `w`, counted in MAIL first so that a spinning worker comes to read it. */
  private mail(w: number, message: unknown): void {
    Atomics.add(this.I, P.MAIL + w, 1);
    this.workers[w].postMessage(message);
    Atomics.add(this.I, P.WAKE, 1);
    Atomics.notify(this.I, P.WAKE);
  }

  /** Instantiates `module` over `memory` in every worker; returns the id tasks name it by. */
  attach(memory: WebAssembly.Memory, module: WebAssembly.Module): number {
    const id = this.nextId++;
    this.attached.set(id, { memory, module });
    for (let w = 0; w < this.workers.length; w++) this.mail(w, { t: 'attach', id, memory, module });
    return id;
  }

  /** Lets every worker drop its instance of memory `id` (idempotent). */
  detach(id: number): void {
    if (!this.attached.delete(id)) return;
    for (let w = 0; w < this.workers.length; w++) this.mail(w, { t: 'detach', id });
  }

  /** Memories the workers hold (or will hold once they read their mail). */
  get attachedCount(): number {
    return this.attached.size;
  }

  /** Whether every worker has read all its messages (attaches included). */
  get settled(): boolean {
    for (let w = 0; w < this.workers.length; w++) {
      if (Atomics.load(this.I, P.READ + w) !== Atomics.load(this.I, P.MAIL + w)) return false;
    }
    return true;
  }

  /** Chunks each worker has run so far. */
  worked(): number[] {
    return this.workers.map((_, w) => Atomics.load(this.I, P.WORKED + w));
  }

  /** Whether a call worth `ns` is split at all (with the current thread count). */
  worthSplitting(ns: number): boolean {
    return this.threads > 1 && ns >= this.splitNs;
  }

  /**
   * Runs one split kernel call over memory `id`: `fns` are the calling thread's kernels by name.
   * Returns when every chunk has run; rethrows the first chunk's error on this thread, or reports
   * a worker's.
   */
  run(id: number, kernelIndex: number, fn: (...a: number[]) => void, s: Split, workersOnly = false): void {
    const { I, F } = this;
    const chunk = this.chunkUnits(s);
    const n = Math.ceil(s.units / chunk);
    if (s.args.length > P.MAX_ARGS || s.advance.length / 2 > P.MAX_ADV) throw new BackendError(`upconv: ${s.kernel} has too many arguments to split`);
    I[P.MODEL] = id;
    I[P.KERNEL] = kernelIndex;
    I[P.NARGS] = s.args.length;
    I[P.UNITS] = s.units;
    I[P.CHUNK] = chunk;
    I[P.NCHUNKS] = n;
    I[P.COUNT_ARG] = s.count;
    I[P.START_ARG] = s.start;
    I[P.END_ARG] = s.end;
    I[P.NADV] = s.advance.length / 2;
    for (let i = 0; i < s.args.length; i++) F[P.F_ARGS + i] = s.args[i];
    for (let j = 0; j < s.advance.length; j += 2) {
      I[P.ADV_ARG + j / 2] = s.advance[j];
      F[P.F_ADV + j / 2] = s.advance[j + 1];
    }
    Atomics.store(I, P.DONE, 0);
    Atomics.store(I, P.ERROR, 0);
    this.gen = (this.gen + 1) & P.GEN_MASK;
    const base = this.gen << P.CHUNK_BITS;
    Atomics.store(I, P.STATE, base);
    Atomics.add(I, P.WAKE, 1);
    Atomics.notify(I, P.WAKE);
    this.tasks++;
    let error: unknown = null;
    if (!workersOnly) {
      if (!this.callerTakesWork) {
        const end = Date.now() + 10_000;
        while (Atomics.load(I, P.DONE) < n && Date.now() < end) { /* the workers run it */ }
      }
      const a = this.scratch;
      for (;;) {
        const c = Atomics.add(I, P.STATE, 1) & P.CHUNK_MASK; // only this thread adds; workers compareExchange
        if (c >= n) break;
        const u0 = c * chunk;
        try {
          fn(...chunkArgs(s, u0, Math.min(s.units, u0 + chunk), a));
        } catch (e) {
          error = e;
          break;
        }
        Atomics.add(I, P.DONE, 1);
      }
    }
    if (!workersOnly || error) this.finish(base, n, error !== null);
    if (error) throw error;
    if (!workersOnly) this.checkWorkerError(s.kernel);
  }

  /** Closes the task (no more claims) and spins until every claimed chunk is done. */
  private finish(base: number, n: number, failedHere: boolean): void {
    const { I } = this;
    const s = Atomics.exchange(I, P.STATE, base | P.CHUNK_MASK);
    // chunks claimed: the counter (main's adds overshoot by one), less the one that failed here
    const claimed = Math.min(s & P.CHUNK_MASK, n) - (failedHere ? 1 : 0);
    while (Atomics.load(I, P.DONE) < claimed) { /* spin: workers are running chunks they took */ }
  }

  private checkWorkerError(kernel: string): void {
    if (Atomics.load(this.I, P.ERROR)) throw new BackendError(`upconv: kernel ${kernel} failed in a worker thread`);
  }

  /** For the self-test: waits (asynchronously) until the workers ran every chunk of a workersOnly task. */
  async awaitWorkers(n: number, kernel: string, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Atomics.load(this.I, P.DONE) < n) {
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 1));
    }
    this.checkWorkerError(kernel);
    return true;
  }

  /** Units per chunk: about chunksPerThread chunks per thread, each worth minChunkNs, whole grains. */
  private chunkUnits(s: Split): number {
    const grains = Math.ceil(s.units / s.grain);
    const worth = this.minChunkNs > 0 ? Math.floor(s.ns / this.minChunkNs) : Infinity;
    const target = Math.min(P.MAX_CHUNKS, this.threads * this.chunksPerThread, Math.max(this.threads, worth), grains);
    return s.grain * Math.ceil(grains / Math.max(1, target));
  }

  /** Chunks a task of `s` is cut into now (the self-test waits for all of them). */
  chunksOf(s: Split): number {
    return Math.ceil(s.units / this.chunkUnits(s));
  }

  /** How long idle workers spin before they wait (microseconds). */
  set spinMicros(us: number) {
    Atomics.store(this.I, P.SPIN_US, us);
  }

  /** Stops every worker (tests; a failed self-test). */
  terminate(): void {
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
    this.threads = 1;
    Atomics.store(this.I, P.ACTIVE, 0);
  }
}

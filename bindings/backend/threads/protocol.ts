/**
 * The control block one pool shares with its workers: a SharedArrayBuffer of Int32 words, the
 * kernel arguments as Float64 after them. The calling thread writes a task (which memory, which
 * kernel, its arguments, how its units are cut into chunks), then publishes it in STATE; every
 * thread, the calling one included, claims chunks from STATE until none is left.
 *
 * STATE = generation << CHUNK_BITS | next chunk. Workers claim with compareExchange, so a worker
 * that read an older task's descriptor can never claim a chunk of a newer one (the generation
 * would differ); a task is never overwritten before every claimed chunk is DONE.
 * WAKE moves on every task and every message: idle workers wait on it. MAIL + w counts the
 * messages posted to worker w (bumped before posting): a worker that sees more mail than it has
 * read returns to its event loop to read it, then comes back.
 */
export const CHUNK_BITS = 11;
export const CHUNK_MASK = (1 << CHUNK_BITS) - 1;
/** Generations wrap at 2^21; a stale claim would need a worker stalled for 2^21 tasks between two reads. */
export const GEN_MASK = (1 << (32 - CHUNK_BITS)) - 1;
/** Most chunks one task is cut into (below CHUNK_MASK, which also marks a task closed early). */
export const MAX_CHUNKS = 1024;
/** Most workers one pool starts. */
export const MAX_WORKERS = 63;

// Int32 word indices
export const STATE = 0;
export const DONE = 1;
export const WAKE = 2;
export const ERROR = 3;
/** Workers with an index below this take work (threads − 1). */
export const ACTIVE = 4;
export const MODEL = 5;
export const KERNEL = 6;
export const NARGS = 7;
export const UNITS = 8;
export const CHUNK = 9;
export const NCHUNKS = 10;
export const COUNT_ARG = 11;
export const START_ARG = 12;
export const END_ARG = 13;
export const NADV = 14;
/** Worker spin time before waiting, in microseconds. */
export const SPIN_US = 15;
/** NADV pairs of Int32: (argument index, unused); bytes per unit are Float64 at ADV_BYTES. */
export const ADV_ARG = 16; // .. 16 + MAX_ADV
export const MAX_ADV = 8;
export const MAIL = 32; // .. 32 + MAX_WORKERS
/** Per worker: messages read (an attach is done when this catches up with MAIL). */
export const READ = 96; // .. 96 + MAX_WORKERS
/** Per worker: chunks run (tests and the self-test see who worked). */
export const WORKED = 160; // .. 160 + MAX_WORKERS
export const WORDS = 224;

// Float64 indices (after the Int32 words)
export const F_ARGS = WORDS / 2; // 112
export const MAX_ARGS = 32;
export const F_ADV = F_ARGS + MAX_ARGS;
export const BYTES = 8 * (F_ADV + MAX_ADV);

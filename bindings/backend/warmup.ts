/**
 * A kernel warm-up when a WebAssembly build is compiled, so that a model's first `predict` runs
 * optimised code.
 *
 * V8 (Node, Deno, Chromium, workerd) compiles each WebAssembly function lazily with its baseline
 * compiler (Liftoff) at its first call, and recompiles it with the optimising compiler (TurboFan)
 * on a background thread once the function has run enough ("dynamic tiering": a budget of about
 * 1.8 MB of executed code per function). Until then the kernels run ~3.5× slower, and a long
 * first call stays in the baseline code to its end. Running the generator kernels once on small
 * arguments here spends their budget (about 2 ms on this file's sizes) and starts their optimised
 * compilation at once; it proceeds in the background while the caller parses a model file and
 * packs its weights, and the compiled code is shared by every instance of the module.
 *
 * The warm-up runs in a scratch instance with its own small memory: no model, weight, random
 * stream or name counter is touched, and the kernels' results (over zeros) are thrown away.
 * Engines that tier differently only pay the few milliseconds.
 */
import { Act, type Kernels } from './kernels.js';

/** How many warm-ups ran (tests read it; nothing else depends on it). @internal */
export const warmupStats = { runs: 0 };

let enabled = true;

/** Turns the warm-up off or on (tests compare runs with and without it). @internal */
export function setKernelWarmup(on: boolean): void {
  enabled = on;
}

const warmed = new WeakSet<WebAssembly.Module>();

interface ScratchExports extends Kernels {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
}

// Sizes (floats / rows) of the scratch layout; every kernel reads and writes inside it.
const BUF = 4096; // one activation buffer: 64 rows of 64 channels
const K = 64; // GEMM depth
const N = 16; // GEMM output columns (two igemm panels)
const M = 256; // GEMM rows (all pointing at the same input and output row)
const PACKED = 2 * (8 + K * 8); // two igemm panels of K·8 weights and 8 bias lanes (or idot's 4 + 4K for one channel)

/**
 * Runs the kernels a generator's predict uses (GEMMs, per-channel affine, activations,
 * upsampling, copies, the input scan) in a scratch instance of `module`, once per module.
 * Never throws: a module that cannot be instantiated here fails later, where it is used.
 */
export function warmUpKernels(module: WebAssembly.Module): void {
  if (!enabled || warmed.has(module)) return;
  warmed.add(module);
  try {
    const k = new WebAssembly.Instance(module, {}).exports as unknown as ScratchExports;
    const base = (k.heapBase() + 63) & ~63;
    const x = base;
    const out = x + 4 * BUF;
    const w = out + 4 * BUF;
    const inPtrs = w + 4 * PACKED;
    const outPtrs = inPtrs + 4 * M;
    const taps = outPtrs + 4 * M; // bilinear taps: 16 entries of 12 bytes per axis, zeros (index 0, weight 0)
    const end = taps + 2 * 16 * 12;
    const have = k.memory.buffer.byteLength;
    if (end > have) k.memory.grow(Math.ceil((end - have) / 65536));
    const u32 = new Uint32Array(k.memory.buffer);
    for (let m = 0; m < M; m++) {
      u32[(inPtrs >>> 2) + m] = x;
      u32[(outPtrs >>> 2) + m] = out;
    }
    for (let r = 0; r < 4; r++) {
      if (r < 2) k.igemm(M, 1, K, N, inPtrs, outPtrs, w, Act.LeakyRelu, 0.2);
      k.idot(M, 1, 4 * K, 1, inPtrs, outPtrs, w, Act.Linear, 0);
    }
    for (let r = 0; r < 24; r++) {
      k.scaleShift(x, x, BUF / K, K, w, w, Act.Relu, 0);
      k.activation(x, x, BUF, r & 1 ? Act.Sigmoid : Act.Tanh, 0);
      k.firstNonFinite(x, 2 * BUF);
      k.firstNonFinite(x, 2 * BUF);
      k.resizeNearest(x, out, 1, 8, 8, 16, 2, 2);
      k.resizeBilinear(x, out, 1, 8, 8, 16, 16, 16, taps, taps + 16 * 12);
      k.copyStrided(x, out, 1, 64, 64, 0, 64, 0, 64);
    }
    warmupStats.runs++;
  } catch {
    // a warm-up is an optimisation only
  }
}

/**
 * How each kernel call may be split between threads, read from the kernel's contract
 * (backend/kernels.ts and kernels/*.ts): only along a dimension whose units the kernel computes
 * independently — GEMM and depthwise output rows, image rows, elementwise ranges, output-channel
 * or tap ranges of a weight gradient — never across a sum, so every thread computes its outputs
 * exactly as one thread would and the result is bit-identical.
 *
 * Element ranges are cut at multiples of 16 floats (a cache line; a multiple of the SIMD width, so
 * every value goes through the same SIMD or tail code as in the whole call); weight-gradient k
 * ranges at multiples of 32 (its SIMD k runs). The table lives with the threaded backend rather
 * than in the ops: a split is a property of the kernel, and every op (and every new one) that
 * calls a kernel gets it. Kernels without an entry run on the calling thread: those that return a
 * value (firstNonFinite, gatherRows), keep scratch shared across units (resample, moments) or
 * reduce over rows per column (columnSum, channelMoments, bnGradReduce), or read the row count
 * in their formula (bnGradApply divides by it).
 */
export interface Split {
  /** The kernel each chunk calls (igemmWeightGrad runs as igemmWeightGradPart chunks). */
  kernel: string;
  /** Its arguments for all units; a chunk's are derived from them. */
  args: number[];
  units: number;
  /** Chunk boundaries are multiples of this many units. */
  grain: number;
  /** Estimated nanoseconds on one thread (small calls stay on the calling thread). */
  ns: number;
  /** Argument set to the chunk's unit count, its first unit, its end (-1: none). */
  count: number;
  start: number;
  end: number;
  /** Pointer arguments that move with the first unit: [argument, bytes per unit, …]. */
  advance: number[];
}

type Args = ArrayLike<number>;
type Rule = (a: Args) => Split | null;

// Throughput guesses for the cost model (one thread of this machine, 128-bit SIMD): they only
// decide which calls are worth waking workers for.
const GEMM_FLOP_PER_NS = 40;
const BYTES_PER_NS = 6;

function list(a: Args): number[] {
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i];
  return out;
}

function split(kernel: string, args: number[], units: number, grain: number, ns: number, count: number,
               advance: number[], start = -1, end = -1): Split {
  return { kernel, args, units, grain, ns, count, start, end, advance };
}

/** Element ranges over `count` floats at argument `countArg`; `ptrs` advance 4 bytes per element. */
function elements(kernel: string, countArg: number, ptrs: number[], nsPerFloat: number): Rule {
  const advance = ptrs.flatMap((p) => [p, 4]);
  return (a) => split(kernel, list(a), a[countArg], 16, a[countArg] * nsPerFloat, countArg, advance);
}

/** Rows of `rowFloats(a)` floats at argument `rowsArg`; `ptrs` advance one row each. */
function rows(kernel: string, rowsArg: number, ptrs: number[], rowFloats: (a: Args) => number[], nsPerFloat: number): Rule {
  return (a) => {
    const floats = rowFloats(a);
    const advance: number[] = [];
    ptrs.forEach((p, i) => advance.push(p, 4 * floats[i]));
    return split(kernel, list(a), a[rowsArg], 1, a[rowsArg] * floats[0] * nsPerFloat, rowsArg, advance);
  };
}

const gemmRule = (kernel: string): Rule => (a) => {
  const [M, T, K, N] = [a[0], a[1], a[2], a[3]];
  // rows in 4-row tiles (the microkernel's MR), each thread all of N for its rows
  return split(kernel, list(a), M, 4, (2 * M * T * K * N) / GEMM_FLOP_PER_NS, 0, [4, 4 * T, 5, 4]);
};

const copyNs = (floats: number) => (8 * floats) / BYTES_PER_NS;

export const SPLITS = new Map<string, Rule>([
  ['igemm', gemmRule('igemm')],
  ['idot', gemmRule('idot')],
  ['depthwise', (a) => {
    const [M, T, C, mult] = [a[0], a[1], a[2], a[3]];
    return split('depthwise', list(a), M, 4, (2 * M * T * C * mult) / (GEMM_FLOP_PER_NS / 2), 0, [4, 4 * T, 5, 4 * C * mult]);
  }],
  ['scaleShift', rows('scaleShift', 2, [0, 1], (a) => [a[3], a[3]], copyNs(1))],
  ['activation', (a) => {
    const cheap = a[3] === 0 || a[3] === 1 || a[3] === 4; // linear, relu, leaky relu: SIMD
    return split('activation', list(a), a[2], 16, a[2] * (cheap ? copyNs(1) : 4), 2, [0, 4, 1, 4]);
  }],
  ['softmax', rows('softmax', 2, [0, 1], (a) => [a[3], a[3]], 4)],
  ['softmaxStrided', rows('softmaxStrided', 2, [0, 1], (a) => [a[3] * a[4], a[3] * a[4]], 4)],
  ['reluClip', elements('reluClip', 2, [0, 1], copyNs(1))],
  ['resizeNearest', (a) => {
    // (N, H) act only as N·H input rows: chunks of rows with N = 1
    const [N, H, W, C, fh, fw] = [a[2], a[3], a[4], a[5], a[6], a[7]];
    const args = list(a);
    args[2] = 1;
    args[3] = N * H;
    return split('resizeNearest', args, N * H, 1, copyNs(N * H * W * C * fh * fw), 3, [0, 4 * W * C, 1, 4 * W * C * fh * fw]);
  }],
  ['resizeBilinear', (a) => {
    const [N, H, W, C, OH, OW] = [a[2], a[3], a[4], a[5], a[6], a[7]];
    const ns = copyNs(3 * N * OH * OW * C);
    if (N > 1) return split('resizeBilinear', list(a), N, 1, ns, 2, [0, 4 * H * W * C, 1, 4 * OH * OW * C]);
    return split('resizeBilinear', list(a), OH, 1, ns, 6, [1, 4 * OW * C, 8, 12]); // output rows and their y taps
  }],
  ['normApply', rows('normApply', 2, [0, 1], (a) => [a[3], a[3]], copyNs(1))],
  ['layerNormApply', rows('layerNormApply', 2, [0, 1, 5, 6, 7], (a) => [a[3] * a[4], a[3] * a[4], a[4], a[4], a[4]], copyNs(1))],
  ['pixelNorm', rows('pixelNorm', 2, [0, 1], (a) => [a[3], a[3]], copyNs(2))],
  ['broadcast', (a) => {
    const [n0, n1, n2, inner] = [a[6], a[7], a[8], a[9]];
    const args = list(a);
    const ns = copyNs(1.5 * n0 * n1 * n2 * inner);
    // the outermost dimension with more than one index (the inner ones stay whole)
    if (n0 > 1) return split('broadcast', args, n0, 1, ns, 6, [3, 4 * a[10], 4, 4 * a[14], 5, 4 * n1 * n2 * inner]);
    if (n1 > 1) return split('broadcast', args, n1, 1, ns, 7, [3, 4 * a[11], 4, 4 * a[15], 5, 4 * n2 * inner]);
    if (n2 > 1) return split('broadcast', args, n2, 1, ns, 8, [3, 4 * a[12], 4, 4 * a[16], 5, 4 * inner]);
    return split('broadcast', args, inner, 16, ns, 9, [3, 4 * a[13], 4, 4 * a[17], 5, 4]);
  }],
  ['copyStrided', (a) => {
    const [n1, n0, len] = [a[2], a[3], a[4]];
    const ns = copyNs(n1 * n0 * len);
    if (n1 > 1) return split('copyStrided', list(a), n1, 1, ns, 2, [0, 4 * a[5], 1, 4 * a[7]]);
    return split('copyStrided', list(a), n0, 1, ns, 3, [0, 4 * a[6], 1, 4 * a[8]]);
  }],
  ['pad2d', (a) => {
    const [N, H, W, C, top, bottom, left, right] = [a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]];
    const outImage = (H + top + bottom) * (W + left + right) * C;
    return split('pad2d', list(a), N, 1, copyNs(N * outImage), 2, [0, 4 * H * W * C, 1, 4 * outImage]);
  }],
  ['igemmWeightGrad', (a) => {
    const [M, T, K, N] = [a[0], a[1], a[2], a[3]];
    const args = [...list(a), 0, T, 0, K]; // igemmWeightGradPart's tBegin, tEnd, kBegin, kEnd
    const ns = (2 * M * T * K * N) / GEMM_FLOP_PER_NS;
    // input channels in runs of 32, else taps; never the sum over m
    if (K >= 64) return split('igemmWeightGradPart', args, K, 32, ns, -1, [], 12, 13);
    if (T > 1) return split('igemmWeightGradPart', args, T, 1, ns, -1, [], 10, 11);
    return null;
  }],
  ['activationGrad', elements('activationGrad', 3, [0, 1, 2], 2)],
  ['softmaxGrad', rows('softmaxGrad', 3, [0, 1, 2], (a) => [a[4], a[4], a[4]], 2)],
  ['reluClipGrad', elements('reluClipGrad', 3, [0, 1, 2], copyNs(1.5))],
  ['resizeNearestGrad', (a) => {
    const [N, H, W, C, fh, fw] = [a[2], a[3], a[4], a[5], a[6], a[7]];
    const args = list(a);
    args[2] = 1;
    args[3] = N * H;
    return split('resizeNearestGrad', args, N * H, 1, copyNs(N * H * W * C * fh * fw), 3, [0, 4 * W * C * fh * fw, 1, 4 * W * C]);
  }],
  ['resizeBilinearGrad', (a) => {
    // output rows scatter into shared input rows: whole images only
    const [N, H, W, C, OH, OW] = [a[2], a[3], a[4], a[5], a[6], a[7]];
    if (N < 2) return null;
    return split('resizeBilinearGrad', list(a), N, 1, copyNs(5 * N * OH * OW * C), 2, [0, 4 * OH * OW * C, 1, 4 * H * W * C]);
  }],
  ['accumulate', elements('accumulate', 2, [0, 1], copyNs(1.5))],
  ['mulMask', elements('mulMask', 3, [0, 1, 2], copyNs(2))],
  ['adamUpdate', elements('adamUpdate', 5, [0, 1, 2, 3, 4], 1)],
  ['sgdUpdate', elements('sgdUpdate', 3, [0, 1, 2], copyNs(2))],
  ['rmspropUpdate', elements('rmspropUpdate', 5, [0, 1, 2, 3, 4], 1)],
]);

/** The chunk's arguments (the workers derive theirs the same way, in worker_source.ts). */
export function chunkArgs(s: Split, u0: number, u1: number, out: number[]): number[] {
  out.length = s.args.length;
  for (let i = 0; i < s.args.length; i++) out[i] = s.args[i];
  if (s.count >= 0) out[s.count] = u1 - u0;
  if (s.start >= 0) out[s.start] = u0;
  if (s.end >= 0) out[s.end] = u1;
  for (let j = 0; j < s.advance.length; j += 2) out[s.advance[j]] += u0 * s.advance[j + 1];
  return out;
}

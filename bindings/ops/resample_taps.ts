/**
 * Per-axis tap tables of TensorFlow's resize kernels, the ones Keras's UpSampling2D reaches on the
 * TF backend for an integer factor (SEMANTICS-functional §4):
 *
 * - `bicubic`: ResizeBicubic with half_pixel_centers (tensorflow/core/kernels/image/
 *   resize_bicubic_op.cc :: GetWeightsAndIndices, use_keys_cubic): Keys a = −0.5 read from the
 *   1025×2 float table, the fraction rounded to 1/1024 by lrintf, taps outside the image dropped
 *   and the four weights renormalised;
 * - `lanczos3`, `lanczos5`, `gaussian`, `mitchellcubic`: ScaleAndTranslate without antialias
 *   (scale_and_translate_op.cc :: ComputeSpansCore, sampling_kernels.h): half-pixel sampling,
 *   kernel scale 1 when upsampling, weights renormalised over the taps inside the image;
 * - `area`: ResizeArea (resize_area_op.cc): the overlap of output cell [j·s, (j+1)·s) with the
 *   input cells, s = in/out. For an integer factor that is one input cell, but TF computes the
 *   cell edges in float32, so its weights drift from 1/f by up to ulp(j·s)/s (9e-5 relative on
 *   300 input pixels at factor 5, 3e-5 on 256 at factor 3): modelled, not assumed away.
 *
 * Every float32 step of the C++ is reproduced with Math.fround, so the weights are TF's bit for
 * bit except where a libm sinf/expf differs from Math.sin/Math.exp in the last bit.
 */

/** Interpolations computed from tap tables (nearest and bilinear have kernels of their own). */
export type TapInterpolation = 'bicubic' | 'area' | 'lanczos3' | 'lanczos5' | 'gaussian' | 'mitchellcubic';

export const TAP_INTERPOLATIONS: readonly TapInterpolation[] = ['bicubic', 'area', 'lanczos3', 'lanczos5', 'gaussian', 'mitchellcubic'];

/** Views of the memory the tables are written into (word-indexed). */
export interface TapViews {
  readonly f32: Float32Array;
  readonly u32: Uint32Array;
}

const f = Math.fround;
/** FLT_MIN · 1000: TF renormalises only when |Σw| is at least this. */
const RENORM_MIN = 1000 * 1.1754943508222875e-38;

/** lrintf in the default rounding mode: to nearest, ties to even. */
function lrint(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// ------------------------------------------------------------------------------------------
// bicubic (ResizeBicubic)

const TABLE_SIZE = 1024;
let keysTable: Float32Array | null = null;

/** InitCoeffsTable(−0.5): entry 2i = W0(i/1024), 2i + 1 = W1(i/1024 + 1), double math stored as float. */
function coeffsTable(): Float32Array {
  if (keysTable) return keysTable;
  const a = -0.5;
  const t = new Float32Array(2 * (TABLE_SIZE + 1));
  for (let i = 0; i <= TABLE_SIZE; i++) {
    let x = f(i / TABLE_SIZE);
    t[2 * i] = ((a + 2) * x - (a + 3)) * x * x + 1;
    x = f(x + 1);
    t[2 * i + 1] = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  }
  keysTable = t;
  return t;
}

/** One output's raw taps: inputs first … first + len − 1 (possibly outside the image). */
class Row {
  first = 0;
  len = 0;
  readonly w = new Float64Array(16); // ≥ 11 (lanczos5's 2r + 1), 4 (bicubic), 2 (area)

  set(first: number, len: number): void {
    this.first = first;
    this.len = len;
  }

  /** TF's 1/Σw renormalisation in float32; false (weights left) when |Σw| is too small. */
  renormalise(): boolean {
    let sum = 0;
    for (let t = 0; t < this.len; t++) sum = f(sum + this.w[t]);
    if (!(Math.abs(sum) >= RENORM_MIN)) return false;
    const inv = f(1 / sum);
    for (let t = 0; t < this.len; t++) this.w[t] = f(this.w[t] * inv);
    return true;
  }
}

function bicubicTaps(row: Row, j: number, scale: number, n: number): void {
  const t = coeffsTable();
  const loc = f(f(f(j + 0.5) * scale) - 0.5); // HalfPixelScaler
  const i0 = Math.floor(loc);
  const offset = lrint(f(f(loc - i0) * TABLE_SIZE));
  row.set(i0 - 1, 4);
  row.w[0] = t[2 * offset + 1];
  row.w[1] = t[2 * offset];
  row.w[2] = t[2 * (TABLE_SIZE - offset)];
  row.w[3] = t[2 * (TABLE_SIZE - offset) + 1];
  for (let k = 0; k < 4; k++) if (i0 - 1 + k < 0 || i0 - 1 + k >= n) row.w[k] = 0;
  row.renormalise();
}

// ------------------------------------------------------------------------------------------
// ScaleAndTranslate kernels (sampling_kernels.h), float32 as in the C++

const K_PI = f(3.14159265359);

function lanczos(radius: number): (x: number) => number {
  return (x) => {
    x = Math.abs(x);
    if (x > radius) return 0;
    if (x <= 1e-3) return 1; // compared in double, as the C++ does
    const num = f(f(radius * f(Math.sin(f(K_PI * x)))) * f(Math.sin(f(f(K_PI * x) / radius))));
    return f(num / f(f(f(K_PI * K_PI) * x) * x));
  };
}

const GAUSS_RADIUS = 1.5;
function gaussian(x: number): number {
  x = Math.abs(x);
  if (x >= GAUSS_RADIUS) return 0;
  const sigma = f(GAUSS_RADIUS / 3);
  return f(Math.exp(f(-x * x) / (2 * sigma * sigma)));
}

const M1 = f(-7 / 18), M2 = f(10 / 3), M3 = f(16 / 9), M4 = f(7 / 6), M5 = f(8 / 9);
function mitchell(x: number): number {
  x = Math.abs(x);
  if (x >= 2) return 0;
  if (x >= 1) return f(f(f(f(f(f(M1 * x) + 2) * x) - M2) * x) + M3);
  return f(f(f(f(f(M4 * x) - 2) * x) * x) + M5);
}

const KERNELS = new Map<TapInterpolation, { radius: number; fn: (x: number) => number }>([
  ['lanczos3', { radius: 3, fn: lanczos(3) }],
  ['lanczos5', { radius: 5, fn: lanczos(5) }],
  ['gaussian', { radius: GAUSS_RADIUS, fn: gaussian }],
  ['mitchellcubic', { radius: 2, fn: mitchell }],
]);

function spanTaps(row: Row, j: number, invScale: number, n: number, kernel: { radius: number; fn: (x: number) => number }): void {
  const sample = f(f(j + 0.5) * invScale); // + inv_translate, which is −0
  row.set(0, 0);
  if (sample < 0 || sample > n) return;
  const r = kernel.radius; // × kernel_scale 1: no antialias widening when upsampling
  const start = Math.min(Math.max(Math.ceil(f(f(sample - r) - 0.5)), 0), n - 1);
  const end = Math.min(Math.max(Math.floor(f(f(sample + r) - 0.5)), 0), n - 1) + 1;
  row.set(start, end - start);
  for (let i = start; i < end; i++) row.w[i - start] = kernel.fn(f(f(i + 0.5) - sample));
  // too small a sum: TF leaves the span's weights at their initial 0
  if (!row.renormalise()) row.w.fill(0);
}

// ------------------------------------------------------------------------------------------
// area (ResizeArea)

function areaTaps(row: Row, j: number, s: number): void {
  const lo = f(j * s);
  const hi = f((j + 1) * s);
  const first = Math.floor(lo);
  row.set(first, Math.ceil(hi) - first);
  // the final 1/(s_h·s_w) is split per axis: each axis' weights times 1/s
  const inv = f(1 / s);
  for (let i = first; i < first + row.len; i++) {
    row.w[i - first] = f((i < lo ? (i + 1 > hi ? s : f(i + 1 - lo)) : (i + 1 > hi ? f(hi - i) : 1)) * inv);
  }
}

// ------------------------------------------------------------------------------------------

/** Most taps an output of an axis of length n can have: the table stride is at most 1 + this. */
export function tapBound(method: TapInterpolation, n: number): number {
  if (method === 'bicubic') return Math.min(4, n);
  if (method === 'area') return Math.min(2, n); // a cell of ≤ 1 input pixel meets ≤ 2 of them
  return Math.min(2 * Math.ceil(KERNELS.get(method)!.radius) + 1, n); // TF's span_size
}

/**
 * Writes the taps of one axis of length `n` upsampled by the integer `factor` at word `at`:
 * one entry per output j, (1 + k) words each: the u32 first input index, then k f32 weights of
 * it and the k − 1 inputs after it; returns k (≤ tapBound). Taps outside [0, n) are dropped
 * (bicubic and the span kernels give them weight 0) or clamped onto the edge (area, whose
 * Bound() re-reads the edge pixel); zero weights at both ends of every window are trimmed, k is
 * the widest window that remains, and every window is moved inside the image (start ≤ n − k),
 * padded with zero weights. Allocates nothing per output; needs (1 + tapBound) words per output.
 */
export function writeAxisTaps(method: TapInterpolation, n: number, factor: number, v: TapViews, at: number): number {
  const out = n * factor;
  const bound = tapBound(method, n);
  const wide = 1 + bound;
  const scale = f(n / out); // CalculateResizeScale: in/out for ResizeBicubic and ResizeArea
  const kernel = KERNELS.get(method);
  const invScale = f(1 / f(out / n)); // ScaleAndTranslate: scale = out/in, inverted in float
  const row = new Row();
  let k = 1;
  // pass 1, stride 1 + bound: entry = trimmed first index, then the window's weights, then zeros
  for (let j = 0; j < out; j++) {
    if (method === 'bicubic') bicubicTaps(row, j, scale, n);
    else if (method === 'area') areaTaps(row, j, scale);
    else spanTaps(row, j, invScale, n, kernel!);
    const e = at + j * wide;
    v.f32.fill(0, e + 1, e + wide);
    // onto [0, n): drop (bicubic, spans) or clamp (area)
    const lo0 = Math.max(row.first, 0);
    for (let t = 0; t < row.len; t++) {
      const i = row.first + t;
      if ((i >= 0 && i < n) || method === 'area') {
        const w = e + 1 + Math.min(Math.max(i, 0), n - 1) - lo0;
        v.f32[w] = f(v.f32[w] + row.w[t]);
      }
    }
    let lo = 0;
    let hi = Math.min(row.first + row.len, n) - lo0 - 1;
    while (lo <= hi && v.f32[e + 1 + lo] === 0) lo++;
    while (hi >= lo && v.f32[e + 1 + hi] === 0) hi--;
    if (lo > hi) {
      v.u32[e] = 0;
      continue;
    }
    v.f32.copyWithin(e + 1, e + 1 + lo, e + 2 + hi);
    v.f32.fill(0, e + 2 + hi - lo, e + wide);
    v.u32[e] = lo0 + lo;
    k = Math.max(k, hi - lo + 1);
  }
  // pass 2, in place: stride 1 + k, windows moved inside the image
  for (let j = 0; j < out; j++) {
    const src = at + j * wide;
    const dst = at + j * (1 + k);
    const first = v.u32[src];
    const start = Math.min(first, n - k);
    const shift = first - start;
    v.f32.copyWithin(dst + 1 + shift, src + 1, src + 1 + k - shift);
    v.f32.fill(0, dst + 1, dst + 1 + shift);
    v.u32[dst] = start;
  }
  return k;
}

/** Whether the k = 1 entries at word `at` are plain repetition: one weight-1 tap at j / factor. */
export function isRepetition(v: TapViews, at: number, count: number, k: number, factor: number): boolean {
  if (k !== 1) return false;
  for (let j = 0; j < count; j++) {
    if (v.f32[at + 2 * j + 1] !== 1 || v.u32[at + 2 * j] !== Math.floor(j / factor)) return false;
  }
  return true;
}

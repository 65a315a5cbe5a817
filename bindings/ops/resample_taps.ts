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
 *   cell edges in float32, so its weights drift from 1/f by up to ulp(j·s)/s (6e-5 relative for
 *   300 input pixels at factor 5): modelled, not assumed away.
 *
 * Every float32 step of the C++ is reproduced with Math.fround, so the weights are TF's bit for
 * bit except where a libm sinf/expf differs from Math.sin/Math.exp in the last bit.
 */

/** Interpolations computed from tap tables (nearest and bilinear have kernels of their own). */
export type TapInterpolation = 'bicubic' | 'area' | 'lanczos3' | 'lanczos5' | 'gaussian' | 'mitchellcubic';

export const TAP_INTERPOLATIONS: readonly TapInterpolation[] = ['bicubic', 'area', 'lanczos3', 'lanczos5', 'gaussian', 'mitchellcubic'];

/**
 * One axis: output index j reads inputs starts[j] … starts[j] + k − 1 with weights
 * weights[j·k …]. Every window lies inside the input (starts[j] + k ≤ input length); taps a
 * window covers but TF does not read have weight 0.
 */
export interface AxisTaps {
  readonly k: number;
  readonly starts: Int32Array;
  readonly weights: Float32Array;
}

const f = Math.fround;
/** FLT_MIN · 1000: TF renormalises only when |Σw| is at least this. */
const RENORM_MIN = 1000 * 1.1754943508222875e-38;

/** lrintf in the default rounding mode: to nearest, ties to even. */
function lrint(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** TF's 1/Σw renormalisation in float32, in place; false (weights left) when |Σw| is too small. */
function renormalise(w: number[]): boolean {
  let sum = 0;
  for (const v of w) sum = f(sum + v);
  if (!(Math.abs(sum) >= RENORM_MIN)) return false;
  const inv = f(1 / sum);
  for (let i = 0; i < w.length; i++) w[i] = f(w[i] * inv);
  return true;
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

function bicubicTaps(j: number, scale: number, n: number): { first: number; w: number[] } {
  const t = coeffsTable();
  const loc = f(f(f(j + 0.5) * scale) - 0.5); // HalfPixelScaler
  const i0 = Math.floor(loc);
  const offset = lrint(f(f(loc - i0) * TABLE_SIZE));
  const raw = [t[2 * offset + 1], t[2 * offset], t[2 * (TABLE_SIZE - offset)], t[2 * (TABLE_SIZE - offset) + 1]];
  const w = raw.map((v, k) => (i0 - 1 + k >= 0 && i0 - 1 + k < n ? v : 0));
  renormalise(w);
  return { first: i0 - 1, w };
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

function spanTaps(j: number, invScale: number, n: number, kernel: { radius: number; fn: (x: number) => number }): { first: number; w: number[] } {
  const sample = f(f(j + 0.5) * invScale); // + inv_translate, which is −0
  if (sample < 0 || sample > n) return { first: 0, w: [] };
  const r = kernel.radius; // × kernel_scale 1: no antialias widening when upsampling
  const start = Math.min(Math.max(Math.ceil(f(f(sample - r) - 0.5)), 0), n - 1);
  const end = Math.min(Math.max(Math.floor(f(f(sample + r) - 0.5)), 0), n - 1) + 1;
  const w: number[] = [];
  for (let i = start; i < end; i++) w.push(kernel.fn(f(f(i + 0.5) - sample)));
  // too small a sum: TF leaves the span's weights at their initial 0
  return { first: start, w: renormalise(w) ? w : w.map(() => 0) };
}

// ------------------------------------------------------------------------------------------
// area (ResizeArea)

function areaTaps(j: number, s: number, n: number): { first: number; w: number[] } {
  const lo = f(j * s);
  const hi = f((j + 1) * s);
  const first = Math.floor(lo);
  const w: number[] = [];
  for (let i = first; i < Math.ceil(hi); i++) {
    w.push(i < lo ? (i + 1 > hi ? s : f(i + 1 - lo)) : (i + 1 > hi ? f(hi - i) : 1));
  }
  // the final 1/(s_h·s_w) is split per axis: each axis' weights times 1/s
  const inv = f(1 / s);
  return { first, w: w.map((v) => f(v * inv)) };
}

// ------------------------------------------------------------------------------------------

/**
 * The taps of one axis of length `n` upsampled by the integer `factor`. Taps outside [0, n)
 * are dropped (bicubic and the span kernels give them weight 0) or clamped onto the edge
 * (area, whose Bound() re-reads the edge pixel); zero weights at both ends of every window are
 * trimmed, and k is the widest window that remains.
 */
export function axisTaps(method: TapInterpolation, n: number, factor: number): AxisTaps {
  const out = n * factor;
  const rows: { first: number; w: number[] }[] = [];
  const scale = f(n / out); // CalculateResizeScale: in/out for ResizeBicubic and ResizeArea
  const kernel = KERNELS.get(method);
  const invScale = f(1 / f(out / n)); // ScaleAndTranslate: scale = out/in, inverted in float
  for (let j = 0; j < out; j++) {
    if (method === 'bicubic') rows.push(bicubicTaps(j, scale, n));
    else if (method === 'area') rows.push(areaTaps(j, scale, n));
    else rows.push(spanTaps(j, invScale, n, kernel!));
  }
  // onto [0, n): drop (bicubic, spans) or clamp (area), then trim zero ends
  const dense = rows.map(({ first, w }) => {
    const lo0 = Math.max(first, 0);
    const win = new Array<number>(Math.max(Math.min(first + w.length, n) - lo0, 0)).fill(0);
    w.forEach((v, t) => {
      const i = first + t;
      const at = Math.min(Math.max(i, 0), n - 1) - lo0;
      if ((i >= 0 && i < n) || method === 'area') win[at] = f(win[at] + v);
    });
    let lo = 0;
    let hi = win.length - 1;
    while (lo <= hi && win[lo] === 0) lo++;
    while (hi >= lo && win[hi] === 0) hi--;
    return { first: lo0 + lo, w: win.slice(lo, hi + 1) };
  });
  const k = Math.max(1, ...dense.map((d) => d.w.length));
  const starts = new Int32Array(out);
  const weights = new Float32Array(out * k);
  dense.forEach(({ first, w }, j) => {
    const start = Math.max(0, Math.min(first, n - k));
    starts[j] = start;
    w.forEach((v, t) => { weights[j * k + first - start + t] = v; });
  });
  return { k, starts, weights };
}

/** Whether the taps are plain repetition: one tap of weight 1 at j / factor for every j. */
export function isRepetition(t: AxisTaps, factor: number): boolean {
  if (t.k !== 1) return false;
  for (let j = 0; j < t.starts.length; j++) {
    if (t.weights[j] !== 1 || t.starts[j] !== Math.floor(j / factor)) return false;
  }
  return true;
}

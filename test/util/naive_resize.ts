/**
 * Test oracle for UpSampling2D's TensorFlow-backend interpolations beyond nearest/bilinear,
 * transcribed from TensorFlow's C++ (not from upconv's tables or kernels; imports nothing from
 * bindings/). The sampling positions, coefficient tables and weights are computed in float32
 * exactly as the C++ does (that quantisation is the semantics Keras files carry); the pixel
 * arithmetic is float64.
 *
 * - bicubic: tensorflow/core/kernels/image/resize_bicubic_op.cc (InitCoeffsTable,
 *   GetWeightsAndIndices<HalfPixelScaler, use_keys_cubic = true>, interpolate_with_caching: the
 *   4×4 patch, y first then x), util/image_resizer_state.h (CalculateResizeScale, HalfPixelScaler);
 * - lanczos3 / lanczos5 / gaussian / mitchellcubic: kernels/image/scale_and_translate_op.cc
 *   (ComputeSpansCore, GatherRows, GatherColumns) with sampling_kernels.h, called by
 *   tf.image.resize as scale_and_translate(scale = out/in, translation 0, antialias False);
 * - area: kernels/image/resize_area_op.cc (ResizeAreaOp::Compute, ComputePatchSum).
 */
import type { Result } from './naive.js';

export type TfMethod = 'bicubic' | 'area' | 'lanczos3' | 'lanczos5' | 'gaussian' | 'mitchellcubic';
type Arr = ArrayLike<number>;

const fr = Math.fround;
const FLT_MIN = 1.1754943508222875e-38;
const bound = (v: number, limit: number) => Math.min(limit - 1, Math.max(0, v));

/** lrintf under round-to-nearest-even. */
function lrintf(v: number): number {
  const fl = Math.floor(v);
  const d = v - fl;
  if (d < 0.5) return fl;
  if (d > 0.5) return fl + 1;
  return fl % 2 === 0 ? fl : fl + 1;
}

// ------------------------------------------------------------------------------------------
// ResizeBicubic

const kTableSize = 1024;

/** InitCoeffsTable(a): float[(1024 + 1) · 2], computed in double and stored as float. */
export function bicubicCoeffs(a: number): Float32Array {
  const table = new Float32Array((kTableSize + 1) * 2);
  for (let i = 0; i <= kTableSize; ++i) {
    let x = fr((i * 1.0) / kTableSize);
    table[i * 2] = ((a + 2) * x - (a + 3)) * x * x + 1;
    x = fr(x + 1.0);
    table[i * 2 + 1] = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  }
  return table;
}

const keys = bicubicCoeffs(-0.5);

interface WeightsAndIndices { w: number[]; idx: number[] }

/** GetWeightsAndIndices<HalfPixelScaler, true>: four Bound()ed indices, zero weight off the image, renormalised. */
export function bicubicWeights(scale: number, outLoc: number, limit: number): WeightsAndIndices {
  const inLocF = fr(fr(fr(fr(outLoc) + 0.5) * scale) - 0.5);
  const inLoc = Math.floor(inLocF);
  const delta = fr(inLocF - inLoc);
  const offset = lrintf(fr(delta * kTableSize));
  const idx = [bound(inLoc - 1, limit), bound(inLoc, limit), bound(inLoc + 1, limit), bound(inLoc + 2, limit)];
  const w = [
    idx[0] === inLoc - 1 ? keys[offset * 2 + 1] : 0,
    idx[1] === inLoc ? keys[offset * 2] : 0,
    idx[2] === inLoc + 1 ? keys[(kTableSize - offset) * 2] : 0,
    idx[3] === inLoc + 2 ? keys[(kTableSize - offset) * 2 + 1] : 0,
  ];
  const sum = fr(fr(fr(w[0] + w[1]) + w[2]) + w[3]);
  if (Math.abs(sum) >= 1000 * FLT_MIN) {
    const inv = fr(1 / sum);
    for (let i = 0; i < 4; i++) w[i] = fr(w[i] * inv);
  }
  return { w, idx };
}

function resizeBicubic(x: Arr, N: number, H: number, W: number, C: number, OH: number, OW: number): Float64Array {
  const out = new Float64Array(N * OH * OW * C);
  const hs = fr(H / OH);
  const ws = fr(W / OW);
  const xs = Array.from({ length: OW }, (_, ox) => bicubicWeights(ws, ox, W));
  for (let b = 0; b < N; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const yw = bicubicWeights(hs, oy, H);
      for (let ox = 0; ox < OW; ox++) {
        const xw = xs[ox];
        for (let c = 0; c < C; c++) {
          let v = 0;
          for (let i = 0; i < 4; i++) {
            let col = 0; // ComputeYInterpolation: down the four rows at x index i
            for (let j = 0; j < 4; j++) col += x[((b * H + yw.idx[j]) * W + xw.idx[i]) * C + c] * yw.w[j];
            v += col * xw.w[i];
          }
          out[((b * OH + oy) * OW + ox) * C + c] = v;
        }
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// ScaleAndTranslate

const kPI = fr(3.14159265359);

interface SamplingKernel { radius: number; at(x: number): number }

function lanczosKernel(radius: number): SamplingKernel {
  return {
    radius,
    at(x) {
      x = Math.abs(x);
      if (x > radius) return 0.0;
      if (x <= 1e-3) return 1.0;
      const s1 = fr(Math.sin(fr(kPI * x)));
      const s2 = fr(Math.sin(fr(fr(kPI * x) / radius)));
      return fr(fr(fr(radius * s1) * s2) / fr(fr(fr(kPI * kPI) * x) * x));
    },
  };
}

const gaussianKernel: SamplingKernel = {
  radius: 1.5,
  at(x) {
    const sigma = fr(1.5 / 3.0);
    x = Math.abs(x);
    if (x >= 1.5) return 0.0;
    return fr(Math.exp(fr(-x * x) / (2.0 * sigma * sigma)));
  },
};

const mitchellCubicKernel: SamplingKernel = {
  radius: 2,
  at(x) {
    x = Math.abs(x);
    if (x >= 2.0) return 0.0;
    if (x >= 1.0) {
      return fr(fr(fr(fr(fr(fr(fr(-7 / 18) * x) + 2.0) * x) - fr(10 / 3)) * x) + fr(16 / 9));
    }
    return fr(fr(fr(fr(fr(fr(7 / 6) * x) - 2.0) * x) * x) + fr(8 / 9));
  },
};

const SPAN_KERNELS: Record<Exclude<TfMethod, 'bicubic' | 'area'>, SamplingKernel> = {
  lanczos3: lanczosKernel(3),
  lanczos5: lanczosKernel(5),
  gaussian: gaussianKernel,
  mitchellcubic: mitchellCubicKernel,
};

interface Spans { spanSize: number; starts: number[]; weights: Float32Array }

/** ComputeSpansCore with translate 0, antialias false (kernel_scale 1). */
export function computeSpans(kernel: SamplingKernel, outputSize: number, inputSize: number, scale: number): Spans {
  const invScale = fr(1.0 / scale);
  const invTranslate = fr(-invScale * 0);
  const kernelScale = 1.0;
  const spanSize = Math.min(2 * Math.ceil(kernel.radius * kernelScale) + 1, inputSize);
  const starts = new Array<number>(outputSize).fill(0);
  const weights = new Float32Array(spanSize * outputSize);
  for (let x = 0; x < outputSize; ++x) {
    const colF = fr(x + 0.5);
    const sampleF = fr(fr(colF * invScale) + invTranslate);
    if (sampleF < 0 || sampleF > inputSize) continue;
    let spanStart = Math.ceil(fr(fr(sampleF - kernel.radius * kernelScale) - 0.5));
    let spanEnd = Math.floor(fr(fr(sampleF + kernel.radius * kernelScale) - 0.5));
    spanStart = Math.min(Math.max(spanStart, 0), inputSize - 1);
    spanEnd = Math.min(Math.max(spanEnd, 0), inputSize - 1) + 1;
    if (spanEnd - spanStart > spanSize) throw new Error(`Span is too large: ${spanEnd - spanStart} vs ${spanSize}`);
    let total = 0;
    const temp: number[] = [];
    for (let source = spanStart; source < spanEnd; ++source) {
      const pos = fr(fr(source + 0.5) - sampleF);
      const weight = kernel.at(Math.abs(pos * (1 / kernelScale)));
      total = fr(total + weight);
      temp.push(weight);
    }
    if (Math.abs(total) >= 1000 * FLT_MIN) {
      const inv = fr(1 / total);
      temp.forEach((w, i) => { weights[spanSize * x + i] = fr(w * inv); });
    }
    starts[x] = spanStart;
  }
  return { spanSize, starts, weights };
}

function scaleAndTranslate(x: Arr, N: number, H: number, W: number, C: number, OH: number, OW: number,
                           kernel: SamplingKernel): Float64Array {
  const rows = computeSpans(kernel, OH, H, fr(OH / H));
  const cols = computeSpans(kernel, OW, W, fr(OW / W));
  const out = new Float64Array(N * OH * OW * C);
  const mid = new Float64Array(OH * W * C);
  for (let b = 0; b < N; b++) {
    // GatherRows: intermediate (OH, W, C)
    mid.fill(0);
    for (let y = 0; y < OH; y++) {
      const real = Math.min(rows.starts[y] + rows.spanSize, H) - rows.starts[y];
      for (let t = 0; t < real; t++) {
        const w = rows.weights[y * rows.spanSize + t];
        const from = (b * H + rows.starts[y] + t) * W * C;
        for (let i = 0; i < W * C; i++) mid[y * W * C + i] += w * x[from + i];
      }
    }
    // GatherColumns
    for (let y = 0; y < OH; y++) {
      for (let ox = 0; ox < OW; ox++) {
        const real = Math.min(cols.starts[ox] + cols.spanSize, W) - cols.starts[ox];
        const dst = ((b * OH + y) * OW + ox) * C;
        for (let t = 0; t < real; t++) {
          const w = cols.weights[ox * cols.spanSize + t];
          for (let c = 0; c < C; c++) out[dst + c] += w * mid[(y * W + cols.starts[ox] + t) * C + c];
        }
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// ResizeArea

interface CachedInterpolation { start: number; end: number; startScale: number; endMinusOneScale: number }

function areaScale(v: number, lo: number, hi: number, s: number): number {
  return v < lo ? (v + 1 > hi ? s : fr(v + 1 - lo)) : (v + 1 > hi ? fr(hi - v) : 1.0);
}

function resizeArea(x: Arr, N: number, H: number, W: number, C: number, OH: number, OW: number): Float64Array {
  const hs = fr(H / OH);
  const ws = fr(W / OW);
  const xInterps: CachedInterpolation[] = [];
  for (let ox = 0; ox < OW; ox++) {
    const inX = fr(ox * ws);
    const inX1 = fr((ox + 1) * ws);
    const start = Math.floor(inX);
    const end = Math.ceil(inX1);
    xInterps.push({ start, end, startScale: areaScale(start, inX, inX1, ws), endMinusOneScale: areaScale(end - 1, inX, inX1, ws) });
  }
  const scale = fr(1.0 / fr(hs * ws));
  const out = new Float64Array(N * OH * OW * C);
  for (let b = 0; b < N; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const inY = fr(oy * hs);
      const inY1 = fr((oy + 1) * hs);
      const ys: { row: number; scale: number }[] = [];
      for (let i = Math.floor(inY); i < Math.ceil(inY1); i++) ys.push({ row: bound(i, H), scale: areaScale(i, inY, inY1, hs) });
      for (let ox = 0; ox < OW; ox++) {
        const xi = xInterps[ox];
        for (let c = 0; c < C; c++) {
          const at = (row: number, col: number) => x[((b * H + row) * W + bound(col, W)) * C + c];
          let sum = 0;
          for (const { row, scale: sy } of ys) {
            let sumY = at(row, xi.start) * xi.startScale;
            if (xi.start + 1 !== xi.end) {
              for (let col = xi.start + 1; col < xi.end - 1; col++) sumY += at(row, col);
              sumY += at(row, xi.end - 1) * xi.endMinusOneScale;
            }
            sum += sumY * sy;
          }
          out[((b * OH + oy) * OW + ox) * C + c] = sum * scale;
        }
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------

/** tf.image.resize(x, (H·fh, W·fw), method) as Keras's UpSampling2D calls it (TF backend). */
export function tfUpSampling2d(x: Arr, shape: readonly number[], size: readonly [number, number], method: TfMethod): Result {
  const [N, H, W, C] = shape;
  if (x.length !== N * H * W * C) throw new Error(`tfUpSampling2d: ${x.length} values for shape [${shape}]`);
  const OH = H * size[0];
  const OW = W * size[1];
  const data = method === 'bicubic' ? resizeBicubic(x, N, H, W, C, OH, OW)
    : method === 'area' ? resizeArea(x, N, H, W, C, OH, OW)
      : scaleAndTranslate(x, N, H, W, C, OH, OW, SPAN_KERNELS[method]);
  return { shape: [N, OH, OW, C], data };
}

/**
 * An independent float64 oracle for the generator layers, written straight from
 * ../shared/conformance/SEMANTICS.md (§1–§5), NOT from bindings/: nothing here imports the package.
 *
 * Conv2DTranspose deliberately uses the textbook "dilate – pad – correlate with the flipped kernel"
 * recipe of §1.3 (materialising the zero-stuffed, padded input), a different algorithm from the
 * package's sub-convolution split. Everything is NHWC, row-major; weights are in Keras layouts.
 * Each op takes plain arrays and returns { shape, data } with float64 data.
 */

export type Arr = ArrayLike<number>;
export type Padding = 'valid' | 'same';
export type ActName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'leaky_relu';

export interface Result {
  shape: number[];
  data: Float64Array;
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function check(data: Arr, shape: readonly number[], what: string): void {
  if (data.length !== prod(shape)) throw new Error(`naive ${what}: ${data.length} values for shape [${shape}]`);
}

// ------------------------------------------------------------------------------------------
// §5 activations

/** Keras activation by name (leaky_relu's slope is 0.2, §5). */
export function activate(name: ActName | string | null | undefined, v: number): number {
  switch (name ?? 'linear') {
    case 'linear': return v;
    case 'relu': return Math.max(v, 0);
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'tanh': return Math.tanh(v);
    case 'leaky_relu': return v >= 0 ? v : 0.2 * v;
    default: throw new Error(`naive: unknown activation ${String(name)}`);
  }
}

export function activation(x: Arr, shape: readonly number[], name: ActName | string): Result {
  check(x, shape, 'activation');
  const data = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) data[i] = activate(name, x[i]);
  return { shape: [...shape], data };
}

/** The LeakyReLU layer: x if x >= 0 else slope·x (default slope 0.3). */
export function leakyReLU(x: Arr, shape: readonly number[], alpha = 0.3): Result {
  check(x, shape, 'leakyReLU');
  const data = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) data[i] = x[i] >= 0 ? x[i] : alpha * x[i];
  return { shape: [...shape], data };
}

// ------------------------------------------------------------------------------------------
// §1.2 / §2 output lengths (the tables, written out independently of the computation)

export function effectiveKernel(k: number, d: number): number {
  return (k - 1) * d + 1;
}

/** Conv2DTranspose output length per axis, SEMANTICS §1.2 table. op = null means None. */
export function deconvOutputLength(n: number, k: number, s: number, d: number, padding: Padding, op: number | null): number {
  const ke = effectiveKernel(k, d);
  if (padding === 'valid') return op === null ? (n - 1) * s + ke + Math.max(s - ke, 0) : (n - 1) * s + ke + op;
  return op === null ? n * s : (n - 1) * s + (ke % 2) + op;
}

/** Conv2D output length per axis, SEMANTICS §2 (may be ≤ 0 for valid with a too-large kernel). */
export function convOutputLength(n: number, k: number, s: number, d: number, padding: Padding): number {
  const ke = effectiveKernel(k, d);
  if (padding === 'valid') return n >= ke ? Math.floor((n - ke) / s) + 1 : 0;
  return Math.ceil(n / s);
}

// ------------------------------------------------------------------------------------------
// §1 Conv2DTranspose: dilate by the stride, pad (lo, hi), correlate with the flipped kernel

/** §1.3 step 2: zeros before / after the stride-dilated input on one axis. */
export function deconvPads(k: number, s: number, d: number, padding: Padding, op: number | null): { lo: number; hi: number } {
  const ke = effectiveKernel(k, d);
  if (padding === 'valid') {
    const o = op === null ? Math.max(ke, s) - ke : op;
    return { lo: ke - 1, hi: ke - 1 + o };
  }
  const total = op === null ? s + ke - 2 : ke + (ke % 2) - 2 + op;
  const lo = Math.min(Math.ceil(total / 2), ke - 1);
  return { lo, hi: total - lo };
}

export interface ConvTransposeOptions {
  strides?: [number, number];
  padding?: Padding;
  outputPadding?: [number, number] | null;
  dilation?: [number, number];
  activation?: ActName | string;
}

/**
 * x: [N, H, W, C] NHWC; kernel: Keras (kh, kw, filters, C); bias (filters) or null.
 * out[y,x,o] = act( Σ_{a,b,c} xpad[y + a·d, x + b·d, c] · K[kh-1-a, kw-1-b, o, c] + bias[o] ).
 */
export function conv2dTranspose(x: Arr, xShape: readonly number[], kernel: Arr, kernelShape: readonly number[],
                                bias: Arr | null, opts: ConvTransposeOptions = {}): Result {
  const [N, H, W, C] = xShape;
  const [kh, kw, F, kc] = kernelShape;
  if (kc !== C) throw new Error(`naive conv2dTranspose: kernel in-channels ${kc} != input channels ${C}`);
  check(x, xShape, 'conv2dTranspose input');
  check(kernel, kernelShape, 'conv2dTranspose kernel');
  const [sh, sw] = opts.strides ?? [1, 1];
  const [dh, dw] = opts.dilation ?? [1, 1];
  const padding = opts.padding ?? 'valid';
  const op = opts.outputPadding ?? null;
  const py = deconvPads(kh, sh, dh, padding, op ? op[0] : null);
  const px = deconvPads(kw, sw, dw, padding, op ? op[1] : null);
  // step 1: dilated lengths; step 2: padded lengths
  const Ld = (H - 1) * sh + 1;
  const Wd = (W - 1) * sw + 1;
  const Ph = Ld + py.lo + py.hi;
  const Pw = Wd + px.lo + px.hi;
  const keh = effectiveKernel(kh, dh);
  const kew = effectiveKernel(kw, dw);
  const OH = Ph - keh + 1;
  const OW = Pw - kew + 1;
  // self-check: the recipe's length must equal the §1.2 table
  const tH = deconvOutputLength(H, kh, sh, dh, padding, op ? op[0] : null);
  const tW = deconvOutputLength(W, kw, sw, dw, padding, op ? op[1] : null);
  if (OH !== tH || OW !== tW) throw new Error(`naive conv2dTranspose: recipe length ${OH}x${OW} != table ${tH}x${tW}`);
  if (OH < 1 || OW < 1) throw new Error(`naive conv2dTranspose: empty output ${OH}x${OW}`);
  const out = new Float64Array(N * OH * OW * F);
  const xpad = new Float64Array(Ph * Pw * C);
  for (let n = 0; n < N; n++) {
    xpad.fill(0);
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        const py_ = py.lo + i * sh;
        const px_ = px.lo + j * sw;
        for (let c = 0; c < C; c++) xpad[(py_ * Pw + px_) * C + c] = x[((n * H + i) * W + j) * C + c];
      }
    }
    for (let y = 0; y < OH; y++) {
      for (let xo = 0; xo < OW; xo++) {
        for (let o = 0; o < F; o++) {
          let acc = bias ? bias[o] : 0;
          for (let a = 0; a < kh; a++) {
            for (let b = 0; b < kw; b++) {
              const row = ((y + a * dh) * Pw + (xo + b * dw)) * C;
              const kbase = (((kh - 1 - a) * kw + (kw - 1 - b)) * F + o) * C;
              for (let c = 0; c < C; c++) acc += xpad[row + c] * kernel[kbase + c];
            }
          }
          out[((n * OH + y) * OW + xo) * F + o] = activate(opts.activation, acc);
        }
      }
    }
  }
  return { shape: [N, OH, OW, F], data: out };
}

// ------------------------------------------------------------------------------------------
// §2 Conv2D: cross-correlation, 'same' pads floor(total/2) before and the rest after

export interface ConvOptions {
  strides?: [number, number];
  padding?: Padding;
  dilation?: [number, number];
  activation?: ActName | string;
}

/** The padding before the first input on one axis ('same': extra pixel at the end). */
export function convPadBefore(n: number, k: number, s: number, d: number, padding: Padding): number {
  if (padding === 'valid') return 0;
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + effectiveKernel(k, d) - n, 0);
  return Math.floor(total / 2);
}

/** x: [N, H, W, C]; kernel: Keras (kh, kw, C, filters); bias (filters) or null. */
export function conv2d(x: Arr, xShape: readonly number[], kernel: Arr, kernelShape: readonly number[],
                       bias: Arr | null, opts: ConvOptions = {}): Result {
  const [N, H, W, C] = xShape;
  const [kh, kw, kc, F] = kernelShape;
  if (kc !== C) throw new Error(`naive conv2d: kernel in-channels ${kc} != input channels ${C}`);
  check(x, xShape, 'conv2d input');
  check(kernel, kernelShape, 'conv2d kernel');
  const [sh, sw] = opts.strides ?? [1, 1];
  const [dh, dw] = opts.dilation ?? [1, 1];
  const padding = opts.padding ?? 'valid';
  const OH = convOutputLength(H, kh, sh, dh, padding);
  const OW = convOutputLength(W, kw, sw, dw, padding);
  if (OH < 1 || OW < 1) throw new Error(`naive conv2d: empty output ${OH}x${OW}`);
  const top = convPadBefore(H, kh, sh, dh, padding);
  const left = convPadBefore(W, kw, sw, dw, padding);
  const out = new Float64Array(N * OH * OW * F);
  for (let n = 0; n < N; n++) {
    for (let y = 0; y < OH; y++) {
      for (let xo = 0; xo < OW; xo++) {
        for (let o = 0; o < F; o++) {
          let acc = bias ? bias[o] : 0;
          for (let a = 0; a < kh; a++) {
            const iy = y * sh + a * dh - top;
            if (iy < 0 || iy >= H) continue;
            for (let b = 0; b < kw; b++) {
              const ix = xo * sw + b * dw - left;
              if (ix < 0 || ix >= W) continue;
              for (let c = 0; c < C; c++) {
                acc += x[((n * H + iy) * W + ix) * C + c] * kernel[((a * kw + b) * C + c) * F + o];
              }
            }
          }
          out[((n * OH + y) * OW + xo) * F + o] = activate(opts.activation, acc);
        }
      }
    }
  }
  return { shape: [N, OH, OW, F], data: out };
}

// ------------------------------------------------------------------------------------------
// §3 Dense: y = x @ W + b on the last axis, kernel (in, units)

export function dense(x: Arr, xShape: readonly number[], kernel: Arr, kernelShape: readonly number[],
                      bias: Arr | null, act: ActName | string = 'linear'): Result {
  const K = xShape[xShape.length - 1];
  const [kin, U] = kernelShape;
  if (kin !== K) throw new Error(`naive dense: kernel rows ${kin} != features ${K}`);
  check(x, xShape, 'dense input');
  check(kernel, kernelShape, 'dense kernel');
  const rows = x.length / K;
  const out = new Float64Array(rows * U);
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < U; u++) {
      let acc = bias ? bias[u] : 0;
      for (let k = 0; k < K; k++) acc += x[r * K + k] * kernel[k * U + u];
      out[r * U + u] = activate(act, acc);
    }
  }
  return { shape: [...xShape.slice(0, -1), U], data: out };
}

// ------------------------------------------------------------------------------------------
// §4 UpSampling2D

/** §4 bilinear source taps for output index j on an axis of length n upsampled by f. */
export function bilinearSource(j: number, f: number, n: number): { i0: number; i1: number; w: number } {
  let src = (j + 0.5) / f - 0.5;
  src = Math.max(src, 0);
  const i0 = Math.min(Math.floor(src), n - 1);
  const i1 = Math.min(i0 + 1, n - 1);
  return { i0, i1, w: src - i0 };
}

export function upSampling2d(x: Arr, xShape: readonly number[], size: [number, number],
                             interpolation: 'nearest' | 'bilinear' = 'nearest'): Result {
  const [N, H, W, C] = xShape;
  check(x, xShape, 'upSampling2d input');
  const [fh, fw] = size;
  const OH = H * fh;
  const OW = W * fw;
  const out = new Float64Array(N * OH * OW * C);
  const at = (n: number, i: number, j: number, c: number) => x[((n * H + i) * W + j) * C + c];
  for (let n = 0; n < N; n++) {
    for (let y = 0; y < OH; y++) {
      for (let xo = 0; xo < OW; xo++) {
        for (let c = 0; c < C; c++) {
          let v: number;
          if (interpolation === 'nearest') {
            v = at(n, Math.floor(y / fh), Math.floor(xo / fw), c);
          } else {
            const ty = bilinearSource(y, fh, H);
            const tx = bilinearSource(xo, fw, W);
            // separable: first along x in two rows, then along y
            const r0 = (1 - tx.w) * at(n, ty.i0, tx.i0, c) + tx.w * at(n, ty.i0, tx.i1, c);
            const r1 = (1 - tx.w) * at(n, ty.i1, tx.i0, c) + tx.w * at(n, ty.i1, tx.i1, c);
            v = (1 - ty.w) * r0 + ty.w * r1;
          }
          out[((n * OH + y) * OW + xo) * C + c] = v;
        }
      }
    }
  }
  return { shape: [N, OH, OW, C], data: out };
}

// ------------------------------------------------------------------------------------------
// §5 BatchNormalization (inference), unfused: (x - mean) / sqrt(var + eps) * gamma + beta

export interface BatchNormParams {
  gamma?: Arr | null;
  beta?: Arr | null;
  mean: Arr;
  variance: Arr;
  epsilon?: number;
}

export function batchNorm(x: Arr, xShape: readonly number[], p: BatchNormParams): Result {
  check(x, xShape, 'batchNorm input');
  const C = xShape[xShape.length - 1];
  const eps = p.epsilon ?? 1e-3;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    const g = p.gamma ? p.gamma[c] : 1;
    const b = p.beta ? p.beta[c] : 0;
    out[i] = ((x[i] - p.mean[c]) / Math.sqrt(p.variance[c] + eps)) * g + b;
  }
  return { shape: [...xShape], data: out };
}

// ------------------------------------------------------------------------------------------

/** Rounds to float32 (what Keras stores between layers, §7). */
export function toF32(r: Result): Result {
  return { shape: r.shape, data: Float64Array.from(Float32Array.from(r.data)) };
}

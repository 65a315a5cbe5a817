/**
 * Float64 oracles for DepthwiseConv2D and SeparableConv2D (SEMANTICS-functional.md §3), built on
 * the naive Conv2D of naive.ts: a depthwise convolution is, for every input channel c and
 * multiplier m, a one-channel Conv2D of channel c with kernel[:, :, c, m] → output channel
 * c·M + m. Nothing here imports the package.
 */
import { type ActName, activate, type Arr, conv2d, type ConvOptions, type Result } from './naive.js';

/** x: [N, H, W, C]; kernel: Keras depthwise_kernel (kh, kw, C, M); bias (C·M) or null. */
export function depthwiseConv2d(x: Arr, xShape: readonly number[], kernel: Arr, kernelShape: readonly number[],
                                bias: Arr | null, opts: ConvOptions = {}): Result {
  const [N, H, W, C] = xShape;
  const [kh, kw, kc, M] = kernelShape;
  if (kc !== C) throw new Error(`naive depthwise: kernel channels ${kc} != input channels ${C}`);
  let out: Float64Array | null = null;
  let shape: number[] = [];
  for (let c = 0; c < C; c++) {
    // channel c alone, as a one-channel image
    const xc = new Float64Array(N * H * W);
    for (let i = 0; i < N * H * W; i++) xc[i] = x[i * C + c];
    for (let m = 0; m < M; m++) {
      const k = new Float64Array(kh * kw);
      for (let t = 0; t < kh * kw; t++) k[t] = kernel[(t * C + c) * M + m];
      const y = conv2d(xc, [N, H, W, 1], k, [kh, kw, 1, 1], bias ? [bias[c * M + m]] : null, { ...opts, activation: 'linear' });
      if (!out) {
        shape = [y.shape[0], y.shape[1], y.shape[2], C * M];
        out = new Float64Array(y.data.length * C * M);
      }
      for (let i = 0; i < y.data.length; i++) out[i * C * M + c * M + m] = activate(opts.activation, y.data[i]);
    }
  }
  return { shape, data: out! };
}

/**
 * SeparableConv2D: the depthwise convolution without bias, rounded to float32 (TF's
 * intermediate), then a 1×1 convolution with pointwise (1, 1, C·M, F), bias and activation.
 */
export function separableConv2d(x: Arr, xShape: readonly number[], depthwise: Arr, depthwiseShape: readonly number[],
                                pointwise: Arr, pointwiseShape: readonly number[], bias: Arr | null,
                                opts: ConvOptions & { activation?: ActName | string } = {}): Result {
  const mid = depthwiseConv2d(x, xShape, depthwise, depthwiseShape, null, { ...opts, activation: 'linear' });
  const rounded = Float64Array.from(mid.data, Math.fround);
  return conv2d(rounded, mid.shape, pointwise, pointwiseShape, bias, { activation: opts.activation });
}

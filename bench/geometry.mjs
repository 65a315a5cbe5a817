// Keras convolution geometry shared by the bench's model writers and work counts: 'same' padding,
// Conv2DTranspose output length and crop, real (in-bounds) taps.

/** Keras's 'same' padding of a (forward) convolution axis: [before, after]. */
export function samePads(n, k, s) {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * Keras's Conv2DTranspose axis (no output_padding, dilation 1): output length and the crop of the
 * full scatter output (n-1)·s + k; crop_start = floor((k-s)/2) for 'same', 0 for 'valid'.
 */
export function deconvAxis(n, k, s, padding) {
  if (padding === 'same') {
    const total = Math.max(k - s, 0);
    const start = Math.floor(total / 2);
    return { length: n * s, crop: [start, total - start] };
  }
  return { length: n * s + Math.max(k - s, 0), crop: [0, 0] };
}

/** Real (in-bounds) taps along one axis of a forward convolution, summed over its outputs. */
export function realTaps(n, k, s, padding) {
  const [before] = padding === 'same' ? samePads(n, k, s) : [0, 0];
  const out = padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1;
  let taps = 0;
  for (let o = 0; o < out; o++) {
    for (let a = 0; a < k; a++) {
      const i = o * s - before + a;
      if (i >= 0 && i < n) taps++;
    }
  }
  return taps;
}
